//! Runs the selected phases on every host in parallel, one session per host.

use std::sync::Barrier;
use std::time::Instant;

use rdma_phase::{
    ClusterPlan, Connector, Context, HostId, Mode, NodeId, Outcome, Phase, Scope, Status,
    Transport, TransportError,
};
use tracing::{debug, info};

use crate::report::{HostRun, PhaseRun, Report};

/// Run `phases` over the cluster. Host and node phases run on every host at once; cluster
/// phases (ping) start only when every host has finished those, over the same sessions.
pub fn run(
    plan: &ClusterPlan,
    phases: &[&'static dyn Phase],
    mode: Mode,
    connector: &dyn Connector,
) -> Report {
    let barrier = Barrier::new(plan.hosts.len());
    let hosts = std::thread::scope(|scope| {
        let workers: Vec<_> = plan
            .host_ids()
            .map(|host| {
                let barrier = &barrier;
                scope.spawn(move || run_host(plan, phases, mode, connector, host, barrier))
            })
            .collect();
        workers
            .into_iter()
            .zip(plan.host_ids())
            .map(|(worker, host)| {
                worker.join().unwrap_or_else(|_| HostRun {
                    host,
                    lost: Some(TransportError::Command {
                        host: plan.host(host).name.to_string(),
                        command: "(internal)".to_owned(),
                        reason: "the worker for this host crashed".to_owned(),
                        hint: "this is a bug in rdma-setup: please report it with -vv output"
                            .to_owned(),
                    }),
                    runs: Vec::new(),
                })
            })
            .collect()
    });
    Report { mode, hosts }
}

fn run_host(
    plan: &ClusterPlan,
    phases: &[&'static dyn Phase],
    mode: Mode,
    connector: &dyn Connector,
    host: HostId,
    barrier: &Barrier,
) -> HostRun {
    let name = &plan.host(host).name;
    let started = Instant::now();
    let mut result = HostRun {
        host,
        lost: None,
        runs: Vec::new(),
    };
    let mut transport = match connector.connect(plan.host(host)) {
        Ok(transport) => Some(transport),
        Err(error) => {
            info!(host = %name, %error, "cannot connect");
            result.lost = Some(error);
            None
        }
    };
    debug!(host = %name, elapsed = ?started.elapsed(), "connected");

    let (local, cluster): (Vec<_>, Vec<_>) = phases
        .iter()
        .partition(|phase| phase.scope() != Scope::Cluster);
    run_phases(plan, &local, mode, host, &mut transport, &mut result);
    // Pings must see every host configured, so they wait for the slowest host.
    barrier.wait();
    run_phases(plan, &cluster, mode, host, &mut transport, &mut result);
    debug!(host = %name, elapsed = ?started.elapsed(), "done");
    result
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

fn run_phases(
    plan: &ClusterPlan,
    phases: &[&&'static dyn Phase],
    mode: Mode,
    host: HostId,
    transport: &mut Option<Box<dyn Transport>>,
    result: &mut HostRun,
) {
    for phase in phases {
        let targets: Vec<Option<NodeId>> = match phase.scope() {
            Scope::Node => plan.host(host).nodes.iter().copied().map(Some).collect(),
            Scope::Host | Scope::Cluster => vec![None],
        };
        for node in targets {
            let Some(session) = transport.as_deref_mut() else {
                return;
            };
            let started = Instant::now();
            let mut cx = Context::new(plan, host, node, mode, session);
            let outcome = phase.run(&mut cx);
            let issued = cx.into_issued();
            let outcomes = match outcome {
                Ok(outcomes) if mode == Mode::DryRun => {
                    outcomes.into_iter().map(simulated).collect()
                }
                Ok(outcomes) => outcomes,
                Err(error) => {
                    let row = Outcome::fail(error.detail()).with_hint(error.hint());
                    if error.is_fatal_for_host() {
                        result.lost = Some(error);
                        *transport = None;
                    }
                    vec![row]
                }
            };
            debug!(
                host = %plan.host(host).name,
                phase = phase.name(),
                commands = issued.len(),
                elapsed = ?started.elapsed(),
                "phase finished"
            );
            result.runs.push(PhaseRun {
                phase: phase.name(),
                scope: phase.scope(),
                node,
                outcomes,
                issued,
            });
        }
    }
}
