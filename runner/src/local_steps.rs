//! Running phases on one host's session, and how a run makes its changes together.
//!
//! A phase reads, decides, changes and verifies, one command after another; from far away
//! every one of those is a round trip. So in apply mode the host's node and host phases run
//! twice over the session's remembered reads:
//! 1. as in `--check`: nothing is sent, and the changes every phase would make are collected;
//! 2. those changes go out together (one round trip), the phases' reads are sent again
//!    together (one more), and the phases run for real: everything now reads right, so
//!    they change nothing more and their rows verify the changes. A row that was pending in
//!    the first pass and is right now reports the change (`Outcome::once_done`).
//!
//! A change that failed, or did not stick, is met again by the second pass, which then
//! reports it the phase's own way, with the answer the batch got (not sent twice).

use rdma_phase::context::IssuedCommand;
use rdma_phase::{
    Absent, ClusterPlan, Context, HostId, Mode, NodeId, Outcome, Phase, PhaseError, RemoteCommand,
    Scope, SharedReads, Status, Transport, TransportError,
};
use tracing::debug;

use crate::report::{Event, PhaseRun};

mod apply;
mod merge;
use crate::session::Session;
pub use apply::{Ended, Taking};
pub use merge::merge;

/// The steps that are not phases but batches of the session, named in reports and logs.
const CHANGES_STEP: &str = "changes";
const READS_STEP: &str = "reads";

/// Where the steps run.
#[derive(Clone, Copy)]
pub struct Place<'a> {
    pub plan: &'a ClusterPlan,
    pub host: HostId,
    pub mode: Mode,
}

impl<'a> Place<'a> {
    pub fn new(plan: &'a ClusterPlan, host: HostId, mode: Mode) -> Self {
        Self { plan, host, mode }
    }

    fn targets(&self, phase: &dyn Phase) -> Vec<Option<NodeId>> {
        match phase.scope() {
            Scope::Node => self
                .plan
                .host(self.host)
                .nodes
                .iter()
                .copied()
                .map(Some)
                .collect(),
            Scope::Host | Scope::Cluster => vec![None],
        }
    }
}

/// One host's steps, run in order over its session.
pub struct Steps<'a> {
    place: Place<'a>,
    pub send: &'a dyn Fn(Event),
    session: Option<Session>,
    /// Known once every host reached the first gate; empty before.
    pub absent: Vec<(HostId, Absent)>,
    /// Some row of this host failed.
    pub failed: bool,
    /// Nodes (this host's before the first gate, every host's after) with a change to make.
    pub pending: Vec<NodeId>,
    /// Every host's answers to the phases' shared reads.
    pub shared: SharedReads,
    /// Nodes a phase found unusable ([`Outcome::stops_node`]), and that phase: their later
    /// phases do not run (this host's before the second gate, every host's after).
    pub stopped: Vec<(NodeId, &'static str)>,
}

/// One phase's run before it is reported.
struct Ran {
    run: PhaseRun,
    held: Vec<RemoteCommand>,
    lost: Option<TransportError>,
}

impl<'a> Steps<'a> {
    pub fn new(place: Place<'a>, send: &'a dyn Fn(Event), session: Option<Session>) -> Self {
        Self {
            place,
            send,
            session,
            absent: Vec::new(),
            failed: false,
            pending: Vec::new(),
            shared: SharedReads::default(),
            stopped: Vec::new(),
        }
    }

