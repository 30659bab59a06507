//! What a Mac in daily use lists beyond the interfaces `rdma-setup` deals with, after the
//! reference's "Busy interface lists": a loopback alias from developer tools, Apple's own
//! interfaces (`gif0`, `stf0`, `anpi0/1`, `ap1`, `awdl0`, `llw0`), the system's `utun`
//! tunnels and a VPN whose /16 covers the cluster's planned subnets, and two virtual machine
//! bridges with a `vmenet` member each. The simulator and the lab build a busy Mac from the
//! same values, stable per host name.

use std::net::Ipv4Addr;

use rdma_phase::Prefix;

use super::flags::IfFlags;
use super::identity::{ether_ntoa, eui64_link_local, scrambled, secured_link_local};
use super::interface::{AddressCacheEntry, InterfaceKind, InterfaceView};

/// The VPN's tunnel; its /16 is 10.254.0.0/16, where the lab plans its cables.
pub const VPN_TUNNEL: &str = "utun4";

/// A virtual machine bridge with the one VM attached to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VmBridge {
    /// `bridge100`.
    pub name: String,
    pub ether: String,
    /// The bridge's own address: the VMs' gateway.
    pub inet: (Ipv4Addr, Prefix),
    /// `vmenet0`: the VM's end, a member of the bridge.
    pub member: String,
    pub member_ether: String,
    /// What the bridge learnt: the VM's MAC behind its member.
    pub cache: Vec<AddressCacheEntry>,
}

/// Everything a busy Mac adds to a clean one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusyMac {
    /// Addresses on `lo0` after 127.0.0.1.
    pub loopback_aliases: Vec<(Ipv4Addr, Prefix)>,
    /// Interfaces that only ever appear in listings (no cable, no bridge to change), with
    /// their own interface indexes.
    pub others: Vec<InterfaceView>,
    pub vm_bridges: Vec<VmBridge>,
}

/// `10.254.254.254 netmask 0xff000000` on `lo0`, the alias developer tools commonly add.
pub fn loopback_alias() -> (Ipv4Addr, Prefix) {
    (Ipv4Addr::new(10, 254, 254, 254), prefix(8))
}

/// The VPN's own address on [`VPN_TUNNEL`]: in 10.254.0.0/16, outside the 10.254.0.x
/// addresses the lab plans, stable per host.
pub fn vpn_address(host: &str) -> Ipv4Addr {
    let bits = scrambled(&format!("vpn/{host}"));
    let third = 16 + u8::try_from(bits % 200).unwrap_or(0);
    let fourth = 2 + u8::try_from((bits >> 8) % 250).unwrap_or(0);
    Ipv4Addr::new(10, 254, third, fourth)
}

/// The busy Mac called `host`.
pub fn busy_mac(host: &str) -> BusyMac {
    let mac = |what: &str| stable_mac(host, what);
    let channel = |name: &str, kind, flags, index, active, inet6: bool| InterfaceView {
        ether: Some(mac(name)),
        inet6: inet6.then(|| eui64_link_local(&mac(name))),
        active,
        ..InterfaceView::new(name, kind, IfFlags(flags), 1500, index)
    };
    let tunnel = |unit: u32, mtu: u32, inet: Option<Ipv4Addr>| {
        let name = format!("utun{unit}");
        InterfaceView {
            inet6: Some(secured_link_local(&mac(&name))),
            inet: inet.map(|ip| (ip, prefix(16))).into_iter().collect(),
            ..InterfaceView::new(
                &name,
                InterfaceKind::Tunnel,
                IfFlags(0x8051),
                mtu,
                33 + unit,
            )
        }
    };
    let others = vec![
        InterfaceView::new("gif0", InterfaceKind::Bare, IfFlags(0x8010), 1280, 2),
        InterfaceView::new("stf0", InterfaceKind::Bare, IfFlags(0), 1280, 3),
        channel("anpi0", InterfaceKind::Anpi, 0x8863, 4, false, true),
        channel("anpi1", InterfaceKind::Anpi, 0x8863, 5, false, true),
        channel("ap1", InterfaceKind::Skywalk, 0x8802, 30, false, false),
        channel("awdl0", InterfaceKind::Skywalk, 0x8843, 31, true, true),
        channel("llw0", InterfaceKind::Skywalk, 0x8863, 32, true, true),
        tunnel(0, 1380, None),
        tunnel(1, 2000, None),
        tunnel(2, 1000, None),
        tunnel(3, 1000, None),
        tunnel(4, 1280, Some(vpn_address(host))),
    ];
    let vm_bridges = (0..2u8)
        .map(|unit| {
            let member = format!("vmenet{unit}");
            let guest = mac(&format!("guest{unit}"));
            VmBridge {
                name: format!("bridge{}", 100 + u32::from(unit)),
                ether: mac(&format!("bridge{unit}")),
                inet: (Ipv4Addr::new(192, 168, 64 + unit, 1), prefix(24)),
                member_ether: mac(&member),
                cache: vec![AddressCacheEntry {
                    mac: ether_ntoa(&guest),
                    vlan: 1,
                    member: member.clone(),
                    expire: 1196 - 17 * u32::from(unit),
                }],
                member,
            }
        })
        .collect();
    BusyMac {
        loopback_aliases: vec![loopback_alias()],
        others,
        vm_bridges,
    }
}

