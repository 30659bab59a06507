//! The lab's networks, built only inside the lab's own namespaces.
//!
//! Every `ip` call carries `-n <lab namespace>`, so no interface, address or route is ever
//! created in the root namespace. The management "switch" is a bridge in a namespace of its
//! own; the controller namespace hangs off it and has no default route.

use std::net::Ipv4Addr;

use super::{sys, LabError};
use crate::macos::identity::secured_link_local;
use crate::macos::VmBridge;

/// Management network: controller .1, host i (from 1) at .10+i.
pub const MGMT_NET: [u8; 3] = [10, 77, 0];
/// The network only jump hosts reach: hidden host i at .10+i, jump host i at .100+i.
pub const HIDDEN_NET: [u8; 3] = [10, 78, 0];
pub const CONTROLLER_IFACE: &str = "eth0";
/// Bridges in the switch namespace.
pub const MGMT_BRIDGE: &str = "mgmt";
pub const HIDDEN_BRIDGE: &str = "hidden";

pub fn addr(net: [u8; 3], host: u8) -> Ipv4Addr {
    Ipv4Addr::new(net[0], net[1], net[2], host)
}

pub fn add_ns(ns: &str) -> Result<(), LabError> {
    sys::run("ip", ["netns", "add", ns])?;
    sys::ip_in(ns, &["link", "set", "lo", "up"])?;
    Ok(())
}

pub fn add_bridge(ns: &str, name: &str) -> Result<(), LabError> {
    sys::ip_in(ns, &["link", "add", "name", name, "type", "bridge"])?;
    sys::ip_in(ns, &["link", "set", name, "up"])?;
    Ok(())
}

/// Plug `iface` of namespace `ns` into a bridge of the switch namespace, with an address.
pub fn attach(
    switch_ns: &str,
    bridge: &str,
    switch_port: &str,
    ns: &str,
    iface: &str,
    ip: Ipv4Addr,
) -> Result<(), LabError> {
    sys::ip_in(
        switch_ns,
        &[
            "link",
            "add",
            "name",
            switch_port,
            "type",
            "veth",
            "peer",
            "name",
            iface,
            "netns",
            ns,
        ],
    )?;
    sys::ip_in(switch_ns, &["link", "set", switch_port, "master", bridge])?;
    sys::ip_in(switch_ns, &["link", "set", switch_port, "up"])?;
    let cidr = format!("{ip}/24");
    sys::ip_in(ns, &["addr", "add", &cidr, "dev", iface])?;
    sys::ip_in(ns, &["link", "set", iface, "up"])?;
    Ok(())
}

/// A Thunderbolt cable: a veth pair created directly between the two host namespaces. Each
/// end gets the "secured" link-local macOS would give it instead of the kernel's EUI-64 one
/// (which the RDMA port lists separately, first in its GID table).
pub fn cable(
    (ns_a, port_a, mac_a): (&str, &str, &str),
    (ns_b, port_b, mac_b): (&str, &str, &str),
) -> Result<(), LabError> {
    sys::ip_in(
        ns_a,
        &[
            "link", "add", "name", port_a, "address", mac_a, "mtu", "1500", "type", "veth", "peer",
            "name", port_b, "address", mac_b, "netns", ns_b,
        ],
    )?;
    for (ns, port, mac) in [(ns_a, port_a, mac_a), (ns_b, port_b, mac_b)] {
        sys::ip_in(ns, &["link", "set", port, "addrgenmode", "none"])?;
        sys::ip_in(ns, &["link", "set", port, "up"])?;
        let link_local = format!("{}/64", secured_link_local(mac));
        sys::ip_in(
            ns,
            &["-6", "addr", "add", &link_local, "dev", port, "nodad"],
        )?;
    }
    Ok(())
}

/// configd's self-assigned address on a port with a link: `169.254.x.y/16`, broadcast
/// 169.254.255.255. Added last, so the kernel lists it after any address already there.
pub fn self_assign(ns: &str, port: &str, ip: Ipv4Addr) -> Result<(), LabError> {
    let cidr = format!("{ip}/16");
    sys::ip_in(ns, &super::ports::self_assigned_addr_args(&cidr, port))?;
    Ok(())
}

