//! One host's run, on its own thread: connect, take the host lock (when changes may follow),
//! the node and host phases in order, give the lock back, meet the other hosts, the cluster
//! phases. Each step is sent to the calling thread as an [`Event`] the moment it finishes.

use std::time::Instant;

use rdma_phase::host_lock::Liveness;
use rdma_phase::{
    Absent, ClusterPlan, Connector, Context, HostId, Mode, NodeId, Outcome, Phase, Scope,
    Transport, TransportError,
};
use tracing::{debug, info};

use crate::gate::Gate;
use crate::lock_step::{LockStep, Locking, Taken};
use crate::orchestrate::Event;
use crate::report::PhaseRun;

/// The name the lock step's rows and commands are reported under.
pub const LOCK_STEP: &str = "lock";

/// Where the host threads wait for each other.
pub struct Meeting {
    /// Before the cluster phases; notes say which hosts took no part.
    pub before_pings: Gate<Absent>,
    /// At the end of a `--check`; notes say which hosts found failures.
    pub at_the_end: Gate<()>,
}

#[allow(clippy::too_many_arguments)] // One call site; a struct would only rename them.
pub fn run_host(
    plan: &ClusterPlan,
    phases: &[&'static dyn Phase],
    mode: Mode,
    connector: &dyn Connector,
    locking: &Locking,
    host: HostId,
    meeting: &Meeting,
    send: &dyn Fn(Event),
) {
    // Arrive at the gates even if a phase panics, so no other host waits forever.
    let before_pings = meeting.before_pings.arrival(host);
    let at_the_end = meeting.at_the_end.arrival(host);
    let name = plan.host(host).name.as_str();
    let started = Instant::now();
    let mut steps = Steps {
        plan,
        mode,
        host,
        send,
        absent: Vec::new(),
        failed: false,
        transport: match connector.connect(plan.host(host)) {
            Ok(transport) => {
                debug!(host = %name, elapsed = ?started.elapsed(), "connected");
                send(Event::Connected(host));
                Some(transport)
            }
            Err(error) => {
                info!(host = %name, %error, "cannot connect");
                send(Event::Lost(host, error));
                None
            }
        },
    };

    let (local, cluster): (Vec<_>, Vec<_>) = phases
        .iter()
        .partition(|phase| phase.scope() != Scope::Cluster);
    let lock = if mode == Mode::Apply {
        steps.take_lock(locking)
    } else {
        Lock::NotNeeded
    };
    let busy = matches!(lock, Lock::Busy);
    if !busy {
        steps.run(&local);
    }
    // Given back before waiting for the other hosts: a run that held one host's lock while
    // waiting for another's could wait for a second run doing the same the other way round.
    // The pings that follow change nothing.
    if let Lock::Ours(content) = &lock {
        steps.release_lock(content);
    }
    // Pings must see every host configured, so they wait for the slowest host.
    let absent = match (&steps.transport, busy) {
        (None, _) => Some(Absent::Unreachable),
        (Some(_), true) => Some(Absent::Busy),
        (Some(_), false) => None,
    };
    steps.absent = before_pings.arrive_and_wait(absent);
    if !busy {
        steps.run(&cluster);
    }
    if mode == Mode::Check {
        // Failures anywhere (a ping towards this host, say) may be another run's half-made
        // changes here: every host asks, once one found a failure.
        let failures = at_the_end.arrive_and_wait(steps.failed.then_some(()));
        if !failures.is_empty() {
            steps.check_interference(started);
        }
    }
    debug!(host = %name, elapsed = ?started.elapsed(), "done");
    send(Event::Finished(host));
}

enum Lock {
    NotNeeded,
    Ours(String),
    Busy,
}

/// One host's steps, run in order over its session.
struct Steps<'a> {
    plan: &'a ClusterPlan,
    mode: Mode,
    host: HostId,
    send: &'a dyn Fn(Event),
    transport: Option<Box<dyn Transport>>,
    /// Known once every host reached the first gate; empty before.
    absent: Vec<(HostId, Absent)>,
    /// Some row of this host failed.
    failed: bool,
}

