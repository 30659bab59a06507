//! One /30 per cable from an address pool (default `10.254.0.0/16`), skipping every subnet
//! that overlaps an address or a route a host already has.
//!
//! What counts as taken: every IPv4 address `ifconfig` shows, with its subnet, and every
//! route destination `netstat -rn` shows, except
//! - loopback interfaces and routes through them (a `10.254.254.254/8` alias on `lo0` is
//!   common and would otherwise forbid the whole default pool; loopback never leaves the Mac),
//! - self-assigned `169.254/16` addresses and routes (configd's, they come and go),
//! - default routes (they cover everything),
//! - the ports at the ends of the cables being planned, and routes through them: their
//!   addresses are the ones this plan replaces (often an earlier plan's),
//! - route destinations that cannot be read (never an error: the parsers keep what they
//!   cannot judge).
//!
//! Cables are planned in a stable order (end `a`'s host rank and port, then end `b`'s), so
//! discovering again gives the same plan. The lower address of each /30 goes to the end whose
//! host comes first in rank order, unless an existing plan's addresses are kept.

use std::net::Ipv4Addr;

use serde::Serialize;

use super::cabling::{Cable, PortRef};
use crate::parse::{Interface, Route};
use crate::{HostName, IfaceName, Prefix};

/// The subnet cables are planned in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Pool {
    pub network: Ipv4Addr,
    pub prefix: Prefix,
}

impl Default for Pool {
    fn default() -> Self {
        Self {
            network: Ipv4Addr::new(10, 254, 0, 0),
            prefix: Prefix::from_mask(0xffff_0000).unwrap_or_else(cable_prefix),
        }
    }
}

impl std::fmt::Display for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

impl Pool {
    /// `10.254.0.0/16`: a network address (no host bits set) and a prefix of at most 30.
    pub fn parse(text: &str) -> Result<Self, PoolError> {
        let bad = || PoolError::BadPool(text.to_owned());
        let (address, bits) = text.trim().split_once('/').ok_or_else(bad)?;
        let network: Ipv4Addr = address.parse().map_err(|_| bad())?;
        let prefix = Prefix::parse(bits).map_err(|_| bad())?;
        if prefix.bits() > cable_prefix().bits() || prefix.network(network) != network {
            return Err(bad());
        }
        Ok(Self { network, prefix })
    }

    fn range(self) -> (u32, u32) {
        (
            u32::from(self.network),
            u32::from(self.prefix.broadcast(self.network)),
        )
    }
}

/// Each cable's subnet: /30, two host addresses.
pub fn cable_prefix() -> Prefix {
    Prefix::from_mask(0xffff_fffc).unwrap_or_else(|| unreachable!("/30 is contiguous"))
}

/// One host's addresses and routes, as its parsers return them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostNetwork {
    pub host: HostName,
    pub interfaces: Vec<Interface>,
    pub routes: Vec<Route>,
}

/// An existing plan's addresses for one cable: `address` on `host:port`, `peer_address` on
/// `peer_host:peer_port`. Either orientation matches a discovered cable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeptAddresses {
    pub host: HostName,
    pub port: IfaceName,
    pub peer_host: HostName,
    pub peer_port: IfaceName,
    pub address: Ipv4Addr,
    pub peer_address: Ipv4Addr,
}

/// A cable with its /30: `address_a` on end `a`, `address_b` on end `b`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddressedCable {
    pub cable: Cable,
    pub network: Ipv4Addr,
    pub address_a: Ipv4Addr,
    pub address_b: Ipv4Addr,
    /// Whether the addresses came from the existing plan.
    pub kept: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PoolError {
    #[error("'{0}' is not an address pool: give a network and a prefix length up to 30, such as 10.254.0.0/16")]
    BadPool(String),
    #[error("a cable names host #{0}, but only {1} hosts were given")]
    UnknownHost(usize, usize),
    #[error("the pool {pool} has no free /30 left for {unplanned} of {cables} cables: the hosts' addresses and routes (a VPN?) cover the rest; give another pool")]
    Exhausted {
        pool: String,
        cables: usize,
        unplanned: usize,
    },
}

/// An inclusive range of addresses that is taken.
type Range = (u32, u32);

