//! The decisions of the ip phase, over real Macs' `ifconfig -a` and `netstat -rn`.

use super::*;
use rdma_phase::parse::{default_gateways, parse_ifconfig, parse_netstat_routes};
use rstest::rstest;

const LISTING: &str = "lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 16384\n\
    \tinet 127.0.0.1 netmask 0xff000000\n\
    en0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\
    \tinet 192.168.1.20 netmask 0xffffff00 broadcast 192.168.1.255\n\
    en3: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\
    \tinet 10.254.0.1 netmask 0xfffffffc broadcast 10.254.0.3\n\
    en5: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\
    \tstatus: active\n\
    en6: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\
    \tinet 10.254.0.5 netmask 0xfffffffc broadcast 10.254.0.7\n\
    en7: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\
    \tinet 192.168.2.9 netmask 0xfffffffc broadcast 192.168.2.11\n\
    \tinet 10.254.0.13 netmask 0xfffffffc broadcast 10.254.0.15\n";

fn p(bits: u8) -> Prefix {
    Prefix::new(bits).expect("valid prefix")
}

fn ip(text: &str) -> Ipv4Addr {
    text.parse().expect("valid address")
}

fn clash(other: &str, held: &str, bits: u8) -> Assessment {
    Assessment::Clash {
        other_iface: other.into(),
        held: InetAddress {
            address: ip(held),
            prefix: Some(p(bits)),
        },
    }
}

fn ips(texts: &[&str]) -> Vec<Ipv4Addr> {
    texts.iter().map(|text| ip(text)).collect()
}

fn assign(foreign: &[&str]) -> Assessment {
    Assessment::Assign {
        foreign: ips(foreign),
        self_assigned: vec![],
        inside: vec![],
    }
}

/// Assign, inside broader networks (`iface`, held address, its prefix length).
fn assign_inside(
    foreign: &[&str],
    self_assigned: &[&str],
    inside: &[(&str, &str, u8)],
) -> Assessment {
    Assessment::Assign {
        foreign: ips(foreign),
        self_assigned: ips(self_assigned),
        inside: inside
            .iter()
            .map(|(iface, held, bits)| Enclosing {
                iface: (*iface).to_owned(),
                held: InetAddress {
                    address: ip(held),
                    prefix: Some(p(*bits)),
                },
            })
            .collect(),
    }
}

#[rstest]
#[case("en9", "10.254.0.9", 30, Assessment::NoSuchInterface)]
#[case("en3", "10.254.0.1", 30, Assessment::AlreadySet)]
#[case("en5", "10.254.0.9", 30, assign(&[]))]
// Right address, wrong mask: set again, nothing foreign.
#[case("en3", "10.254.0.1", 31, assign(&[]))]
// Widening to /29 would swallow en6's subnet.
#[case("en3", "10.254.0.1", 29, clash("en6", "10.254.0.5", 30))]
#[case("en3", "10.254.0.2", 30, assign(&[]))]
// The old address of another link stays on en3 and is outside the new subnet.
#[case("en3", "10.254.0.9", 30, assign(&["10.254.0.1"]))]
#[case("en5", "10.254.0.6", 30, clash("en6", "10.254.0.5", 30))]
// A cable moved from en6 to en5: the same address still sits on en6.
#[case("en5", "10.254.0.5", 30, clash("en6", "10.254.0.5", 30))]
// Strictly inside en0's LAN, without its address: set, with a warning.
#[case("en5", "192.168.1.77", 30, assign_inside(&[], &[], &[("en0", "192.168.1.20", 24)]))]
// The planned subnet holds en0's own address: refused.
#[case("en5", "192.168.1.21", 30, clash("en0", "192.168.1.20", 24))]
#[case("en5", "10.254.0.9", 16, clash("en3", "10.254.0.1", 30))]
// Loopback never clashes.
#[case("en5", "127.0.0.2", 30, assign(&[]))]
// Another address of the target itself is no clash.
#[case("en7", "10.254.0.14", 30, assign(&["192.168.2.9"]))]
fn assessments(
    #[case] iface: &str,
    #[case] address: &str,
    #[case] bits: u8,
    #[case] expected: Assessment,
) {
    assert_eq!(
        assess(&parse_ifconfig(LISTING), iface, ip(address), p(bits)),
        expected
    );
}

