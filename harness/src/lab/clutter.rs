//! What makes a lab Mac as messy as a real one while the lab is built: every cabled port's
//! self-assigned 169.254 address (all labs), and the [`Quirk`]s asked for.

use std::net::Ipv4Addr;

use super::instance::Lab;
use super::quirks::{Quirk, QuirkySpec};
use super::state::HostState;
use super::{files, net, LabError};
use crate::macos::busy_mac;
use crate::macos::identity::self_assigned_address;

/// Give every cabled port its self-assigned address: stable per host and port, and distinct
/// across the lab (two ports sharing one would make the kernel's answers depend on which
/// port asked, which no Mac shows).
pub(super) fn assign_self_addresses(hosts: &mut [HostState]) {
    let mut taken: Vec<Ipv4Addr> = Vec::new();
    for host in hosts {
        let name = host.name.clone();
        for port in &mut host.ports {
            let ip = (0..)
                .map(|salt| self_assigned_address(&name, &port.name, salt))
                .find(|ip| !taken.contains(ip))
                .unwrap_or(Ipv4Addr::UNSPECIFIED);
            taken.push(ip);
            port.self_assigned = Some(ip);
        }
    }
}

impl Lab {
    /// The quirks that live outside the lab's state file: a busy Mac's loopback alias and VM
    /// bridges (real kernel state), and old device files in the hosts' /tmp. Thunderbolt 4
    /// and the busy Mac's other interfaces are recorded in the host's state for its shims.
    pub(super) fn apply_quirks(&self, quirky: &QuirkySpec) -> Result<(), LabError> {
        for quirk in &quirky.quirks {
            match quirk {
                Quirk::Busy { host } => self.make_busy(host)?,
                Quirk::Thunderbolt4 { .. } => {}
                Quirk::OldDeviceFile { host, file } => files::write(
                    &self.device_file_path(host),
                    &file.content(&quirky.spec)?,
                    0o644,
                )?,
            }
        }
        Ok(())
    }

    fn make_busy(&self, host: &str) -> Result<(), LabError> {
        let index = self.state.host_index(host)?;
        let ns = &self.state.hosts[index].ns;
        let busy = busy_mac(host);
        for (ip, prefix) in &busy.loopback_aliases {
            net::loopback_alias(ns, *ip, prefix.bits())?;
        }
        for (unit, vm) in busy.vm_bridges.iter().enumerate() {
            // The VM's end of the wire waits in the switch namespace, like an unplugged port.
            net::vm_bridge(ns, vm, &self.state.switch_ns, &format!("v{index}m{unit}"))?;
        }
        Ok(())
    }
}
