//! `netstat -rn -f inet`: the namespace's real IPv4 routes, printed the macOS way.
//!
//! Linux and macOS keep different tables, so the mapping decides a few things:
//! - Loopback: macOS lists `127` and `127.0.0.1` on `lo0` in its one table; Linux keeps them
//!   in the `local` table. They are printed when `lo` is up with 127.0.0.1.
//! - Connected routes are `UC` with gateway `link#<ifindex>` and `!` as Expire, plus `S`
//!   on the management interface, whose address macOS's configd would have set (captures
//!   show `UCS` there and `UC` for addresses set with plain `ifconfig`).
//! - The default route is the primary one, `UGScg`; other routes through a gateway `UGSc`
//!   (`UGHS` for a host); other routes straight onto an interface `UCS`.
//! - Blackhole and unreachable routes, which no lab sets up, are left out.
//! - Cloned host entries (ARP, `UHLWIi`) and the multicast and broadcast routes a real Mac
//!   has are not simulated.

use super::kernel::{self, Link};
use super::routes::{self, Route};
use super::Reply;
use crate::lab::spec::{HIDDEN_IFACE, MGMT_IFACE};
use crate::macos::identity::is_self_assigned;
use crate::macos::netstat::scope_repeated_subnets;
use crate::macos::{netstat_rn_inet, RouteFlags, RouteGateway, RouteView, NETSTAT_USAGE};
use std::net::Ipv4Addr;

/// What the options asked for.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Options {
    routes: bool,
    numeric: bool,
    family: Option<String>,
}

/// getopt-style: letters may be combined (`-rn`), `-f` takes the next word or the rest of
/// its own (`-finet`).
fn parse(args: &[String]) -> Result<Options, Reply> {
    let mut options = Options::default();
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let Some(letters) = word.strip_prefix('-').filter(|rest| !rest.is_empty()) else {
            return Err(Reply::err(NETSTAT_USAGE, 1));
        };
        for (at, letter) in letters.char_indices() {
            match letter {
                'r' => options.routes = true,
                'n' => options.numeric = true,
                'f' => {
                    let rest = &letters[at + 1..];
                    let family = if rest.is_empty() {
                        words.next().cloned()
                    } else {
                        Some(rest.to_owned())
                    };
                    let Some(family) = family else {
                        return Err(Reply::err(
                            format!("netstat: option requires an argument -- f\n{NETSTAT_USAGE}"),
                            1,
                        ));
                    };
                    if !["inet", "inet6", "unix", "systm", "vsock", "ipx", "pfkey"]
                        .contains(&family.as_str())
                    {
                        return Err(Reply::err(
                            format!("netstat: {family}: unknown address family\n"),
                            1,
                        ));
                    }
                    options.family = Some(family);
                    break;
                }
                _ => return Err(Reply::err(NETSTAT_USAGE, 1)),
            }
        }
    }
    Ok(options)
}

pub fn run(args: &[String]) -> Reply {
    let options = match parse(args) {
        Ok(options) => options,
        Err(reply) => return reply,
    };
    let wanted = Options {
        routes: true,
        numeric: true,
        family: Some("inet".to_owned()),
    };
    if options != wanted {
        // Real netstat would answer these; the lab does not simulate them.
        return Reply::err("netstat: the lab simulates only `netstat -rn -f inet`\n", 1);
    }
    let links = match kernel::links(None) {
        Ok(links) => links,
        Err(err) => return Reply::err(format!("netstat: {err}\n"), 1),
    };
    let table = match routes::main_table() {
        Ok(table) => table,
        Err(err) => return Reply::err(format!("netstat: {err}\n"), 1),
    };
    Reply::out(netstat_rn_inet(&views(&table, &links)))
}

/// The rows of the table, in kernel order (the renderer sorts). A subnet connected on a
/// second interface (each Thunderbolt port's 169.254/16) is interface-scoped, `I`, as macOS
/// lists it.
fn views(table: &[Route], links: &[Link]) -> Vec<RouteView> {
    let mut rows: Vec<RouteView> = table
        .iter()
        .filter(|route| route.unicast())
        .filter_map(|route| view(route, links))
        .collect();
    scope_repeated_subnets(&mut rows);
    rows.extend(loopback(links));
    rows
}

