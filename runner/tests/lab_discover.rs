//! `rdma-setup discover` end to end on labs of simulated Macs: it finds every cable from
//! what the Macs' `system_profiler`, `networksetup`, `ifconfig` and `netstat` print, writes
//! the cluster file into a folder of its own, and a bare `rdma-setup` in that folder then
//! configures the cluster and proves every cable.
//!
//! Needs root. Without it these tests skip, loudly, unless `CI=true`, where they fail.

mod child;

use std::path::Path;
use std::time::Duration;

use child::{discover_in_lab, in_lab_folder, Finished, Running};
use rdma_harness::lab::testing::lab_for_test;
use rdma_harness::lab::{scenario, Fault, Lab, Quirk};

const LIMIT: Duration = Duration::from_secs(120);

/// `rdma-setup discover FLAGS --ssh-config LAB HOSTS...` in the controller, run in `folder`.
fn discover(lab: &Lab, folder: &Path, flags: &[&str], hosts: &[&str]) -> Finished {
    Running::start(discover_in_lab(lab, folder, flags, hosts)).wait(LIMIT)
}

/// A bare `rdma-setup` in `folder`: the cluster, the ssh config and all, from its file.
fn bare_run(lab: &Lab, folder: &Path) -> Finished {
    Running::start(in_lab_folder(lab, folder, &[])).wait(LIMIT)
}

/// The `[[cable]]` tables of a cluster file (the comments mention the word too).
fn cables_in(file: &str) -> usize {
    file.lines().filter(|line| *line == "[[cable]]").count()
}

fn cluster_file(folder: &Path) -> String {
    std::fs::read_to_string(folder.join("rdma-cluster.toml")).expect("the cluster file")
}

/// Every `A -> B` row of the connectivity test is a ✓, and there are `cables * 2` of them.
fn assert_every_cable_pings(run: &Finished, cables: usize) {
    let log = run.log();
    assert_eq!(run.code(), Some(0), "{log}");
    assert!(!run.stdout.contains('✗'), "{log}");
    let pings: Vec<&str> = run
        .stdout
        .lines()
        .filter(|line| line.contains(" -> ") && line.contains(": "))
        .collect();
    assert!(pings.len() >= cables, "{log}");
    assert!(pings.iter().all(|line| line.contains('✓')), "{log}");
}

#[test]
fn three_node_mesh_is_discovered_written_and_configured() {
    let Some(lab) = lab_for_test(scenario::three_node()) else {
        return;
    };
    let folder = tempfile::tempdir().expect("temp dir");
    let hosts = ["machine-a", "machine-b", "machine-c"];

    // A host that cannot be reached: named, exit 1, nothing written.
    let unreachable = discover(&lab, folder.path(), &[], &["machine-a", "no-such-mac"]);
    let log = unreachable.log();
    assert_eq!(unreachable.code(), Some(1), "{log}");
    assert!(unreachable.stderr.contains("ERROR: no-such-mac"), "{log}");
    assert!(unreachable.stderr.contains("hint: "), "{log}");
    assert!(!folder.path().join("rdma-cluster.toml").exists(), "{log}");

    let found = discover(&lab, folder.path(), &[], &hosts);
    let log = found.log();
    eprintln!("{log}");
    assert_eq!(found.code(), Some(0), "{log}");
    for row in [
        "machine-a en3 <-> machine-b en3, 80 Gb/s",
        "machine-a en5 <-> machine-c en5, 80 Gb/s",
        "machine-b en5 <-> machine-c en3, 80 Gb/s",
        "full mesh: every pair of hosts has a cable",
    ] {
        assert!(found.stdout.contains(row), "{row}\n{log}");
    }
    let file = cluster_file(folder.path());
    assert_eq!(cables_in(&file), 3, "{file}");
    assert!(
        file.contains("hosts = [\"machine-a\", \"machine-b\", \"machine-c\"]"),
        "{file}"
    );

    let configured = bare_run(&lab, folder.path());
    assert_every_cable_pings(&configured, 3);
    assert!(
        configured.stderr.contains("Cluster from rdma-cluster.toml"),
        "{}",
        configured.log()
    );

    // Discovering the configured cluster again plans the same addresses: nothing to write.
    let again = discover(&lab, folder.path(), &[], &hosts);
    let log = again.log();
    assert_eq!(again.code(), Some(0), "{log}");
    assert!(again.stderr.contains("already holds this cluster"), "{log}");
    assert_eq!(cluster_file(folder.path()), file);

    // Another pool readdresses every cable: shown, refused without --force, file untouched.
    let moved = discover(&lab, folder.path(), &["--pool", "10.99.0.0/24"], &hosts);
    let log = moved.log();
    assert_eq!(moved.code(), Some(1), "{log}");
    assert!(
        moved.stdout.contains(
            "~ cable machine-a en3 <-> machine-b en3: 10.254.0.1 10.254.0.2 -> 10.99.0.1 10.99.0.2"
        ),
        "{log}"
    );
    assert!(moved.stderr.contains("Add --force to replace it"), "{log}");
    assert_eq!(cluster_file(folder.path()), file);
}

