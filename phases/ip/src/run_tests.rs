//! The phase end to end against a scripted host.

use rdma_harness::phase_test::{rows, run_phase};
use rdma_phase::{CommandOutput, Mode, Outcome, Status};

use super::IP;

/// Run the phase for hwstudio1:en5:10.254.0.5 against scripted answers.
fn run(mode: Mode, answers: Vec<(&'static str, CommandOutput)>) -> (Vec<Outcome>, Vec<String>) {
    let scripted = run_phase(&IP, mode, answers);
    (scripted.outcomes, scripted.sent)
}

const EN0: &str = "en0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\tinet 192.168.1.20 netmask 0xffffff00 broadcast 192.168.1.255\n";
const EN5_BARE: &str =
    "en5: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\tstatus: active\n";
const EN5_SET: &str = "en5: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\tinet 10.254.0.5 netmask 0xfffffffc broadcast 10.254.0.7\n\tstatus: active\n";
const EN5_OLD: &str = "en5: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\tinet 192.168.7.1 netmask 0xfffffffc broadcast 192.168.7.3\n\tstatus: active\n";
const SET: &str = "sudo ifconfig en5 10.254.0.5 netmask 255.255.255.252";
const NETSTAT: &str = "netstat -rn -f inet";
/// The routing table of a Mac on a home LAN (`netstat -rn -f inet`, trailing spaces kept).
const ROUTES: &str = "Routing tables\n\nInternet:\n\
    Destination        Gateway            Flags               Netif Expire\n\
    default            192.168.1.1        UGScg                 en0       \n\
    127                127.0.0.1          UCS                   lo0       \n\
    192.168.1          link#6             UCS                   en0      !\n";

fn routes() -> (&'static str, CommandOutput) {
    (NETSTAT, CommandOutput::new(ROUTES, "", 0))
}

fn hint(outcome: &Outcome) -> &str {
    outcome.hint.as_deref().unwrap_or_default()
}

#[test]
fn address_already_there_needs_no_sudo() {
    let (outcomes, sent) = run(
        Mode::Apply,
        vec![(
            "ifconfig -a",
            CommandOutput::new(format!("{EN0}{EN5_SET}"), "", 0),
        )],
    );
    assert_eq!(
        rows(&outcomes),
        [(Status::Ok, "Static IP already set: 10.254.0.5/30")]
    );
    assert_eq!(sent, ["ifconfig -a"]);
}

#[test]
fn sets_and_verifies() {
    let (outcomes, sent) = run(
        Mode::Apply,
        vec![
            (
                "ifconfig -a",
                CommandOutput::new(format!("{EN0}{EN5_BARE}"), "", 0),
            ),
            routes(),
            (SET, CommandOutput::new("", "", 0)),
            ("ifconfig en5", CommandOutput::new(EN5_SET, "", 0)),
        ],
    );
    assert_eq!(
        rows(&outcomes),
        [(Status::Changed, "Static IP set: 10.254.0.5/30")]
    );
    assert_eq!(sent, ["ifconfig -a", NETSTAT, SET, "ifconfig en5"]);
}

#[test]
fn check_mode_holds_the_change_back() {
    let (outcomes, sent) = run(
        Mode::Check,
        vec![
            (
                "ifconfig -a",
                CommandOutput::new(format!("{EN0}{EN5_BARE}"), "", 0),
            ),
            routes(),
        ],
    );
    assert_eq!(
        rows(&outcomes),
        [(Status::Pending, "would set 10.254.0.5/30 on en5")]
    );
    assert_eq!(sent, ["ifconfig -a", NETSTAT]);
}

#[test]
fn replaces_an_old_address_the_session_does_not_use() {
    let (outcomes, sent) = run(
        Mode::Apply,
        vec![
            (
                "ifconfig -a",
                CommandOutput::new(format!("{EN0}{EN5_OLD}"), "", 0),
            ),
            routes(),
            (
                "printenv SSH_CONNECTION",
                CommandOutput::new("192.168.1.5 52144 192.168.1.20 22\n", "", 0),
            ),
            (SET, CommandOutput::new("", "", 0)),
            ("ifconfig en5", CommandOutput::new(EN5_SET, "", 0)),
        ],
    );
    assert_eq!(
        rows(&outcomes),
        [(Status::Changed, "Static IP set: 10.254.0.5/30")]
    );
    assert_eq!(sent.len(), 5);
}

#[test]
fn never_touches_the_session_interface() {
    let (outcomes, sent) = run(
        Mode::Apply,
        vec![
            (
                "ifconfig -a",
                CommandOutput::new(format!("{EN0}{EN5_OLD}"), "", 0),
            ),
            routes(),
            (
                "printenv SSH_CONNECTION",
                CommandOutput::new("192.168.7.2 52144 192.168.7.1 22\n", "", 0),
            ),
        ],
    );
    assert_eq!(
        rows(&outcomes),
        [(
            Status::Fail,
            "en5 carries the SSH session to hwstudio1 (192.168.7.1): not changing it"
        )]
    );
    assert!(!sent.iter().any(|line| line.starts_with("sudo")));
}

#[test]
fn unreadable_session_is_not_risked() {
    let (outcomes, _) = run(
        Mode::Apply,
        vec![
            (
                "ifconfig -a",
                CommandOutput::new(format!("{EN0}{EN5_OLD}"), "", 0),
            ),
            routes(),
            ("printenv SSH_CONNECTION", CommandOutput::new("", "", 1)),
        ],
    );
    assert_eq!(
        rows(&outcomes),
        [(
            Status::Fail,
            "cannot tell whether en5 carries the SSH session to hwstudio1: not changing it"
        )]
    );
    assert!(hint(&outcomes[0]).contains("192.168.7.1"));
}

#[test]
fn refuses_a_subnet_clash() {
    let en6 =
        "en6: flags=8863<UP> mtu 1500\n\tinet 10.254.0.6 netmask 0xfffffffc broadcast 10.254.0.7\n";
    let (outcomes, sent) = run(
        Mode::Apply,
        vec![(
            "ifconfig -a",
            CommandOutput::new(format!("{EN0}{EN5_BARE}{en6}"), "", 0),
        )],
    );
    assert_eq!(
        rows(&outcomes),
        [(
            Status::Fail,
            "10.254.0.5/30 clashes with 10.254.0.6/30 on en6 of hwstudio1: not changing en5"
        )]
    );
    assert!(hint(&outcomes[0]).contains("Pick a --node address"));
    assert_eq!(sent, ["ifconfig -a"]);
}

#[test]
fn permission_denied_gets_a_sudo_hint() {
    let (outcomes, _) = run(
        Mode::Apply,
        vec![
            (
                "ifconfig -a",
                CommandOutput::new(format!("{EN0}{EN5_BARE}"), "", 0),
            ),
            routes(),
            (
                SET,
                CommandOutput::new("", "ifconfig: ioctl (SIOCAIFADDR): permission denied\n", 1),
            ),
        ],
    );
    assert_eq!(
        rows(&outcomes),
        [(
            Status::Fail,
            "could not set 10.254.0.5/30 on en5: ifconfig: ioctl (SIOCAIFADDR): permission denied"
        )]
    );
    assert!(hint(&outcomes[0]).contains("sudo on hwstudio1"));
}

#[test]
fn address_that_does_not_stick_fails() {
    let (outcomes, _) = run(
        Mode::Apply,
        vec![
            (
                "ifconfig -a",
                CommandOutput::new(format!("{EN0}{EN5_BARE}"), "", 0),
            ),
            routes(),
            (SET, CommandOutput::new("", "", 0)),
            ("ifconfig en5", CommandOutput::new(EN5_BARE, "", 0)),
        ],
    );
    assert_eq!(
        rows(&outcomes),
        [(Status::Fail, "en5 shows no IPv4 address after the change")]
    );
}

#[test]
fn missing_interface_fails() {
    let (outcomes, _) = run(
        Mode::Apply,
        vec![("ifconfig -a", CommandOutput::new(EN0, "", 0))],
    );
    assert_eq!(
        rows(&outcomes),
        [(Status::Fail, "en5 does not exist on hwstudio1")]
    );
}
