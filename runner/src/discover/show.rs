//! What `discover` prints about the cables: one row per cable, the ports with nothing or
//! something else at the other end, the shape the cables make and what JACCL needs of it,
//! and the addresses planned. Pure text; every string a host printed goes through
//! [`inert`] here.

use std::fmt::Write as _;

use rdma_phase::discover::{
    AddressedCable, Cable, Cabling, ForeignPeer, PortRef, Shape, Sighting, Topology,
};
use rdma_phase::parse::LinkSpeed;
use rdma_phase::{HostId, HostName};

use crate::inert::inert;

fn heading(out: &mut String, title: &str) {
    let _ = writeln!(out, "\n{title}\n{}", "=".repeat(title.chars().count()));
}

fn name(names: &[HostName], host: HostId) -> &str {
    names.get(host.0).map_or("?", HostName::as_str)
}

fn port(names: &[HostName], port: &PortRef) -> String {
    format!("{} {}", name(names, port.host), port.port)
}

fn speed(speed: LinkSpeed) -> String {
    match speed {
        LinkSpeed::Linked { gbps } => format!("{gbps} Gb/s"),
        LinkSpeed::Idle | LinkSpeed::Unknown => "speed not reported".to_owned(),
    }
}

/// `hwstudio1 en5 <-> hwstudio2 en5, 80 Gb/s`, and what keeps it out of the plan.
pub fn cable_row(names: &[HostName], cable: &Cable) -> String {
    let mut row = format!(
        "{} <-> {}, {}",
        port(names, &cable.a),
        port(names, &cable.b),
        speed(cable.speed)
    );
    if cable.is_thunderbolt_4() {
        row.push_str(": Thunderbolt 4, no RDMA on it (not planned)");
    } else if cable.sighting == Sighting::OneEnd {
        let _ = write!(
            row,
            ": seen from {} only ({}'s port names no peer; planned, check the cable)",
            name(names, cable.a.host),
            name(names, cable.b.host)
        );
    }
    row
}

fn foreign_row(names: &[HostName], foreign: &ForeignPeer) -> String {
    let what = match (&foreign.name, &foreign.domain_uuid) {
        (Some(peer), Some(uuid)) => {
            format!("{} ({}), not one of the hosts", inert(peer), inert(uuid))
        }
        (None, Some(uuid)) => format!("a Mac ({}) that is not one of the hosts", inert(uuid)),
        (Some(peer), None) => format!("{}, not a Mac", inert(peer)),
        (None, None) => "a device that is not a Mac".to_owned(),
    };
    format!("{}: {what} (not planned)", port(names, &foreign.port))
}

/// The cables and the other ports, as found.
pub fn cabling(names: &[HostName], cabling: &Cabling) -> String {
    let mut out = String::new();
    heading(&mut out, "Cables");
    if cabling.cables.is_empty() {
        out.push_str("  none between these hosts\n");
    }
    for cable in &cabling.cables {
        let _ = writeln!(out, "  {}", cable_row(names, cable));
    }
    let mut others: Vec<String> = Vec::new();
    // Empty ports, one row per host: `a en4, en5: nothing attached`.
    let mut empty: Vec<(HostId, Vec<String>)> = Vec::new();
    for unplugged in &cabling.unplugged {
        match empty.iter_mut().find(|(host, _)| *host == unplugged.host) {
            Some((_, ports)) => ports.push(unplugged.port.to_string()),
            None => empty.push((unplugged.host, vec![unplugged.port.to_string()])),
        }
    }
    for (host, ports) in empty {
        others.push(format!(
            "{} {}: nothing attached",
            name(names, host),
            ports.join(", ")
        ));
    }
    for foreign in &cabling.foreign {
        others.push(foreign_row(names, foreign));
    }
    for (a, b) in &cabling.looped {
        others.push(format!(
            "{} <-> {}: both ends on the same Mac (not planned)",
            port(names, a),
            port(names, b)
        ));
    }
    for bus in &cabling.unmapped {
        let receptacle = bus
            .receptacle
            .map_or("no receptacle number".to_owned(), |n| {
                format!("no \"Thunderbolt {n}\" in networksetup")
            });
        others.push(format!(
            "{} {}: cannot tell which port it is ({receptacle}; not planned)",
            name(names, bus.host),
            inert(&bus.bus)
        ));
    }
    if !others.is_empty() {
        heading(&mut out, "Other Thunderbolt ports");
        for row in others {
            let _ = writeln!(out, "  {row}");
        }
    }
    out
}

