//! `ifconfig` on a simulated Mac: its listing, and the changes a run (or a person putting a
//! port back) makes: addresses set and deleted the ways macOS takes them, bridge members
//! removed.

use std::net::Ipv4Addr;

use rdma_phase::{CommandOutput, Prefix};

use super::cluster::{fail, missing_interface, ok};
use super::host::{Configd, SimHost, SimPort};
use crate::macos::identity::{eui64_link_local, is_self_assigned, secured_link_local};
use crate::macos::{
    self, parse_address_args, AddressChange, AddressCommand, BridgeMember, IfFlags, InterfaceKind,
    InterfaceView, ADDRESS_NOT_HELD,
};

/// Interface indexes: `lo0` is 1 and a busy Mac's `gif0`..`anpi1` take 2..5, as on a Mac
/// Studio; ports follow, bridges after them (a busy Mac's others sit further up).
const FIRST_PORT_INDEX: u32 = 6;
const FIRST_BRIDGE_INDEX: u32 = 20;

pub(super) fn port_index(host: &SimHost, name: &str) -> Option<u32> {
    let position = host.ports.iter().position(|port| port.name == name)?;
    Some(u32::try_from(position).unwrap_or(0) + FIRST_PORT_INDEX)
}

fn view(host: &SimHost, name: &str) -> Option<InterfaceView> {
    if name == "lo0" {
        return Some(InterfaceView::loopback(1, &host.loopback_aliases));
    }
    if let Some(members) = host.bridges.get(name) {
        return Some(bridge_view(host, name, members));
    }
    if let Some(other) = host.others.iter().find(|other| other.name == name) {
        return Some(other.clone());
    }
    host.port(name).map(|port| port_view(host, port))
}

pub(super) fn bridge_index(host: &SimHost, name: &str) -> u32 {
    let position = host.bridges.keys().position(|b| b == name).unwrap_or(0);
    FIRST_BRIDGE_INDEX + u32::try_from(position).unwrap_or(0)
}

/// A bridge's MAC, from its interface index.
pub(super) fn bridge_ether(host: &SimHost, name: &str) -> String {
    format!("82:30:ea:68:4c:{:02x}", bridge_index(host, name))
}

fn bridge_view(host: &SimHost, name: &str, members: &[String]) -> InterfaceView {
    let index = bridge_index(host, name);
    let kind = InterfaceKind::from_name(name).unwrap_or(InterfaceKind::Bridge);
    let mut flags = IfFlags::ETHERNET_BASE
        .with(IfFlags::UP)
        .with(IfFlags::RUNNING);
    if kind == InterfaceKind::VmBridge {
        flags = flags.with(IfFlags::ALLMULTI);
    }
    let ether = bridge_ether(host, name);
    InterfaceView {
        // A VM bridge carries the VMs' network, with IPv6; the Thunderbolt Bridge has none.
        inet6: (kind == InterfaceKind::VmBridge).then(|| eui64_link_local(&ether)),
        ether: Some(ether),
        inet: host.bridge_inet.get(name).cloned().unwrap_or_default(),
        members: members
            .iter()
            .map(|member| BridgeMember {
                name: member.clone(),
                port: port_index(host, member).unwrap_or(0),
            })
            .collect(),
        address_cache: host.address_cache.get(name).cloned().unwrap_or_default(),
        ..InterfaceView::new(name, kind, flags, 1500, index)
    }
}

fn port_view(host: &SimHost, port: &SimPort) -> InterfaceView {
    let bridged = host.is_bridged(&port.name);
    let mut flags = IfFlags::ETHERNET_BASE.with(IfFlags::UP);
    if port.carrier {
        flags = flags.with(IfFlags::RUNNING);
    }
    if bridged {
        flags = flags.with(IfFlags::PROMISC);
    }
    let kind = if port.thunderbolt {
        InterfaceKind::Thunderbolt
    } else {
        InterfaceKind::from_name(&port.name).unwrap_or(InterfaceKind::Ethernet)
    };
    let index = port_index(host, &port.name).unwrap_or(0);
    InterfaceView {
        ether: Some(port.ether.clone()),
        // A bridge member loses its IPv6 link-local address, as on macOS.
        inet6: (!bridged).then(|| secured_link_local(&port.ether)),
        inet: listed_inet(host, port),
        // A VM's end of its bridge is up as long as the VM runs.
        active: (port.carrier && !bridged) || kind == InterfaceKind::VmNet,
        ..InterfaceView::new(&port.name, kind, flags, 1500, index)
    }
}