/// Plan one /30 per cable from `pool`. `hosts` is in rank order (`HostId(i)` is `hosts[i]`);
/// `kept` holds an existing plan's addresses, kept for a cable that is still there when they
/// are a /30's two host addresses inside the pool, collide with nothing and are not used by
/// another cable. Results are in the cables' stable order.
pub fn plan_pool(
    pool: Pool,
    hosts: &[HostNetwork],
    cables: &[Cable],
    kept: &[KeptAddresses],
) -> Result<Vec<AddressedCable>, PoolError> {
    for cable in cables {
        for end in [&cable.a, &cable.b] {
            if end.host.0 >= hosts.len() {
                return Err(PoolError::UnknownHost(end.host.0, hosts.len()));
            }
        }
    }
    let mut ordered: Vec<&Cable> = cables.iter().collect();
    ordered.sort_by_key(|cable| (cable.a.order_key(), cable.b.order_key()));
    let mut taken = taken_ranges(hosts, cables);
    let (pool_first, pool_last) = pool.range();
    let mut planned: Vec<Option<AddressedCable>> = vec![None; ordered.len()];
    for (slot, cable) in planned.iter_mut().zip(&ordered) {
        let Some((address_a, address_b)) = kept_for(hosts, cable, kept) else {
            continue;
        };
        let network = cable_prefix().network(address_a);
        let first = u32::from(network);
        let hosts_of_subnet = [first + 1, first + 2];
        let pair_ok = cable_prefix().network(address_b) == network
            && address_a != address_b
            && hosts_of_subnet.contains(&u32::from(address_a))
            && hosts_of_subnet.contains(&u32::from(address_b));
        let range = (first, first + 3);
        if pair_ok && first >= pool_first && range.1 <= pool_last && !collides(&taken, range) {
            taken.push(range);
            *slot = Some(AddressedCable {
                cable: (*cable).clone(),
                network,
                address_a,
                address_b,
                kept: true,
            });
        }
    }
    let mut next = u64::from(pool_first);
    for index in 0..planned.len() {
        if planned[index].is_some() {
            continue;
        }
        let Some(first) = free_subnet(&taken, &mut next, u64::from(pool_last)) else {
            return Err(PoolError::Exhausted {
                pool: pool.to_string(),
                cables: cables.len(),
                unplanned: planned[index..]
                    .iter()
                    .filter(|slot| slot.is_none())
                    .count(),
            });
        };
        taken.push((first, first + 3));
        planned[index] = Some(AddressedCable {
            cable: ordered[index].clone(),
            network: Ipv4Addr::from(first),
            address_a: Ipv4Addr::from(first + 1),
            address_b: Ipv4Addr::from(first + 2),
            kept: false,
        });
    }
    Ok(planned.into_iter().flatten().collect())
}

/// The first /30 at or after `next` that collides with nothing taken and ends by `last`;
/// `next` moves past it. A collision jumps past the colliding range, so a /16 VPN route costs
/// one step, not 16384.
fn free_subnet(taken: &[Range], next: &mut u64, last: u64) -> Option<u32> {
    loop {
        let first = next.div_ceil(4) * 4;
        if first + 3 > last {
            return None;
        }
        let candidate = (u32::try_from(first).ok()?, u32::try_from(first + 3).ok()?);
        match taken
            .iter()
            .filter(|range| overlaps(**range, candidate))
            .map(|range| range.1)
            .max()
        {
            Some(end) => *next = u64::from(end) + 1,
            None => {
                *next = first + 4;
                return Some(candidate.0);
            }
        }
    }
}

fn overlaps(x: Range, y: Range) -> bool {
    x.0 <= y.1 && y.0 <= x.1
}

fn collides(taken: &[Range], range: Range) -> bool {
    taken.iter().any(|other| overlaps(*other, range))
}

/// The existing plan's addresses for this cable, as `(address on a, address on b)`.
fn kept_for(
    hosts: &[HostNetwork],
    cable: &Cable,
    kept: &[KeptAddresses],
) -> Option<(Ipv4Addr, Ipv4Addr)> {
    let is = |end: &PortRef, host: &HostName, port: &IfaceName| {
        hosts.get(end.host.0).is_some_and(|h| &h.host == host) && &end.port == port
    };
    kept.iter().find_map(|k| {
        if is(&cable.a, &k.host, &k.port) && is(&cable.b, &k.peer_host, &k.peer_port) {
            Some((k.address, k.peer_address))
        } else if is(&cable.b, &k.host, &k.port) && is(&cable.a, &k.peer_host, &k.peer_port) {
            Some((k.peer_address, k.address))
        } else {
            None
        }
    })
}

/// Every range the hosts' addresses and routes hold, less what the module doc leaves out.
fn taken_ranges(hosts: &[HostNetwork], cables: &[Cable]) -> Vec<Range> {
    let mut taken = Vec::new();
    for (index, host) in hosts.iter().enumerate() {
        let is_cable_end = |name: &str| {
            cables.iter().any(|cable| {
                [&cable.a, &cable.b]
                    .iter()
                    .any(|end| end.host.0 == index && end.port.as_str() == name)
            })
        };
        let is_loopback = |name: &str| {
            name.starts_with("lo")
                || host
                    .interfaces
                    .iter()
                    .any(|iface| iface.name == name && iface.is_loopback())
        };
        for iface in &host.interfaces {
            if iface.is_loopback() || is_cable_end(&iface.name) {
                continue;
            }
            for inet in iface.inet.iter().filter(|inet| !inet.is_self_assigned()) {
                let prefix = inet.prefix.map_or(32, Prefix::bits);
                taken.push(range_of(inet.address, prefix));
            }
        }
        for route in &host.routes {
            if route.is_default() || is_loopback(&route.netif) || is_cable_end(&route.netif) {
                continue;
            }
            let Some((address, bits)) = route.destination_network() else {
                continue;
            };
            if !address.is_link_local() {
                taken.push(range_of(address, bits));
            }
        }
    }
    taken
}

fn range_of(address: Ipv4Addr, bits: u8) -> Range {
    let mask = u32::MAX
        .checked_shl(32 - u32::from(bits.min(32)))
        .unwrap_or(0);
    let first = u32::from(address) & mask;
    (first, first | !mask)
}

#[cfg(test)]
mod tests;
