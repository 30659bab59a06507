//! The phase end to end against a scripted host, with what real Macs print: TN3205's GID
//! table beside a self-assigned address, and a Thunderbolt 4 Mac with RDMA enabled.

use rdma_harness::phase_test::{rows, run_phase, run_phase_entries};
use rdma_phase::{CommandOutput, Mode, Status};
use rdma_replay::{Entry, Failure, FailureKind};
use rstest::rstest;

use super::IBV_DEVICES;

const LISTED: &str = "    device          \t   node GUID\n    ------          \t----------------\n    rdma_en2        \t8096a9d9edbaac05\n    rdma_en3        \t8196a9d9edbaac05\n    rdma_en5        \t8396a9d9edbaac05\n";
const HEADER_ONLY: &str =
    "    device          \t   node GUID\n    ------          \t----------------\n";

/// `ibv_devinfo -d rdma_en5 -v` in TN3205's shape: `active_width`/`active_speed`, then the
/// EUI-64 link-local, the mapped GIDs `mapped` in their order, the secured link-local.
fn devinfo(mapped: &[&str]) -> String {
    let mut text = String::from(
        "hca_id:\trdma_en5\n\ttransport:\t\t\tThunderbolt (100)\n\tnode_guid:\t\t\t8396:a9d9:edba:ac05\n\tsys_image_guid:\t\t\t8096:a9d9:edba:ac05\n\tvendor_id:\t\t\t0x0000\n\tvendor_part_id:\t\t\t0\n\thw_ver:\t\t\t\t0x0\n\tphys_port_cnt:\t\t\t1\n\t\tport:\t1\n\t\t\tstate:\t\t\tPORT_ACTIVE (4)\n\t\t\tmax_mtu:\t\t4096 (5)\n\t\t\tactive_mtu:\t\t4096 (5)\n\t\t\tsm_lid:\t\t\t1\n\t\t\tport_lid:\t\t1\n\t\t\tport_lmc:\t\t0x00\n\t\t\tlink_layer:\t\tThunderbolt\n\t\t\tactive_width:\t\t8X (4)\n\t\t\tactive_speed:\t\t10.0 Gbps (4)\n\t\t\tGID[  0]:\t\tfe80::344d:4ff:feea:4e40\n",
    );
    for (index, gid) in mapped
        .iter()
        .chain(["fe80::1021:1bac:fe1:b5e3"].iter())
        .enumerate()
    {
        text.push_str(&format!("\t\t\tGID[{:>3}]:\t\t{gid}\n", index + 1));
    }
    text
}

/// `ifconfig en5` with these IPv4 addresses, in this order.
fn ifconfig(inets: &[&str]) -> String {
    let mut text = String::from("en5: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\toptions=460<TSO4,TSO6,CHANNEL_IO>\n\tether 36:4d:04:ea:4e:44\n\tinet6 fe80::1021:1bac:fe1:b5e3%en5 prefixlen 64 secured scopeid 0xd\n");
    for inet in inets {
        text.push_str(&format!("\tinet {inet}\n"));
    }
    text.push_str(
        "\tnd6 options=201<PERFORMNUD,DAD>\n\tmedia: autoselect <full-duplex>\n\tstatus: active\n",
    );
    text
}

const APIPA_GID: &str = "::ffff:169.254.205.255";
const PLANNED_GID: &str = "::ffff:10.254.0.5";
const APIPA_INET: &str = "169.254.205.255 netmask 0xffff0000 broadcast 169.254.255.255";
const PLANNED_INET: &str = "10.254.0.5 netmask 0xfffffffc broadcast 10.254.0.7";

fn ok(stdout: &str) -> CommandOutput {
    CommandOutput::new(stdout, "", 0)
}

#[rstest]
#[case::planned_after_apipa(&[APIPA_GID, PLANNED_GID])]
#[case::planned_before_apipa(&[PLANNED_GID, APIPA_GID])]
#[case::planned_only(&[PLANNED_GID])]
fn the_planned_gid_passes_whatever_else_is_mapped(
    #[case] mapped: &[&str],
    #[values(Mode::Check, Mode::Apply)] mode: Mode,
) {
    let scripted = run_phase(
        &IBV_DEVICES,
        mode,
        vec![
            ("ibv_devices", ok(LISTED)),
            ("ibv_devinfo -d rdma_en5 -v", ok(&devinfo(mapped))),
        ],
    );
    assert_eq!(
        rows(&scripted.outcomes),
        [
            (Status::Ok, "IBV devices: rdma_en5"),
            (Status::Ok, "rdma_en5 port: PORT_ACTIVE"),
            (Status::Ok, "GID: ::ffff:10.254.0.5"),
        ]
    );
}