pub(super) fn one(host: &SimHost, name: &str) -> Option<String> {
    view(host, name).map(|view| macos::ifconfig_single(&view))
}

/// `ifconfig -a`: every interface in interface-index order, as macOS lists them.
pub(super) fn all(host: &SimHost) -> String {
    let mut names: Vec<&str> = vec!["lo0"];
    names.extend(host.others.iter().map(|other| other.name.as_str()));
    names.extend(host.ports.iter().map(|port| port.name.as_str()));
    names.extend(host.bridges.keys().map(String::as_str));
    let mut views: Vec<_> = names
        .into_iter()
        .filter_map(|name| view(host, name))
        .collect();
    views.sort_by_key(|view| view.index);
    macos::ifconfig_all(&views)
}

/// `ifconfig NAME [inet] ADDR ...` and `ifconfig NAME delete ADDR` (every form
/// `macos::parse_address_args` takes).
pub(super) fn change_address(
    host: &mut SimHost,
    name: &str,
    words: &[&str],
    root: bool,
) -> CommandOutput {
    if view(host, name).is_none() {
        return missing_interface(name);
    }
    let command = match parse_address_args(words) {
        Ok(command) => command,
        Err(err) => return fail("", &format!("ifconfig: {err}\n"), 1),
    };
    if !root {
        return fail("", &command.permission_denied(), 1);
    }
    let Some(port) = host.port_mut(name) else {
        return fail(
            "",
            &format!("ifconfig: the simulator changes the addresses of ports only, not {name}\n"),
            1,
        );
    };
    match command {
        AddressCommand::Set(change) => {
            assign(port, change);
            ok("")
        }
        AddressCommand::Delete(ip) => match port.inet.iter().position(|(held, _)| *held == ip) {
            Some(position) => {
                port.inet.remove(position);
                ok("")
            }
            None => fail("", ADDRESS_NOT_HELD, 1),
        },
    }
}

/// macOS's semantics: `alias` adds (or updates the address in place); otherwise the first
/// IPv4 address is replaced. When that was configd's self-assigned address, configd then does
/// what the port's [`Configd`] says.
fn assign(port: &mut SimPort, change: AddressChange) {
    if !port.carrier {
        // Without a link configd holds no address on the port.
        port.inet.retain(|(ip, _)| !is_self_assigned(*ip));
    }
    let new = (change.ip, change.prefix);
    if change.alias || port.inet.is_empty() {
        match port.inet.iter_mut().find(|(ip, _)| *ip == change.ip) {
            Some(existing) => *existing = new,
            None => port.inet.push(new),
        }
        return;
    }
    let replaced = std::mem::replace(&mut port.inet[0], new);
    let mut kept_first = false;
    port.inet.retain(|(ip, _)| {
        let duplicate = *ip == change.ip && kept_first;
        kept_first |= *ip == change.ip;
        !duplicate
    });
    if is_self_assigned(replaced.0) && replaced.0 != change.ip && port.carrier {
        match port.configd {
            Configd::Withdrawn => {}
            Configd::BackAfter => port.inet.push(replaced),
            Configd::BackBefore => port.inet.insert(0, replaced),
        }
    }
}

pub(super) fn delete_member(
    host: &mut SimHost,
    bridge: &str,
    port: &str,
    root: bool,
) -> CommandOutput {
    if !root {
        return fail(
            "",
            &format!("ifconfig: BRDGDEL {port}: Operation not permitted\n"),
            1,
        );
    }
    let Some(members) = host.bridges.get_mut(bridge) else {
        return missing_interface(bridge);
    };
    match members.iter().position(|member| member == port) {
        Some(position) => {
            members.remove(position);
            ok("")
        }
        None => fail(
            "",
            &format!("ifconfig: BRDGDEL {port}: No such file or directory\n"),
            1,
        ),
    }
}

/// The IPv4 addresses `ifconfig` lists on a port now (also for the GID table and ping):
/// configd holds its self-assigned address only on a port with a link that is in no bridge.
pub(super) fn listed_inet(host: &SimHost, port: &SimPort) -> Vec<(Ipv4Addr, Prefix)> {
    let configd_holds = port.carrier && !host.is_bridged(&port.name);
    port.inet
        .iter()
        .copied()
        .filter(|(ip, _)| configd_holds || !is_self_assigned(*ip))
        .collect()
}
