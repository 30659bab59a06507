//! The phase end to end against what real Macs print (reference: "What real Macs show that
//! a clean lab does not"): self-assigned addresses, loopback aliases, VPN tunnels, default
//! routes. The node is hwstudio1:en5:10.254.0.5/30.

use rdma_harness::phase_test::{rows, run_phase};
use rdma_phase::{CommandOutput, Mode, Status};
use rstest::rstest;

use super::IP;

const SET: &str = "sudo ifconfig en5 10.254.0.5 netmask 255.255.255.252";
const IFCONFIG_ALL: &str = "ifconfig -a";
const NETSTAT: &str = "netstat -rn -f inet";
const PRINTENV: &str = "printenv SSH_CONNECTION";

/// lo0 with the developer-tools alias, a stf0 without flags, the LAN on en0 (with a
/// self-assigned address of its own), trailing spaces.
const BUSY: &str = "lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 16384\n\
    \tinet 127.0.0.1 netmask 0xff000000 \n\
    \tinet 10.254.254.254 netmask 0xff000000 \n\
    stf0: flags=0<> mtu 1280\n\
    en0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500 \n\
    \tinet 192.168.1.20 netmask 0xffffff00 broadcast 192.168.1.255\n\
    \tinet 169.254.12.34 netmask 0xffff0000 broadcast 169.254.255.255 \n\
    \tstatus: active\n";
const EN5_HEAD: &str = "en5: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n";
const EN5_SELF: &str = "\tinet 169.254.205.255 netmask 0xffff0000 broadcast 169.254.255.255\n";
const EN5_STATIC: &str = "\tinet 10.254.0.5 netmask 0xfffffffc broadcast 10.254.0.7\n";
const ACTIVE: &str = "\tstatus: active\n";
/// A VPN tunnel whose network holds the planned subnet.
const UTUN3: &str = "utun3: flags=8051<UP,POINTOPOINT,RUNNING,MULTICAST> mtu 1380\n\
    \tinet 10.254.3.7 --> 10.254.3.7 netmask 0xffff0000\n";

const ROUTES_HEAD: &str = "Routing tables\n\nInternet:\n\
    Destination        Gateway            Flags               Netif Expire\n";
const LAN_DEFAULT: &str =
    "default            192.168.1.1        UGScg                 en0       \n";

fn out(stdout: impl Into<String>) -> CommandOutput {
    CommandOutput::new(stdout, "", 0)
}

fn listing(extra: &str, en5: &[&str]) -> (&'static str, CommandOutput) {
    (
        IFCONFIG_ALL,
        out(format!("{BUSY}{extra}{EN5_HEAD}{}{ACTIVE}", en5.concat())),
    )
}

fn routes(rows: &str) -> (&'static str, CommandOutput) {
    (NETSTAT, out(format!("{ROUTES_HEAD}{rows}")))
}

fn en5_after() -> (&'static str, CommandOutput) {
    (
        "ifconfig en5",
        out(format!("{EN5_HEAD}{EN5_SELF}{EN5_STATIC}{ACTIVE}")),
    )
}

#[rstest]
#[case(&[EN5_SELF, EN5_STATIC])]
#[case(&[EN5_STATIC, EN5_SELF])]
fn the_planned_address_next_to_a_self_assigned_one_is_set(#[case] en5: &[&str]) {
    let scripted = run_phase(&IP, Mode::Apply, vec![listing("", en5)]);
    assert_eq!(
        rows(&scripted.outcomes),
        [(Status::Ok, "Static IP already set: 10.254.0.5/30")]
    );
}

/// Neither lo0's 10/8 alias nor en0's 169.254 clashes; en5's own 169.254 is no foreign
/// address, so an unreadable session does not block the change.
#[test]
fn a_self_assigned_port_on_a_busy_mac_gets_its_address() {
    let scripted = run_phase(
        &IP,
        Mode::Apply,
        vec![
            listing("", &[EN5_SELF]),
            routes(LAN_DEFAULT),
            (PRINTENV, CommandOutput::new("", "", 1)),
            (SET, out("")),
            en5_after(),
        ],
    );
    assert_eq!(
        rows(&scripted.outcomes),
        [(Status::Changed, "Static IP set: 10.254.0.5/30")]
    );
    assert_eq!(
        scripted.sent,
        [IFCONFIG_ALL, NETSTAT, PRINTENV, SET, "ifconfig en5"]
    );
}

