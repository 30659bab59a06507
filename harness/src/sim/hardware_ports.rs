//! `networksetup -listallhardwareports` on a simulated Mac Studio (M3 Ultra): its Ethernet
//! port, the Thunderbolt Bridge, Wi-Fi, then one "Thunderbolt N" block per Thunderbolt port,
//! in the layout the lab's shim prints for the same Mac.

use rdma_phase::CommandOutput;

use super::cluster::ok;
use super::host::SimHost;
use crate::macos::{list_all_hardware_ports, mac_studio_receptacle, HardwarePort};

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
            "82:30:ea:68:4c:14",
        ));
    }
    let mut thunderbolt: Vec<(u32, HardwarePort)> = host
        .ports
        .iter()
        .filter(|port| port.thunderbolt)
        .filter_map(|port| {
            let receptacle = mac_studio_receptacle(&port.name)?;
            let block =
                HardwarePort::new(format!("Thunderbolt {receptacle}"), &port.name, &port.ether);
            Some((receptacle, block))
        })
        .collect();
    thunderbolt.sort_by_key(|(receptacle, _)| *receptacle);
    ports.extend(thunderbolt.into_iter().map(|(_, block)| block));
    ok(&list_all_hardware_ports(&ports))
}
