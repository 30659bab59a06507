//! The phase end to end against a scripted host.

use rdma_harness::phase_test::{rows, run_phase};
use rdma_phase::{CommandOutput, Mode, Outcome, Status};

use super::BRIDGE;

/// Run the phase for hwstudio1:en5:10.254.0.5 against scripted answers.
fn run(mode: Mode, answers: Vec<(&'static str, CommandOutput)>) -> (Vec<Outcome>, Vec<String>) {
    let scripted = run_phase(&BRIDGE, mode, answers);
    (scripted.outcomes, scripted.sent)
}

const EN5: &str =
    "en5: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\tstatus: active\n";
const BRIDGES: &str = "bridge0: flags=8863<UP> mtu 1500\n\tmember: en2 flags=3<LEARNING,DISCOVER>\n\tmember: en5 flags=3<LEARNING,DISCOVER>\n\
    bridge1: flags=8822<BROADCAST> mtu 1500\n\tmember: en5 flags=3<LEARNING,DISCOVER>\n";
const BRIDGE0_WITHOUT_EN5: &str =
    "bridge0: flags=8863<UP> mtu 1500\n\tmember: en2 flags=3<LEARNING,DISCOVER>\n";

#[test]
fn clean_host_needs_no_sudo() {
    let (outcomes, sent) = run(
        Mode::Apply,
        vec![("ifconfig -a", CommandOutput::new(EN5, "", 0))],
    );
    assert_eq!(rows(&outcomes), [(Status::Ok, "en5 not in any bridge")]);
    assert_eq!(sent, ["ifconfig -a"]);
}

#[test]
fn removes_from_every_bridge_and_verifies() {
    let (outcomes, sent) = run(
        Mode::Apply,
        vec![
            (
                "ifconfig -a",
                CommandOutput::new(format!("{EN5}{BRIDGES}"), "", 0),
            ),
            (
                "sudo ifconfig bridge0 deletem en5",
                CommandOutput::new("", "", 0),
            ),
            (
                "sudo ifconfig bridge1 deletem en5",
                CommandOutput::new("", "ifconfig: BRDGDEL en5: No such file or directory\n", 1),
            ),
            (
                "ifconfig -a",
                CommandOutput::new(format!("{EN5}{BRIDGE0_WITHOUT_EN5}"), "", 0),
            ),
        ],
    );
    assert_eq!(
        rows(&outcomes),
        [
            (Status::Changed, "en5 removed from bridge0"),
            (Status::Changed, "en5 removed from bridge1"),
        ]
    );
    assert_eq!(sent.len(), 4);
}

#[test]
fn check_mode_sends_no_change() {
    let (outcomes, sent) = run(
        Mode::Check,
        vec![(
            "ifconfig -a",
            CommandOutput::new(format!("{EN5}{BRIDGES}"), "", 0),
        )],
    );
    assert_eq!(
        rows(&outcomes),
        [
            (Status::Pending, "would remove en5 from bridge0"),
            (Status::Pending, "would remove en5 from bridge1"),
        ]
    );
    assert_eq!(sent, ["ifconfig -a"]);
}

#[test]
fn refused_removal_fails_with_a_sudo_hint() {
    let (outcomes, _) = run(
        Mode::Apply,
        vec![
            (
                "ifconfig -a",
                CommandOutput::new(
                    format!("{EN5}{BRIDGE0_WITHOUT_EN5}").replace("en2", "en5"),
                    "",
                    0,
                ),
            ),
            (
                "sudo ifconfig bridge0 deletem en5",
                CommandOutput::new("", "ifconfig: BRDGDEL en5: Operation not permitted\n", 1),
            ),
        ],
    );
    assert_eq!(
        rows(&outcomes),
        [(
            Status::Fail,
            "could not remove en5 from bridge0: ifconfig: BRDGDEL en5: Operation not permitted"
        )]
    );
    assert!(outcomes[0]
        .hint
        .as_deref()
        .is_some_and(|hint| hint.contains("sudo on hwstudio1")));
}

#[test]
fn member_that_comes_back_fails_verification() {
    let (outcomes, _) = run(
        Mode::Apply,
        vec![
            (
                "ifconfig -a",
                CommandOutput::new(format!("{EN5}{BRIDGES}"), "", 0),
            ),
            (
                "sudo ifconfig bridge0 deletem en5",
                CommandOutput::new("", "", 0),
            ),
            (
                "sudo ifconfig bridge1 deletem en5",
                CommandOutput::new("", "", 0),
            ),
            (
                "ifconfig -a",
                CommandOutput::new(format!("{EN5}{BRIDGES}"), "", 0),
            ),
        ],
    );
    assert_eq!(
        rows(&outcomes),
        [
            (Status::Fail, "en5 still in bridge0 after removing it"),
            (Status::Fail, "en5 still in bridge1 after removing it"),
        ]
    );
}

#[test]
fn unknown_interface_fails_with_a_hint() {
    let (outcomes, _) = run(
        Mode::Apply,
        vec![(
            "ifconfig -a",
            CommandOutput::new(EN5.replace("en5", "en3"), "", 0),
        )],
    );
    assert_eq!(
        rows(&outcomes),
        [(Status::Fail, "en5 does not exist on hwstudio1")]
    );
    assert!(outcomes[0].hint.is_some());
}

#[test]
fn rows_keep_bridge_order_when_one_removal_fails() {
    let (outcomes, _) = run(
        Mode::Apply,
        vec![
            (
                "ifconfig -a",
                CommandOutput::new(format!("{EN5}{BRIDGES}"), "", 0),
            ),
            (
                "sudo ifconfig bridge0 deletem en5",
                CommandOutput::new("", "ifconfig: BRDGDEL en5: Device busy\n", 1),
            ),
            (
                "sudo ifconfig bridge1 deletem en5",
                CommandOutput::new("", "", 0),
            ),
            (
                "ifconfig -a",
                CommandOutput::new(format!("{EN5}{BRIDGE0_WITHOUT_EN5}"), "", 0),
            ),
        ],
    );
    assert_eq!(
        rows(&outcomes),
        [
            (
                Status::Fail,
                "could not remove en5 from bridge0: ifconfig: BRDGDEL en5: Device busy"
            ),
            (Status::Changed, "en5 removed from bridge1"),
        ]
    );
}