/// A real Mac (reference: "What real Macs show"): lo0 with a developer alias, a VPN tunnel
/// on 10.254.0.0/16, the Thunderbolt port en2 with only its self-assigned address, a
/// self-assigned address on en0 too, a VM bridge whose cache names en9; trailing spaces.
const REAL_MAC: &str = "lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 16384\n\
    \tinet 127.0.0.1 netmask 0xff000000 \n\
    \tinet 10.254.254.254 netmask 0xff000000 \n\
    stf0: flags=0<> mtu 1280\n\
    en0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500 \n\
    \tinet 192.168.1.20 netmask 0xffffff00 broadcast 192.168.1.255\n\
    \tinet 169.254.12.34 netmask 0xffff0000 broadcast 169.254.255.255 \n\
    \tstatus: active\n\
    en2: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\
    \tinet 169.254.205.255 netmask 0xffff0000 broadcast 169.254.255.255\n\
    \tstatus: active\n\
    utun3: flags=8051<UP,POINTOPOINT,RUNNING,MULTICAST> mtu 1380\n\
    \tinet 10.254.3.7 --> 10.254.3.7 netmask 0xffff0000\n\
    bridge100: flags=8a63<UP,BROADCAST,SMART,RUNNING,ALLMULTI,SIMPLEX,MULTICAST> mtu 1500\n\
    \tinet 192.168.64.1 netmask 0xffffff00 broadcast 192.168.64.255\n\
    \tmember: vmenet0 flags=3<LEARNING,DISCOVER>\n\
    \tAddress cache:\n\
    \t\t6e:67:2:6d:cf:32 Vlan1 en9 1196 flags=0<>\n\
    \tstatus: active\n";

const EN2_SELF: &[&str] = &["169.254.205.255"];

#[rstest]
// Inside the VPN's /16: set, with a warning; lo0's 10/8 alias and 169.254 do not count.
#[case("10.254.0.5", 30, assign_inside(&[], EN2_SELF, &[("utun3", "10.254.3.7", 16)]))]
#[case("10.254.254.253", 30, assign_inside(&[], EN2_SELF, &[("utun3", "10.254.3.7", 16)]))]
// Equal to the VPN's network, or containing it: refused.
#[case("10.254.0.5", 16, clash("utun3", "10.254.3.7", 16))]
#[case("10.0.0.5", 8, clash("utun3", "10.254.3.7", 16))]
// The VPN's own address inside the planned subnet.
#[case("10.254.3.5", 30, clash("utun3", "10.254.3.7", 16))]
// Inside the VM bridge's network.
#[case("192.168.64.9", 30, assign_inside(&[], EN2_SELF, &[("bridge100", "192.168.64.1", 24)]))]
// Loopback addresses and aliases never clash.
#[case("127.0.0.5", 30, assign_inside(&[], EN2_SELF, &[]))]
#[case("172.16.0.1", 30, assign_inside(&[], EN2_SELF, &[]))]
fn assessments_on_a_real_mac(
    #[case] address: &str,
    #[case] bits: u8,
    #[case] expected: Assessment,
) {
    assert_eq!(
        assess(&parse_ifconfig(REAL_MAC), "en2", ip(address), p(bits)),
        expected
    );
}

/// A port as configd and a previous run leave it: the self-assigned address and the
/// static one come in either order.
#[rstest]
#[case(
    "\tinet 169.254.3.4 netmask 0xffff0000 broadcast 169.254.255.255\n\
     \tinet 10.254.0.5 netmask 0xfffffffc broadcast 10.254.0.7\n",
    Assessment::AlreadySet
)]
#[case(
    "\tinet 10.254.0.5 netmask 0xfffffffc broadcast 10.254.0.7 \n\
     \tinet 169.254.3.4 netmask 0xffff0000 broadcast 169.254.255.255 \n",
    Assessment::AlreadySet
)]
#[case(
    "\tinet 169.254.3.4 netmask 0xffff0000 broadcast 169.254.255.255\n",
    assign_inside(&[], &["169.254.3.4"], &[])
)]
#[case(
    "\tinet 169.254.3.4 netmask 0xffff0000 broadcast 169.254.255.255\n\
     \tinet 192.168.7.1 netmask 0xfffffffc broadcast 192.168.7.3\n",
    assign_inside(&["192.168.7.1"], &["169.254.3.4"], &[])
)]
fn self_assigned_addresses_are_not_static(#[case] inet: &str, #[case] expected: Assessment) {
    // Another interface with its own 169.254 address is no clash either.
    let listing = format!(
        "en0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\
         \tinet 169.254.99.1 netmask 0xffff0000 broadcast 169.254.255.255\n\
         en5: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n{inet}\
         \tstatus: active\n"
    );
    assert_eq!(
        assess(&parse_ifconfig(&listing), "en5", ip("10.254.0.5"), p(30)),
        expected
    );
}

#[test]
fn an_enclosing_network_is_named_by_its_network() {
    let enclosing = Enclosing {
        iface: "utun3".into(),
        held: InetAddress {
            address: ip("10.254.3.7"),
            prefix: Some(p(16)),
        },
    };
    assert_eq!(enclosing.network(), "10.254.0.0/16");
}

const ROUTES_HEAD: &str = "Routing tables\n\nInternet:\n\
    Destination        Gateway            Flags               Netif Expire\n";

