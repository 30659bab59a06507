//! Which pings a host sends, and how their rows read.

use super::*;
use rdma_harness::phase_test::plan_of;
use rdma_phase::parse::parse_ping;
use rdma_phase::Status;
use rstest::rstest;

fn summary(probes: &[Probe]) -> Vec<(usize, String, String)> {
    probes
        .iter()
        .map(|p| (p.local.0, p.peer_ip.to_string(), p.subject.clone()))
        .collect()
}

fn row(local: usize, peer_ip: &str, subject: &str) -> (usize, String, String) {
    (local, peer_ip.into(), subject.into())
}

#[test]
fn two_nodes_ping_each_other() {
    let plan = plan_of(&["hwstudio1:en5:10.254.0.5", "hwstudio2:en5:10.254.0.6"]);
    assert_eq!(
        summary(&probes_from(&plan, HostId(0))),
        [row(0, "10.254.0.6", "hwstudio1 -> hwstudio2")]
    );
    assert_eq!(
        summary(&probes_from(&plan, HostId(1))),
        [row(1, "10.254.0.5", "hwstudio2 -> hwstudio1")]
    );
}

#[test]
fn three_node_mesh_in_link_order() {
    let plan = plan_of(&[
        "machine-a:en3:10.254.0.1",
        "machine-b:en3:10.254.0.2",
        "machine-a:en5:10.254.0.5",
        "machine-c:en5:10.254.0.6",
        "machine-b:en5:10.254.0.9",
        "machine-c:en3:10.254.0.10",
    ]);
    assert_eq!(
        summary(&probes_from(&plan, HostId(0))),
        [
            row(0, "10.254.0.2", "machine-a -> machine-b"),
            row(2, "10.254.0.6", "machine-a -> machine-c"),
        ]
    );
    assert_eq!(
        summary(&probes_from(&plan, HostId(2))),
        [
            row(3, "10.254.0.5", "machine-c -> machine-a"),
            row(5, "10.254.0.9", "machine-c -> machine-b"),
        ]
    );
}

#[test]
fn two_cables_between_one_pair_name_the_interface() {
    let plan = plan_of(&[
        "a:en3:10.254.0.1",
        "b:en4:10.254.0.2",
        "a:en5:10.254.0.5",
        "b:en6:10.254.0.6",
    ]);
    assert_eq!(
        summary(&probes_from(&plan, HostId(0))),
        [
            row(0, "10.254.0.2", "a -> b (en3)"),
            row(2, "10.254.0.6", "a -> b (en5)"),
        ]
    );
    assert_eq!(
        summary(&probes_from(&plan, HostId(1))),
        [
            row(1, "10.254.0.1", "b -> a (en4)"),
            row(3, "10.254.0.5", "b -> a (en6)"),
        ]
    );
}

fn probe() -> Probe {
    Probe {
        local: NodeId(0),
        peer_ip: Ipv4Addr::new(10, 254, 0, 6),
        subject: "hwstudio1 -> hwstudio2".into(),
        host: "hwstudio1".into(),
        peer_host: "hwstudio2".into(),
        peer: NodeId(1),
        iface: "en5".into(),
        peer_iface: "en5".into(),
    }
}

#[rstest]
#[case(
    CommandOutput::new("1 packets transmitted, 1 packets received, 0.0% packet loss\nround-trip min/avg/max/stddev = 0.118/0.118/0.118/0.000 ms\n", "", 0),
    Status::Ok,
    "0.12ms"
)]
#[case(
    CommandOutput::new("1 packets transmitted, 1 received, 0% packet loss, time 0ms\nrtt min/avg/max/mdev = 0.045/0.045/0.045/0.000 ms\n", "", 0),
    Status::Ok,
    "0.04ms"
)]
#[case(
    CommandOutput::new("1 packets transmitted, 1 packets received, 0.0% packet loss\n", "", 0),
    Status::Ok,
    "reply"
)]
#[case(
    CommandOutput::new(
        "1 packets transmitted, 0 packets received, 100.0% packet loss\n",
        "",
        2
    ),
    Status::Fail,
    "no response"
)]
#[case(
    CommandOutput::new("", "ping: sendto: No route to host\n", 2),
    Status::Fail,
    "no response"
)]
fn rows(#[case] output: CommandOutput, #[case] status: Status, #[case] message: &str) {
    let outcome = report(&probe(), parse_ping(&output.stdout), &output);
    assert_eq!(
        (outcome.status, outcome.message.as_str()),
        (status, message)
    );
    assert_eq!(outcome.hint.is_some(), status == Status::Fail);
}

