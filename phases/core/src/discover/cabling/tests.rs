//! Tests of cable discovery over small labs rendered as real `system_profiler` and
//! `networksetup` output.

use rstest::rstest;

use super::*;
use crate::discover::fixtures::Lab;
use crate::parse::{parse_hardware_ports, parse_system_profiler_thunderbolt};

fn port(host: usize, device: &str, receptacle: u32) -> PortRef {
    PortRef {
        host: HostId(host),
        port: IfaceName::parse(device).expect("a device"),
        receptacle,
    }
}

/// One end of a cable as `(host index, device)`.
type End<'a> = (usize, &'a str);

/// The two ends of each cable, in order.
fn ends(cabling: &Cabling) -> Vec<(End<'_>, End<'_>)> {
    cabling
        .cables
        .iter()
        .map(|c| {
            (
                (c.a.host.0, c.a.port.as_str()),
                (c.b.host.0, c.b.port.as_str()),
            )
        })
        .collect()
}

#[test]
fn a_three_node_mesh_is_three_cables_each_seen_from_both_ends() {
    let lab = Lab::new(&["m1", "m2", "m3"], 4)
        .cable((0, 1), (1, 1))
        .cable((0, 2), (2, 1))
        .cable((1, 2), (2, 2));
    let cabling = discover_cabling(&lab.hosts()).expect("cabling");
    assert_eq!(
        ends(&cabling),
        [
            ((0, "en2"), (1, "en2")),
            ((0, "en3"), (2, "en2")),
            ((1, "en3"), (2, "en3")),
        ]
    );
    assert!(cabling
        .cables
        .iter()
        .all(|c| c.sighting == Sighting::BothEnds && c.speed == LinkSpeed::Linked { gbps: 80 }));
    assert_eq!(cabling.rdma_cables().count(), cabling.cables.len());
    assert_eq!(cabling.unplugged.len(), 6);
    assert!(cabling.foreign.is_empty() && cabling.looped.is_empty() && cabling.unmapped.is_empty());
}

#[test]
fn receptacles_map_through_networksetup_not_through_their_number() {
    let lab = Lab::new(&["m1", "m2"], 2)
        .device(0, 2, "en6")
        .device(1, 1, "en9")
        .cable((0, 2), (1, 1));
    let cabling = discover_cabling(&lab.hosts()).expect("cabling");
    assert_eq!(ends(&cabling), [((0, "en6"), (1, "en9"))]);
    assert_eq!(cabling.cables[0].a, port(0, "en6", 2));
    assert_eq!(cabling.unplugged, [port(0, "en2", 1), port(1, "en3", 2)]);
}

#[test]
fn the_end_first_in_rank_order_is_a() {
    let lab = Lab::new(&["m1", "m2"], 2).cable((1, 1), (0, 2));
    let cabling = discover_cabling(&lab.hosts()).expect("cabling");
    assert_eq!(ends(&cabling), [((0, "en3"), (1, "en2"))]);
}

#[test]
fn a_thunderbolt_4_link_is_a_cable_listed_as_such() {
    let lab = Lab::new(&["m1", "m2"], 1).cable_at((0, 1), (1, 1), "40 Gb/s");
    let cabling = discover_cabling(&lab.hosts()).expect("cabling");
    assert_eq!(cabling.cables.len(), 1);
    assert_eq!(cabling.cables[0].speed, LinkSpeed::Linked { gbps: 40 });
    let tb4: Vec<&Cable> = cabling
        .cables
        .iter()
        .filter(|c| c.is_thunderbolt_4())
        .collect();
    assert_eq!(
        cabling.rdma_cables().count(),
        cabling.cables.len() - tb4.len()
    );
    assert_eq!(tb4, [&cabling.cables[0]]);
}

#[rstest]
#[case::unknown_mac(Some("ABCDEF00-0000-4000-8000-000000000001"), "Mac mini", "80 Gb/s")]
#[case::dock_without_uuid(None, "CalDigit TS4", "40 Gb/s")]
fn a_port_cabled_to_something_else_is_foreign(
    #[case] uuid: Option<&'static str>,
    #[case] name: &'static str,
    #[case] speed: &'static str,
) {
    let lab = Lab::new(&["m1", "m2"], 2)
        .cable((0, 1), (1, 1))
        .foreign((1, 2), name, uuid, speed);
    let cabling = discover_cabling(&lab.hosts()).expect("cabling");
    assert_eq!(cabling.cables.len(), 1);
    assert_eq!(
        cabling.foreign,
        [ForeignPeer {
            port: port(1, "en3", 2),
            // The parser keeps a peer's name only when it has a domain UUID.
            name: uuid.map(|_| name.to_owned()),
            domain_uuid: uuid.map(str::to_owned),
        }]
    );
    assert_eq!(cabling.unplugged, [port(0, "en3", 2)]);
}

