//! What a run produced, host by host, before it is rendered.

use rdma_phase::context::IssuedCommand;
use rdma_phase::{CommandOutput, HostId, Mode, NodeId, Outcome, Scope, Status, TransportError};

/// The name the host lock's steps are reported under.
pub const LOCK_STEP: &str = "lock";

/// What a host thread tells the calling thread.
#[derive(Debug)]
pub enum Event {
    Connected(HostId),
    PhaseStarted(HostId, &'static str),
    PhaseFinished(HostId, PhaseRun),
    /// Another run was changing this host while a `--check` read it: its failures were
    /// half-made changes. The run holds the row that says so.
    Interfered(HostId, PhaseRun),
    /// The node and host phases are done (the cluster phases wait for the other hosts).
    LocalDone(HostId),
    /// No session, or it broke: nothing more runs on this host.
    Lost(HostId, TransportError),
    /// What the host answered when it pinged rank 0's address (`--hostfile`), after the
    /// cluster phases, on its session.
    Rank0Ping(HostId, Result<CommandOutput, TransportError>),
    Finished(HostId),
}

/// Exit code of a run stopped by Ctrl-C, as shells report a SIGINT death (128 + 2).
pub const INTERRUPTED: i32 = 130;

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
    /// Every selected phase has run (or could not, because the host was lost).
    pub finished: bool,
    /// The phase running now, while the host is busy.
    pub current: Option<&'static str>,
    /// A session is open (set before the first phase starts).
    pub connected: bool,
    /// The node and host phases are done: the host's blocks can be shown.
    pub local_done: bool,
    /// Its answer when it pinged rank 0's address, if it was asked to (`--hostfile`).
    pub rank0_ping: Option<Result<CommandOutput, TransportError>>,
}

impl HostRun {
    pub fn new(host: HostId) -> Self {
        Self {
            host,
            lost: None,
            runs: Vec::new(),
            finished: false,
            current: None,
            connected: false,
            local_done: false,
            rank0_ping: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Report {
    pub mode: Mode,
    pub hosts: Vec<HostRun>,
    /// The user stopped the run (Ctrl-C) before every host finished.
    pub interrupted: bool,
}

impl Report {
    pub fn new(mode: Mode, hosts: impl Iterator<Item = HostId>) -> Self {
        Self {
            mode,
            hosts: hosts.map(HostRun::new).collect(),
            interrupted: false,
        }
    }

    /// Fold one event from a host thread into the report.
    pub fn apply(&mut self, event: &Event) {
        let host = match event {
            Event::Connected(host)
            | Event::PhaseStarted(host, _)
            | Event::PhaseFinished(host, _)
            | Event::Interfered(host, _)
            | Event::LocalDone(host)
            | Event::Lost(host, _)
            | Event::Rank0Ping(host, _)
            | Event::Finished(host) => *host,
        };
        let Some(run) = self.hosts.get_mut(host.0) else {
            return;
        };
        match event {
            Event::Connected(_) => run.connected = true,
            Event::LocalDone(_) => run.local_done = true,
            Event::PhaseStarted(_, phase) => run.current = Some(phase),
            Event::PhaseFinished(_, phase_run) => {
                run.current = None;
                run.runs.push(phase_run.clone());
            }
            Event::Interfered(_, phase_run) => {
                let interfered = phase_run
                    .outcomes
                    .iter()
                    .any(|row| row.status == Status::Pending);
                run.runs.push(phase_run.clone());
                if interfered {
                    self.half_made(host);
                }
            }
            Event::Lost(_, error) => run.lost = Some(error.clone()),
            Event::Rank0Ping(_, answer) => run.rank0_ping = Some(answer.clone()),
            Event::Finished(_) => {
                run.current = None;
                run.finished = true;
            }
        }
    }

    /// Another run was changing `host` while this check read it: its failures, and every
    /// failed ping (one end may be that host), read half-made changes. They show as pending.
    /// A failure that stopped its node stands: it is about what no run changes (a cable).
    fn half_made(&mut self, host: HostId) {
        let runs = self.hosts.iter_mut().flat_map(|run| {
            let own = run.host == host;
            run.runs
                .iter_mut()
                .filter(move |phase_run| own || phase_run.scope == Scope::Cluster)
        });
        for row in runs.flat_map(|phase_run| &mut phase_run.outcomes) {
            if row.status == Status::Fail && !row.stops_node {
                row.status = Status::Pending;
            }
        }
    }

    pub fn outcomes(&self) -> impl Iterator<Item = &Outcome> {
        self.hosts
            .iter()
            .flat_map(|host| host.runs.iter())
            .flat_map(|run| run.outcomes.iter())
    }

    pub fn any_host_lost(&self) -> bool {
        self.hosts.iter().any(|host| host.lost.is_some())
    }

    /// 0 all good, 1 something failed, 3 check mode found changes to make, 130 interrupted.
    pub fn exit_code(&self) -> i32 {
        if self.interrupted {
            INTERRUPTED
        } else if self.any_host_lost() || self.outcomes().any(|o| o.status.is_failure()) {
            1
        } else if self.mode == Mode::Check && self.outcomes().any(|o| o.status == Status::Pending) {
            3
        } else {
            0
        }
    }
}
