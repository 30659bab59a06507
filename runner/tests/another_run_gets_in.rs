//! A run that finds a Mac's lock free when it looks, and taken by another run when the
//! request that would make its changes takes it (simulated Macs): nothing is changed by that
//! request; the run waits for the lock (`--lock-wait`), reads the Mac again, decides again
//! and makes its changes under the lock, given back in the same request.

use std::time::Duration;

use clap::Parser;
use rdma_harness::examples::TWO_NODE_PAIR;
use rdma_harness::sim::{Cable, SimCluster, SimConnector, SimHost};
use rdma_phase::host_lock::LOCK_PATH;
use rdma_phase::Mode;
use rdma_setup::cli::Args;
use rdma_setup::lock_step::Locking;
use rdma_setup::{app, linked_phases, orchestrate};

#[test]
fn a_refused_take_waits_reads_again_and_then_changes() {
    let argv = std::iter::once("rdma-setup").chain(TWO_NODE_PAIR);
    let plan = app::plan(&Args::try_parse_from(argv).expect("args")).expect("plan");
    let cluster = SimCluster::new(
        vec![
            SimHost::rebooted("hwstudio1", 1, &["en5"])
                .another_run_takes_the_lock_after_the_look("alice@laptop:4242")
                .and_gives_it_back_after(1),
            SimHost::rebooted("hwstudio2", 2, &["en5"]),
        ],
        vec![Cable::new(("hwstudio1", "en5"), ("hwstudio2", "en5"), 0.1)],
    );
    let locking = Locking {
        who: "bob@desk:7".to_owned(),
        wait: Duration::from_secs(5),
    };
    let report = orchestrate::run_observed(
        &plan,
        &linked_phases::registered(),
        Mode::Apply,
        &SimConnector(cluster.clone()),
        &locking,
        None,
        &mut |_, _| {},
    );
    let sent: Vec<String> = report.hosts[0]
        .runs
        .iter()
        .flat_map(|run| &run.issued)
        .map(|issued| issued.line.clone())
        .collect();
    let count = |what: &str| sent.iter().filter(|line| line.contains(what)).count();
    assert_eq!(report.exit_code(), 0, "{sent:#?}");
    // The look, the refused take, the take that waited, and one release.
    let lock = |operation: &str| format!("rdma-setup-lock {operation} {LOCK_PATH}");
    assert_eq!(count(&lock("peek")), 1, "{sent:#?}");
    assert_eq!(count(&lock("take")), 2, "{sent:#?}");
    assert_eq!(count(&lock("release")), 1, "{sent:#?}");
    // Read before, again once the lock was ours (all of it: the other run may have changed
    // anything), and what the change may have changed, to verify it.
    assert_eq!(count("ssh hwstudio1 ifconfig -a"), 3, "{sent:#?}");
    assert_eq!(count("ssh hwstudio1 ibv_devices"), 2, "{sent:#?}");
    assert_eq!(count("sudo ifconfig en5 10.254.0.5"), 1, "{sent:#?}");
    let host = cluster.host("hwstudio1").expect("a host");
    let left = host.files.get(LOCK_PATH).cloned().unwrap_or_default();
    assert!(left.starts_with("done "), "{left}");
}
