//! The cluster plan: which hosts, which cables, which RDMA device reaches which rank.
//!
//! Built once from the command line by [`ClusterPlan::build`], pure and validated; every
//! phase reads it and none changes it.

mod build;
mod error;
mod hosts;
mod links;
mod matrix;
mod node_spec;
mod prefix;
mod proxy;
mod validate;
mod warnings;

use std::net::Ipv4Addr;

use serde::Serialize;

pub use error::PlanError;
pub use matrix::{IbvEntry, IbvMatrix};
pub use node_spec::NodeSpec;
pub use prefix::Prefix;
pub use proxy::ProxySpec;

use crate::names::HostName;

/// Index of a host in rank order (the order hosts first appear on the command line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct HostId(pub usize);

/// Index of a `--node` spec in command-line order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct NodeId(pub usize);

/// An SSH host of the cluster, one JACCL rank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Host {
    pub name: HostName,
    /// `--proxy`: the host whose session runs `ssh TARGET '<command>'` for this one.
    pub via: Option<HostName>,
    /// This host's node specs, in command-line order.
    pub nodes: Vec<NodeId>,
}

/// One cable: two node specs on different hosts sharing a subnet. `a` comes first on the
/// command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Link {
    pub a: NodeId,
    pub b: NodeId,
    pub network: Ipv4Addr,
}

impl Link {
    /// The other end of the cable seen from `node`, if `node` is one of its ends.
    pub fn peer_of(&self, node: NodeId) -> Option<NodeId> {
        if node == self.a {
            Some(self.b)
        } else if node == self.b {
            Some(self.a)
        } else {
            None
        }
    }
}

/// Everything a run needs to know about the cluster, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClusterPlan {
    pub hosts: Vec<Host>,
    pub nodes: Vec<NodeSpec>,
    /// For each node, the host it belongs to.
    pub node_hosts: Vec<HostId>,
    pub links: Vec<Link>,
    pub prefix: Prefix,
    pub matrix: IbvMatrix,
    /// Problems that do not stop the run (LAN-clash addresses, pairs without a cable).
    pub warnings: Vec<String>,
}

impl ClusterPlan {
    pub fn host(&self, id: HostId) -> &Host {
        &self.hosts[id.0]
    }

    pub fn node(&self, id: NodeId) -> &NodeSpec {
        &self.nodes[id.0]
    }

    pub fn host_of(&self, node: NodeId) -> HostId {
        self.node_hosts[node.0]
    }

    pub fn host_ids(&self) -> impl Iterator<Item = HostId> {
        (0..self.hosts.len()).map(HostId)
    }

    pub fn node_ids(&self) -> impl Iterator<Item = NodeId> {
        (0..self.nodes.len()).map(NodeId)
    }

    /// The cable a node spec is one end of (every node has exactly one after validation).
    pub fn link_of(&self, node: NodeId) -> Option<&Link> {
        self.links.iter().find(|link| link.peer_of(node).is_some())
    }

    /// The device file every host gets, as JACCL reads it.
    pub fn ibv_json(&self) -> String {
        self.matrix.to_json()
    }
}