#[test]
fn four_node_mesh_is_discovered_written_and_configured() {
    let Some(lab) = lab_for_test(scenario::four_node()) else {
        return;
    };
    let folder = tempfile::tempdir().expect("temp dir");
    let found = discover(&lab, folder.path(), &[], &["mac1", "mac2", "mac3", "mac4"]);
    let log = found.log();
    eprintln!("{log}");
    assert_eq!(found.code(), Some(0), "{log}");
    for row in [
        "mac1 en2 <-> mac2 en2, 80 Gb/s",
        "mac1 en3 <-> mac3 en2, 80 Gb/s",
        "mac1 en4 <-> mac4 en2, 80 Gb/s",
        "mac2 en3 <-> mac3 en3, 80 Gb/s",
        "mac2 en4 <-> mac4 en3, 80 Gb/s",
        "mac3 en4 <-> mac4 en4, 80 Gb/s",
        "full mesh",
    ] {
        assert!(found.stdout.contains(row), "{row}\n{log}");
    }
    assert_eq!(cables_in(&cluster_file(folder.path())), 6, "{log}");
    assert_every_cable_pings(&bare_run(&lab, folder.path()), 6);
}

#[test]
fn the_plan_avoids_a_subnet_a_host_already_uses() {
    let Some(lab) = lab_for_test(scenario::two_node()) else {
        return;
    };
    // hwstudio2's management interface also holds 10.254.0.20/24 (inside its namespace).
    let added = lab
        .sh("hwstudio2", "ip addr add 10.254.0.20/24 dev en0")
        .expect("sh runs");
    assert!(added.status.success(), "{added:?}");
    let folder = tempfile::tempdir().expect("temp dir");
    let found = discover(&lab, folder.path(), &[], &["hwstudio1", "hwstudio2"]);
    let log = found.log();
    assert_eq!(found.code(), Some(0), "{log}");
    let file = cluster_file(folder.path());
    assert!(!file.contains("\"10.254.0."), "{file}");
    assert!(
        found
            .stdout
            .contains("hwstudio1 en5 10.254.1.1 <-> hwstudio2 en5 10.254.1.2"),
        "{log}"
    );
    assert_every_cable_pings(&bare_run(&lab, folder.path()), 1);
}

#[test]
fn a_host_whose_sshd_is_down_fails_discover_and_writes_nothing() {
    let spec = scenario::two_node().with(Fault::SshdDown {
        host: "hwstudio2".into(),
    });
    let Some(lab) = lab_for_test(spec) else {
        return;
    };
    let folder = tempfile::tempdir().expect("temp dir");
    let found = discover(&lab, folder.path(), &[], &["hwstudio1", "hwstudio2"]);
    let log = found.log();
    assert_eq!(found.code(), Some(1), "{log}");
    assert!(
        found.stderr.contains("ERROR: hwstudio2: cannot connect"),
        "{log}"
    );
    assert!(found.stderr.contains("Nothing was written"), "{log}");
    assert!(!folder.path().join("rdma-cluster.toml").exists());
}

