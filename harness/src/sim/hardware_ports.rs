//! `networksetup -listallhardwareports` on a simulated Mac Studio (M3 Ultra): its Ethernet
//! port, the Thunderbolt Bridge, Wi-Fi, then one "Thunderbolt N" block per Thunderbolt port,
//! in the layout the lab's shim prints for the same Mac; the bridge's address is the one its
//! `ifconfig` shows.

use rdma_phase::CommandOutput;

use super::cluster::ok;
use super::host::SimHost;
use super::ifconfig::bridge_ether;
use crate::macos::{list_all_hardware_ports, mac_studio_thunderbolt_ports, HardwarePort};

pub(super) fn listing(host: &SimHost) -> CommandOutput {
    let mut ports: Vec<HardwarePort> = host
        .ports
        .iter()
        .filter(|port| !port.thunderbolt && port.name == "en0")
        .map(|port| HardwarePort::new("Ethernet", &port.name, &port.ether))
        .collect();
    if host.bridges.contains_key("bridge0") {
        ports.push(HardwarePort::new(
            "Thunderbolt Bridge",
            "bridge0",
            bridge_ether(host, "bridge0"),
        ));
    }
    ports.extend(mac_studio_thunderbolt_ports(
        host.ports
            .iter()
            .filter(|port| port.thunderbolt)
            .map(|port| (port.name.as_str(), port.ether.as_str())),
    ));
    ok(&list_all_hardware_ports(&ports))
}
