use rdma_phase::discover::{Cable, Cabling, ForeignPeer, PortRef, Sighting, UnmappedBus};
use rdma_phase::parse::LinkSpeed;
use rdma_phase::{HostId, HostName, IfaceName};

use super::*;

fn names(list: &[&str]) -> Vec<HostName> {
    list.iter()
        .map(|name| HostName::parse(name).expect("valid"))
        .collect()
}

fn end(host: usize, port: &str) -> PortRef {
    PortRef {
        host: HostId(host),
        port: IfaceName::parse(port).expect("valid"),
        receptacle: 1,
    }
}

fn cable(a: (usize, &str), b: (usize, &str), gbps: u32) -> Cable {
    Cable {
        a: end(a.0, a.1),
        b: end(b.0, b.1),
        speed: LinkSpeed::Linked { gbps },
        sighting: Sighting::BothEnds,
    }
}

#[test]
fn rows_name_both_ends_the_speed_and_what_keeps_a_cable_out() {
    let names = names(&["hwstudio1", "hwstudio2"]);
    assert_eq!(
        cable_row(&names, &cable((0, "en5"), (1, "en5"), 80)),
        "hwstudio1 en5 <-> hwstudio2 en5, 80 Gb/s"
    );
    assert_eq!(
        cable_row(&names, &cable((0, "en3"), (1, "en4"), 40)),
        "hwstudio1 en3 <-> hwstudio2 en4, 40 Gb/s: Thunderbolt 4, no RDMA on it (not planned)"
    );
    let mut one_sided = cable((0, "en2"), (1, "en2"), 80);
    one_sided.sighting = Sighting::OneEnd;
    one_sided.speed = LinkSpeed::Unknown;
    assert_eq!(
        cable_row(&names, &one_sided),
        "hwstudio1 en2 <-> hwstudio2 en2, speed not reported: seen from hwstudio1 only (hwstudio2's port names no peer; planned, check the cable)"
    );
}

#[test]
fn other_ports_are_listed_and_remote_text_is_inert() {
    let names = names(&["a", "b"]);
    let found = Cabling {
        cables: vec![cable((0, "en2"), (1, "en2"), 80)],
        unplugged: vec![end(1, "en3")],
        foreign: vec![
            ForeignPeer {
                port: end(0, "en3"),
                name: Some("Mac mini\x1b]0;pwned\x07".into()),
                domain_uuid: Some("88F10ACA".into()),
            },
            ForeignPeer {
                port: end(0, "en4"),
                name: Some("CalDigit TS4".into()),
                domain_uuid: None,
            },
        ],
        looped: vec![(end(1, "en4"), end(1, "en5"))],
        unmapped: vec![UnmappedBus {
            host: HostId(1),
            bus: "thunderboltusb4_bus_7".into(),
            receptacle: Some(8),
        }],
    };
    insta::assert_snapshot!(cabling(&names, &found));
}

fn shape(names: &[HostName], cables: &[Cable]) -> String {
    topology(names, &classify(names.len(), cables), cables)
}

use rdma_phase::discover::classify;

#[test]
fn the_topology_says_what_jaccl_needs() {
    let four = names(&["m1", "m2", "m3", "m4"]);
    let ring_in_rank_order = [
        cable((0, "en2"), (1, "en3"), 80),
        cable((1, "en2"), (2, "en3"), 80),
        cable((2, "en2"), (3, "en3"), 80),
        cable((0, "en3"), (3, "en2"), 80),
    ];
    let ring_out_of_order = [
        cable((0, "en2"), (2, "en3"), 80),
        cable((1, "en2"), (2, "en2"), 80),
        cable((1, "en3"), (3, "en3"), 80),
        cable((0, "en3"), (3, "en2"), 80),
    ];
    let chain = [
        cable((0, "en2"), (1, "en3"), 80),
        cable((1, "en2"), (2, "en3"), 80),
        cable((1, "en4"), (2, "en4"), 80),
    ];
    let three = names(&["a", "b", "c"]);
    let mesh = [
        cable((0, "en2"), (1, "en2"), 80),
        cable((0, "en3"), (2, "en2"), 80),
        cable((1, "en3"), (2, "en3"), 80),
    ];
    let shown = [
        shape(&three, &mesh),
        shape(&four, &ring_in_rank_order),
        shape(&four, &ring_out_of_order),
        shape(&four, &chain),
    ]
    .join("");
    insta::assert_snapshot!(shown);
}