impl Steps<'_> {
    fn name(&self) -> &str {
        self.plan.host(self.host).name.as_str()
    }

    /// Report the lock step's commands and rows like a host phase's.
    fn lock_run(
        &self,
        outcomes: Vec<Outcome>,
        issued: Vec<rdma_phase::context::IssuedCommand>,
    ) -> PhaseRun {
        PhaseRun {
            phase: LOCK_STEP,
            scope: Scope::Host,
            node: None,
            outcomes,
            issued,
        }
    }

    fn take_lock(&mut self, locking: &Locking) -> Lock {
        let liveness = if self.plan.host(self.host).via.is_some() {
            // Through --proxy every command is its own SSH connection: no session to watch.
            Liveness::Age
        } else {
            Liveness::Session
        };
        let name = self.name().to_owned();
        let Some(session) = self.transport.as_deref_mut() else {
            return Lock::NotNeeded;
        };
        (self.send)(Event::PhaseStarted(self.host, LOCK_STEP));
        let mut step = LockStep::new(session, &name);
        let taken = step.take(locking, liveness);
        let issued = std::mem::take(&mut step.issued);
        let (lock, rows) = match taken {
            Ok(Taken::Ours(content)) => (Lock::Ours(content), Vec::new()),
            Ok(Taken::Busy(row)) => (Lock::Busy, vec![row]),
            Ok(Taken::Unprotected(row)) => (Lock::NotNeeded, vec![row]),
            Err(error) => {
                let row = Outcome::fail(error.detail()).with_hint(error.hint());
                self.lose(error);
                (Lock::NotNeeded, vec![row])
            }
        };
        self.failed |= rows.iter().any(|row| row.status.is_failure());
        (self.send)(Event::PhaseFinished(self.host, self.lock_run(rows, issued)));
        lock
    }

    fn release_lock(&mut self, content: &str) {
        let name = self.name().to_owned();
        let Some(session) = self.transport.as_deref_mut() else {
            return;
        };
        let mut step = LockStep::new(session, &name);
        step.release(content);
        let issued = std::mem::take(&mut step.issued);
        (self.send)(Event::PhaseFinished(
            self.host,
            self.lock_run(Vec::new(), issued),
        ));
    }

    fn check_interference(&mut self, started: Instant) {
        let name = self.name().to_owned();
        let Some(session) = self.transport.as_deref_mut() else {
            return;
        };
        let mut step = LockStep::new(session, &name);
        let row = step.interfered(started.elapsed());
        let issued = std::mem::take(&mut step.issued);
        let run = self.lock_run(row.into_iter().collect(), issued);
        (self.send)(Event::Interfered(self.host, run));
    }

    fn lose(&mut self, error: TransportError) {
        (self.send)(Event::Lost(self.host, error));
        self.transport = None;
    }

    fn run(&mut self, phases: &[&&'static dyn Phase]) {
        for phase in phases {
            let targets: Vec<Option<NodeId>> = match phase.scope() {
                Scope::Node => self
                    .plan
                    .host(self.host)
                    .nodes
                    .iter()
                    .copied()
                    .map(Some)
                    .collect(),
                Scope::Host | Scope::Cluster => vec![None],
            };
            for node in targets {
                let Some(session) = self.transport.as_deref_mut() else {
                    return;
                };
                (self.send)(Event::PhaseStarted(self.host, phase.name()));
                let at = Place {
                    plan: self.plan,
                    host: self.host,
                    node,
                    mode: self.mode,
                    absent: &self.absent,
                };
                let (run, lost) = run_phase(&at, **phase, session);
                self.failed |= run.outcomes.iter().any(|row| row.status.is_failure());
                (self.send)(Event::PhaseFinished(self.host, run));
                if let Some(error) = lost {
                    self.lose(error);
                }
            }
        }
    }
}

/// Where one phase runs.
struct Place<'a> {
    plan: &'a ClusterPlan,
    host: HostId,
    node: Option<NodeId>,
    mode: Mode,
    absent: &'a [(HostId, Absent)],
}

/// Run one phase; the error that lost the session, if it did.
fn run_phase(
    at: &Place<'_>,
    phase: &'static dyn Phase,
    session: &mut dyn Transport,
) -> (PhaseRun, Option<TransportError>) {
    let started = Instant::now();
    let mut cx = Context::new(at.plan, at.host, at.node, at.mode, session).with_absent(at.absent);
    let outcome = if at.mode == Mode::DryRun {
        phase.dry_run(&mut cx)
    } else {
        phase.run(&mut cx)
    };
    let issued = cx.into_issued();
    let mut lost = None;
    let outcomes = match outcome {
        Ok(outcomes) => outcomes,
        Err(error) => {
            let row = Outcome::fail(error.detail()).with_hint(error.hint());
            if error.is_fatal_for_host() {
                lost = Some(error);
            }
            vec![row]
        }
    };
    debug!(
        host = %at.plan.host(at.host).name,
        phase = phase.name(),
        commands = issued.len(),
        elapsed = ?started.elapsed(),
        "phase finished"
    );
    let run = PhaseRun {
        phase: phase.name(),
        scope: phase.scope(),
        node: at.node,
        outcomes,
        issued,
    };
    (run, lost)
}
