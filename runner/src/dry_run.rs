//! `--dry-run`: every command is listed, nothing reaches a host.
//!
//! Reads are answered by simulated hosts in the state the old tool's dry-run assumed (no
//! bridge, no address, RDMA on), so each phase takes the path a fresh reboot would take and
//! prints the commands it would send.

use rdma_harness::sim::{Cable, SimCluster, SimConnector, SimHost};
use rdma_phase::plan::Host;
use rdma_phase::{ClusterPlan, Connector, Transport, TransportError};

pub struct DryRunConnector {
    simulated: SimConnector,
}

impl DryRunConnector {
    pub fn new(plan: &ClusterPlan) -> Self {
        let hosts = plan
            .hosts
            .iter()
            .enumerate()
            .map(|(index, host)| {
                let ports: Vec<&str> = host
                    .nodes
                    .iter()
                    .map(|node| plan.node(*node).iface.as_str())
                    .collect();
                let mut simulated = SimHost::rebooted(
                    host.name.as_str(),
                    u8::try_from(index).unwrap_or(u8::MAX),
                    &ports,
                );
                // Only the planned ports: an invented management address could trip the
                // subnet-overlap guard on a plan that is fine.
                simulated.ports.retain(|port| port.thunderbolt);
                simulated
            })
            .collect();
        let cables = plan
            .links
            .iter()
            .map(|link| {
                let end = |node| {
                    let spec = plan.node(node);
                    (spec.host.as_str(), spec.iface.as_str())
                };
                Cable::new(end(link.a), end(link.b), 0.0)
            })
            .collect();
        Self {
            simulated: SimConnector(SimCluster::new(hosts, cables)),
        }
    }
}

impl Connector for DryRunConnector {
    fn connect(&self, host: &Host) -> Result<Box<dyn Transport>, TransportError> {
        self.simulated.connect(host)
    }
}