/// Only the self-assigned address's GID: not the one JACCL is given. Whether en5 holds the
/// planned address (beside the 169.254 one, in either order) tells why.
#[rstest]
#[case::address_pending(&[APIPA_INET], Mode::Check, Status::Pending, "GID ::ffff:10.254.0.5 appears on rdma_en5 once en5 has its address")]
#[case::address_missing(&[APIPA_INET], Mode::Apply, Status::Fail, "GID: no ::ffff:10.254.0.5 on rdma_en5")]
#[case::stuck_after(&[APIPA_INET, PLANNED_INET], Mode::Apply, Status::Fail, "GID: no ::ffff:10.254.0.5 on rdma_en5, although en5 holds 10.254.0.5")]
#[case::stuck_before(&[PLANNED_INET, APIPA_INET], Mode::Check, Status::Fail, "GID: no ::ffff:10.254.0.5 on rdma_en5, although en5 holds 10.254.0.5")]
fn a_self_assigned_gid_is_not_the_planned_one(
    #[case] inets: &[&str],
    #[case] mode: Mode,
    #[case] status: Status,
    #[case] message: &str,
) {
    let scripted = run_phase(
        &IBV_DEVICES,
        mode,
        vec![
            ("ibv_devices", ok(LISTED)),
            ("ibv_devinfo -d rdma_en5 -v", ok(&devinfo(&[APIPA_GID]))),
            ("ifconfig -a", ok(&ifconfig(inets))),
        ],
    );
    assert_eq!(rows(&scripted.outcomes)[2], (status, message));
}

/// en5 is "Thunderbolt 2"; en2 is "Thunderbolt 5", whose bus links at 80 Gb/s.
const PORTS: &str = "\nHardware Port: Ethernet\nDevice: en0\nEthernet Address: 02:00:00:00:00:05\n\nHardware Port: Thunderbolt 5\nDevice: en2\nEthernet Address: 02:00:00:00:00:03\n\nHardware Port: Thunderbolt 2\nDevice: en5\nEthernet Address: 02:00:00:00:00:02\n\nVLAN Configurations\n===================\n";

const BUSES: &str = "{\n  \"SPThunderboltDataType\" : [\n    {\n      \"_name\" : \"thunderboltusb4_bus_4\",\n      \"domain_uuid_key\" : \"7F158861-C131-4D0D-83B6-CA50EF76C32B\",\n      \"receptacle_1_tag\" : {\n        \"current_speed_key\" : \"80 Gb/s\",\n        \"receptacle_id_key\" : \"5\",\n        \"receptacle_status_key\" : \"receptacle_connected\"\n      }\n    },\n    {\n      \"_name\" : \"thunderboltusb4_bus_1\",\n      \"domain_uuid_key\" : \"00000008-0000-4000-8000-000000000008\",\n      \"receptacle_1_tag\" : {\n        \"current_speed_key\" : \"40 Gb/s\",\n        \"link_status_key\" : \"0x2\",\n        \"receptacle_id_key\" : \"2\",\n        \"receptacle_status_key\" : \"receptacle_connected\"\n      },\n      \"_items\" : [\n        {\n          \"_name\" : \"Mac mini\",\n          \"domain_uuid_key\" : \"88F10ACA-5CAA-4F5D-8361-03EED54ACB5A\"\n        }\n      ]\n    }\n  ]\n}\n";

#[rstest]
#[case::header_only(
    ok(HEADER_ONLY),
    "IBV devices: none, RDMA is enabled but en5 cannot do RDMA (Thunderbolt 4 link at 40 Gb/s)"
)]
#[case::no_ib_devices(
    CommandOutput::new("", "No IB devices found\n", 255),
    "IBV devices: none, RDMA is enabled but en5 cannot do RDMA (Thunderbolt 4 link at 40 Gb/s)"
)]
#[case::none_for_this_port(ok(&LISTED.replace("rdma_en5", "rdma_en4")), "IBV devices: rdma_en5 not found, RDMA is enabled but en5 cannot do RDMA (Thunderbolt 4 link at 40 Gb/s; found: rdma_en2, rdma_en3, rdma_en4)")]
fn a_thunderbolt_4_port_with_rdma_enabled(
    #[case] listing: CommandOutput,
    #[case] message: &str,
    #[values(Mode::Check, Mode::Apply)] mode: Mode,
) {
    let scripted = run_phase(
        &IBV_DEVICES,
        mode,
        vec![
            ("ibv_devices", listing),
            ("rdma_ctl status", ok("enabled\n")),
            ("networksetup -listallhardwareports", ok(PORTS)),
            ("system_profiler SPThunderboltDataType -json", ok(BUSES)),
        ],
    );
    let [row] = scripted.outcomes.as_slice() else {
        panic!("one row expected: {:?}", scripted.outcomes);
    };
    assert_eq!((row.status, row.message.as_str()), (Status::Fail, message));
    let hint = row.hint.as_deref().unwrap_or_default();
    assert!(
        hint.contains("en5 (Thunderbolt 2) links at 40 Gb/s"),
        "{hint}"
    );
    assert!(
        !hint.contains("Recovery") && !hint.contains("rdma_ctl enable"),
        "{hint}"
    );
    assert_eq!(
        scripted.sent,
        [
            "ibv_devices",
            "rdma_ctl status",
            "networksetup -listallhardwareports",
            "system_profiler SPThunderboltDataType -json",
        ]
    );
}

