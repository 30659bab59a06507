//! Whether and how to put the planned address on the interface, decided from parsed state.

use std::net::{IpAddr, Ipv4Addr};

use rdma_phase::parse::{find_interface, InetAddress, Interface};
use rdma_phase::{CommandOutput, Prefix};

/// Where the interface stands against the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assessment {
    NoSuchInterface,
    /// The planned address with the planned prefix is there: nothing to do.
    AlreadySet,
    /// Another interface of the Mac has a subnet that overlaps the planned one; assigning
    /// would route traffic for it over the cable (or the cable's over the LAN).
    Clash {
        other_iface: String,
        held: InetAddress,
    },
    /// The address must be set. `foreign` lists what the interface holds outside the planned
    /// subnet: if anything, the session guard must clear the change first.
    Assign {
        foreign: Vec<Ipv4Addr>,
    },
}

pub fn assess(
    interfaces: &[Interface],
    iface: &str,
    address: Ipv4Addr,
    prefix: Prefix,
) -> Assessment {
    let Some(target) = find_interface(interfaces, iface) else {
        return Assessment::NoSuchInterface;
    };
    if target.holds(address, prefix) {
        return Assessment::AlreadySet;
    }
    let clash = interfaces
        .iter()
        .filter(|other| other.name != iface)
        .find_map(|other| {
            other
                .inet
                .iter()
                .find(|held| held.overlaps(address, prefix))
                .map(|held| (other.name.clone(), *held))
        });
    if let Some((other_iface, held)) = clash {
        return Assessment::Clash { other_iface, held };
    }
    let foreign = target
        .inet
        .iter()
        .map(|held| held.address)
        .filter(|held| prefix.network(*held) != prefix.network(address))
        .collect();
    Assessment::Assign { foreign }
}

/// Whether the interface may be reconfigured, given `printenv SSH_CONNECTION`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionGuard {
    /// The session comes in on an address the interface does not hold.
    Clear,
    /// The session comes in on this address of the interface: hands off.
    CarriesSession(Ipv4Addr),
    /// No readable SSH_CONNECTION: without knowing, the interface is not touched.
    Unknown,
}

pub fn session_guard(printenv: &CommandOutput, target: &Interface) -> SessionGuard {
    if !printenv.success() {
        return SessionGuard::Unknown;
    }
    match session_server_address(&printenv.stdout) {
        None => SessionGuard::Unknown,
        Some(IpAddr::V4(address)) if target.holds_address(address) => {
            SessionGuard::CarriesSession(address)
        }
        // An IPv6 session is untouched by a change of the IPv4 address.
        Some(_) => SessionGuard::Clear,
    }
}

/// The third field of `SSH_CONNECTION` (`client port server port`): the address the session
/// reached this Mac on, with IPv4-mapped IPv6 unwrapped.
pub fn session_server_address(ssh_connection: &str) -> Option<IpAddr> {
    let fields: Vec<&str> = ssh_connection.split_whitespace().collect();
    let [_, _, server, _] = fields[..] else {
        return None;
    };
    let server = server.split('%').next().unwrap_or(server);
    match server.parse::<IpAddr>().ok()? {
        IpAddr::V6(v6) => Some(v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4)),
        v4 => Some(v4),
    }
}

/// How an interface's IPv4 addresses read in a message.
pub fn describe_addresses(interface: Option<&Interface>) -> String {
    match interface {
        Some(interface) if !interface.inet.is_empty() => interface
            .inet
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        _ => "no IPv4 address".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdma_phase::parse::parse_ifconfig;
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

    fn assign(foreign: &[&str]) -> Assessment {
        Assessment::Assign {
            foreign: foreign.iter().map(|text| ip(text)).collect(),
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
    #[case("en5", "192.168.1.77", 30, clash("en0", "192.168.1.20", 24))]
    #[case("en5", "10.254.0.9", 16, clash("en3", "10.254.0.1", 30))]
    #[case("en5", "127.0.0.2", 30, clash("lo0", "127.0.0.1", 8))]
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
}
