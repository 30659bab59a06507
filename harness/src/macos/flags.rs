//! The bit sets `ifconfig` prints as `flags=8863<UP,...>` and `options=460<TSO4,...>`.
//!
//! Bits and names come from Darwin's `net/if.h` and `ifconfig.c` (`IFFBITS`, `IFCAPBITS`);
//! rendering them from bits keeps the hex and the names consistent by construction.

use std::fmt;

/// Interface flags (`IFF_*`), printed in bit order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IfFlags(pub u32);

impl IfFlags {
    pub const UP: Self = Self(0x1);
    pub const BROADCAST: Self = Self(0x2);
    pub const DEBUG: Self = Self(0x4);
    pub const LOOPBACK: Self = Self(0x8);
    pub const POINTOPOINT: Self = Self(0x10);
    pub const SMART: Self = Self(0x20);
    pub const RUNNING: Self = Self(0x40);
    pub const NOARP: Self = Self(0x80);
    pub const PROMISC: Self = Self(0x100);
    pub const ALLMULTI: Self = Self(0x200);
    pub const OACTIVE: Self = Self(0x400);
    pub const SIMPLEX: Self = Self(0x800);
    pub const MULTICAST: Self = Self(0x8000);

    const NAMES: &'static [(u32, &'static str)] = &[
        (0x1, "UP"),
        (0x2, "BROADCAST"),
        (0x4, "DEBUG"),
        (0x8, "LOOPBACK"),
        (0x10, "POINTOPOINT"),
        (0x20, "SMART"),
        (0x40, "RUNNING"),
        (0x80, "NOARP"),
        (0x100, "PROMISC"),
        (0x200, "ALLMULTI"),
        (0x400, "OACTIVE"),
        (0x800, "SIMPLEX"),
        (0x1000, "LINK0"),
        (0x2000, "LINK1"),
        (0x4000, "LINK2"),
        (0x8000, "MULTICAST"),
    ];

    /// What an Ethernet-like interface (Thunderbolt port, bridge, en0) always carries.
    pub const ETHERNET_BASE: Self = Self(0x2 | 0x20 | 0x800 | 0x8000);

    pub fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    #[must_use]
    pub fn with(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }
}

impl fmt::Display for IfFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "flags={:x}<{}>", self.0, names(self.0, IfFlags::NAMES))
    }
}

/// Interface capabilities (`IFCAP_*`), printed as `options=...`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IfOptions(pub u32);

impl IfOptions {
    /// A Thunderbolt IP port: `options=460<TSO4,TSO6,CHANNEL_IO>`.
    pub const THUNDERBOLT: Self = Self(0x460);
    /// A bridge: `options=63<RXCSUM,TXCSUM,TSO4,TSO6>`.
    pub const BRIDGE: Self = Self(0x63);
    /// Built-in Ethernet: `options=50b<RXCSUM,TXCSUM,VLAN_HWTAGGING,AV,CHANNEL_IO>`.
    pub const ETHERNET: Self = Self(0x50b);
    /// `lo0`: `options=1203<RXCSUM,TXCSUM,TXSTATUS,SW_TIMESTAMP>`.
    pub const LOOPBACK: Self = Self(0x1203);
    /// A virtual machine bridge (`bridge100`): `options=3<RXCSUM,TXCSUM>`.
    pub const VM_BRIDGE: Self = Self(0x3);
    /// Skywalk interfaces (`anpi0`, `ap1`, `awdl0`, `llw0`): `options=400<CHANNEL_IO>`.
    pub const CHANNEL_IO: Self = Self(0x400);

    const NAMES: &'static [(u32, &'static str)] = &[
        (0x1, "RXCSUM"),
        (0x2, "TXCSUM"),
        (0x4, "VLAN_MTU"),
        (0x8, "VLAN_HWTAGGING"),
        (0x10, "JUMBO_MTU"),
        (0x20, "TSO4"),
        (0x40, "TSO6"),
        (0x80, "LRO"),
        (0x100, "AV"),
        (0x200, "TXSTATUS"),
        (0x400, "CHANNEL_IO"),
        (0x800, "PARTIAL_CSUM"),
        (0x1000, "SW_TIMESTAMP"),
        (0x2000, "HW_TIMESTAMP"),
    ];
}

impl fmt::Display for IfOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "options={:x}<{}>",
            self.0,
            names(self.0, IfOptions::NAMES)
        )
    }
}

fn names(bits: u32, table: &[(u32, &str)]) -> String {
    table
        .iter()
        .filter(|(bit, _)| bits & bit != 0)
        .map(|(_, name)| *name)
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_match_the_reference() {
        let up = IfFlags::ETHERNET_BASE
            .with(IfFlags::UP)
            .with(IfFlags::RUNNING);
        assert_eq!(
            up.to_string(),
            "flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST>"
        );
        assert_eq!(
            up.with(IfFlags::PROMISC).to_string(),
            "flags=8963<UP,BROADCAST,SMART,RUNNING,PROMISC,SIMPLEX,MULTICAST>"
        );
        assert_eq!(
            IfFlags::ETHERNET_BASE.to_string(),
            "flags=8822<BROADCAST,SMART,SIMPLEX,MULTICAST>"
        );
    }

    #[test]
    fn options_match_the_reference() {
        assert_eq!(
            IfOptions::THUNDERBOLT.to_string(),
            "options=460<TSO4,TSO6,CHANNEL_IO>"
        );
        assert_eq!(
            IfOptions::BRIDGE.to_string(),
            "options=63<RXCSUM,TXCSUM,TSO4,TSO6>"
        );
        assert_eq!(
            IfOptions::LOOPBACK.to_string(),
            "options=1203<RXCSUM,TXCSUM,TXSTATUS,SW_TIMESTAMP>"
        );
        assert_eq!(IfOptions::VM_BRIDGE.to_string(), "options=3<RXCSUM,TXCSUM>");
        assert_eq!(IfOptions::CHANNEL_IO.to_string(), "options=400<CHANNEL_IO>");
    }

    #[test]
    fn flags_of_the_other_interfaces_a_mac_lists() {
        assert_eq!(IfFlags(0).to_string(), "flags=0<>");
        assert_eq!(
            IfFlags(0x8010).to_string(),
            "flags=8010<POINTOPOINT,MULTICAST>"
        );
        assert_eq!(
            IfFlags(0x8051).to_string(),
            "flags=8051<UP,POINTOPOINT,RUNNING,MULTICAST>"
        );
        assert_eq!(
            IfFlags(0x8a63).to_string(),
            "flags=8a63<UP,BROADCAST,SMART,RUNNING,ALLMULTI,SIMPLEX,MULTICAST>"
        );
    }
}
