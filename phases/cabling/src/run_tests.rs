//! The phase against `system_profiler` and `networksetup` output as the simulated Macs print
//! it, for cables as planned, moved, pulled, and hosts that did not answer.

use rdma_harness::macos::thunderbolt::{domain_uuid, stable_uuid, switch_uid};
use rdma_harness::macos::{
    list_all_hardware_ports, mac_studio_receptacle, sp_thunderbolt_json, Generation, HardwarePort,
    ThunderboltBusView, ThunderboltPeerView,
};
use rdma_harness::phase_test::two_node_plan;
use rdma_phase::{
    reads, CommandOutput, Context, HostId, Mode, NodeId, Outcome, Phase, SharedReads, Status,
};
use rdma_replay::ReplayTransport;

use crate::CABLING;

/// One Mac's ports and where each is cabled: `(port, Some((peer host, peer port, peer generation)))`.
type Wiring<'a> = &'a [(&'a str, Option<(&'a str, &'a str, Generation)>)];

const TB5: Generation = Generation::Thunderbolt5;

fn answers(host: &str, wiring: Wiring<'_>) -> Vec<(String, CommandOutput)> {
    let buses: Vec<ThunderboltBusView> = wiring
        .iter()
        .map(|(port, peer)| {
            let receptacle = mac_studio_receptacle(port).expect("a Mac Studio port");
            ThunderboltBusView {
                bus: receptacle - 1,
                receptacle,
                domain_uuid: domain_uuid(host, port),
                switch_uid: switch_uid(host, receptacle - 1),
                generation: TB5,
                peer: peer.map(|(peer_host, peer_port, generation)| ThunderboltPeerView {
                    domain_uuid: domain_uuid(peer_host, peer_port),
                    ip_service_uuid: stable_uuid(&format!("ip/{peer_host}")),
                    rdma_service_uuid: None,
                    generation,
                }),
            }
        })
        .collect();
    let ports: Vec<HardwarePort> = wiring
        .iter()
        .map(|(port, _)| {
            let receptacle = mac_studio_receptacle(port).expect("a Mac Studio port");
            HardwarePort::new(
                format!("Thunderbolt {receptacle}"),
                *port,
                "36:4d:04:00:00:01",
            )
        })
        .collect();
    let json = sp_thunderbolt_json(&buses).expect("renders");
    vec![
        (
            reads::thunderbolt_buses().shell_line(),
            CommandOutput::new(json, "", 0),
        ),
        (
            reads::hardware_ports().shell_line(),
            CommandOutput::new(list_all_hardware_ports(&ports), "", 0),
        ),
    ]
}

/// hwstudio1's row for its node `hwstudio1:en5` (planned: a cable to hwstudio2 en5).
fn row(hosts: Vec<(usize, Vec<(String, CommandOutput)>)>) -> Outcome {
    let plan = two_node_plan();
    let shared = SharedReads::new(hosts.into_iter().map(|(id, a)| (HostId(id), a)));
    let mut host = ReplayTransport::new("hwstudio1", "the test's script", Vec::new());
    let mut cx = Context::new(&plan, HostId(0), Some(NodeId(0)), Mode::Apply, &mut host)
        .with_shared(&shared);
    let mut rows = CABLING.run(&mut cx).expect("the phase sends nothing");
    assert!(
        cx.into_issued().is_empty(),
        "the phase only reads the shared answers"
    );
    assert_eq!(rows.len(), 1, "{rows:?}");
    rows.remove(0)
}

const IDLE: Option<(&str, &str, Generation)> = None;

#[test]
fn a_cable_as_planned_is_right() {
    let row = row(vec![
        (
            0,
            answers(
                "hwstudio1",
                &[("en3", IDLE), ("en5", Some(("hwstudio2", "en5", TB5)))],
            ),
        ),
        (
            1,
            answers("hwstudio2", &[("en5", Some(("hwstudio1", "en5", TB5)))]),
        ),
    ]);
    assert_eq!(row.status, Status::Ok, "{row:?}");
    assert_eq!(row.message, "en5 -> hwstudio2 en5 (80 Gb/s)");
    assert!(!row.stops_node);
}

#[test]
fn a_cable_moved_to_another_port_of_the_peer_names_where_it_goes_and_stops_the_node() {
    let row = row(vec![
        (
            0,
            answers("hwstudio1", &[("en5", Some(("hwstudio2", "en6", TB5)))]),
        ),
        (
            1,
            answers(
                "hwstudio2",
                &[("en5", IDLE), ("en6", Some(("hwstudio1", "en5", TB5)))],
            ),
        ),
    ]);
    assert_eq!(row.status, Status::Fail);
    assert_eq!(
        row.message,
        "en5 is cabled to hwstudio2 en6, not to hwstudio2 en5 as planned; hwstudio2 en5 has nothing plugged in"
    );
    assert!(row
        .hint
        .as_deref()
        .is_some_and(|hint| hint.contains("rdma-setup discover")));
    assert!(
        row.stops_node,
        "no address may go on a port cabled elsewhere"
    );
}

#[test]
fn a_cable_moved_to_another_port_here_says_where_the_peer_now_leads() {
    let row = row(vec![
        (
            0,
            answers(
                "hwstudio1",
                &[("en5", IDLE), ("en6", Some(("hwstudio2", "en5", TB5)))],
            ),
        ),
        (
            1,
            answers("hwstudio2", &[("en5", Some(("hwstudio1", "en6", TB5)))]),
        ),
    ]);
    assert_eq!(row.status, Status::Fail);
    assert_eq!(
        row.message,
        "nothing is plugged into en5 (planned: a cable to hwstudio2 en5); hwstudio2 en5 leads to hwstudio1 en6"
    );
    assert!(row.stops_node);
}

#[test]
fn a_port_that_is_not_thunderbolt_is_named_with_the_ports_that_are() {
    let plan_port = "en5";
    let row = row(vec![
        (0, answers("hwstudio1", &[("en2", IDLE), ("en3", IDLE)])),
        (1, answers("hwstudio2", &[(plan_port, IDLE)])),
    ]);
    assert_eq!(row.status, Status::Fail);
    assert_eq!(
        row.message,
        "en5 is not a Thunderbolt port of hwstudio1: its Thunderbolt ports are en2, en3"
    );
    assert!(row.stops_node);
}

#[test]
fn a_thunderbolt_4_link_as_planned_is_a_warning() {
    let row = row(vec![
        (
            0,
            answers(
                "hwstudio1",
                &[("en5", Some(("hwstudio2", "en5", Generation::Thunderbolt4)))],
            ),
        ),
        (
            1,
            answers("hwstudio2", &[("en5", Some(("hwstudio1", "en5", TB5)))]),
        ),
    ]);
    assert_eq!(row.status, Status::Warn, "{row:?}");
    assert!(row.message.contains("40 Gb/s"), "{}", row.message);
    assert!(!row.stops_node);
}

#[test]
fn a_peer_that_did_not_answer_leaves_the_far_end_unknown_without_failing() {
    let row = row(vec![(
        0,
        answers("hwstudio1", &[("en5", Some(("hwstudio2", "en5", TB5)))]),
    )]);
    assert_eq!(row.status, Status::Skipped, "{row:?}");
    assert_eq!(
        row.message,
        "en5 has a cable; where it leads is not known without hwstudio2"
    );
    assert!(!row.stops_node);
}

#[test]
fn a_port_with_nothing_plugged_in_fails_even_when_the_peer_did_not_answer() {
    let row = row(vec![(0, answers("hwstudio1", &[("en5", IDLE)]))]);
    assert_eq!(row.status, Status::Fail);
    assert_eq!(
        row.message,
        "nothing is plugged into en5 (planned: a cable to hwstudio2 en5)"
    );
}

#[test]
fn a_mac_outside_the_cluster_at_the_far_end_fails() {
    let row = row(vec![
        (
            0,
            answers("hwstudio1", &[("en5", Some(("mini9", "en2", TB5)))]),
        ),
        (1, answers("hwstudio2", &[("en5", IDLE)])),
    ]);
    assert_eq!(row.status, Status::Fail, "{row:?}");
    assert!(
        row.message.starts_with("en5 leads to a ")
            && row.message.contains("not one of the cluster's Macs"),
        "{}",
        row.message
    );
}

#[test]
fn a_system_profiler_that_fails_here_is_a_warning_naming_it() {
    let failed = vec![(
        reads::thunderbolt_buses().shell_line(),
        CommandOutput::new("", "system_profiler: timed out\n", 1),
    )];
    let row = row(vec![
        (0, failed),
        (1, answers("hwstudio2", &[("en5", IDLE)])),
    ]);
    assert_eq!(row.status, Status::Warn);
    assert_eq!(
        row.message,
        "where en5's cable leads is not known: system_profiler failed (exit 1): system_profiler: timed out"
    );
    assert!(!row.stops_node);
}

#[test]
fn dry_run_lists_the_two_reads_and_checks_nothing() {
    let plan = two_node_plan();
    let mut host = ReplayTransport::new("hwstudio1", "the test's script", Vec::new());
    let mut cx = Context::new(&plan, HostId(0), Some(NodeId(0)), Mode::DryRun, &mut host);
    let rows = CABLING.dry_run(&mut cx).expect("sends nothing");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, Status::Skipped);
    let issued: Vec<String> = cx.into_issued().into_iter().map(|c| c.line).collect();
    assert_eq!(issued.len(), 2, "{issued:?}");
    assert!(issued
        .iter()
        .all(|line| line.contains("system_profiler") || line.contains("networksetup")));
}

#[test]
fn a_system_profiler_without_domain_uuids_is_not_read_as_foreign_cables() {
    let mut mine = answers("hwstudio1", &[("en5", Some(("hwstudio2", "en5", TB5)))]);
    let own = domain_uuid("hwstudio1", "en5");
    let json = &mut mine[0].1.stdout;
    let line = json
        .lines()
        .find(|line| line.contains(&own))
        .expect("the bus names its own UUID")
        .to_owned();
    *json = json.replace(&format!("{line}\n"), "");
    let row = row(vec![
        (0, mine),
        (
            1,
            answers("hwstudio2", &[("en5", Some(("hwstudio1", "en5", TB5)))]),
        ),
    ]);
    assert_eq!(row.status, Status::Warn, "{row:?}");
    assert!(
        row.message.contains("no Thunderbolt domain UUIDs"),
        "{}",
        row.message
    );
    assert!(!row.stops_node);
}

#[test]
fn no_answer_here_is_a_warning_naming_the_program() {
    let row = row(vec![(1, answers("hwstudio2", &[("en5", IDLE)]))]);
    assert_eq!(row.status, Status::Warn, "{row:?}");
    assert_eq!(
        row.message,
        "where en5's cable leads is not known: system_profiler gave no answer (it could not be run, or it timed out)"
    );
    assert!(!row.stops_node);
}
