//! Fuzzing the parsers of macOS output: none may panic, whatever a host (or a hostile
//! recording) prints.
//!
//! The inputs are real outputs (the fixtures' transcripts and the samples of
//! `shared/reference/macos-commands.md`) mutated byte by byte and line by line, and plain
//! noise: any characters, control characters, invalid UTF-8 converted lossily as the SSH
//! transport does. Every input goes through every parser, so `ifconfig` output also tests
//! the ping parser.
//!
//! CI runs 128 cases per test (`mutate::config`). For a long run, set the standard
//! `PROPTEST_CASES` variable; release mode makes each case much faster:
//!
//! ```text
//! PROPTEST_CASES=1000000 cargo test -p rdma-phase --release --test fuzz
//! PROPTEST_CASES=1000000 cargo test -p rdma-harness --release --test fuzz_transcript
//! ```
//!
//! A panic found that way becomes a case in `regressions` below, next to the parser's fix.

mod mutate;

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use proptest::prelude::*;
use rdma_phase::parse::{
    bridges_containing, default_gateways, find_bus, find_device, find_hardware_port,
    find_interface, one_line, parse_hardware_ports, parse_ibv_devices, parse_ibv_devinfo,
    parse_ifconfig, parse_netstat_routes, parse_ping, parse_rdma_ctl_status,
    parse_system_profiler_thunderbolt,
};
use rdma_phase::plan::Prefix;
use rdma_phase::CommandOutput;

/// Fixtures covering every command the phases parse: a reinstalled Mac (two bridges, RDMA
/// disabled, header-only `ibv_devices`), a pulled cable (`PORT_DOWN`, ping without reply),
/// a three-node mesh (two ports, two devices), a wrong interface (`ifconfig` errors), and
/// the lab recording (a real `ifconfig -a`, `uname`, `netstat`, `system_profiler` JSON).
const TRANSCRIPTS: &[&str] = &[
    include_str!("../../../fixtures/two-node-reinstall/hosts/hwstudio1.transcript"),
    include_str!("../../../fixtures/pulled-cable/hosts/hwstudio1.transcript"),
    include_str!("../../../fixtures/three-node-mesh/hosts/machine-a.transcript"),
    include_str!("../../../fixtures/wrong-interface/hosts/hwstudio1.transcript"),
    include_str!("../../../fixtures/no-ipv4-gid/hosts/hwstudio2.transcript"),
    include_str!("../../../fixtures/lab-recorded-host-down/hosts/host-1.transcript"),
];