/// Take the self-assigned address off a port (configd does when the port joins a bridge).
pub fn unassign(ns: &str, port: &str, ip: Ipv4Addr) -> Result<(), LabError> {
    let cidr = format!("{ip}/16");
    sys::ip_in(ns, &["addr", "del", &cidr, "dev", port])?;
    Ok(())
}

/// An address on `lo` without the route to its whole prefix: Linux would make all of
/// 10.0.0.0/8 local for `10.254.254.254/8` on a loopback device, swallowing the lab's own
/// management network; macOS's `lo0` alias does not do that to other interfaces' subnets.
pub fn loopback_alias(ns: &str, ip: Ipv4Addr, bits: u8) -> Result<(), LabError> {
    let cidr = format!("{ip}/{bits}");
    sys::ip_in(ns, &["addr", "add", &cidr, "dev", "lo", "noprefixroute"])?;
    Ok(())
}

/// A virtual machine bridge with its address and the VM's end as a member: a veth whose
/// peer (`stub`) waits, up, in the switch namespace, so the member has a link as while the VM
/// runs.
pub fn vm_bridge(ns: &str, vm: &VmBridge, switch_ns: &str, stub: &str) -> Result<(), LabError> {
    sys::ip_in(
        ns,
        &[
            "link", "add", "name", &vm.name, "address", &vm.ether, "type", "bridge",
        ],
    )?;
    let cidr = format!("{}/{}", vm.inet.0, vm.inet.1.bits());
    sys::ip_in(
        ns,
        &["addr", "add", &cidr, "broadcast", "+", "dev", &vm.name],
    )?;
    sys::ip_in(
        ns,
        &[
            "link",
            "add",
            "name",
            &vm.member,
            "address",
            &vm.member_ether,
            "type",
            "veth",
            "peer",
            "name",
            stub,
            "netns",
            switch_ns,
        ],
    )?;
    sys::ip_in(switch_ns, &["link", "set", stub, "up"])?;
    sys::ip_in(ns, &["link", "set", &vm.member, "addrgenmode", "none"])?;
    sys::ip_in(ns, &["link", "set", &vm.member, "master", &vm.name])?;
    sys::ip_in(ns, &["link", "set", &vm.member, "up"])?;
    sys::ip_in(ns, &["link", "set", &vm.name, "up"])?;
    Ok(())
}

/// An unplugged port: its veth peer dangles, down, in the switch namespace, so the port is
/// up but has no carrier, like a Thunderbolt port with nothing attached.
pub fn dangling_port(
    ns: &str,
    port: &str,
    mac: &str,
    switch_ns: &str,
    stub: &str,
) -> Result<(), LabError> {
    sys::ip_in(
        ns,
        &[
            "link", "add", "name", port, "address", mac, "mtu", "1500", "type", "veth", "peer",
            "name", stub, "netns", switch_ns,
        ],
    )?;
    // No carrier, so neither an IPv6 link-local nor a self-assigned IPv4 address.
    sys::ip_in(ns, &["link", "set", port, "addrgenmode", "none"])?;
    sys::ip_in(ns, &["link", "set", port, "up"])?;
    Ok(())
}

/// Remove a port (its veth peer goes with it); a port already gone is fine.
pub fn remove_port(ns: &str, port: &str) -> Result<(), LabError> {
    match sys::ip_in(ns, &["link", "del", port]) {
        Ok(_) => Ok(()),
        Err(LabError::Command { stderr, .. }) if stderr.contains("Cannot find device") => Ok(()),
        Err(err) => Err(err),
    }
}

/// Put a port into a bridge of its host, creating the bridge if needed.
pub fn bridge_port(ns: &str, bridge: &str, port: &str) -> Result<(), LabError> {
    if sys::ip_in(ns, &["link", "show", bridge]).is_err() {
        add_bridge(ns, bridge)?;
    }
    sys::ip_in(ns, &["link", "set", port, "master", bridge])?;
    Ok(())
}