#[test]
fn a_one_sided_sighting_is_one_cable_marked_so() {
    let lab = Lab::new(&["m1", "m2"], 1).one_sided((1, 1), (0, 1));
    let cabling = discover_cabling(&lab.hosts()).expect("cabling");
    assert_eq!(ends(&cabling), [((0, "en2"), (1, "en2"))]);
    assert_eq!(cabling.cables[0].sighting, Sighting::OneEnd);
    // The silent end is not also reported as unplugged.
    assert!(cabling.unplugged.is_empty() && cabling.foreign.is_empty());
}

#[test]
fn a_cable_between_two_ports_of_one_host_is_looped() {
    let lab = Lab::new(&["m1"], 2).cable((0, 1), (0, 2));
    let cabling = discover_cabling(&lab.hosts()).expect("cabling");
    assert!(cabling.cables.is_empty());
    assert_eq!(cabling.looped, [(port(0, "en2", 1), port(0, "en3", 2))]);
}

/// Literal output in Apple's layout: receptacle 4 is `en5` (a bus without its hardware
/// port is unmapped), the idle bus is unplugged.
#[test]
fn inline_reference_layout() {
    let profiler = |own: &str, peer: &str| {
        format!(
            r#"{{
  "SPThunderboltDataType" : [
    {{
      "_name" : "thunderboltusb4_bus_1",
      "domain_uuid_key" : "{own}",
      "receptacle_1_tag" : {{
        "current_speed_key" : "80 Gb/s",
        "receptacle_id_key" : "4",
        "receptacle_status_key" : "receptacle_connected"
      }},
      "_items" : [
        {{
          "_name" : "Mac Studio",
          "domain_uuid_key" : "{peer}"
        }}
      ]
    }},
    {{
      "_name" : "thunderboltusb4_bus_0",
      "domain_uuid_key" : "{own}-0",
      "receptacle_1_tag" : {{
        "current_speed_key" : "Up to 120 Gb/s",
        "receptacle_id_key" : "1",
        "receptacle_status_key" : "receptacle_no_devices_connected"
      }}
    }}
  ]
}}"#
        )
    };
    let host = |name: &str, own: &str, peer: &str, listing: &str| HostThunderbolt {
        host: HostName::parse(name).expect("name"),
        buses: parse_system_profiler_thunderbolt(&profiler(own, peer)).expect("json"),
        ports: parse_hardware_ports(listing),
    };
    let hosts = [
        host(
            "studio1",
            "7F158861",
            "88F10ACA",
            "Hardware Port: Thunderbolt 4\nDevice: en5\n\nHardware Port: Thunderbolt 1\nDevice: en2\n",
        ),
        host(
            "studio2",
            "88F10ACA",
            "7F158861",
            "Hardware Port: Thunderbolt 4\nDevice: en7\n",
        ),
    ];
    let cabling = discover_cabling(&hosts).expect("cabling");
    assert_eq!(ends(&cabling), [((0, "en5"), (1, "en7"))]);
    assert_eq!(cabling.unplugged, [port(0, "en2", 1)]);
    assert_eq!(
        cabling.unmapped,
        [UnmappedBus {
            host: HostId(1),
            bus: "thunderboltusb4_bus_0".into(),
            receptacle: Some(1),
        }]
    );
}

#[test]
fn a_host_given_twice_is_refused() {
    let mut hosts = Lab::new(&["m1", "m2"], 1).hosts();
    hosts[1].host = hosts[0].host.clone();
    assert_eq!(
        discover_cabling(&hosts),
        Err(CablingError::DuplicateHost("m1".into()))
    );
}

#[test]
fn one_domain_on_two_ports_is_refused() {
    let mut hosts = Lab::new(&["m1", "m2"], 1).hosts();
    hosts[1].buses[0].domain_uuid = hosts[0].buses[0].domain_uuid.clone();
    assert!(matches!(
        discover_cabling(&hosts),
        Err(CablingError::DuplicateDomain { .. })
    ));
}

#[test]
fn discovering_again_gives_the_same_cabling() {
    let lab = Lab::new(&["m1", "m2", "m3", "m4"], 3)
        .cable((3, 1), (0, 2))
        .cable((0, 1), (1, 1))
        .cable((2, 2), (1, 3))
        .cable((2, 1), (3, 3));
    let hosts = lab.hosts();
    let first = discover_cabling(&hosts).expect("cabling");
    let mut reversed_buses = hosts.clone();
    for host in &mut reversed_buses {
        host.buses.reverse();
    }
    assert_eq!(discover_cabling(&reversed_buses).expect("cabling"), first);
}

#[test]
fn a_bus_without_its_own_uuid_still_reports_its_cable_once() {
    let mut hosts = Lab::new(&["m1", "m2"], 1).one_sided((1, 1), (0, 1)).hosts();
    hosts[1].buses[0].domain_uuid = None;
    let cabling = discover_cabling(&hosts).expect("cabling");
    assert_eq!(ends(&cabling), [((0, "en2"), (1, "en2"))]);
    assert_eq!(cabling.cables[0].sighting, Sighting::OneEnd);
}
