//! `netstat -rn -f inet`: the IPv4 routing table, read for its default routes (and, by cable
//! discovery, for every destination a new subnet must keep clear of).
//!
//! Layout (Apple's `netstat.tproj/route.c` under `-n`, as `harness/src/macos/netstat.rs`
//! renders it): `Routing tables`, a blank line, `Internet:`, a header, then one row per
//! route: destination and gateway left-aligned in 18 columns, flags in 10, the interface
//! right-aligned in 14, an optional expiry; rows may end in spaces. The destination of the
//! default route is the word `default`; its gateway is a next hop (`192.168.1.1`) or
//! `link#N` (a tunnel). A Mac can have several: the system-wide one and interface-scoped
//! ones (flag `I`), one per network service.

use std::net::Ipv4Addr;

use serde::Serialize;

/// One row of the table, as printed (the destination keeps netstat's abbreviation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    /// `default`, `10.77/24`, `127.0.0.1`.
    pub destination: String,
    /// `10.77.0.1`, `link#4`, or a hardware address for a neighbour's host route.
    pub gateway: String,
    /// Flag letters: `U`p, `G`ateway, `S`tatic, `I` interface-scoped, ...
    pub flags: String,
    /// The interface's name (`en0`, `utun3`).
    pub netif: String,
}

impl Route {
    /// The route everything without a better route takes.
    pub fn is_default(&self) -> bool {
        matches!(self.destination.as_str(), "default" | "0.0.0.0/0" | "0/0")
    }

    /// The next hop, when the gateway is an IPv4 address (not `link#N`, not a MAC).
    pub fn gateway_address(&self) -> Option<Ipv4Addr> {
        self.gateway.parse().ok()
    }

    /// `I`: the route serves only traffic bound to its interface, not the whole Mac.
    pub fn is_scoped(&self) -> bool {
        self.flags.contains('I')
    }

    /// The destination as a network and prefix length (see [`parse_destination`]).
    pub fn destination_network(&self) -> Option<(Ipv4Addr, u8)> {
        parse_destination(&self.destination)
    }
}

/// A default route's next hop: the router ordinary traffic leaves the Mac through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gateway {
    pub address: Ipv4Addr,
    pub netif: String,
}

/// Parse `netstat -rn -f inet`. Lines that are not IPv4 route rows (titles, the header,
/// an `Internet6:` section, error text) are skipped.
pub fn parse_netstat_routes(text: &str) -> Vec<Route> {
    let mut routes = Vec::new();
    // Without `-f inet` netstat also prints `Internet6:`; its rows are not ours.
    let mut in_other_family = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.ends_with(':') && !trimmed.contains(char::is_whitespace) {
            in_other_family = trimmed != "Internet:";
            continue;
        }
        if in_other_family {
            continue;
        }
        if let Some(route) = parse_row(trimmed) {
            routes.push(route);
        }
    }
    routes
}

/// `default            10.77.0.1          UGScg                 en0       `.
fn parse_row(line: &str) -> Option<Route> {
    let mut words = line.split_whitespace();
    let destination = words.next()?;
    let starts_like_a_route =
        destination == "default" || destination.starts_with(|c: char| c.is_ascii_digit());
    if !starts_like_a_route {
        return None;
    }
    let (gateway, flags, netif) = (words.next()?, words.next()?, words.next()?);
    Some(Route {
        destination: destination.to_owned(),
        gateway: gateway.to_owned(),
        flags: flags.to_owned(),
        netif: netif.to_owned(),
    })
}

/// The next hops of the default routes, the system-wide ones first, each address once.
/// Routes through `link#N` (a VPN tunnel) have no next hop to name and are left out.
pub fn default_gateways(routes: &[Route]) -> Vec<Gateway> {
    let mut defaults: Vec<&Route> = routes.iter().filter(|route| route.is_default()).collect();
    defaults.sort_by_key(|route| route.is_scoped());
    let mut gateways: Vec<Gateway> = Vec::new();
    for route in defaults {
        let Some(address) = route.gateway_address() else {
            continue;
        };
        if gateways.iter().all(|known| known.address != address) {
            gateways.push(Gateway {
                address,
                netif: route.netif.clone(),
            });
        }
    }
    gateways
}

