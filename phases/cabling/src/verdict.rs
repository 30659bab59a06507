//! The row for one planned port: where its cable really leads, against the plan.

use rdma_phase::discover::{Cabling, PortRef};
use rdma_phase::parse::{find_hardware_port, LinkSpeed};
use rdma_phase::{ClusterPlan, HostId, IfaceName, NodeId, Outcome};

use crate::Gathered;

/// What to do when a cable is not where the plan has it.
const MOVED_HINT: &str = "Put the cable back where the plan has it; if the new cabling is meant, run `rdma-setup discover` again to plan it";

/// One planned cable, seen from one of its ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub host: HostId,
    pub iface: IfaceName,
    pub peer_host: HostId,
    pub peer_iface: IfaceName,
}

impl Planned {
    /// The cable of `node`, whose other end is `peer`.
    pub fn new(plan: &ClusterPlan, node: NodeId, peer: NodeId) -> Self {
        Self {
            host: plan.host_of(node),
            iface: plan.node(node).iface.clone(),
            peer_host: plan.host_of(peer),
            peer_iface: plan.node(peer).iface.clone(),
        }
    }
}

/// The one row of the phase for `planned`.
pub fn verdict(gathered: &Gathered, planned: &Planned) -> Outcome {
    let iface = &planned.iface;
    let peer = format!(
        "{} {}",
        gathered.host_name(planned.peer_host),
        planned.peer_iface
    );
    if let Some(why) = gathered.unread(planned.host) {
        return Outcome::warn(format!("where {iface}'s cable leads is not known: {why}"))
            .with_hint("The other phases go on without this check; it needs `system_profiler SPThunderboltDataType -json` and `networksetup -listallhardwareports` to work over SSH");
    }
    let cabling = match &gathered.cabling {
        Ok(cabling) => cabling,
        Err(error) => {
            return Outcome::warn(format!("the cabling cannot be told: {error}"))
                .with_hint("The other phases go on without this check")
        }
    };
    let Some(port) = thunderbolt_port(gathered, planned.host, iface) else {
        return Outcome::fail(format!(
            "{iface} is not a Thunderbolt port of {}: its Thunderbolt ports are {}",
            gathered.host_name(planned.host),
            thunderbolt_ports(gathered, planned.host)
        ))
        .with_hint(
            "Name the port the cable is plugged into; `rdma-setup discover HOST...` lists them",
        )
        .stopping_node();
    };
    let elsewhere = || whereabouts(gathered, cabling, planned.peer_host, &planned.peer_iface);
    if let Some((far, speed)) = far_end(cabling, &port) {
        let far_name = describe(gathered, &far);
        if far.host == planned.peer_host && far.port == planned.peer_iface {
            return match speed {
                LinkSpeed::Linked { gbps } if gbps < rdma_phase::parse::THUNDERBOLT_5_GBPS => {
                    Outcome::warn(format!(
                        "{iface} -> {far_name} at {gbps} Gb/s: a Thunderbolt 4 link carries IP but not RDMA"
                    ))
                    .with_hint("RDMA needs Thunderbolt 5 all the way: the ports of both Macs and the cable")
                }
                LinkSpeed::Linked { gbps } => {
                    Outcome::ok(format!("{iface} -> {far_name} ({gbps} Gb/s)"))
                }
                _ => Outcome::ok(format!("{iface} -> {far_name}")),
            };
        }
        return Outcome::fail(format!(
            "{iface} is cabled to {far_name}, not to {peer} as planned{}",
            elsewhere()
                .map(|now| format!("; {now}"))
                .unwrap_or_default()
        ))
        .with_hint(MOVED_HINT)
        .stopping_node();
    }
    if cabling.unplugged.contains(&port) {
        return Outcome::fail(format!(
            "nothing is plugged into {iface} (planned: a cable to {peer}){}",
            elsewhere().map(|now| format!("; {now}")).unwrap_or_default()
        ))
        .with_hint(format!("Plug the cable from {peer} into {iface}; if the new cabling is meant, run `rdma-setup discover` again to plan it"))
        .stopping_node();
    }
    if !gathered.complete() {
        let silent: Vec<&str> = (0..gathered.hosts.len())
            .map(HostId)
            .filter(|&host| gathered.unread(host).is_some())
            .map(|host| gathered.host_name(host))
            .collect();
        return Outcome::skipped(format!(
            "{iface} has a cable; where it leads is not known without {}",
            silent.join(", ")
        ));
    }
    if let Some(foreign) = cabling.foreign.iter().find(|f| f.port == port) {
        let what = foreign
            .name
            .as_deref()
            .map_or("a device".to_owned(), |name| format!("a {name}"));
        return Outcome::fail(format!(
            "{iface} leads to {what} that is not one of the cluster's Macs (planned: a cable to {peer})"
        ))
        .with_hint(MOVED_HINT)
        .stopping_node();
    }
    if let Some((_, other)) = cabling
        .looped
        .iter()
        .find(|(one, other)| *one == port || *other == port)
        .map(|(one, other)| {
            if *one == port {
                (one, other)
            } else {
                (other, one)
            }
        })
    {
        return Outcome::fail(format!(
            "{iface} is cabled to {} of the same Mac (planned: a cable to {peer})",
            other.port
        ))
        .with_hint(MOVED_HINT)
        .stopping_node();
    }
    Outcome::warn(format!(
        "where {iface}'s cable leads cannot be read from system_profiler"
    ))
    .with_hint("The other phases go on without this check")
}

/// The port `iface` of `host`, when networksetup names it a Thunderbolt port.
fn thunderbolt_port(gathered: &Gathered, host: HostId, iface: &IfaceName) -> Option<PortRef> {
    let facts = gathered.hosts.get(host.0)?;
    let receptacle = find_hardware_port(&facts.ports, iface.as_str())?.thunderbolt_receptacle()?;
    Some(PortRef {
        host,
        port: iface.clone(),
        receptacle,
    })
}

fn thunderbolt_ports(gathered: &Gathered, host: HostId) -> String {
    let mut names: Vec<&str> = gathered
        .hosts
        .get(host.0)
        .map(|facts| {
            facts
                .ports
                .iter()
                .filter(|port| port.thunderbolt_receptacle().is_some())
                .filter_map(|port| port.device.as_deref())
                .collect()
        })
        .unwrap_or_default();
    names.sort_unstable();
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

/// The other end of the cable at `port`, and its speed.
fn far_end(cabling: &Cabling, port: &PortRef) -> Option<(PortRef, LinkSpeed)> {
    cabling.cables.iter().find_map(|cable| {
        if cable.a.host == port.host && cable.a.port == port.port {
            Some((cable.b.clone(), cable.speed))
        } else if cable.b.host == port.host && cable.b.port == port.port {
            Some((cable.a.clone(), cable.speed))
        } else {
            None
        }
    })
}

/// Where the planned far end leads now, when it can be told.
fn whereabouts(
    gathered: &Gathered,
    cabling: &Cabling,
    host: HostId,
    iface: &IfaceName,
) -> Option<String> {
    let port = thunderbolt_port(gathered, host, iface)?;
    let name = describe(gathered, &port);
    if let Some((far, _)) = far_end(cabling, &port) {
        return Some(format!("{name} leads to {}", describe(gathered, &far)));
    }
    if cabling.unplugged.contains(&port) {
        return Some(format!("{name} has nothing plugged in"));
    }
    None
}

fn describe(gathered: &Gathered, port: &PortRef) -> String {
    format!("{} {}", gathered.host_name(port.host), port.port)
}
