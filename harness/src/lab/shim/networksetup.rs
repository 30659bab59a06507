//! `networksetup -listallhardwareports` of a Mac Studio (M3 Ultra): Ethernet `en0` (the lab's
//! management interface), the Thunderbolt Bridge, Wi-Fi `en1`, then one "Thunderbolt N"
//! block per Thunderbolt port the lab gave the host.
//!
//! Addresses: the kernel's for `en0` and `bridge0`, so they match `ifconfig`; the lab's port
//! MACs for the Thunderbolt ports; Wi-Fi, which the lab does not build, gets the MAC the lab
//! would give a port named `en1` on this host.

use super::kernel::{self, Link};
use super::{HostContext, Reply};
use crate::lab::ports::port_mac;
use crate::lab::spec::MGMT_IFACE;
use crate::macos::{list_all_hardware_ports, mac_studio_thunderbolt_ports, HardwarePort};

const USAGE: &str = "Usage: networksetup -listallhardwareports\n\
                     (the lab simulates no other networksetup command)\n";

pub fn run(context: &HostContext, args: &[String]) -> Reply {
    if args != ["-listallhardwareports"] {
        return Reply::err(USAGE, 1);
    }
    let links = match kernel::links(None) {
        Ok(links) => links,
        Err(err) => return Reply::err(format!("networksetup: {err}\n"), 1),
    };
    Reply::out(list_all_hardware_ports(&ports(context, &links)))
}

fn ports(context: &HostContext, links: &[Link]) -> Vec<HardwarePort> {
    let host_index = host_index(context);
    let kernel_mac = |name: &str| {
        kernel::find(links, name)
            .and_then(|link| link.address.clone())
            .unwrap_or_else(|| port_mac(host_index, name))
    };
    let mut ports = vec![HardwarePort::new(
        "Ethernet",
        MGMT_IFACE,
        kernel_mac(MGMT_IFACE),
    )];
    if kernel::find(links, "bridge0").is_some() {
        ports.push(HardwarePort::new(
            "Thunderbolt Bridge",
            "bridge0",
            kernel_mac("bridge0"),
        ));
    }
    ports.push(HardwarePort::new(
        "Wi-Fi",
        "en1",
        port_mac(host_index, "en1"),
    ));
    ports.extend(mac_studio_thunderbolt_ports(
        context
            .host
            .ports
            .iter()
            .map(|port| (port.name.as_str(), port.mac.as_str())),
    ));
    ports
}

/// The host's number in the lab, from 1, as `build` numbers hosts for their MACs.
fn host_index(context: &HostContext) -> usize {
    context
        .state
        .host_index(&context.host.name)
        .map_or(0, |index| index + 1)
}
