//! An interface as `ifconfig` shows it: flags, IPv4 addresses, bridge members, status, and
//! the questions asked of a listing of them.

use std::net::Ipv4Addr;

use serde::Serialize;

use crate::plan::Prefix;

/// One interface block of `ifconfig` output.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Interface {
    pub name: String,
    /// The words between `<` and `>` on the header line: `UP`, `RUNNING`, `PROMISC`, ...
    pub flags: Vec<String>,
    /// IPv4 addresses in the order printed; the first is the one `ifconfig IF A netmask M`
    /// replaces.
    pub inet: Vec<InetAddress>,
    /// For bridges: the member interfaces, in the order printed.
    pub members: Vec<String>,
    /// The `status:` line, when there is one.
    pub status: Option<LinkStatus>,
}

/// An IPv4 address as an `inet` line shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct InetAddress {
    pub address: Ipv4Addr,
    /// `None` when the netmask is missing, unreadable or not contiguous.
    pub prefix: Option<Prefix>,
}

impl InetAddress {
    /// Whether this address's subnet overlaps `address/prefix`. An address without a readable
    /// mask covers only itself.
    pub fn overlaps(&self, address: Ipv4Addr, prefix: Prefix) -> bool {
        match self.prefix {
            Some(own) => own.overlaps(self.address, prefix, address),
            None => prefix.network(self.address) == prefix.network(address),
        }
    }

    /// A link-local `169.254.x.y` that macOS assigns on its own (configd, on a port with a
    /// cable and no other address). It comes and goes and renumbers by itself, so it is
    /// never a static address, never a clash, and no sign of someone else's configuration.
    pub fn is_self_assigned(&self) -> bool {
        self.address.is_link_local()
    }
}

impl std::fmt::Display for InetAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.prefix {
            Some(prefix) => write!(f, "{}/{}", self.address, prefix),
            None => write!(f, "{}", self.address),
        }
    }
}

/// The `status:` line of an interface.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkStatus {
    Active,
    Inactive,
    Other(String),
}

impl Interface {
    /// `bridge0`, `bridge1`, ...: the kind of interface macOS puts Thunderbolt ports into.
    pub fn is_bridge(&self) -> bool {
        self.name
            .strip_prefix("bridge")
            .is_some_and(|unit| !unit.is_empty() && unit.bytes().all(|b| b.is_ascii_digit()))
    }

    /// Whether `iface` is a member, compared as a whole name (`en1` is not `en10`).
    pub fn has_member(&self, iface: &str) -> bool {
        self.members.iter().any(|member| member == iface)
    }

    /// `lo0` (or any interface flagged `LOOPBACK`): its addresses, aliases included
    /// (`10.254.254.254/8` from developer tools is common), never carry traffic off the Mac.
    pub fn is_loopback(&self) -> bool {
        self.name == "lo0" || self.has_flag("LOOPBACK")
    }

    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }

    /// Whether the interface holds exactly this address with this prefix.
    pub fn holds(&self, address: Ipv4Addr, prefix: Prefix) -> bool {
        self.inet
            .iter()
            .any(|inet| inet.address == address && inet.prefix == Some(prefix))
    }

    pub fn holds_address(&self, address: Ipv4Addr) -> bool {
        self.inet.iter().any(|inet| inet.address == address)
    }
}

/// The interface called `name`, if the output has it.
pub fn find_interface<'a>(interfaces: &'a [Interface], name: &str) -> Option<&'a Interface> {
    interfaces.iter().find(|interface| interface.name == name)
}

/// Every bridge that has `iface` as a member, in the order `ifconfig` printed them.
pub fn bridges_containing(interfaces: &[Interface], iface: &str) -> Vec<String> {
    interfaces
        .iter()
        .filter(|interface| interface.is_bridge() && interface.has_member(iface))
        .map(|interface| interface.name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn prefix(bits: u8) -> Prefix {
        Prefix::new(bits).expect("valid prefix")
    }

    #[rstest]
    #[case("bridge0", true)]
    #[case("bridge12", true)]
    #[case("bridge", false)]
    #[case("bridgex", false)]
    #[case("en0", false)]
    fn bridge_names(#[case] name: &str, #[case] bridge: bool) {
        let interface = Interface {
            name: name.into(),
            ..Interface::default()
        };
        assert_eq!(interface.is_bridge(), bridge);
    }

    #[rstest]
    #[case("169.254.205.255", true)]
    #[case("169.254.0.1", true)]
    #[case("169.255.0.1", false)]
    #[case("10.254.0.5", false)]
    #[case("192.168.169.254", false)]
    fn self_assigned(#[case] address: Ipv4Addr, #[case] expected: bool) {
        let inet = InetAddress {
            address,
            prefix: Some(prefix(16)),
        };
        assert_eq!(inet.is_self_assigned(), expected);
    }

    #[rstest]
    #[case("lo0", &[], true)]
    #[case("lo1", &["UP", "LOOPBACK"], true)]
    #[case("en0", &["UP", "BROADCAST"], false)]
    #[case("utun3", &["UP", "POINTOPOINT"], false)]
    fn loopback(#[case] name: &str, #[case] flags: &[&str], #[case] expected: bool) {
        let interface = Interface {
            name: name.into(),
            flags: flags.iter().map(|flag| (*flag).to_owned()).collect(),
            ..Interface::default()
        };
        assert_eq!(interface.is_loopback(), expected);
    }

    #[rstest]
    #[case("10.254.0.5", Some(30), "10.254.0.6", 30, true)]
    #[case("10.254.0.9", Some(30), "10.254.0.6", 30, false)]
    #[case("10.254.0.200", Some(24), "10.254.0.6", 30, true)]
    #[case("10.254.0.6", None, "10.254.0.5", 30, true)]
    #[case("10.254.0.9", None, "10.254.0.5", 30, false)]
    fn overlap(
        #[case] held: Ipv4Addr,
        #[case] held_bits: Option<u8>,
        #[case] planned: Ipv4Addr,
        #[case] planned_bits: u8,
        #[case] overlaps: bool,
    ) {
        let inet = InetAddress {
            address: held,
            prefix: held_bits.map(prefix),
        };
        assert_eq!(inet.overlaps(planned, prefix(planned_bits)), overlaps);
    }
}
