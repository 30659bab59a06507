//! The RDMA side of a simulated Mac: `ibv_devices`, `ibv_devinfo`, and the Thunderbolt
//! topology `system_profiler` reports, all derived from the hosts and cables.

use rdma_phase::CommandOutput;

use super::cluster::{fail, ok, Cable};
use super::host::{RdmaSwitch, SimHost};
use super::ifconfig::listed_inet;
use crate::macos::identity::secured_link_local;
use crate::macos::thunderbolt::{domain_uuid, stable_uuid};
use crate::macos::{self, ThunderboltBusView, ThunderboltPeerView};

/// One device per Thunderbolt port while RDMA is enabled; none on a Thunderbolt 4 Mac, whose
/// `rdma_ctl status` still says enabled.
pub(super) fn devices(host: &SimHost) -> Vec<(String, u64)> {
    if host.rdma != RdmaSwitch::Enabled || !host.generation.can_rdma() {
        return Vec::new();
    }
    host.ports
        .iter()
        .filter(|port| port.thunderbolt)
        .map(|port| (format!("rdma_{}", port.name), port.guid))
        .collect()
}

/// A port is active when the Macs at both ends can do RDMA and have it on, and neither end
/// is bridged.
fn port_active(hosts: &[SimHost], index: usize, cables: &[Cable], port: &str) -> bool {
    let host = &hosts[index];
    let healthy = |host: &SimHost, port: &str| {
        host.rdma == RdmaSwitch::Enabled
            && host.generation.can_rdma()
            && !host.is_bridged(port)
            && host.port(port).is_some_and(|p| p.carrier)
    };
    healthy(host, port)
        && far_end(hosts, &host.name, port, cables)
            .is_some_and(|(peer, peer_port)| healthy(peer, peer_port))
}

/// The host and port across the cable at `host:port`.
fn far_end<'a>(
    hosts: &'a [SimHost],
    host: &str,
    port: &str,
    cables: &'a [Cable],
) -> Option<(&'a SimHost, &'a str)> {
    cables.iter().find_map(|cable| {
        let (peer, peer_port) = cable.far_end(host, port)?;
        let peer = hosts.iter().find(|h| h.name == peer)?;
        Some((peer, peer_port))
    })
}

pub(super) fn devinfo(
    hosts: &[SimHost],
    index: usize,
    cables: &[Cable],
    device: &str,
) -> CommandOutput {
    let host = &hosts[index];
    let port = device.strip_prefix("rdma_").unwrap_or_default();
    let all = devices(host);
    let known = all.iter().find(|(name, _)| name == device);
    let (Some((_, guid)), Some(sim_port)) = (known, host.port(port)) else {
        // rdma-core says so whether the host has other devices or none at all.
        let (stderr, exit_code) = macos::ibv_devinfo_missing(device);
        return fail("", &stderr, exit_code);
    };
    let ipv4 = if sim_port.publishes_ipv4_gid {
        listed_inet(host, sim_port)
            .into_iter()
            .map(|(ip, _)| ip)
            .collect()
    } else {
        Vec::new()
    };
    let secured = (!host.is_bridged(port)).then(|| secured_link_local(&sim_port.ether));
    let view = macos::IbvDeviceView {
        name: device.to_owned(),
        node_guid: *guid,
        sys_image_guid: all.first().map_or(*guid, |(_, first)| *first),
        port_active: port_active(hosts, index, cables, port),
        gids: macos::gid_table(&sim_port.ether, &ipv4, secured.as_deref()),
    };
    ok(&macos::ibv_devinfo(&view, true))
}

/// `system_profiler SPThunderboltDataType -json`: a bus per Thunderbolt port, with the Mac
/// across a cable that has carrier; UUIDs as the lab derives them.
pub(super) fn thunderbolt_json(hosts: &[SimHost], index: usize, cables: &[Cable]) -> CommandOutput {
    let host = &hosts[index];
    let buses: Vec<ThunderboltBusView> = host
        .ports
        .iter()
        .filter(|port| port.thunderbolt)
        .filter_map(|port| {
            let peer = far_end(hosts, &host.name, &port.name, cables)
                .filter(|(peer, peer_port)| {
                    port.carrier && peer.port(peer_port).is_some_and(|p| p.carrier)
                })
                .map(|(peer, peer_port)| ThunderboltPeerView {
                    domain_uuid: domain_uuid(&peer.name, peer_port),
                    ip_service_uuid: stable_uuid(&format!("service_ip/{}", peer.name)),
                    rdma_service_uuid: (peer.rdma == RdmaSwitch::Enabled
                        && peer.generation.can_rdma())
                    .then(|| stable_uuid(&format!("service_rdma/{}", peer.name))),
                    generation: peer.generation,
                });
            ThunderboltBusView::mac_studio(&host.name, &port.name, host.generation, peer)
        })
        .collect();
    match macos::sp_thunderbolt_json(&buses) {
        Ok(json) => ok(&json),
        Err(err) => fail("", &format!("system_profiler: {err}\n"), 1),
    }
}