#[test]
fn an_eight_node_ring_is_a_ring_in_rank_order() {
    let Some(lab) = lab_for_test(scenario::eight_node_ring()) else {
        return;
    };
    let folder = tempfile::tempdir().expect("temp dir");
    let hosts: Vec<String> = (1..=8).map(|i| format!("mac{i}")).collect();
    let hosts: Vec<&str> = hosts.iter().map(String::as_str).collect();
    let found = discover(&lab, folder.path(), &[], &hosts);
    let log = found.log();
    assert_eq!(found.code(), Some(0), "{log}");
    for row in [
        "mac1 en2 <-> mac2 en3, 80 Gb/s",
        "mac1 en3 <-> mac8 en2, 80 Gb/s",
        "ring: each host has a cable to two others",
        "JACCL: backend jaccl-ring can run (the ring follows rank order)",
        "for a full mesh (backend jaccl), cable: mac1 <-> mac3,",
    ] {
        assert!(found.stdout.contains(row), "{row}\n{log}");
    }
    assert_eq!(cables_in(&cluster_file(folder.path())), 8, "{log}");
    assert_every_cable_pings(&bare_run(&lab, folder.path()), 8);
}

#[test]
fn a_thunderbolt_4_mac_gets_no_plan() {
    let spec = scenario::three_node().quirk(Quirk::Thunderbolt4 {
        host: "machine-c".into(),
    });
    let Some(lab) = lab_for_test(spec) else {
        return;
    };
    let folder = tempfile::tempdir().expect("temp dir");
    let found = discover(
        &lab,
        folder.path(),
        &[],
        &["machine-a", "machine-b", "machine-c"],
    );
    let log = found.log();
    eprintln!("{log}");
    assert_eq!(found.code(), Some(1), "{log}");
    assert!(
        found
            .stdout
            .contains("machine-a en5 <-> machine-c en5, 40 Gb/s: Thunderbolt 4, no RDMA on it"),
        "{log}"
    );
    assert!(
        found
            .stderr
            .contains("machine-c has no Thunderbolt 5 cable"),
        "{log}"
    );
    assert!(!folder.path().join("rdma-cluster.toml").exists());
}

#[test]
fn a_busy_mac_whose_vpn_holds_the_pool_needs_another_pool() {
    let spec = scenario::two_node().quirk(Quirk::Busy {
        host: "hwstudio2".into(),
    });
    let Some(lab) = lab_for_test(spec) else {
        return;
    };
    let folder = tempfile::tempdir().expect("temp dir");
    let hosts = ["hwstudio1", "hwstudio2"];
    let found = discover(&lab, folder.path(), &[], &hosts);
    let log = found.log();
    assert_eq!(found.code(), Some(1), "{log}");
    assert!(found.stderr.contains("has no free /30 left"), "{log}");
    assert!(!folder.path().join("rdma-cluster.toml").exists());

    // 10.77.0.0/24 is the lab's management network, where the SSH sessions run: taken too.
    let with_pool = |pool: &str| discover(&lab, folder.path(), &["--pool", pool], &hosts);
    let found = with_pool("10.77.0.0/24");
    assert_eq!(found.code(), Some(1), "{}", found.log());
    assert!(
        found.stderr.contains("has no free /30 left"),
        "{}",
        found.log()
    );
    let found = with_pool("10.99.0.0/24");
    let log = found.log();
    eprintln!("{log}");
    assert_eq!(found.code(), Some(0), "{log}");
    assert!(
        found
            .stdout
            .contains("hwstudio1 en5 10.99.0.1 <-> hwstudio2 en5 10.99.0.2"),
        "{log}"
    );
    assert_every_cable_pings(&bare_run(&lab, folder.path()), 1);
}