#[test]
fn unreadable_link_speed_still_says_the_port_cannot_do_rdma() {
    let scripted = run_phase(
        &IBV_DEVICES,
        Mode::Check,
        vec![
            ("ibv_devices", ok(HEADER_ONLY)),
            ("rdma_ctl status", ok("enabled\n")),
            ("networksetup -listallhardwareports", ok(PORTS)),
            (
                "system_profiler SPThunderboltDataType -json",
                CommandOutput::new("", "system_profiler: timed out\n", 1),
            ),
        ],
    );
    assert_eq!(
        rows(&scripted.outcomes),
        [(
            Status::Fail,
            "IBV devices: none, RDMA is enabled but en5 cannot do RDMA (Thunderbolt 4, or not a Thunderbolt 5 cable)"
        )]
    );
    assert!(scripted.outcomes[0]
        .hint
        .as_deref()
        .is_some_and(|hint| hint.contains("the link of Thunderbolt 2 could not be read")));
}

/// `system_profiler` timing out loses the speed, not the row.
#[test]
fn a_timed_out_system_profiler_leaves_the_speed_out() {
    let timed_out = Entry {
        command: "system_profiler SPThunderboltDataType -json".to_owned(),
        stdin: None,
        output: Err(Failure {
            kind: FailureKind::Failed,
            reason: "no answer within 30 s".to_owned(),
            hint: "the host is slow".to_owned(),
        }),
    };
    let scripted = run_phase_entries(
        &IBV_DEVICES,
        Mode::Check,
        vec![
            Entry::ran("ibv_devices", None, ok(HEADER_ONLY)),
            Entry::ran("rdma_ctl status", None, ok("enabled\n")),
            Entry::ran("networksetup -listallhardwareports", None, ok(PORTS)),
            timed_out,
        ],
    );
    assert_eq!(
        rows(&scripted.outcomes),
        [(
            Status::Fail,
            "IBV devices: none, RDMA is enabled but en5 cannot do RDMA (Thunderbolt 4, or not a Thunderbolt 5 cable)"
        )]
    );
}

/// RDMA off (or unknown): the row is the one it always was, and the hardware is not read.
#[rstest]
#[case(ok("disabled\n"))]
#[case(CommandOutput::new("", "rdma_ctl: This tool needs to be executed from Recovery OS.\n", 77))]
fn with_rdma_not_enabled_the_row_is_unchanged(#[case] rdma_ctl: CommandOutput) {
    let scripted = run_phase(
        &IBV_DEVICES,
        Mode::Check,
        vec![
            ("ibv_devices", ok(HEADER_ONLY)),
            ("rdma_ctl status", rdma_ctl),
        ],
    );
    assert_eq!(
        rows(&scripted.outcomes),
        [(Status::Fail, "IBV devices: none (RDMA disabled)")]
    );
    assert!(scripted.outcomes[0]
        .hint
        .as_deref()
        .is_some_and(|hint| hint.contains("rdma_ctl enable")));
}

/// Devices exist and networksetup does not list en9 as a Thunderbolt port: the wrong
/// interface, as before, and no system_profiler.
#[test]
fn a_port_that_is_not_thunderbolt_is_the_wrong_interface() {
    let scripted = run_phase(
        &IBV_DEVICES,
        Mode::Check,
        vec![
            ("ibv_devices", ok(&LISTED.replace("rdma_en5", "rdma_en4"))),
            ("rdma_ctl status", ok("enabled\n")),
            (
                "networksetup -listallhardwareports",
                ok(&PORTS.replace("Device: en5", "Device: en4")),
            ),
        ],
    );
    let [row] = scripted.outcomes.as_slice() else {
        panic!("one row expected: {:?}", scripted.outcomes);
    };
    assert_eq!(
        row.message,
        "IBV devices: rdma_en5 not found (found: rdma_en2, rdma_en3, rdma_en4)"
    );
    assert_eq!(
        row.hint.as_deref(),
        Some("hwstudio1 has RDMA devices, but none for en5: the device for enN is rdma_enN, so check which port the cable is in and give that interface in --node")
    );
}
