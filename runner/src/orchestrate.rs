//! Runs the selected phases on every host in parallel, one session per host.
//!
//! Host threads ([`crate::host_run`]) report each finished step as an [`Event`]; the calling
//! thread folds them into a [`Report`] and hands every step to an observer. That is how an
//! interrupted run can still print what finished, and how the report can be shown while slow
//! hosts are still working.

use std::sync::mpsc;
use std::time::Duration;

use rdma_phase::{ClusterPlan, Connector, HostId, Mode, Phase, RemoteCommand, TransportError};

use crate::gate::Gate;
use crate::host_run::{run_host, After, Arrived, Meeting};
use crate::lock_step::Locking;
pub use crate::report::Event;
use crate::report::Report;

/// How often the observer is called while nothing happens, so it can notice Ctrl-C.
const TICK: Duration = Duration::from_millis(50);

/// Run `phases` over the cluster and wait for every host. Host locks are taken with the
/// identity of recordings, so this is what replays and generated fixtures use.
pub fn run(
    plan: &ClusterPlan,
    phases: &[&'static dyn Phase],
    mode: Mode,
    connector: &dyn Connector,
) -> Report {
    run_observed(
        plan,
        phases,
        mode,
        connector,
        &Locking::recorded(),
        None,
        &mut |_, _| {},
    )
}

/// Like [`run`], calling `observe` with the report so far after every event, and with no
/// event at least every [`TICK`]. The observer may end the process (Ctrl-C): the report it
/// sees then holds everything that finished. `rank0_ping` (`--hostfile`): every host but
/// rank 0 runs it on its session after the cluster phases ([`Event::Rank0Ping`]).
pub fn run_observed(
    plan: &ClusterPlan,
    phases: &[&'static dyn Phase],
    mode: Mode,
    connector: &dyn Connector,
    locking: &Locking,
    rank0_ping: Option<&RemoteCommand>,
    observe: &mut dyn FnMut(&Report, Option<&Event>),
) -> Report {
    let mut report = Report::new(mode, plan.host_ids());
    let meeting = Meeting {
        before_phases: Gate::new(plan.hosts.len(), None),
        before_pings: Gate::new(plan.hosts.len(), Some(Arrived::crashed())),
        at_the_end: Gate::new(plan.hosts.len(), None),
    };
    std::thread::scope(|scope| {
        let (events, received) = mpsc::channel();
        let workers: Vec<_> = plan
            .host_ids()
            .map(|host| {
                let (meeting, events) = (&meeting, events.clone());
                scope.spawn(move || {
                    let send = |event| {
                        // A closed receiver means the caller is gone; the work is dropped.
                        let _ = events.send(event);
                    };
                    let extra = After { rank0_ping };
                    run_host(
                        plan, phases, mode, connector, locking, host, meeting, &extra, &send,
                    );
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