#[test]
fn a_session_on_the_self_assigned_address_keeps_the_port_untouched() {
    let scripted = run_phase(
        &IP,
        Mode::Apply,
        vec![
            listing("", &[EN5_SELF]),
            routes(LAN_DEFAULT),
            (PRINTENV, out("169.254.7.7 52144 169.254.205.255 22\n")),
        ],
    );
    assert_eq!(
        rows(&scripted.outcomes),
        [(
            Status::Fail,
            "en5 carries the SSH session to hwstudio1 (169.254.205.255): not changing it"
        )]
    );
    assert!(!scripted.sent.iter().any(|line| line.starts_with("sudo")));
}

/// Inside a VPN's 10.254.0.0/16: a warning naming the tunnel and its network, then the
/// change (held back in check mode, made in apply mode).
#[rstest]
#[case(Mode::Check, Status::Pending, "would set 10.254.0.5/30 on en5")]
#[case(Mode::Apply, Status::Changed, "Static IP set: 10.254.0.5/30")]
fn a_subnet_inside_a_vpn_network_is_set_with_a_warning(
    #[case] mode: Mode,
    #[case] status: Status,
    #[case] message: &str,
) {
    let mut answers = vec![listing(UTUN3, &[]), routes(LAN_DEFAULT)];
    if mode == Mode::Apply {
        answers.extend([(SET, out("")), en5_after()]);
    }
    let scripted = run_phase(&IP, mode, answers);
    assert_eq!(
        rows(&scripted.outcomes),
        [
            (
                Status::Warn,
                "10.254.0.4/30 on en5 lies inside 10.254.0.0/16 of utun3 on hwstudio1: traffic to 10.254.0.4/30 will take the cable, not utun3"
            ),
            (status, message)
        ]
    );
    let hint = scripted.outcomes[0].hint.as_deref().unwrap_or_default();
    assert!(hint.contains("outside 10.254.0.0/16"), "{hint}");
    assert!(
        hint.contains("routes ordinary traffic over the cable"),
        "{hint}"
    );
}

/// The default gateway inside the planned subnet: refused, with the LAN-clash lesson.
#[rstest]
#[case(
    "default            10.254.0.6         UGScg                 en0       \n",
    "10.254.0.4/30 contains 10.254.0.6, the default gateway of hwstudio1 (via en0): not changing en5",
    false
)]
#[case(
    "default            192.168.1.1        UGScIg                en0       \n\
     default            10.254.0.6         UGScg             bridge0       \n",
    "10.254.0.4/30 contains 10.254.0.6, the default gateway of hwstudio1 (via bridge0): not changing en5",
    true
)]
fn a_subnet_holding_the_default_gateway_is_refused(
    #[case] table: &str,
    #[case] message: &str,
    #[case] dhcp_hint: bool,
) {
    let scripted = run_phase(&IP, Mode::Apply, vec![listing("", &[]), routes(table)]);
    assert_eq!(rows(&scripted.outcomes), [(Status::Fail, message)]);
    let hint = scripted.outcomes[0].hint.as_deref().unwrap_or_default();
    assert!(
        hint.contains("ordinary traffic would go over the cable"),
        "{hint}"
    );
    assert_eq!(hint.contains("DHCP"), dhcp_hint, "{hint}");
    assert_eq!(scripted.sent, [IFCONFIG_ALL, NETSTAT]);
}

/// No routing table (netstat missing or refused): the interfaces' subnets decide alone.
#[rstest]
#[case(CommandOutput::new("", "sh: netstat: command not found\n", 127))]
#[case(out("garbage\n"))]
fn an_unreadable_routing_table_does_not_block(#[case] netstat: CommandOutput) {
    let scripted = run_phase(&IP, Mode::Check, vec![listing("", &[]), (NETSTAT, netstat)]);
    assert_eq!(
        rows(&scripted.outcomes),
        [(Status::Pending, "would set 10.254.0.5/30 on en5")]
    );
}

#[test]
fn an_address_equal_to_a_vpn_network_is_refused() {
    // The same /16 as the tunnel, planned by --netmask 16 elsewhere: here the tunnel holds
    // an address of the planned /30 itself.
    let utun = "utun3: flags=8051<UP,POINTOPOINT,RUNNING,MULTICAST> mtu 1380\n\
        \tinet 10.254.0.6 --> 10.254.0.6 netmask 0xffff0000\n";
    let scripted = run_phase(&IP, Mode::Apply, vec![listing(utun, &[])]);
    assert_eq!(
        rows(&scripted.outcomes),
        [(
            Status::Fail,
            "10.254.0.5/30 clashes with 10.254.0.6/16 on utun3 of hwstudio1: not changing en5"
        )]
    );
}