#[test]
fn a_mac_behind_another_is_discovered_through_the_proxy_flag() {
    let spec = scenario::two_node().with(Fault::BehindJump {
        host: "hwstudio2".into(),
        jump: "hwstudio1".into(),
    });
    let Some(lab) = lab_for_test(spec) else {
        return;
    };
    let folder = tempfile::tempdir().expect("temp dir");
    let found = discover(
        &lab,
        folder.path(),
        &["--proxy", "hwstudio1:hwstudio2"],
        &["hwstudio1", "hwstudio2"],
    );
    let log = found.log();
    assert_eq!(found.code(), Some(0), "{log}");
    assert!(
        found
            .stdout
            .contains("hwstudio1 en5 <-> hwstudio2 en5, 80 Gb/s"),
        "{log}"
    );
    let file = cluster_file(folder.path());
    assert!(
        file.contains("[[proxy]]\nvia = \"hwstudio1\"\ntarget = \"hwstudio2\""),
        "{file}"
    );
    assert_every_cable_pings(&bare_run(&lab, folder.path()), 1);
}

#[test]
fn ctrl_c_while_a_host_does_not_answer_ends_discover_at_once() {
    let spec = scenario::two_node().with(Fault::HostDown {
        host: "hwstudio2".into(),
    });
    let Some(lab) = lab_for_test(spec) else {
        return;
    };
    let folder = tempfile::tempdir().expect("temp dir");
    let running = Running::start(discover_in_lab(
        &lab,
        folder.path(),
        &["--connect-timeout", "60"],
        &["hwstudio1", "hwstudio2"],
    ));
    std::thread::sleep(Duration::from_secs(1));
    running.signal("INT");
    let stopped = running.wait(Duration::from_secs(10));
    let log = stopped.log();
    assert_eq!(stopped.code(), Some(130), "{log}");
    assert!(
        stopped
            .stderr
            .contains("Interrupted (Ctrl-C): nothing was written."),
        "{log}"
    );
    assert!(!folder.path().join("rdma-cluster.toml").exists());
}

#[test]
fn after_recabling_discover_shows_the_changes_and_force_writes_them() {
    let Some(mut lab) = lab_for_test(scenario::three_node()) else {
        return;
    };
    let folder = tempfile::tempdir().expect("temp dir");
    let hosts = ["machine-a", "machine-b", "machine-c"];
    assert_eq!(discover(&lab, folder.path(), &[], &hosts).code(), Some(0));
    assert_every_cable_pings(&bare_run(&lab, folder.path()), 3);
    let before = cluster_file(folder.path());

    // At the back of machine-a, the plugs of en3 (to machine-b) and en5 (to machine-c) swap.
    lab.swap_cables("machine-a", "en3", "en5").expect("swapped");
    let moved = discover(&lab, folder.path(), &[], &hosts);
    let log = moved.log();
    eprintln!("{log}");
    assert_eq!(moved.code(), Some(1), "{log}");
    for row in [
        "machine-a en3 <-> machine-c en5, 80 Gb/s",
        "machine-a en5 <-> machine-b en3, 80 Gb/s",
        "- cable machine-a en3 10.254.0.1 <-> machine-b en3 10.254.0.2",
        "- cable machine-a en5 10.254.0.5 <-> machine-c en5 10.254.0.6",
        "+ cable machine-a en3 ",
        "+ cable machine-a en5 ",
    ] {
        assert!(moved.stdout.contains(row), "{row}\n{log}");
    }
    // The cable nobody touched keeps its addresses.
    assert!(!moved.stdout.contains("~ cable"), "{log}");
    assert_eq!(cluster_file(folder.path()), before);

    let forced = discover(&lab, folder.path(), &["--force"], &hosts);
    assert_eq!(forced.code(), Some(0), "{}", forced.log());
    let after = cluster_file(folder.path());
    assert!(
        after.contains("a = { host = \"machine-b\", port = \"en5\", address = \"10.254.0.9\" }"),
        "{after}"
    );
    assert_every_cable_pings(&bare_run(&lab, folder.path()), 3);
}