/// Samples of `shared/reference/macos-commands.md` the fixtures do not show: Linux ping,
/// the TN3205 GID table, a busy `ifconfig -a` of a real Mac, sudo and rdma-core errors,
/// a "Thunderbolt N" that is not `enN`, a Thunderbolt 4 link as Apple's JSON writer prints it.
/// A routing table with two default routes (one through a tunnel) and an ARP row.
const REFERENCE: &[&str] = &[
    // The reference's missing-interface error (the fixtures read `ifconfig -a` now, which
    // never prints it).
    "ifconfig: interface en9 does not exist\n",
    "    device          \t   node GUID\n    ------          \t----------------\n    rdma_en2        \t8096a9d9edbaac05\n    rdma_en3        \t8196a9d9edbaac05\n    rdma_en5        \t8396a9d9edbaac05\n    rdma_en4        \t8296a9d9edbaac05\n",
    "hca_id:\trdma_en2\n\ttransport:\t\t\tThunderbolt (100)\n\tphys_port_cnt:\t\t\t1\n\t\tport:\t1\n\t\t\tstate:\t\t\tPORT_ACTIVE (4)\n\t\t\tactive_width:\t\t8X (4)\n\t\t\tactive_speed:\t\t10.0 Gbps (4)\n\t\t\tGID[  0]:\t\tfe80::344d:4ff:feea:4e40\n\t\t\tGID[  1]:\t\t::ffff:169.254.205.255\n\t\t\tGID[  2]:\t\tfe80::1021:1bac:fe1:b5e3\n",
    "PING 10.254.0.6 (10.254.0.6) 56(84) bytes of data.\n64 bytes from 10.254.0.6: icmp_seq=1 ttl=64 time=0.045 ms\n\n--- 10.254.0.6 ping statistics ---\n1 packets transmitted, 1 received, 0% packet loss, time 0ms\nrtt min/avg/max/mdev = 0.045/0.045/0.045/0.000 ms\n",
    "PING 10.254.0.6 (10.254.0.6): 56 data bytes\n64 bytes from 10.254.0.6: icmp_seq=0 ttl=64 time=0.118 ms\n\n--- 10.254.0.6 ping statistics ---\n1 packets transmitted, 1 packets received, 0.0% packet loss\nround-trip min/avg/max/stddev = 0.118/0.118/0.118/0.000 ms\n",
    "lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 16384\n\tinet 127.0.0.1 netmask 0xff000000 \n\tinet 10.254.254.254 netmask 0xff000000 \nstf0: flags=0<> mtu 1280\nutun3: flags=8051<UP,POINTOPOINT,RUNNING,MULTICAST> mtu 1380\n\tinet 100.64.0.7 --> 100.64.0.7 netmask 0xffff0000\nen2: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\tinet 169.254.205.255 netmask 0xffff0000 broadcast 169.254.255.255\n\tinet 10.254.0.5 netmask 0xfffffffc broadcast 10.254.0.7\n\tstatus: active\nbridge100: flags=8a63<UP,BROADCAST,SMART,RUNNING,ALLMULTI,SIMPLEX,MULTICAST> mtu 1500\n\tmember: vmenet0 flags=3<LEARNING,DISCOVER>\n\t        ifmaxaddr 0 port 22 priority 0 path cost 0\n\tAddress cache:\n\t\t6e:67:2:6d:cf:32 Vlan1 en9 1196 flags=0<>\n\tstatus: active\n",
    "Routing tables\n\nInternet:\nDestination        Gateway            Flags               Netif Expire\ndefault            192.168.1.1        UGScg                 en0       \ndefault            link#22            UCSIg               utun3       \n127                127.0.0.1          UCS                   lo0       \n192.168.1.1        a4:2b:b0:f0:1:2    UHLWIir               en0   1187\n224.0.0/4          link#6             UmCS                  en0      !\n",
    "enabled\n",
    "disabled\n",
    "rdma_ctl: This tool needs to be executed from Recovery OS.\n",
    "sudo: a terminal is required to read the password; either use the -S option to read from standard input or configure an askpass helper\nsudo: a password is required\n",
    "Sorry, try again.\nsudo: 1 incorrect password attempt\n",
    "IB device 'rdma_en9' wasn't found\n",
    "ifconfig: ioctl (SIOCAIFADDR): permission denied\n",
    "\nHardware Port: Thunderbolt Bridge\nDevice: bridge0\nEthernet Address: 02:00:00:00:00:01\n\nHardware Port: Thunderbolt 2\nDevice: en6\nEthernet Address: 02:00:00:00:00:02\n\nVLAN Configurations\n===================\n",
    "{\n  \"SPThunderboltDataType\" : [\n    {\n      \"_name\" : \"thunderboltusb4_bus_1\",\n      \"domain_uuid_key\" : \"7F158861-C131-4D0D-83B6-CA50EF76C32B\",\n      \"receptacle_1_tag\" : {\n        \"current_speed_key\" : \"40 Gb/s\",\n        \"receptacle_id_key\" : \"4\"\n      },\n      \"_items\" : [\n        {\n          \"_name\" : \"Mac Studio\",\n          \"domain_uuid_key\" : \"88F10ACA-5CAA-4F5D-8361-03EED54ACB5A\",\n          \"services_title\" : [ { \"protocol_id_key\" : 64087 } ]\n        }\n      ]\n    }\n  ]\n}\n",
];