#[rstest]
#[case(
    "default            192.168.1.1        UGScg                 en0       \n",
    "192.168.1.2",
    30,
    Some(("192.168.1.1", "en0"))
)]
#[case(
    "default            192.168.1.1        UGScg                 en0       \n",
    "192.168.1.5",
    30,
    None
)]
#[case(
    "default            192.168.1.1        UGScg                 en0       \n",
    "10.254.0.5",
    30,
    None
)]
// A DHCP lease on the Thunderbolt bridge put the default route on the cable's subnet.
#[case(
    "default            192.168.1.1        UGScIg                en0       \n\
     default            10.254.0.1         UGScg             bridge0       \n",
    "10.254.0.2",
    30,
    Some(("10.254.0.1", "bridge0"))
)]
// The scoped default of a second service counts too.
#[case(
    "default            10.77.0.1          UGScg                 en0       \n\
     default            192.168.1.1        UGScIg                en1       \n",
    "192.168.1.2",
    24,
    Some(("192.168.1.1", "en1"))
)]
// A tunnel's default has no next hop to swallow.
#[case(
    "default            link#22            UCSg                utun3       \n",
    "10.254.0.5",
    8,
    None
)]
fn the_default_gateway_inside_the_planned_subnet(
    #[case] rows: &str,
    #[case] address: &str,
    #[case] bits: u8,
    #[case] expected: Option<(&str, &str)>,
) {
    let gateways = default_gateways(&parse_netstat_routes(&format!("{ROUTES_HEAD}{rows}")));
    let found = gateway_inside(&gateways, ip(address), p(bits));
    assert_eq!(
        found.map(|gateway| (gateway.address, gateway.netif.as_str())),
        expected.map(|(address, netif)| (ip(address), netif))
    );
}

#[rstest]
#[case("192.168.1.5 52144 192.168.1.20 22\n", Some("192.168.1.20"))]
#[case("::ffff:192.168.1.5 52144 ::ffff:10.254.0.1 22", Some("10.254.0.1"))]
#[case("fe80::1%en0 52144 fe80::2%en0 22", Some("fe80::2"))]
#[case("2001:db8::5 52144 2001:db8::20 22", Some("2001:db8::20"))]
#[case("", None)]
#[case("192.168.1.5 52144", None)]
#[case("a b c d", None)]
#[case("1 2 3 4 5", None)]
fn session_addresses(#[case] text: &str, #[case] expected: Option<&str>) {
    assert_eq!(
        session_server_address(text),
        expected.map(|text| text.parse::<IpAddr>().expect("valid"))
    );
}

fn printenv(stdout: &str, exit_code: i32) -> CommandOutput {
    CommandOutput::new(stdout, "", exit_code)
}

#[rstest]
#[case(
    printenv("192.168.1.5 52144 10.254.0.1 22\n", 0),
    SessionGuard::CarriesSession(ip("10.254.0.1"))
)]
#[case(
    printenv("192.168.1.5 52144 192.168.1.20 22\n", 0),
    SessionGuard::Clear
)]
#[case(
    printenv("2001:db8::5 52144 2001:db8::20 22\n", 0),
    SessionGuard::Clear
)]
#[case(printenv("", 1), SessionGuard::Unknown)]
#[case(printenv("garbage\n", 0), SessionGuard::Unknown)]
fn guards(#[case] output: CommandOutput, #[case] expected: SessionGuard) {
    let interfaces = parse_ifconfig(LISTING);
    let en3 = find_interface(&interfaces, "en3").expect("en3 listed");
    assert_eq!(session_guard(&output, en3), expected);
}

/// A session may arrive on the port's self-assigned address: that port is still hands off.
#[rstest]
#[case(
    printenv("169.254.7.7 52144 169.254.205.255 22\n", 0),
    SessionGuard::CarriesSession(ip("169.254.205.255"))
)]
#[case(
    printenv("192.168.1.5 52144 169.254.12.34 22\n", 0),
    SessionGuard::Clear
)]
#[case(
    printenv("192.168.1.5 52144 192.168.1.20 22\n", 0),
    SessionGuard::Clear
)]
fn guards_on_a_self_assigned_port(#[case] output: CommandOutput, #[case] expected: SessionGuard) {
    let interfaces = parse_ifconfig(REAL_MAC);
    let en2 = find_interface(&interfaces, "en2").expect("en2 listed");
    assert_eq!(session_guard(&output, en2), expected);
}

#[test]
fn addresses_in_messages() {
    let interfaces = parse_ifconfig(LISTING);
    assert_eq!(
        describe_addresses(find_interface(&interfaces, "en7")),
        "192.168.2.9/30, 10.254.0.13/30"
    );
    assert_eq!(
        describe_addresses(find_interface(&interfaces, "en5")),
        "no IPv4 address"
    );
    assert_eq!(describe_addresses(None), "no IPv4 address");
}