    pub fn place(&self) -> Place<'a> {
        self.place
    }

    pub fn name(&self) -> String {
        self.place.plan.host(self.place.host).name.to_string()
    }

    pub fn connected(&self) -> bool {
        self.session.is_some()
    }

    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    pub fn session_mut(&mut self) -> Option<&mut Session> {
        self.session.as_mut()
    }

    /// What the session sent since the last step.
    pub fn take_sent(&mut self) -> Vec<IssuedCommand> {
        self.session
            .as_mut()
            .map(Session::take_sent)
            .unwrap_or_default()
    }

    pub fn lose(&mut self, error: TransportError) {
        (self.send)(Event::Lost(self.place.host, error));
        self.session = None;
    }

    /// Report a step that is not a phase (the lock, a batch) with what it sent.
    pub fn finish_step(&mut self, name: &'static str, outcomes: Vec<Outcome>) {
        let issued = self.take_sent();
        self.finish_step_issued(name, outcomes, issued);
    }

    fn finish_step_issued(
        &mut self,
        name: &'static str,
        outcomes: Vec<Outcome>,
        issued: Vec<IssuedCommand>,
    ) {
        self.failed |= outcomes.iter().any(|row| row.status.is_failure());
        let run = PhaseRun {
            phase: name,
            scope: Scope::Host,
            node: None,
            outcomes,
            issued,
        };
        if !run.issued.is_empty() || !run.outcomes.is_empty() {
            (self.send)(Event::PhaseFinished(self.place.host, run));
        }
    }

    /// Every read the phases say they will make, in phase order.
    pub fn declared_reads(&mut self, phases: &[&'static dyn Phase]) -> Vec<RemoteCommand> {
        let place = self.place;
        let Some(session) = self.session.as_mut() else {
            return Vec::new();
        };
        let mut reads = Vec::new();
        for phase in phases {
            for node in place.targets(*phase) {
                let cx = Context::new(place.plan, place.host, node, place.mode, session);
                reads.extend(phase.reads(&cx));
            }
        }
        reads
    }

    /// Send the declared reads at once.
    pub fn prefetch(&mut self, reads: &[RemoteCommand]) {
        if let Some(session) = self.session.as_mut() {
            session.prefetch(reads);
        }
        self.finish_step(READS_STEP, Vec::new());
    }

    /// Phases once, in the run's own mode, each reported as it finishes.
    pub fn run_plain(&mut self, phases: &[&'static dyn Phase]) {
        for phase in phases {
            for node in self.place.targets(*phase) {
                let Some(ran) = self.run_one(*phase, node, self.place.mode) else {
                    return;
                };
                self.report(ran, None);
            }
        }
    }

    fn run_all(&mut self, phases: &[&'static dyn Phase], mode: Mode) -> Vec<Ran> {
        // Each pass decides afresh which nodes cannot go on.
        self.stopped.clear();
        let mut all = Vec::new();
        for phase in phases {
            for node in self.place.targets(*phase) {
                match self.run_one(*phase, node, mode) {
                    Some(ran) => {
                        let lost = ran.lost.is_some();
                        all.push(ran);
                        if lost {
                            return all;
                        }
                    }
                    None => return all,
                }
            }
        }
        all
    }

    fn report_all(&mut self, runs: Vec<(Ran, Option<Vec<Outcome>>)>) {
        for (ran, planned) in runs {
            self.report(ran, planned);
        }
    }

    fn report(&mut self, ran: Ran, planned: Option<Vec<Outcome>>) {
        let mut run = ran.run;
        if let Some(planned) = planned {
            run.outcomes = merge(planned, run.outcomes);
        }
        self.failed |= run.outcomes.iter().any(|row| row.status.is_failure());
        let unsettled = run.outcomes.iter().any(|row| row.status == Status::Pending);
        if let (Some(node), true) = (run.node, unsettled) {
            if !self.pending.contains(&node) {
                self.pending.push(node);
            }
        }
        (self.send)(Event::PhaseFinished(self.place.host, run));
        if let Some(error) = ran.lost {
            self.lose(error);
        }
    }

    /// Run one phase; `None` when there is no session to run it on.
    fn run_one(
        &mut self,
        phase: &'static dyn Phase,
        node: Option<NodeId>,
        mode: Mode,
    ) -> Option<Ran> {
        let place = self.place;
        if let Some(ran) = self.not_run(phase, node) {
            return self.session.is_some().then_some(ran);
        }
        let session = self.session.as_mut()?;
        (self.send)(Event::PhaseStarted(place.host, phase.name()));
        let mut cx = Context::new(
            place.plan,
            place.host,
            node,
            mode,
            session as &mut dyn Transport,
        )
        .with_absent(&self.absent)
        .with_pending(&self.pending)
        .with_shared(&self.shared)
        .with_stopped(&self.stopped);
        let outcome = if mode == Mode::DryRun {
            phase.dry_run(&mut cx)
        } else {
            phase.run(&mut cx)
        };
        let (issued, held) = cx.into_parts();
        let (outcomes, lost) = rows(outcome);
        // What went over the wire, then what a check or dry-run held back (the first pass of
        // apply mode sends its held-back changes later, in their own step).
        let mut shown = session.take_sent();
        if place.mode != Mode::Apply {
            shown.extend(issued.into_iter().filter(|issued| !issued.sent));
        }
        debug!(host = %place.plan.host(place.host).name, phase = phase.name(), ?mode, "phase finished");
        if let (Some(node), true) = (node, outcomes.iter().any(stops_node)) {
            self.stopped.push((node, phase.name()));
        }
        let run = PhaseRun {
            phase: phase.name(),
            scope: phase.scope(),
            node,
            outcomes,
            issued: shown,
        };
        Some(Ran { run, held, lost })
    }

    /// The row of a node phase that does not run because an earlier one stopped its node.
    fn not_run(&self, phase: &'static dyn Phase, node: Option<NodeId>) -> Option<Ran> {
        let node = node?;
        let (_, by) = self.stopped.iter().find(|(stopped, _)| *stopped == node)?;
        let iface = &self.place.plan.node(node).iface;
        let row = Outcome::skipped(format!("not run: {by} failed for {iface} (see above)"));
        let run = PhaseRun {
            phase: phase.name(),
            scope: phase.scope(),
            node: Some(node),
            outcomes: vec![row],
            issued: Vec::new(),
        };
        Some(Ran {
            run,
            held: Vec::new(),
            lost: None,
        })
    }
}

fn stops_node(row: &Outcome) -> bool {
    row.stops_node && row.status.is_failure()
}

/// A phase's rows, or its error as a row (and the error, when it lost the session).
fn rows(outcome: Result<Vec<Outcome>, PhaseError>) -> (Vec<Outcome>, Option<TransportError>) {
    match outcome {
        Ok(outcomes) => (outcomes, None),
        Err(error) => {
            let row = Outcome::fail(error.detail()).with_hint(error.hint());
            let lost = error.is_fatal_for_host().then_some(error);
            (vec![row], lost)
        }
    }
}