#[test]
fn no_response_hint_names_the_cable_and_what_ping_said() {
    let out = CommandOutput::new("", "ping: sendto: Host is down\n", 2);
    let outcome = report(&probe(), parse_ping(&out.stdout), &out);
    let hint = outcome.hint.unwrap_or_default();
    assert!(hint.starts_with("hwstudio1 got no reply from hwstudio2 at 10.254.0.6 over en5 (ping said: ping: sendto: Host is down)."));
}

const NONE: Unsettled = Unsettled {
    local: false,
    peer: false,
};
const LOCAL: Unsettled = Unsettled {
    local: true,
    peer: false,
};
const PEER: Unsettled = Unsettled {
    local: false,
    peer: true,
};

#[rstest]
// `--only ping`: no node phase ran, so no run is coming to set the address.
#[case(
    AddressState::Missing,
    Mode::Check,
    NONE,
    Status::Skipped,
    "not tested: en5 has no address yet"
)]
// The ip phase of this run would set it: the ping waits for that change.
#[case(
    AddressState::Missing,
    Mode::Check,
    LOCAL,
    Status::Pending,
    "not tested: en5 has no address yet"
)]
#[case(
    AddressState::Missing,
    Mode::Apply,
    LOCAL,
    Status::Fail,
    "no response (en5 has no address)"
)]
#[case(
    AddressState::NoInterface,
    Mode::Check,
    PEER,
    Status::Fail,
    "no response (en5 has no address)"
)]
// The other Mac rebooted: its address is a change still to make.
#[case(
    AddressState::Held,
    Mode::Check,
    PEER,
    Status::Pending,
    "not tested yet: hwstudio2's en5 is not set up yet"
)]
// This end holds its address but still has a change to make (a bridge, say).
#[case(
    AddressState::Held,
    Mode::Check,
    LOCAL,
    Status::Pending,
    "not tested yet: en5 is not set up yet"
)]
// Both ends set up and no answer: the cable.
#[case(AddressState::Held, Mode::Check, NONE, Status::Fail, "no response")]
#[case(AddressState::Held, Mode::Apply, PEER, Status::Fail, "no response")]
fn an_unanswered_ping_says_why(
    #[case] held: AddressState,
    #[case] mode: Mode,
    #[case] unsettled: Unsettled,
    #[case] status: Status,
    #[case] message: &str,
) {
    let plan = plan_of(&["hwstudio1:en5:10.254.0.5", "hwstudio2:en5:10.254.0.6"]);
    let probe = &probes_from(&plan, HostId(0))[0];
    let row = unanswered(held, mode, unsettled, probe, Outcome::fail("no response"));
    assert_eq!((row.status, row.message.as_str()), (status, message));
}

#[test]
fn a_pending_peer_is_named_with_its_port() {
    let plan = plan_of(&["hwstudio1:en3:10.254.0.5", "hwstudio2:en6:10.254.0.6"]);
    let probe = &probes_from(&plan, HostId(1))[0];
    assert_eq!((probe.peer, probe.peer_iface.as_str()), (NodeId(0), "en3"));
    let row = unanswered(
        AddressState::Held,
        Mode::Check,
        PEER,
        probe,
        Outcome::fail("no response"),
    );
    assert_eq!(
        row.message,
        "not tested yet: hwstudio1's en3 is not set up yet"
    );
    assert!(row
        .hint
        .unwrap_or_default()
        .contains("en3 on hwstudio1 still has a change to make"));
}
