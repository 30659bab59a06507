//! `netstat -rn -f inet`: the IPv4 routing table as macOS prints it.
//!
//! Layout from Apple's `network_cmds` (`netstat.tproj/route.c`, `-n` without `-l`): header
//! `%-18s %-18s %-10s %14s %6s`, rows with the destination and gateway left-aligned in 18
//! columns (never truncated under `-n`), the flags in 10, the interface right-aligned in 14,
//! then a space and the expiry right-aligned in 6: `!` for an expired timer, blank (so the
//! row ends in seven spaces) for none. Destinations follow the classful abbreviation of
//! `netname()`: `10.77.0.0/24` is `10.77/24`, `127.0.0.0/8` is `127`. Rows come out in
//! address order, as the kernel's radix tree yields them. Captured macOS 26 tables agree
//! with all of this; which routes carry `S` and `!` is inferred from captures, not from the
//! kernel source (UNCONFIRMED beyond those samples).

use std::fmt::Write as _;
use std::net::Ipv4Addr;

/// Apple's usage text, printed on standard error for a bad option (exit 1).
pub const NETSTAT_USAGE: &str = "Usage:  netstat [-AaLlnW] [-f address_family | -p protocol]\n\
    \x20       netstat [-gilns] [-f address_family]\n\
    \x20       netstat -i | -I interface [-w wait] [-abdgRtS]\n\
    \x20       netstat -s [-s] [-f address_family | -p protocol] [-w wait]\n\
    \x20       netstat -i | -I interface -s [-f address_family | -p protocol]\n\
    \x20       netstat -m [-m]\n\
    \x20       netstat -r [-Aaln] [-f address_family]\n\
    \x20       netstat -rs [-s]\n\n";

/// Route flags (`RTF_*`), printed as letters in the order of `route.c`'s table.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RouteFlags(u32);

impl RouteFlags {
    pub const UP: Self = Self(0x1);
    pub const GATEWAY: Self = Self(0x2);
    pub const HOST: Self = Self(0x4);
    pub const REJECT: Self = Self(0x8);
    pub const CLONING: Self = Self(0x100);
    pub const STATIC: Self = Self(0x800);
    pub const PRCLONING: Self = Self(0x10000);
    pub const BLACKHOLE: Self = Self(0x1000);
    pub const IFSCOPE: Self = Self(0x0100_0000);
    /// `g`: the route is the system-wide (not interface-scoped) one.
    pub const GLOBAL: Self = Self(0x4000_0000);

    /// Print order of `route.c`'s `bits[]` (only the letters this type can hold).
    const LETTERS: [(Self, char); 10] = [
        (Self::UP, 'U'),
        (Self::GATEWAY, 'G'),
        (Self::HOST, 'H'),
        (Self::REJECT, 'R'),
        (Self::CLONING, 'C'),
        (Self::STATIC, 'S'),
        (Self::PRCLONING, 'c'),
        (Self::BLACKHOLE, 'B'),
        (Self::IFSCOPE, 'I'),
        (Self::GLOBAL, 'g'),
    ];

