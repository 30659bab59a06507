//! Runs the selected phases on every host in parallel, one session per host.
//!
//! Host threads report each finished phase as an [`Event`]; the calling thread folds them into
//! a [`Report`] and hands every step to an observer. That is how an interrupted run can still
//! print what finished, and how the report can be shown while slow hosts are still working.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use rdma_phase::{
    ClusterPlan, Connector, Context, HostId, Mode, NodeId, Outcome, Phase, Scope, Status,
    Transport, TransportError,
};
use tracing::{debug, info};

use crate::gate::Gate;
use crate::report::{PhaseRun, Report};

/// What a host thread tells the calling thread.
#[derive(Debug)]
pub enum Event {
    Connected(HostId),
    PhaseStarted(HostId, &'static str),
    PhaseFinished(HostId, PhaseRun),
    /// No session, or it broke: nothing more runs on this host.
    Lost(HostId, TransportError),
    Finished(HostId),
}

/// How often the observer is called while nothing happens, so it can notice Ctrl-C.
const TICK: Duration = Duration::from_millis(50);

/// Run `phases` over the cluster and wait for every host.
pub fn run(
    plan: &ClusterPlan,
    phases: &[&'static dyn Phase],
    mode: Mode,
    connector: &dyn Connector,
) -> Report {
    run_observed(plan, phases, mode, connector, &mut |_, _| {})
}

/// Like [`run`], calling `observe` with the report so far after every event, and with no
/// event at least every [`TICK`]. The observer may end the process (Ctrl-C): the report it
/// sees then holds everything that finished.
pub fn run_observed(
    plan: &ClusterPlan,
    phases: &[&'static dyn Phase],
    mode: Mode,
    connector: &dyn Connector,
    observe: &mut dyn FnMut(&Report, Option<&Event>),
) -> Report {
    let mut report = Report::new(mode, plan.host_ids());
    let gate = Gate::new(plan.hosts.len());
    std::thread::scope(|scope| {
        let (events, received) = mpsc::channel();
        let workers: Vec<_> = plan
            .host_ids()
            .map(|host| {
                let (gate, events) = (&gate, events.clone());
                scope.spawn(move || {
                    // Arrives at the gate even if a phase panics, so no other host waits forever.
                    let arrival = gate.arrival(host);
                    run_host(plan, phases, mode, connector, host, arrival, &events);
                })
            })
            .collect();
        drop(events);
        loop {
            match received.recv_timeout(TICK) {
                Ok(event) => {
                    report.apply(&event);
                    observe(&report, Some(&event));
                }
                Err(mpsc::RecvTimeoutError::Timeout) => observe(&report, None),
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        for (worker, host) in workers.into_iter().zip(plan.host_ids()) {
            if worker.join().is_err() {
                report.apply(&Event::Lost(host, crashed(plan, host)));
            }
        }
    });
    report
}

fn crashed(plan: &ClusterPlan, host: HostId) -> TransportError {
    TransportError::Command {
        host: plan.host(host).name.to_string(),
        command: "(internal)".to_owned(),
        reason: "the worker for this host crashed".to_owned(),
        hint: "this is a bug in rdma-setup: please report it with -vv output".to_owned(),
    }
}

fn run_host(
    plan: &ClusterPlan,
    phases: &[&'static dyn Phase],
    mode: Mode,
    connector: &dyn Connector,
    host: HostId,
    arrival: crate::gate::Arrival<'_>,
    events: &mpsc::Sender<Event>,
) {
    let name = &plan.host(host).name;
    let started = Instant::now();
    // A closed receiver means the caller is gone; the work is simply dropped.
    let send = |event| {
        let _ = events.send(event);
    };
    let mut transport = match connector.connect(plan.host(host)) {
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
    };

    let (local, cluster): (Vec<_>, Vec<_>) = phases
        .iter()
        .partition(|phase| phase.scope() != Scope::Cluster);
    let mut steps = Steps {
        plan,
        mode,
        host,
        send: &send,
        unreachable: Vec::new(),
    };
    steps.run(&local, &mut transport);
    // Pings must see every host configured, so they wait for the slowest host.
    steps.unreachable = arrival.arrive_and_wait(transport.is_some());
    steps.run(&cluster, &mut transport);
    debug!(host = %name, elapsed = ?started.elapsed(), "done");
    send(Event::Finished(host));
}

/// In a dry-run a "changed" row describes a simulated host: nothing was changed, a real run
/// would do it.
fn simulated(outcome: Outcome) -> Outcome {
    if outcome.status == Status::Changed {
        Outcome {
            status: Status::Pending,
            ..outcome
        }
    } else {
        outcome
    }
}

/// One host's phases, run in order over its session.
struct Steps<'a> {
    plan: &'a ClusterPlan,
    mode: Mode,
    host: HostId,
    send: &'a dyn Fn(Event),
    /// Known once every host reached the gate; empty before.
    unreachable: Vec<HostId>,
}

impl Steps<'_> {
    fn run(&mut self, phases: &[&&'static dyn Phase], transport: &mut Option<Box<dyn Transport>>) {
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
                let Some(session) = transport.as_deref_mut() else {
                    return;
                };
                (self.send)(Event::PhaseStarted(self.host, phase.name()));
                let (run, lost) = self.one(**phase, node, session);
                (self.send)(Event::PhaseFinished(self.host, run));
                if let Some(error) = lost {
                    (self.send)(Event::Lost(self.host, error));
                    *transport = None;
                }
            }
        }
    }

    fn one(
        &self,
        phase: &'static dyn Phase,
        node: Option<NodeId>,
        session: &mut dyn Transport,
    ) -> (PhaseRun, Option<TransportError>) {
        let started = Instant::now();
        let mut cx = Context::new(self.plan, self.host, node, self.mode, session)
            .with_unreachable(&self.unreachable);
        let outcome = phase.run(&mut cx);
        let issued = cx.into_issued();
        let mut lost = None;
        let outcomes = match outcome {
            Ok(outcomes) if self.mode == Mode::DryRun => {
                outcomes.into_iter().map(simulated).collect()
            }
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
            host = %self.plan.host(self.host).name,
            phase = phase.name(),
            commands = issued.len(),
            elapsed = ?started.elapsed(),
            "phase finished"
        );
        let run = PhaseRun {
            phase: phase.name(),
            scope: phase.scope(),
            node,
            outcomes,
            issued,
        };
        (run, lost)
    }
}
