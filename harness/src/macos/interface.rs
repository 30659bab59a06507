//! What one `ifconfig` block shows, as plain values: the kinds of interface a Mac lists and
//! the per-kind lines (`options=`, `media:`, `status:`) macOS prints for each driver.

use std::net::Ipv4Addr;

use rdma_phase::Prefix;

use super::flags::{IfFlags, IfOptions};

/// What sort of interface a block describes; decides the `options=`, `media:`, `status:`
/// and bridge-configuration lines, which macOS prints per driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InterfaceKind {
    Loopback,
    /// Built-in Ethernet or Wi-Fi (`en0`), the management interface.
    Ethernet,
    /// A Thunderbolt IP port (`en2`..`en7` on a Mac Studio).
    Thunderbolt,
    /// The Thunderbolt Bridge (`bridge0`, and others a reinstall makes).
    Bridge,
    /// A virtual machine's (or Internet Sharing's) bridge: `bridge100` and up.
    VmBridge,
    /// A virtual machine's end of a [`InterfaceKind::VmBridge`] (`vmenet0`).
    VmNet,
    /// A VPN tunnel (`utun0`..): point to point, no link layer, no `status:`.
    Tunnel,
    /// `gif0`, `stf0`: tunnel pseudo-interfaces with nothing set up, the header line only.
    Bare,
    /// Skywalk interfaces with a link layer: `ap1`, `awdl0`, `llw0` (`media: autoselect`).
    Skywalk,
    /// Apple's internal network to the co-processors: `anpi0`, `anpi1` (`media: none`).
    Anpi,
}

impl InterfaceKind {
    /// The `options=` line, if the driver prints one.
    pub fn options(self) -> Option<IfOptions> {
        match self {
            Self::Loopback => Some(IfOptions::LOOPBACK),
            Self::Ethernet => Some(IfOptions::ETHERNET),
            Self::Thunderbolt => Some(IfOptions::THUNDERBOLT),
            Self::Bridge => Some(IfOptions::BRIDGE),
            Self::VmBridge => Some(IfOptions::VM_BRIDGE),
            Self::Skywalk | Self::Anpi => Some(IfOptions::CHANNEL_IO),
            Self::VmNet | Self::Tunnel | Self::Bare => None,
        }
    }

    /// The `media:` value; interfaces without a link layer print none, nor `status:`.
    pub fn media(self) -> Option<&'static str> {
        match self {
            Self::Bridge => Some("<unknown type>"),
            Self::Ethernet => Some("autoselect (1000baseT <full-duplex>)"),
            Self::Thunderbolt => Some("autoselect <full-duplex>"),
            Self::VmBridge | Self::VmNet | Self::Skywalk => Some("autoselect"),
            Self::Anpi => Some("none"),
            Self::Loopback | Self::Tunnel | Self::Bare => None,
        }
    }

    /// Whether the block carries the bridge `Configuration:` and member lines.
    pub fn is_bridge(self) -> bool {
        matches!(self, Self::Bridge | Self::VmBridge)
    }

    /// The kind a BSD interface name stands for, for the names whose driver the name tells.
    pub fn from_name(name: &str) -> Option<Self> {
        let unit = |prefix: &str| {
            name.strip_prefix(prefix)
                .filter(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|rest| rest.parse::<u32>().ok())
        };
        if name == "lo0" {
            Some(Self::Loopback)
        } else if unit("bridge").is_some_and(|n| n >= 100) {
            Some(Self::VmBridge)
        } else if unit("bridge").is_some() {
            Some(Self::Bridge)
        } else if unit("vmenet").is_some() {
            Some(Self::VmNet)
        } else if unit("utun").is_some() {
            Some(Self::Tunnel)
        } else if unit("gif").is_some() || unit("stf").is_some() {
            Some(Self::Bare)
        } else if unit("anpi").is_some() {
            Some(Self::Anpi)
        } else if unit("ap").is_some() || unit("awdl").is_some() || unit("llw").is_some() {
            Some(Self::Skywalk)
        } else {
            None
        }
    }
}

/// One member line pair of a bridge block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BridgeMember {
    pub name: String,
    /// The member's interface index, printed as `port N`.
    pub port: u32,
}

/// One line of a bridge's `Address cache:` (printed when the bridge is named alone):
/// `6e:67:2:6d:cf:32 Vlan1 vmenet0 1196 flags=0<>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressCacheEntry {
    /// As `ether_ntoa` prints it: no leading zeros (see `identity::ether_ntoa`).
    pub mac: String,
    pub vlan: u16,
    /// The member the address was learnt on.
    pub member: String,
    /// Seconds until the entry expires.
    pub expire: u32,
}

/// Everything one `ifconfig` block shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceView {
    pub name: String,
    pub kind: InterfaceKind,
    pub flags: IfFlags,
    pub mtu: u32,
    /// `36:4d:04:ea:4e:44`; loopback and tunnels have none.
    pub ether: Option<String>,
    /// Link-local IPv6 address without the `%scope` suffix. macOS detaches IPv6 from bridge
    /// members, so a member has none.
    pub inet6: Option<String>,
    /// Interface index, printed as the IPv6 `scopeid`.
    pub index: u32,
    /// In the order macOS lists them. On a tunnel each is printed `A --> A`.
    pub inet: Vec<(Ipv4Addr, Prefix)>,
    pub members: Vec<BridgeMember>,
    pub address_cache: Vec<AddressCacheEntry>,
    /// Link (carrier) present: `status: active` / `status: inactive`.
    pub active: bool,
}

impl InterfaceView {
    /// An interface of `kind` with nothing on it yet; the constructors below fill in more.
    pub fn new(name: &str, kind: InterfaceKind, flags: IfFlags, mtu: u32, index: u32) -> Self {
        Self {
            name: name.to_owned(),
            kind,
            flags,
            mtu,
            ether: None,
            inet6: None,
            index,
            inet: Vec::new(),
            members: Vec::new(),
            address_cache: Vec::new(),
            active: true,
        }
    }

    /// A Thunderbolt port as a fresh boot leaves it when not in a bridge: up, no IPv4.
    pub fn thunderbolt(name: &str, ether: &str, index: u32) -> Self {
        let flags = IfFlags::ETHERNET_BASE
            .with(IfFlags::UP)
            .with(IfFlags::RUNNING);
        Self {
            ether: Some(ether.to_owned()),
            ..Self::new(name, InterfaceKind::Thunderbolt, flags, 1500, index)
        }
    }

    /// `lo0` with 127.0.0.1 and any aliases after it.
    pub fn loopback(index: u32, aliases: &[(Ipv4Addr, Prefix)]) -> Self {
        let mut inet = vec![(Ipv4Addr::LOCALHOST, prefix(8))];
        inet.extend_from_slice(aliases);
        Self {
            inet,
            ..Self::new(
                "lo0",
                InterfaceKind::Loopback,
                IfFlags(0x8049),
                16384,
                index,
            )
        }
    }
}

fn prefix(bits: u8) -> Prefix {
    Prefix::new(bits).unwrap_or_else(|_| unreachable!("{bits} is a valid prefix"))
}