fn pairs(names: &[HostName], pairs: &[(HostId, HostId)]) -> String {
    pairs
        .iter()
        .map(|&(a, b)| format!("{} <-> {}", name(names, a), name(names, b)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The hosts in the order a walk around a ring visits them from rank 0, when `cables`
/// form a ring.
fn ring_order(hosts: usize, cables: &[Cable]) -> Vec<usize> {
    let neighbours = |host: usize| -> Vec<usize> {
        cables
            .iter()
            .filter_map(|c| match (c.a.host.0, c.b.host.0) {
                (a, b) if a == host => Some(b),
                (a, b) if b == host => Some(a),
                _ => None,
            })
            .collect()
    };
    let mut order = vec![0];
    while order.len() < hosts {
        let last = order[order.len() - 1];
        let Some(next) = neighbours(last).into_iter().find(|n| !order.contains(n)) else {
            break;
        };
        order.push(next);
    }
    order
}

/// The shape of the RDMA cables (`cables`: the ones planned) and what JACCL needs.
pub fn topology(names: &[HostName], topology: &Topology, cables: &[Cable]) -> String {
    let mut out = String::new();
    heading(&mut out, "Topology");
    let hosts = names.len();
    match topology.shape {
        Shape::FullMesh => {
            out.push_str("  full mesh: every pair of hosts has a cable; JACCL's mesh (backend jaccl) can run\n");
        }
        Shape::Ring => {
            let order = ring_order(hosts, cables);
            let in_rank_order = order.iter().copied().eq(0..hosts)
                || order
                    .iter()
                    .copied()
                    .eq(std::iter::once(0).chain((1..hosts).rev()));
            out.push_str("  ring: each host has a cable to two others, all in one loop\n");
            if in_rank_order {
                out.push_str("  JACCL: backend jaccl-ring can run (the ring follows rank order)\n");
            } else {
                let walk: Vec<&str> = order.iter().map(|&h| name(names, HostId(h))).collect();
                let _ = writeln!(
                    out,
                    "  JACCL: jaccl-ring needs the ring in rank order: list the hosts as {}",
                    walk.join(" ")
                );
            }
            let _ = writeln!(
                out,
                "  for a full mesh (backend jaccl), cable: {}",
                pairs(names, &topology.missing)
            );
        }
        Shape::Neither => {
            out.push_str(
                "  neither a full mesh nor a ring: JACCL cannot use this cabling as it is\n",
            );
            let _ = writeln!(
                out,
                "  for a full mesh (backend jaccl, every pair cabled with Thunderbolt 5), cable: {}",
                pairs(names, &topology.missing)
            );
            out.push_str("  for jaccl-ring, cable the hosts in one loop, each to its two neighbours in rank order\n");
        }
    }
    if !topology.doubled.is_empty() {
        let _ = writeln!(
            out,
            "  more than one cable between: {} (each gets its own subnet)",
            pairs(names, &topology.doubled)
        );
    }
    out
}

/// The planned addresses, one row per cable.
pub fn plan(names: &[HostName], planned: &[AddressedCable], pool: &str) -> String {
    let mut out = String::new();
    heading(
        &mut out,
        &format!("Addresses (one /30 per cable from {pool})"),
    );
    for cable in planned {
        let _ = writeln!(
            out,
            "  {} {} <-> {} {}  ({}/30{})",
            port(names, &cable.cable.a),
            cable.address_a,
            port(names, &cable.cable.b),
            cable.address_b,
            cable.network,
            if cable.kept {
                ", kept from the file"
            } else {
                ""
            }
        );
    }
    out
}

#[cfg(test)]
mod tests;
