//! `--check` while another run changes the cluster: what it reads may be half-made, and is
//! shown as pending (→), never as a failure (✗).

use rdma_harness::examples::TWO_NODE_PAIR;
use rdma_harness::sim::{Cable, RdmaSwitch, SimCluster, SimConnector, SimHost};
use rdma_phase::host_lock::LOCK_PATH;
use rdma_phase::{Mode, Status};
use rdma_setup::cli::Args;
use rdma_setup::{app, linked_phases, orchestrate};

use clap::Parser;

fn plan() -> rdma_phase::ClusterPlan {
    let argv = std::iter::once("rdma-setup").chain(TWO_NODE_PAIR);
    app::plan(&Args::try_parse_from(argv).expect("args")).expect("plan")
}

/// hwstudio2 has RDMA off, a real failure on its own; `lock` is what its lock file holds.
fn check(lock: Option<&str>) -> rdma_setup::report::Report {
    let mut hosts = vec![
        SimHost::rebooted("hwstudio1", 1, &["en5"]),
        SimHost::rebooted("hwstudio2", 2, &["en5"]),
    ];
    hosts[1].rdma = RdmaSwitch::Disabled;
    if let Some(lock) = lock {
        hosts[1].files.insert(LOCK_PATH.to_owned(), lock.to_owned());
    }
    let cluster = SimCluster::new(
        hosts,
        vec![Cable::new(("hwstudio1", "en5"), ("hwstudio2", "en5"), 0.1)],
    );
    orchestrate::run(
        &plan(),
        &linked_phases::registered(),
        Mode::Check,
        &SimConnector(cluster),
    )
}

fn statuses(report: &rdma_setup::report::Report, host: usize) -> Vec<(Status, String)> {
    report.hosts[host]
        .runs
        .iter()
        .flat_map(|run| &run.outcomes)
        .map(|row| (row.status, row.message.clone()))
        .collect()
}

#[test]
fn with_no_run_about_a_failure_stays_a_failure() {
    // Given back two hours before the simulated clock.
    for lock in [None, Some("done 1764540000\n")] {
        let report = check(lock);
        assert_eq!(report.exit_code(), 1, "{lock:?}");
        assert!(statuses(&report, 1)
            .iter()
            .any(|(status, _)| *status == Status::Fail));
    }
}

#[test]
fn while_another_run_holds_the_lock_failures_are_pending_with_the_reason() {
    let report = check(Some("4242 1764547190 session bob@desk:9\n"));
    let rows = statuses(&report, 1);
    assert!(
        rows.iter().all(|(status, _)| *status != Status::Fail),
        "{rows:#?}"
    );
    let (status, reason) = rows.last().expect("a row");
    assert_eq!(*status, Status::Pending);
    assert_eq!(
        reason,
        "another rdma-setup run (bob@desk:9, started 10 s ago) is changing hwstudio2 right now: the rows marked → may show it half-way"
    );
    assert_eq!(report.exit_code(), 3);
}