/// A destination as `netstat -rn` abbreviates it: `10.254/16`, `10.77.0.1`, `169.254`
/// (an octet count without `/N` means N = 8 per octet), `192.168.1.4/30`; a `%scope` suffix is
/// dropped. `None` for `default` and anything unreadable.
fn parse_destination(text: &str) -> Option<(Ipv4Addr, u8)> {
    let text = text.split('%').next()?;
    let (address, bits) = match text.split_once('/') {
        Some((address, bits)) => (address, Some(bits.parse::<u8>().ok()?)),
        None => (text, None),
    };
    let octets: Vec<u8> = address
        .split('.')
        .map(|octet| octet.parse().ok())
        .collect::<Option<_>>()?;
    if octets.is_empty() || octets.len() > 4 {
        return None;
    }
    let implied = u8::try_from(octets.len() * 8).ok()?;
    let bits = bits.unwrap_or(implied);
    if bits > 32 {
        return None;
    }
    let mut full = [0u8; 4];
    full[..octets.len()].copy_from_slice(&octets);
    Some((Ipv4Addr::from(full), bits))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;

    const HEAD: &str = "Routing tables\n\nInternet:\n\
        Destination        Gateway            Flags               Netif Expire\n";

    /// A Mac on a home LAN with a VPN tunnel (a scoped default through `link#22`), a scoped
    /// duplicate of the LAN default, an ARP row whose gateway is a MAC, expiry timers.
    const HOME_WITH_VPN: &str =
        "default            192.168.1.1        UGScg                 en0       \n\
        default            link#22            UCSIg               utun3       \n\
        default            192.168.1.1        UGScIg                en0       \n\
        10.254/16          link#22            UCS                 utun3       \n\
        127                127.0.0.1          UCS                   lo0       \n\
        127.0.0.1          127.0.0.1          UH                    lo0       \n\
        169.254            link#6             UCS                   en0      !\n\
        192.168.1          link#6             UCS                   en0      !\n\
        192.168.1.1        a4:2b:b0:f0:1:2    UHLWIir               en0   1187\n\
        224.0.0/4          link#6             UmCS                  en0      !\n\
        255.255.255.255/32 link#6             UCS                   en0      !\n";

    /// The lab's table: one default on en0.
    const LAB: &str = "default            10.77.0.1          UGScg                 en0       \n\
        10.77/24           link#4             UCS                   en0      !\n\
        10.254.0.4/30      link#9             UC                    en5      !\n";

    /// A DHCP lease on the Thunderbolt bridge put a default route on the cable; the LAN's
    /// own default is scoped to en0 and listed after it.
    const DEFAULT_ON_THE_CABLE: &str =
        "default            192.168.1.1        UGScIg                en0       \n\
        default            10.254.0.1         UGScg             bridge0       \n";

    /// A tunnel that took the default route without a next hop.
    const TUNNEL_ONLY: &str =
        "default            link#22            UCSg                utun3       \n\
        0/1                10.8.0.1           UGSc                utun3       \n";

    fn gateways(text: &str) -> Vec<(String, String)> {
        default_gateways(&parse_netstat_routes(text))
            .into_iter()
            .map(|gateway| (gateway.address.to_string(), gateway.netif))
            .collect()
    }

    fn gw(address: &str, netif: &str) -> (String, String) {
        (address.to_owned(), netif.to_owned())
    }

    #[rstest]
    #[case(format!("{HEAD}{HOME_WITH_VPN}"), vec![gw("192.168.1.1", "en0")])]
    #[case(format!("{HEAD}{LAB}"), vec![gw("10.77.0.1", "en0")])]
    #[case(
        format!("{HEAD}{DEFAULT_ON_THE_CABLE}"),
        vec![gw("10.254.0.1", "bridge0"), gw("192.168.1.1", "en0")]
    )]
    #[case(format!("{HEAD}{TUNNEL_ONLY}"), vec![])]
    // No title lines (a shim, a copy): the rows still count.
    #[case(LAB.to_owned(), vec![gw("10.77.0.1", "en0")])]
    #[case(LAB.replace('\n', "\r\n"), vec![gw("10.77.0.1", "en0")])]
    // No default route at all (a Mac without a network).
    #[case(format!("{HEAD}127                127.0.0.1          UCS                   lo0       \n"), vec![])]
    #[case("netstat: sysctl: net.route.0.2.dump.0: Operation not permitted\n".to_owned(), vec![])]
    #[case(String::new(), vec![])]
    // IPv6 rows are another family, even with an address-looking gateway.
    #[case(format!("{HEAD}Internet6:\nDestination Gateway Flags Netif Expire\ndefault 10.0.0.1 UGc en0\n"), vec![])]
    fn default_gateway_of_a_table(#[case] text: String, #[case] expected: Vec<(String, String)>) {
        assert_eq!(gateways(&text), expected);
    }

    #[test]
    fn rows_keep_what_netstat_printed() {
        let routes = parse_netstat_routes(&format!("{HEAD}{HOME_WITH_VPN}"));
        assert_eq!(routes.len(), 11);
        let arp = &routes[8];
        assert_eq!(
            (
                arp.destination.as_str(),
                arp.gateway.as_str(),
                arp.flags.as_str(),
                arp.netif.as_str()
            ),
            ("192.168.1.1", "a4:2b:b0:f0:1:2", "UHLWIir", "en0")
        );
        assert_eq!(arp.gateway_address(), None);
        assert!(routes[1].is_scoped() && !routes[0].is_scoped());
        assert_eq!(routes[10].destination, "255.255.255.255/32");
    }

    #[rstest]
    #[case("default 10.0.0.1 UGSc")]
    #[case("Destination        Gateway            Flags               Netif Expire")]
    #[case("Routing tables")]
    #[case("   ")]
    fn lines_that_are_not_rows(#[case] line: &str) {
        assert_eq!(parse_netstat_routes(line), vec![]);
    }

    proptest! {
        #[test]
        fn never_panics(text in "\\PC*") {
            let _ = default_gateways(&parse_netstat_routes(&text));
        }

        #[test]
        fn never_panics_on_table_like_lines(
            lines in proptest::collection::vec(
                "(default|[0-9./]{0,18}|Internet6?:) +([0-9.]{0,16}|link#[0-9]*|[0-9a-f:]{0,17}) +[A-Za-z]{0,10} +[a-z0-9]{0,14}( +[0-9!]{0,6})? *",
                0..12,
            )
        ) {
            let _ = default_gateways(&parse_netstat_routes(&lines.join("\n")));
        }
    }

    #[rstest]
    #[case("10.254/16", Some(([10, 254, 0, 0], 16)))]
    #[case("10", Some(([10, 0, 0, 0], 8)))]
    #[case("169.254", Some(([169, 254, 0, 0], 16)))]
    #[case("192.168.1", Some(([192, 168, 1, 0], 24)))]
    #[case("10.77.0.1", Some(([10, 77, 0, 1], 32)))]
    #[case("10.254.0.4/30", Some(([10, 254, 0, 4], 30)))]
    #[case("224.0.0/4", Some(([224, 0, 0, 0], 4)))]
    #[case("10.254.0.5%utun3", Some(([10, 254, 0, 5], 32)))]
    #[case("default", None)]
    #[case("10.254/33", None)]
    #[case("10.256", None)]
    #[case("1.2.3.4.5", None)]
    #[case("", None)]
    fn destinations(#[case] text: &str, #[case] expected: Option<([u8; 4], u8)>) {
        assert_eq!(
            parse_destination(text),
            expected.map(|(octets, bits)| (Ipv4Addr::from(octets), bits))
        );
    }
}
