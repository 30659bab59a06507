//! The hosts of the plan: node specs grouped by host in rank order, and the `--proxy` each
//! one is reached through.

use super::{Host, HostId, NodeId, NodeSpec, PlanError, ProxySpec};

/// Hosts in order of first appearance: this is the JACCL rank order.
pub(super) fn group_hosts(nodes: &[NodeSpec]) -> (Vec<Host>, Vec<HostId>) {
    let mut hosts: Vec<Host> = Vec::new();
    let mut node_hosts = Vec::with_capacity(nodes.len());
    for (index, node) in nodes.iter().enumerate() {
        let id = match hosts.iter().position(|host| host.name == node.host) {
            Some(position) => position,
            None => {
                hosts.push(Host {
                    name: node.host.clone(),
                    via: None,
                    nodes: Vec::new(),
                });
                hosts.len() - 1
            }
        };
        hosts[id].nodes.push(NodeId(index));
        node_hosts.push(HostId(id));
    }
    (hosts, node_hosts)
}

pub(super) fn apply_proxies(hosts: &mut [Host], proxies: Vec<ProxySpec>) -> Result<(), PlanError> {
    for proxy in proxies {
        let spec = format!("{}:{}", proxy.via, proxy.target);
        let Some(host) = hosts.iter_mut().find(|host| host.name == proxy.target) else {
            return Err(PlanError::ProxyUnknownTarget {
                spec,
                target: proxy.target.to_string(),
            });
        };
        if host.via.is_some() {
            return Err(PlanError::ProxyTwice(proxy.target.to_string()));
        }
        host.via = Some(proxy.via);
    }
    Ok(())
}
