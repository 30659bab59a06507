//! The phase end to end against scripted hosts: hwstudio1:en5:10.254.0.5 pings
//! hwstudio2:en5:10.254.0.6 (and back, for the pending cases).

use rdma_harness::phase_test::{rows, run_phase, two_node_plan};
use rdma_phase::{CommandOutput, Context, HostId, Mode, NodeId, Outcome, Phase, Status};
use rdma_replay::{Entry, ReplayTransport};
use rstest::rstest;

use super::PING;

const FROM_1: &str = "ping -c 1 -t 2 -b en5 10.254.0.6";
const FROM_2: &str = "ping -c 1 -t 2 -b en5 10.254.0.5";

const REPLY: &str = "PING 10.254.0.6 (10.254.0.6): 56 data bytes\n\
    64 bytes from 10.254.0.6: icmp_seq=0 ttl=64 time=0.118 ms\n\
    \n\
    --- 10.254.0.6 ping statistics ---\n\
    1 packets transmitted, 1 packets received, 0.0% packet loss\n\
    round-trip min/avg/max/stddev = 0.118/0.118/0.118/0.000 ms\n";

fn no_reply(peer: &str) -> String {
    format!(
        "PING {peer} ({peer}): 56 data bytes\n\
         \n\
         --- {peer} ping statistics ---\n\
         1 packets transmitted, 0 packets received, 100.0% packet loss\n"
    )
}

const EN5_HEAD: &str = "en5: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n";
const EN5_SELF: &str = "\tinet 169.254.205.255 netmask 0xffff0000 broadcast 169.254.255.255\n";

fn en5(static_line: &str) -> String {
    format!("{EN5_HEAD}{EN5_SELF}{static_line}\tstatus: active\n")
}

fn en5_of(host: usize) -> String {
    en5(&format!(
        "\tinet 10.254.0.{} netmask 0xfffffffc broadcast 10.254.0.7 \n",
        host + 4
    ))
}

/// Run the phase on `host` of [`two_node_plan`] with `pending` nodes, as the runner does after
/// the node phases of every host (`run_phase` knows no pending nodes).
fn run_on(
    host: usize,
    mode: Mode,
    pending: &[NodeId],
    answers: Vec<(&str, CommandOutput)>,
) -> Vec<Outcome> {
    let plan = two_node_plan();
    let name = plan.host(HostId(host)).name.to_string();
    let entries = answers
        .into_iter()
        .map(|(command, output)| Entry::ran(command, None, output))
        .collect();
    let mut transport = ReplayTransport::new(name, "the test's script", entries);
    let outcomes = {
        let mut cx =
            Context::new(&plan, HostId(host), None, mode, &mut transport).with_pending(pending);
        PING.run(&mut cx).unwrap_or_else(|e| panic!("{e}"))
    };
    let unused = transport.unused();
    assert!(unused.is_empty(), "unused answers: {unused:?}");
    outcomes
}

#[test]
fn the_ping_is_bound_to_the_nodes_own_port() {
    let scripted = run_phase(
        &PING,
        Mode::Apply,
        vec![(FROM_1, CommandOutput::new(REPLY, "", 0))],
    );
    assert_eq!(rows(&scripted.outcomes), [(Status::Ok, "0.12ms")]);
    assert_eq!(scripted.sent, [FROM_1]);
}

/// With `-b`, a peer reachable only over another route makes ping fail to send; what it
/// said goes into the hint.
#[rstest]
#[case("ping: sendto: No route to host\n")]
#[case("ping: sendto: Host is down\n")]
fn what_ping_said_goes_into_the_hint(#[case] stderr: &str) {
    let scripted = run_phase(
        &PING,
        Mode::Apply,
        vec![
            (
                FROM_1,
                CommandOutput::new(no_reply("10.254.0.6"), stderr, 2),
            ),
            ("ifconfig -a", CommandOutput::new(en5_of(1), "", 0)),
        ],
    );
    assert_eq!(rows(&scripted.outcomes), [(Status::Fail, "no response")]);
    let hint = scripted.outcomes[0].hint.as_deref().unwrap_or_default();
    assert!(
        hint.contains(&format!("over en5 (ping said: {})", stderr.trim())),
        "{hint}"
    );
}

/// hwstudio2 rebooted: its en5 lost 10.254.0.6 (only the self-assigned address is left),
/// so its ip phase is pending. Both pings of the cable wait for that change.
#[rstest]
// From the Mac that kept its address, towards the rebooted one.
#[case(
    0,
    FROM_1,
    "10.254.0.6",
    en5_of(1),
    "not tested yet: hwstudio2's en5 is not set up yet"
)]
// From the rebooted Mac itself: its own port has no address.
#[case(1, FROM_2, "10.254.0.5", en5(""), "not tested: en5 has no address yet")]
fn one_mac_rebooted_leaves_the_cable_pending_from_either_end(
    #[case] host: usize,
    #[case] ping: &str,
    #[case] peer: &str,
    #[case] ifconfig: String,
    #[case] message: &str,
) {
    let outcomes = run_on(
        host,
        Mode::Check,
        &[NodeId(1)],
        vec![
            (ping, CommandOutput::new(no_reply(peer), "", 2)),
            ("ifconfig -a", CommandOutput::new(ifconfig, "", 0)),
        ],
    );
    assert_eq!(rows(&outcomes), [(Status::Pending, message)]);
}

/// Both ends set up (nothing pending) and no answer: the cable is at fault.
#[test]
fn a_real_failure_stays_a_failure() {
    let outcomes = run_on(
        0,
        Mode::Check,
        &[],
        vec![
            (FROM_1, CommandOutput::new(no_reply("10.254.0.6"), "", 2)),
            ("ifconfig -a", CommandOutput::new(en5_of(1), "", 0)),
        ],
    );
    assert_eq!(rows(&outcomes), [(Status::Fail, "no response")]);
}

/// A pending peer that answers anyway: the reply counts.
#[test]
fn a_reply_from_a_pending_peer_is_a_reply() {
    let outcomes = run_on(
        0,
        Mode::Check,
        &[NodeId(1)],
        vec![(FROM_1, CommandOutput::new(REPLY, "", 0))],
    );
    assert_eq!(rows(&outcomes), [(Status::Ok, "0.12ms")]);
}