    #[must_use]
    pub const fn with(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    pub fn letters(self) -> String {
        Self::LETTERS
            .iter()
            .filter(|(flag, _)| self.contains(*flag))
            .map(|(_, letter)| *letter)
            .collect()
    }
}

/// Where a route leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteGateway {
    /// A next hop.
    Address(Ipv4Addr),
    /// Directly on the interface with this index: `link#N`.
    Link(u32),
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteView {
    pub destination: Ipv4Addr,
    pub prefix: u8,
    pub gateway: RouteGateway,
    pub flags: RouteFlags,
    /// The interface's macOS name (`en0`, `lo0`).
    pub netif: String,
    /// An expired route timer: `!` in the Expire column (macOS shows it on the cloning
    /// routes of Ethernet-like interfaces).
    pub expired: bool,
}

impl RouteView {
    /// The two routes of `lo0` holding 127.0.0.1: `127` (`UCS`) and `127.0.0.1` (`UH`).
    pub fn loopback() -> [Self; 2] {
        let gateway = RouteGateway::Address(Ipv4Addr::LOCALHOST);
        [
            Self {
                destination: Ipv4Addr::new(127, 0, 0, 0),
                prefix: 8,
                gateway,
                flags: RouteFlags::UP
                    .with(RouteFlags::CLONING)
                    .with(RouteFlags::STATIC),
                netif: "lo0".to_owned(),
                expired: false,
            },
            Self {
                destination: Ipv4Addr::LOCALHOST,
                prefix: 32,
                gateway,
                flags: RouteFlags::UP.with(RouteFlags::HOST),
                netif: "lo0".to_owned(),
                expired: false,
            },
        ]
    }
}

/// Mark interface-scoped (`I`) every connected route (`link#N`) to a subnet that an earlier
/// connected route already reaches, as macOS lists a subnet connected on a second interface
/// (each Thunderbolt port's 169.254/16).
pub fn scope_repeated_subnets(rows: &mut [RouteView]) {
    let connected = |row: &RouteView| matches!(row.gateway, RouteGateway::Link(_));
    for index in 0..rows.len() {
        let subnet = (rows[index].destination, rows[index].prefix);
        let again = rows[..index]
            .iter()
            .any(|earlier| connected(earlier) && (earlier.destination, earlier.prefix) == subnet);
        if again && connected(&rows[index]) {
            rows[index].flags = rows[index].flags.with(RouteFlags::IFSCOPE);
        }
    }
}

/// The whole output, rows sorted by destination then prefix length.
pub fn netstat_rn_inet(routes: &[RouteView]) -> String {
    let mut sorted: Vec<&RouteView> = routes.iter().collect();
    sorted.sort_by_key(|route| (u32::from(route.destination), route.prefix));
    let mut out = String::from("Routing tables\n\nInternet:\n");
    let _ = writeln!(
        out,
        "{:<18} {:<18} {:<10} {:>14} {:>6}",
        "Destination", "Gateway", "Flags", "Netif", "Expire"
    );
    for route in sorted {
        let gateway = match route.gateway {
            RouteGateway::Address(ip) => ip.to_string(),
            RouteGateway::Link(index) => format!("link#{index}"),
        };
        let flags: String = route.flags.letters().chars().take(10).collect();
        let netif: String = route.netif.chars().take(14).collect();
        let _ = writeln!(
            out,
            "{:<18} {:<18} {:<10} {:>14} {:>6}",
            destination(route),
            gateway,
            flags,
            netif,
            if route.expired { "!" } else { "" }
        );
    }
    out
}

/// The Destination column: `default`, a host's address, or the abbreviated network.
pub fn destination(route: &RouteView) -> String {
    if route.prefix == 0 && route.destination.is_unspecified() {
        "default".to_owned()
    } else if route.flags.contains(RouteFlags::HOST) {
        route.destination.to_string()
    } else {
        netname(route.destination, route.prefix)
    }
}

/// `netname()` of `route.c` under `-n`: drop the trailing zero octets the address's class
/// allows, then add `/len` unless the prefix is the classful one.
pub fn netname(address: Ipv4Addr, prefix: u8) -> String {
    let value = u32::from(address);
    let [a, b, c, d] = address.octets();
    let classful = classful_prefix(value);
    let mut name = if classful == 8 && value & 0x00ff_ffff == 0 {
        format!("{a}")
    } else if classful <= 16 && value & 0xffff == 0 {
        format!("{a}.{b}")
    } else if value & 0xff == 0 {
        format!("{a}.{b}.{c}")
    } else {
        format!("{a}.{b}.{c}.{d}")
    };
    if prefix != 0 && prefix != classful {
        let _ = write!(name, "/{prefix}");
    }
    name
}

/// The prefix length of the address's old class (A /8, B /16, C and above /24).
fn classful_prefix(value: u32) -> u8 {
    if value & 0x8000_0000 == 0 {
        8
    } else if value & 0xc000_0000 == 0x8000_0000 {
        16
    } else {
        24
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONNECTED: RouteFlags = RouteFlags::UP.with(RouteFlags::CLONING);

    fn route(
        destination: [u8; 4],
        prefix: u8,
        gateway: RouteGateway,
        flags: RouteFlags,
        netif: &str,
        expired: bool,
    ) -> RouteView {
        RouteView {
            destination: Ipv4Addr::from(destination),
            prefix,
            gateway,
            flags,
            netif: netif.to_owned(),
            expired,
        }
    }

    #[test]
    fn a_lab_table_byte_for_byte() {
        let lo = RouteGateway::Address(Ipv4Addr::LOCALHOST);
        let routes = [
            route(
                [10, 254, 0, 4],
                30,
                RouteGateway::Link(9),
                CONNECTED,
                "en5",
                true,
            ),
            route(
                [127, 0, 0, 1],
                32,
                lo,
                RouteFlags::UP.with(RouteFlags::HOST),
                "lo0",
                false,
            ),
            route(
                [10, 77, 0, 0],
                24,
                RouteGateway::Link(4),
                CONNECTED.with(RouteFlags::STATIC),
                "en0",
                true,
            ),
            route(
                [0, 0, 0, 0],
                0,
                RouteGateway::Address(Ipv4Addr::new(10, 77, 0, 1)),
                RouteFlags::UP
                    .with(RouteFlags::GATEWAY)
                    .with(RouteFlags::STATIC)
                    .with(RouteFlags::PRCLONING)
                    .with(RouteFlags::GLOBAL),
                "en0",
                false,
            ),
            route(
                [127, 0, 0, 0],
                8,
                lo,
                CONNECTED.with(RouteFlags::STATIC),
                "lo0",
                false,
            ),
        ];
        assert_eq!(
            netstat_rn_inet(&routes),
            "Routing tables\n\
             \n\
             Internet:\n\
             Destination        Gateway            Flags               Netif Expire\n\
             default            10.77.0.1          UGScg                 en0       \n\
             10.77/24           link#4             UCS                   en0      !\n\
             10.254.0.4/30      link#9             UC                    en5      !\n\
             127                127.0.0.1          UCS                   lo0       \n\
             127.0.0.1          127.0.0.1          UH                    lo0       \n"
        );
    }

    #[test]
    fn classful_abbreviations() {
        let name = |a, b, c, d, prefix| netname(Ipv4Addr::new(a, b, c, d), prefix);
        assert_eq!(name(10, 77, 0, 0, 24), "10.77/24");
        assert_eq!(name(10, 0, 0, 0, 8), "10");
        assert_eq!(name(10, 254, 0, 4, 30), "10.254.0.4/30");
        assert_eq!(name(169, 254, 0, 0, 16), "169.254");
        assert_eq!(name(192, 168, 1, 0, 24), "192.168.1");
        assert_eq!(name(100, 64, 0, 0, 10), "100.64/10");
        assert_eq!(name(224, 0, 0, 0, 4), "224.0.0/4");
        assert_eq!(name(198, 51, 100, 1, 32), "198.51.100.1/32");
    }

    #[test]
    fn flag_letters_follow_the_kernel_table_order() {
        let flags = RouteFlags::GLOBAL
            .with(RouteFlags::IFSCOPE)
            .with(RouteFlags::STATIC)
            .with(RouteFlags::CLONING)
            .with(RouteFlags::UP);
        assert_eq!(flags.letters(), "UCSIg");
    }

    #[test]
    fn usage_lines_are_aligned() {
        assert!(NETSTAT_USAGE.starts_with("Usage:  netstat [-AaLlnW]"));
        assert!(NETSTAT_USAGE.contains("\n        netstat -r [-Aaln] [-f address_family]\n"));
        assert!(NETSTAT_USAGE.ends_with("-rs [-s]\n\n"));
    }
}
