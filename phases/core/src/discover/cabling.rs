//! Which Thunderbolt port of which host is cabled to which, from each host's parsed
//! `system_profiler SPThunderboltDataType -json` and `networksetup -listallhardwareports`.
//!
//! A bus's own `domain_uuid_key` names that port; its peer's `domain_uuid_key` names the port
//! at the other end. Receptacle N is mapped to its `enX` through the hardware port named
//! "Thunderbolt N" (N is never assumed to be X). A cable both ends report is one [`Cable`]
//! with [`Sighting::BothEnds`]; a cable only one end reports is kept, marked
//! [`Sighting::OneEnd`].

use std::collections::HashMap;

use serde::Serialize;

use crate::parse::{HardwarePort, LinkSpeed, ThunderboltBus, THUNDERBOLT_5_GBPS};
use crate::{HostId, HostName, IfaceName};

/// One host's Thunderbolt facts, as its parsers return them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostThunderbolt {
    pub host: HostName,
    pub buses: Vec<ThunderboltBus>,
    pub ports: Vec<HardwarePort>,
}

/// One Thunderbolt port of one host.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct PortRef {
    pub host: HostId,
    /// `en5`: the device of the hardware port "Thunderbolt N".
    pub port: IfaceName,
    /// N of "Thunderbolt N".
    pub receptacle: u32,
}

impl PortRef {
    /// Rank order of the host, then the port name with its unit compared as a number
    /// (`en9` before `en10`).
    pub fn order_key(&self) -> (usize, String, u32) {
        let name = self.port.as_str();
        let letters = name.bytes().take_while(u8::is_ascii_lowercase).count();
        let (prefix, unit) = name.split_at(letters);
        (
            self.host.0,
            prefix.to_owned(),
            unit.parse().unwrap_or(u32::MAX),
        )
    }
}

/// How a cable was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Sighting {
    /// Each end names the other.
    BothEnds,
    /// Only end `a` names end `b`; `b`'s bus names nothing (or something else).
    OneEnd,
}

/// A cable between two hosts' ports; `a` is the end that comes first in rank order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cable {
    pub a: PortRef,
    pub b: PortRef,
    /// The link as end `a` reports it (end `b`'s when `a` has no readable speed).
    pub speed: LinkSpeed,
    pub sighting: Sighting,
}

impl Cable {
    /// A link slower than Thunderbolt 5 (`40 Gb/s`): IP works, RDMA does not.
    pub fn is_thunderbolt_4(&self) -> bool {
        matches!(self.speed, LinkSpeed::Linked { gbps } if gbps < THUNDERBOLT_5_GBPS)
    }

    /// Whether `host` is one of the two ends.
    pub fn touches(&self, host: HostId) -> bool {
        self.a.host == host || self.b.host == host
    }
}

/// A port whose cable leads to something that is not a port of one of the hosts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ForeignPeer {
    pub port: PortRef,
    /// The peer's `_name` (`Mac mini`, `CalDigit TS4`), when printed.
    pub name: Option<String>,
    /// The peer's domain UUID; `None` for a device without one (a dock, an enclosure).
    pub domain_uuid: Option<String>,
}

/// A bus that cannot be named as an `enX` port: no receptacle number, no "Thunderbolt N"
/// hardware port, or a device name that is not an interface name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnmappedBus {
    pub host: HostId,
    /// `_name` of the bus: `thunderboltusb4_bus_1`.
    pub bus: String,
    pub receptacle: Option<u32>,
}

/// Everything the Thunderbolt facts say about the cables, each list in a stable order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Cabling {
    /// Cables between hosts, ordered by end `a` then end `b`.
    pub cables: Vec<Cable>,
    /// Ports with nothing attached.
    pub unplugged: Vec<PortRef>,
    /// Ports cabled to a non-Mac device or to a Mac that is not one of the hosts.
    pub foreign: Vec<ForeignPeer>,
    /// Cables whose two ends are ports of the same host.
    pub looped: Vec<(PortRef, PortRef)>,
    pub unmapped: Vec<UnmappedBus>,
}

impl Cabling {
    /// The cables a plan can use: those at Thunderbolt 5 speed (a Thunderbolt 4 link has
    /// no RDMA on it).
    pub fn rdma_cables(&self) -> impl Iterator<Item = &Cable> {
        self.cables.iter().filter(|cable| !cable.is_thunderbolt_4())
    }
}

/// Facts that cannot describe real hosts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CablingError {
    #[error("host '{0}' is listed twice")]
    DuplicateHost(String),
    #[error("Thunderbolt domain {uuid} is reported by two ports ({first} and {second}): each port's domain UUID must be unique")]
    DuplicateDomain {
        uuid: String,
        first: String,
        second: String,
    },
}

/// One mapped bus and what it says.
struct Mapped<'a> {
    port: PortRef,
    bus: &'a ThunderboltBus,
}