/// A locally administered unicast MAC, stable per host and interface.
fn stable_mac(host: &str, what: &str) -> String {
    let bits = scrambled(&format!("mac/{host}/{what}"));
    let byte = |n: u32| u8::try_from((bits >> (8 * n)) & 0xff).unwrap_or(0);
    let first = (byte(5) | 0x02) & !0x01;
    format!(
        "{first:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        byte(4),
        byte(3),
        byte(2),
        byte(1),
        byte(0)
    )
}

fn prefix(bits: u8) -> Prefix {
    Prefix::new(bits).unwrap_or_else(|_| unreachable!("{bits} is a valid prefix"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::macos::ifconfig_all;

    #[test]
    fn a_busy_mac_has_what_the_reference_lists() {
        let busy = busy_mac("hwstudio1");
        assert_eq!(busy, busy_mac("hwstudio1"));
        let listing = ifconfig_all(&busy.others);
        for header in [
            "gif0: flags=8010<POINTOPOINT,MULTICAST> mtu 1280\n",
            "stf0: flags=0<> mtu 1280\n",
            "anpi0: ",
            "anpi1: ",
            "ap1: flags=8802<BROADCAST,SIMPLEX,MULTICAST> mtu 1500\n",
            "awdl0: ",
            "llw0: ",
            "utun0: flags=8051<UP,POINTOPOINT,RUNNING,MULTICAST> mtu 1380\n",
        ] {
            assert!(listing.contains(header), "{header}\n{listing}");
        }
        let vpn = vpn_address("hwstudio1");
        assert!(listing.contains(&format!(
            "utun4: flags=8051<UP,POINTOPOINT,RUNNING,MULTICAST> mtu 1280\n\
             \tinet {vpn} --> {vpn} netmask 0xffff0000 \n"
        )));
        // The VPN's /16 holds the lab's planned 10.254.0.4/30.
        let (_, slash16) = busy.others[11].inet[0];
        assert_eq!(slash16.network(vpn), Ipv4Addr::new(10, 254, 0, 0));
        assert_ne!(vpn.octets()[2], 0);
        assert_eq!(busy.vm_bridges[1].name, "bridge101");
        assert_eq!(busy.vm_bridges[1].member, "vmenet1");
        assert_eq!(busy.loopback_aliases, [loopback_alias()]);
    }

    #[test]
    fn stable_macs_are_locally_administered_unicast() {
        let mac = stable_mac("hwstudio1", "vmenet0");
        assert_eq!(mac.len(), 17);
        let first = u8::from_str_radix(&mac[..2], 16).expect("hex");
        assert_eq!(first & 0x03, 0x02);
        assert_ne!(mac, stable_mac("hwstudio2", "vmenet0"));
        // Neighbouring names differ in more than their last byte.
        let (anpi0, anpi1) = (stable_mac("h", "anpi0"), stable_mac("h", "anpi1"));
        assert_ne!(anpi0[..8], anpi1[..8]);
    }
}