/// The stdout and stderr blocks of the transcripts, each as the command printed it, and
/// the reference samples. The transcripts' own markers are a test of the transcript reader,
/// not of the parsers, so they are taken off here.
fn corpus() -> Vec<String> {
    let mut samples = BTreeSet::new();
    for transcript in TRANSCRIPTS {
        let mut block = String::new();
        let mut marker = None;
        for line in transcript.lines() {
            let this = line.chars().next().filter(|c| matches!(c, '|' | '!'));
            if this != marker && !block.is_empty() {
                samples.insert(std::mem::take(&mut block));
            }
            marker = this;
            if this.is_some() {
                block.push_str(line.get(2..).unwrap_or(""));
                block.push('\n');
            }
        }
        samples.insert(block);
    }
    samples.extend(REFERENCE.iter().map(|sample| (*sample).to_owned()));
    samples.remove("");
    samples.into_iter().collect()
}

/// Every parser and what the phases do with its result. Only panics fail the test.
fn parse_everything(text: &str, exit_code: i32) {
    let interfaces = parse_ifconfig(text);
    let _ = bridges_containing(&interfaces, "en5");
    let _ = find_interface(&interfaces, "en5");
    let prefix = Prefix::new(30).expect("30 is a prefix length");
    let planned = Ipv4Addr::new(10, 254, 0, 5);
    for interface in &interfaces {
        let _ = (interface.is_bridge(), interface.has_member("en5"));
        let _ = (
            interface.holds(planned, prefix),
            interface.holds_address(planned),
        );
        let _ = interface.is_loopback();
        for inet in &interface.inet {
            let _ = (inet.overlaps(planned, prefix), inet.to_string());
            let _ = inet.is_self_assigned();
        }
    }

    let routes = parse_netstat_routes(text);
    for route in &routes {
        let _ = (
            route.is_default(),
            route.gateway_address(),
            route.is_scoped(),
        );
    }
    let _ = default_gateways(&routes);

    let _ = parse_rdma_ctl_status(&CommandOutput::new(text, "", exit_code));
    let _ = parse_rdma_ctl_status(&CommandOutput::new("", text, exit_code));

    let _ = parse_ibv_devices(text);

    let devices = parse_ibv_devinfo(text);
    let _ = find_device(&devices, "rdma_en5");
    for device in &devices {
        let _ = device.has_ipv4_mapped_gid(planned);
        for port in &device.ports {
            let _ = port.is_active();
        }
    }

    let ports = parse_hardware_ports(text);
    let _ = find_hardware_port(&ports, "en5");
    for port in &ports {
        let _ = port.thunderbolt_receptacle();
    }

    let buses = parse_system_profiler_thunderbolt(text).unwrap_or_default();
    let _ = find_bus(&buses, 4);
    for bus in &buses {
        let _ = bus.link_speed();
    }

    if let Some(stats) = parse_ping(text) {
        let _ = stats.replied();
    }

    assert!(!one_line(text).contains('\n'));
}

#[test]
fn the_corpus_holds_every_kind_of_output() {
    let corpus = corpus();
    for needle in [
        "flags=8963<UP",
        "\tmember: en5",
        "    device          \t   node GUID",
        "hca_id:\trdma_en5",
        "PORT_DOWN (1)",
        "packets transmitted",
        "round-trip",
        "enabled\n",
        "disabled\n",
        "does not exist",
        "SPThunderboltDataType",
        "UGScg",
        "\"current_speed_key\" : \"40 Gb/s\"",
        "Hardware Port: Thunderbolt 2",
    ] {
        assert!(
            corpus.iter().any(|sample| sample.contains(needle)),
            "no sample holds {needle:?}"
        );
    }
    assert!(
        corpus.iter().all(|sample| !sample.starts_with("| ")),
        "markers left in"
    );
}

proptest! {
    #![proptest_config(mutate::config())]

    #[test]
    fn fuzz_parsers_on_mutated_outputs(
        text in mutate::mutated(corpus()),
        exit_code in prop_oneof![Just(0), Just(1), Just(127), any::<i32>()],
    ) {
        parse_everything(&text, exit_code);
    }

    #[test]
    fn fuzz_parsers_on_noise(text in mutate::noise(), exit_code in any::<i32>()) {
        parse_everything(&text, exit_code);
    }
}