/// Pair the hosts' ports by domain UUID. `hosts` is in rank order: `HostId(i)` is `hosts[i]`.
pub fn discover_cabling(hosts: &[HostThunderbolt]) -> Result<Cabling, CablingError> {
    let mut cabling = Cabling::default();
    let mut mapped: Vec<Mapped> = Vec::new();
    for (index, host) in hosts.iter().enumerate() {
        if hosts[..index].iter().any(|other| other.host == host.host) {
            return Err(CablingError::DuplicateHost(host.host.to_string()));
        }
        for bus in &host.buses {
            match port_of(HostId(index), bus, &host.ports) {
                Some(port) => mapped.push(Mapped { port, bus }),
                None => cabling.unmapped.push(UnmappedBus {
                    host: HostId(index),
                    bus: bus.name.clone(),
                    receptacle: bus.receptacle,
                }),
            }
        }
    }
    let mut by_uuid: HashMap<&str, usize> = HashMap::new();
    for (index, end) in mapped.iter().enumerate() {
        let Some(uuid) = end.bus.domain_uuid.as_deref() else {
            continue;
        };
        if let Some(&first) = by_uuid.get(uuid) {
            return Err(CablingError::DuplicateDomain {
                uuid: uuid.to_owned(),
                first: describe(hosts, &mapped[first].port),
                second: describe(hosts, &end.port),
            });
        }
        by_uuid.insert(uuid, index);
    }
    for (index, end) in mapped.iter().enumerate() {
        let Some(peer) = &end.bus.peer else {
            if is_attached(end.bus) {
                cabling.foreign.push(ForeignPeer {
                    port: end.port.clone(),
                    name: None,
                    domain_uuid: None,
                });
            } else {
                cabling.unplugged.push(end.port.clone());
            }
            continue;
        };
        let Some(&other) = by_uuid.get(peer.domain_uuid.as_str()) else {
            cabling.foreign.push(ForeignPeer {
                port: end.port.clone(),
                name: peer.name.clone(),
                domain_uuid: Some(peer.domain_uuid.clone()),
            });
            continue;
        };
        let far = &mapped[other];
        let names_us = end.bus.domain_uuid.is_some()
            && far.bus.peer.as_ref().map(|p| p.domain_uuid.as_str())
                == end.bus.domain_uuid.as_deref();
        if names_us && other < index {
            continue; // the same cable, already taken from the other end
        }
        if end.port.host == far.port.host {
            cabling.looped.push((end.port.clone(), far.port.clone()));
            continue;
        }
        let sighting = if names_us {
            Sighting::BothEnds
        } else {
            Sighting::OneEnd
        };
        cabling.cables.push(cable(end, far, sighting));
    }
    // The far end of a one-sided sighting reads as empty or as an unnamed device: the
    // cable says otherwise, so it is reported once, as the cable.
    let is_end = |port: &PortRef| {
        cabling
            .cables
            .iter()
            .any(|cable| &cable.a == port || &cable.b == port)
    };
    let unplugged = std::mem::take(&mut cabling.unplugged);
    cabling.unplugged = unplugged.into_iter().filter(|p| !is_end(p)).collect();
    let foreign = std::mem::take(&mut cabling.foreign);
    cabling.foreign = foreign
        .into_iter()
        .filter(|f| f.domain_uuid.is_some() || !is_end(&f.port))
        .collect();
    cabling.cables.sort_by(|x, y| {
        (x.a.order_key(), x.b.order_key()).cmp(&(y.a.order_key(), y.b.order_key()))
    });
    cabling.unplugged.sort_by_key(PortRef::order_key);
    cabling
        .foreign
        .sort_by_key(|foreign| foreign.port.order_key());
    Ok(cabling)
}

/// The cable from `seen_by` to `far`, with the end that comes first in rank order as `a`.
fn cable(seen_by: &Mapped, far: &Mapped, sighting: Sighting) -> Cable {
    let (a, b) = if seen_by.port.order_key() <= far.port.order_key() {
        (seen_by, far)
    } else {
        (far, seen_by)
    };
    let speed = match a.bus.link_speed() {
        LinkSpeed::Unknown => b.bus.link_speed(),
        known => known,
    };
    Cable {
        a: a.port.clone(),
        b: b.port.clone(),
        speed,
        sighting,
    }
}

/// Something is plugged in though no port is named: a linked speed or a connected status.
fn is_attached(bus: &ThunderboltBus) -> bool {
    matches!(bus.link_speed(), LinkSpeed::Linked { .. })
        || bus.receptacle_status.as_deref() == Some("receptacle_connected")
}

fn port_of(host: HostId, bus: &ThunderboltBus, ports: &[HardwarePort]) -> Option<PortRef> {
    let receptacle = bus.receptacle?;
    let hardware = ports
        .iter()
        .find(|port| port.thunderbolt_receptacle() == Some(receptacle))?;
    let port = IfaceName::parse(hardware.device.as_deref()?).ok()?;
    Some(PortRef {
        host,
        port,
        receptacle,
    })
}

fn describe(hosts: &[HostThunderbolt], port: &PortRef) -> String {
    let host = hosts
        .get(port.host.0)
        .map_or("?", |host| host.host.as_str());
    format!("{host}:{}", port.port)
}

#[cfg(test)]
mod tests;
