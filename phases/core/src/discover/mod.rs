//! Cable discovery (issue 12, building blocks): from what each host's `system_profiler`,
//! `networksetup`, `ifconfig` and `netstat` print, which ports are cabled to which
//! ([`cabling`]), what shape the cables make ([`topology`]), and one /30 per cable from an
//! address pool that avoids every address and route the hosts already have ([`pool`]).
//!
//! Pure functions over the parsers' types; no I/O. Hosts are always given in rank order,
//! and [`crate::HostId`] is an index into that order.

pub mod cabling;
pub mod pool;
pub mod topology;

pub use cabling::{
    discover_cabling, Cable, Cabling, CablingError, ForeignPeer, HostThunderbolt, PortRef,
    Sighting, UnmappedBus,
};
pub use pool::{
    cable_prefix, plan_pool, AddressedCable, HostNetwork, KeptAddresses, Pool, PoolError,
};
pub use topology::{classify, Shape, Topology};

#[cfg(test)]
mod fixtures;
