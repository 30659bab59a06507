//! `ifconfig` blocks and error lines, as macOS prints them.
//!
//! Lines follow the reference where it has a capture (a Thunderbolt port, a bridge member,
//! the Thunderbolt Bridge). Elsewhere they follow the format strings of Apple's
//! `network_cmds` ifconfig, which end an `inet` line without a broadcast address, and every
//! `inet6` line, with a space: `lo0`, tunnels and the other interfaces of a busy Mac carry
//! those trailing spaces. The reference's port blocks have none, and neither do ours.

use std::fmt::Write as _;

use super::flags::IfFlags;
pub use super::interface::{AddressCacheEntry, BridgeMember, InterfaceKind, InterfaceView};

/// The block `ifconfig -a` prints for one interface.
pub fn ifconfig_block(view: &InterfaceView) -> String {
    render(view, false)
}

/// The block `ifconfig NAME` prints: as in `-a`, plus a bridge's `Address cache:` section.
pub fn ifconfig_single(view: &InterfaceView) -> String {
    render(view, true)
}

/// `ifconfig -a`: the blocks back to back, no separators.
pub fn ifconfig_all(views: &[InterfaceView]) -> String {
    views.iter().map(ifconfig_block).collect()
}

/// `ifconfig NAME` for an interface that does not exist: (stderr, exit code).
pub fn ifconfig_missing(name: &str) -> (String, i32) {
    (format!("ifconfig: interface {name} does not exist\n"), 1)
}

fn render(view: &InterfaceView, single: bool) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail; the results are discarded on purpose.
    let _ = writeln!(out, "{}: {} mtu {}", view.name, view.flags, view.mtu);
    if let Some(options) = view.kind.options() {
        let _ = writeln!(out, "\t{options}");
    }
    if let Some(ether) = &view.ether {
        let _ = writeln!(out, "\tether {ether}");
    }
    match view.kind {
        InterfaceKind::Loopback => {
            loopback_addresses(&mut out, view);
            out.push_str("\tnd6 options=201<PERFORMNUD,DAD>\n");
            return out;
        }
        InterfaceKind::Bare => return out,
        // Configured by their software IPv4 first: their inet lines come first.
        InterfaceKind::VmBridge | InterfaceKind::Tunnel => {
            inet_lines(&mut out, view);
            inet6_line(&mut out, view);
        }
        _ => {
            inet6_line(&mut out, view);
            inet_lines(&mut out, view);
        }
    }
    if view.kind.is_bridge() {
        bridge_lines(&mut out, view, single);
    }
    // macOS detaches IPv6 (and its nd6 line) from bridge members, which are the PROMISC ones.
    if !view.flags.contains(IfFlags::PROMISC) {
        out.push_str("\tnd6 options=201<PERFORMNUD,DAD>\n");
    }
    if let Some(media) = view.kind.media() {
        let _ = writeln!(out, "\tmedia: {media}");
        let status = if view.active { "active" } else { "inactive" };
        let _ = writeln!(out, "\tstatus: {status}");
    }
    out
}

/// `lo0`: its first address, the two fixed IPv6 lines, then the aliases added after boot,
/// in the order macOS keeps them (by when they were added).
fn loopback_addresses(out: &mut String, view: &InterfaceView) {
    let line = |out: &mut String, (ip, prefix): &(std::net::Ipv4Addr, rdma_phase::Prefix)| {
        let _ = writeln!(out, "\tinet {ip} netmask 0x{:08x} ", prefix.mask());
    };
    if let Some(first) = view.inet.first() {
        line(out, first);
    }
    out.push_str("\tinet6 ::1 prefixlen 128 \n");
    let _ = writeln!(
        out,
        "\tinet6 fe80::1%{} prefixlen 64 scopeid 0x{:x} ",
        view.name, view.index
    );
    for alias in view.inet.iter().skip(1) {
        line(out, alias);
    }
}

fn inet6_line(out: &mut String, view: &InterfaceView) {
    let Some(inet6) = &view.inet6 else {
        return;
    };
    let (name, index) = (&view.name, view.index);
    match view.kind {
        // The reference's capture: RFC 7217 "secured", and no trailing space.
        InterfaceKind::Thunderbolt | InterfaceKind::Ethernet | InterfaceKind::Bridge => {
            let _ = writeln!(
                out,
                "\tinet6 {inet6}%{name} prefixlen 64 secured scopeid 0x{index:x}"
            );
        }
        _ => {
            let _ = writeln!(
                out,
                "\tinet6 {inet6}%{name} prefixlen 64 scopeid 0x{index:x} "
            );
        }
    }
}

fn inet_lines(out: &mut String, view: &InterfaceView) {
    for (ip, prefix) in &view.inet {
        if view.kind == InterfaceKind::Tunnel {
            // Point to point: the tunnel's own address as its destination, as VPN clients
            // set it; no broadcast, so the line ends in a space.
            let _ = writeln!(out, "\tinet {ip} --> {ip} netmask 0x{:08x} ", prefix.mask());
        } else {
            let _ = writeln!(
                out,
                "\tinet {ip} netmask 0x{:08x} broadcast {}",
                prefix.mask(),
                prefix.broadcast(*ip)
            );
        }
    }
}

fn bridge_lines(out: &mut String, view: &InterfaceView, single: bool) {
    out.push_str(concat!(
        "\tConfiguration:\n",
        "\t\tid 0:0:0:0:0:0 priority 0 hellotime 0 fwddelay 0\n",
        "\t\tmaxage 0 holdcnt 0 proto stp maxaddr 100 timeout 1200\n",
        "\t\troot id 0:0:0:0:0:0 priority 0 ifcost 0 port 0\n",
        "\t\tipfilter disabled flags 0x0\n",
    ));
    for member in &view.members {
        let _ = writeln!(out, "\tmember: {} flags=3<LEARNING,DISCOVER>", member.name);
        let _ = writeln!(
            out,
            "\t        ifmaxaddr 0 port {} priority 0 path cost 0",
            member.port
        );
    }
    // Only `ifconfig NAME` prints the cache; `ifconfig -a` leaves it out.
    if single {
        out.push_str("\tAddress cache:\n");
        for entry in &view.address_cache {
            let _ = writeln!(
                out,
                "\t\t{} Vlan{} {} {} flags=0<>",
                entry.mac, entry.vlan, entry.member, entry.expire
            );
        }
    }
}

#[cfg(test)]
#[path = "ifconfig_tests.rs"]
pub(crate) mod tests;
