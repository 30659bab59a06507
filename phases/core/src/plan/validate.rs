//! The checks on the node specs as given, before anything is derived from them: no address
//! twice, no interface twice, no network or broadcast address.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use super::{NodeSpec, PlanError, Prefix};

pub(super) fn check_unique_addresses(nodes: &[NodeSpec]) -> Result<(), PlanError> {
    let mut seen: BTreeMap<Ipv4Addr, &NodeSpec> = BTreeMap::new();
    for node in nodes {
        if let Some(first) = seen.insert(node.ip, node) {
            return Err(PlanError::DuplicateAddress {
                address: node.ip,
                first: first.to_string(),
                second: node.to_string(),
            });
        }
    }
    Ok(())
}

pub(super) fn check_one_address_per_interface(nodes: &[NodeSpec]) -> Result<(), PlanError> {
    let mut seen = BTreeMap::new();
    for node in nodes {
        if let Some(first) = seen.insert((&node.host, &node.iface), node) {
            return Err(PlanError::InterfaceTwice {
                host: node.host.to_string(),
                iface: node.iface.to_string(),
                first: first.to_string(),
                second: node.to_string(),
            });
        }
    }
    Ok(())
}

pub(super) fn check_host_addresses(nodes: &[NodeSpec], prefix: Prefix) -> Result<(), PlanError> {
    if prefix.bits() > 30 {
        return Ok(());
    }
    for node in nodes {
        let network = prefix.network(node.ip);
        let what = if node.ip == network {
            "network"
        } else if node.ip == prefix.broadcast(node.ip) {
            "broadcast"
        } else {
            continue;
        };
        return Err(PlanError::ReservedAddress {
            spec: node.to_string(),
            address: node.ip,
            what,
            network,
            bits: prefix.bits(),
        });
    }
    Ok(())
}
