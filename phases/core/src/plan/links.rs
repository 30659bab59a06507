//! The cables of the plan: node specs paired by subnet, exactly two on different hosts each.

use std::net::Ipv4Addr;

use super::{HostId, Link, NodeId, NodeSpec, PlanError, Prefix};

pub(super) fn pair_links(
    nodes: &[NodeSpec],
    node_hosts: &[HostId],
    prefix: Prefix,
) -> Result<Vec<Link>, PlanError> {
    // Subnets in order of their first node, so links come out in command-line order.
    let mut subnets: Vec<(Ipv4Addr, Vec<NodeId>)> = Vec::new();
    for (index, node) in nodes.iter().enumerate() {
        let network = prefix.network(node.ip);
        match subnets.iter_mut().find(|(net, _)| *net == network) {
            Some((_, members)) => members.push(NodeId(index)),
            None => subnets.push((network, vec![NodeId(index)])),
        }
    }
    subnets
        .into_iter()
        .map(|(network, members)| match members[..] {
            [a, b] if node_hosts[a.0] == node_hosts[b.0] => Err(PlanError::SameHostLink {
                first: nodes[a.0].to_string(),
                second: nodes[b.0].to_string(),
                network,
                bits: prefix.bits(),
            }),
            [a, b] => Ok(Link { a, b, network }),
            [only] => Err(PlanError::LonelySubnet {
                network,
                bits: prefix.bits(),
                spec: nodes[only.0].to_string(),
            }),
            _ => Err(PlanError::CrowdedSubnet {
                network,
                bits: prefix.bits(),
                count: members.len(),
                specs: members
                    .iter()
                    .map(|id| nodes[id.0].to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        })
        .collect()
}
