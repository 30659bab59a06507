//! What a run produced, host by host, before it is rendered.

use rdma_phase::context::IssuedCommand;
use rdma_phase::{HostId, Mode, NodeId, Outcome, Scope, Status, TransportError};

/// One phase's run on one host (and node, for node phases).
#[derive(Debug, Clone)]
pub struct PhaseRun {
    pub phase: &'static str,
    pub scope: Scope,
    pub node: Option<NodeId>,
    pub outcomes: Vec<Outcome>,
    pub issued: Vec<IssuedCommand>,
}

/// Everything that happened on one host.
#[derive(Debug, Clone)]
pub struct HostRun {
    pub host: HostId,
    /// Set when no session could be opened or it broke; later phases did not run.
    pub lost: Option<TransportError>,
    pub runs: Vec<PhaseRun>,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub mode: Mode,
    pub hosts: Vec<HostRun>,
}

impl Report {
    pub fn outcomes(&self) -> impl Iterator<Item = &Outcome> {
        self.hosts
            .iter()
            .flat_map(|host| host.runs.iter())
            .flat_map(|run| run.outcomes.iter())
    }

    pub fn any_host_lost(&self) -> bool {
        self.hosts.iter().any(|host| host.lost.is_some())
    }

    /// 0 all good, 1 something failed, 3 check mode found changes to make.
    pub fn exit_code(&self) -> i32 {
        if self.any_host_lost() || self.outcomes().any(|o| o.status.is_failure()) {
            1
        } else if self.mode == Mode::Check && self.outcomes().any(|o| o.status == Status::Pending) {
            3
        } else {
            0
        }
    }
}