fn view(route: &Route, links: &[Link]) -> Option<RouteView> {
    let (destination, prefix) = route.destination()?;
    let link = links
        .iter()
        .find(|link| Some(link.ifname.as_str()) == route.dev.as_deref())?;
    let up = RouteFlags::UP;
    let (gateway, flags, expired) = match route.gateway() {
        Some(gateway) => {
            let flags = if prefix == 0 {
                up.with(RouteFlags::GATEWAY)
                    .with(RouteFlags::STATIC)
                    .with(RouteFlags::PRCLONING)
                    .with(RouteFlags::GLOBAL)
            } else if prefix == 32 {
                up.with(RouteFlags::GATEWAY)
                    .with(RouteFlags::HOST)
                    .with(RouteFlags::STATIC)
            } else {
                up.with(RouteFlags::GATEWAY)
                    .with(RouteFlags::STATIC)
                    .with(RouteFlags::PRCLONING)
            };
            (RouteGateway::Address(gateway), flags, false)
        }
        None => {
            let mut flags = up.with(RouteFlags::CLONING);
            if !route.connected() || configured_by_macos(link) || is_self_assigned(destination) {
                flags = flags.with(RouteFlags::STATIC);
            }
            (RouteGateway::Link(link.ifindex), flags, true)
        }
    };
    Some(RouteView {
        destination,
        prefix,
        gateway,
        flags,
        netif: link.mac_name(),
        expired,
    })
}

/// The interfaces whose address configd (not a user's `ifconfig`) would have set; configd's
/// self-assigned 169.254 addresses count too (see `is_self_assigned`).
fn configured_by_macos(link: &Link) -> bool {
    link.ifname == MGMT_IFACE || link.ifname == HIDDEN_IFACE
}

fn loopback(links: &[Link]) -> Vec<RouteView> {
    let Some(lo) = kernel::find(links, "lo0") else {
        return Vec::new();
    };
    if !lo.has_flag("UP") || !lo.ipv4().iter().any(|(ip, _)| *ip == Ipv4Addr::LOCALHOST) {
        return Vec::new();
    }
    RouteView::loopback().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<String> {
        words.iter().map(|word| (*word).to_owned()).collect()
    }

    #[test]
    fn option_spellings() {
        let wanted = Options {
            routes: true,
            numeric: true,
            family: Some("inet".into()),
        };
        for spelling in [
            &["-rn", "-f", "inet"][..],
            &["-nr", "-finet"],
            &["-r", "-n", "-f", "inet"],
            &["-f", "inet", "-rn"],
            &["-rnf", "inet"],
        ] {
            assert_eq!(parse(&args(spelling)), Ok(wanted.clone()), "{spelling:?}");
        }
        assert_eq!(
            parse(&args(&["-x"])).map(|_| ()),
            Err(Reply::err(NETSTAT_USAGE, 1))
        );
        let bad_family = parse(&args(&["-rn", "-f", "appletalk"])).expect_err("bad family");
        assert_eq!(
            bad_family.stderr,
            "netstat: appletalk: unknown address family\n"
        );
        assert_eq!(run(&args(&["-rn"])).code, 1);
    }

    #[test]
    fn kernel_table_maps_to_macos_rows() {
        let links = kernel::parse_links(
            r#"[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536,
                 "addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8,"scope":"host"}]},
                {"ifindex":4,"ifname":"en0","flags":["UP","LOWER_UP"],"mtu":1500,
                 "addr_info":[{"family":"inet","local":"10.77.0.11","prefixlen":24}]},
                {"ifindex":8,"ifname":"en2","flags":["UP","LOWER_UP"],"mtu":1500,
                 "addr_info":[{"family":"inet","local":"169.254.7.7","prefixlen":16}]},
                {"ifindex":9,"ifname":"en5","flags":["UP","LOWER_UP"],"mtu":1500,
                 "addr_info":[{"family":"inet","local":"10.254.0.5","prefixlen":30}]}]"#,
        )
        .expect("links");
        let table = routes::parse_routes(
            r#"[{"dst":"default","gateway":"10.77.0.1","dev":"en0","flags":[]},
                {"dst":"10.77.0.0/24","dev":"en0","protocol":"kernel","scope":"link","flags":[]},
                {"dst":"10.254.0.4/30","dev":"en5","protocol":"kernel","scope":"link","flags":[]},
                {"dst":"169.254.0.0/16","dev":"en2","protocol":"kernel","scope":"link","flags":[]},
                {"dst":"169.254.0.0/16","dev":"en5","protocol":"kernel","scope":"link","flags":[]}]"#,
        )
        .expect("routes");
        assert_eq!(
            netstat_rn_inet(&views(&table, &links)),
            "Routing tables\n\nInternet:\n\
             Destination        Gateway            Flags               Netif Expire\n\
             default            10.77.0.1          UGScg                 en0       \n\
             10.77/24           link#4             UCS                   en0      !\n\
             10.254.0.4/30      link#9             UC                    en5      !\n\
             127                127.0.0.1          UCS                   lo0       \n\
             127.0.0.1          127.0.0.1          UH                    lo0       \n\
             169.254            link#8             UCS                   en2      !\n\
             169.254            link#9             UCSI                  en5      !\n"
        );
    }
}
