//! `rdma-setup discover` end to end on labs of simulated Macs: it finds every cable from
//! what the Macs' `system_profiler`, `networksetup`, `ifconfig` and `netstat` print, writes
//! the cluster file into a folder of its own, and a bare `rdma-setup` in that folder then
//! configures the cluster and proves every cable.
//!
//! Needs root. Without it these tests skip, loudly, unless `CI=true`, where they fail.

mod child;

use std::time::Duration;

use child::{discover_in_lab, in_lab_folder, Finished, Running};
use rdma_harness::lab::testing::lab_for_test;
use rdma_harness::lab::{scenario, Fault, Lab, Quirk, QuirkySpec};
use tempfile::TempDir;

const LIMIT: Duration = Duration::from_secs(120);

/// A lab of simulated Macs and the folder `discover` writes its cluster file into, where a
/// bare `rdma-setup` then finds it.
struct DiscoverLab {
    // Declared first so that, as when both were locals, the folder goes before the lab.
    folder: TempDir,
    macs: Lab,
}

impl DiscoverLab {
    /// `None` means skip: `lab_for_test` has already said why.
    fn up(spec: impl Into<QuirkySpec>) -> Option<Self> {
        let macs = lab_for_test(spec)?;
        let folder = tempfile::tempdir().expect("temp dir");
        Some(Self { folder, macs })
    }

    /// `rdma-setup discover FLAGS --ssh-config LAB HOSTS...` in the controller, run in the
    /// folder.
    fn discover(&self, flags: &[&str], hosts: &[&str]) -> Finished {
        self.start_discover(flags, hosts).wait(LIMIT)
    }

    /// The same, left running for a test that interrupts it.
    fn start_discover(&self, flags: &[&str], hosts: &[&str]) -> Running {
        Running::start(discover_in_lab(
            &self.macs,
            self.folder.path(),
            flags,
            hosts,
        ))
    }

    /// A bare `rdma-setup` in the folder: the cluster, the ssh config and all, from its file.
    fn bare_run(&self) -> Finished {
        Running::start(in_lab_folder(&self.macs, self.folder.path(), &[])).wait(LIMIT)
    }

    fn cluster_file(&self) -> String {
        std::fs::read_to_string(self.folder.path().join("rdma-cluster.toml"))
            .expect("the cluster file")
    }

    /// `found` exited 0 showing every one of `rows` and wrote a file of `cables` cables,
    /// returned for the test's own checks of it.
    fn assert_discovered(&self, found: &Finished, rows: &[&str], cables: usize) -> String {
        assert_exit(found, 0);
        assert_shows(found, rows);
        let file = self.cluster_file();
        assert_eq!(cables_in(&file), cables, "{file}\n{}", found.log());
        file
    }

    /// A bare run from the written file configures the cluster and proves all `cables`;
    /// returned for what else a test reads in it.
    fn assert_configures(&self, cables: usize) -> Finished {
        let run = self.bare_run();
        assert_every_cable_pings(&run, cables);
        run
    }

    /// `run` ended with `code` saying each of `says` on stderr, and left no cluster file.
    fn assert_wrote_nothing(&self, run: &Finished, code: i32, says: &[&str]) {
        assert_ended(run, code, says);
        let written = self.folder.path().join("rdma-cluster.toml").exists();
        assert!(!written, "{}", run.log());
    }
}

fn assert_exit(run: &Finished, code: i32) {
    assert_eq!(run.code(), Some(code), "{}", run.log());
}

/// Exit `code`, and each of `says` on stderr: how the tool explains how it ended.
fn assert_ended(run: &Finished, code: i32, says: &[&str]) {
    assert_exit(run, code);
    for line in says {
        assert!(run.stderr.contains(line), "{line}\n{}", run.log());
    }
}

/// Each of `rows` on stdout: the cables, the plan and the changes discover shows.
fn assert_shows(run: &Finished, rows: &[&str]) {
    for row in rows {
        assert!(run.stdout.contains(row), "{row}\n{}", run.log());
    }
}

/// The `[[cable]]` tables of a cluster file (the comments mention the word too).
fn cables_in(file: &str) -> usize {
    file.lines().filter(|line| *line == "[[cable]]").count()
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
    let Some(lab) = DiscoverLab::up(scenario::three_node()) else {
        return;
    };
    let hosts = ["machine-a", "machine-b", "machine-c"];

    // A host that cannot be reached: named, exit 1, nothing written.
    let unreachable = lab.discover(&[], &["machine-a", "no-such-mac"]);
    lab.assert_wrote_nothing(&unreachable, 1, &["ERROR: no-such-mac", "hint: "]);

    let found = lab.discover(&[], &hosts);
    eprintln!("{}", found.log());
    let rows = [
        "machine-a en3 <-> machine-b en3, 80 Gb/s",
        "machine-a en5 <-> machine-c en5, 80 Gb/s",
        "machine-b en5 <-> machine-c en3, 80 Gb/s",
        "full mesh: every pair of hosts has a cable",
    ];
    let file = lab.assert_discovered(&found, &rows, 3);
    assert!(
        file.contains("hosts = [\"machine-a\", \"machine-b\", \"machine-c\"]"),
        "{file}"
    );

    let configured = lab.assert_configures(3);
    assert_ended(&configured, 0, &["Cluster from rdma-cluster.toml"]);

    // Discovering the configured cluster again plans the same addresses: nothing to write.
    let again = lab.discover(&[], &hosts);
    assert_ended(&again, 0, &["already holds this cluster"]);
    assert_eq!(lab.cluster_file(), file);

    // Another pool readdresses every cable: shown, refused without --force, file untouched.
    let moved = lab.discover(&["--pool", "10.99.0.0/24"], &hosts);
    assert_ended(&moved, 1, &["Add --force to replace it"]);
    assert_shows(
        &moved,
        &["~ cable machine-a en3 <-> machine-b en3: 10.254.0.1 10.254.0.2 -> 10.99.0.1 10.99.0.2"],
    );
    assert_eq!(lab.cluster_file(), file);
}

#[test]
fn four_node_mesh_is_discovered_written_and_configured() {
    let Some(lab) = DiscoverLab::up(scenario::four_node()) else {
        return;
    };
    let found = lab.discover(&[], &["mac1", "mac2", "mac3", "mac4"]);
    eprintln!("{}", found.log());
    let rows = [
        "mac1 en2 <-> mac2 en2, 80 Gb/s",
        "mac1 en3 <-> mac3 en2, 80 Gb/s",
        "mac1 en4 <-> mac4 en2, 80 Gb/s",
        "mac2 en3 <-> mac3 en3, 80 Gb/s",
        "mac2 en4 <-> mac4 en3, 80 Gb/s",
        "mac3 en4 <-> mac4 en4, 80 Gb/s",
        "full mesh",
    ];
    lab.assert_discovered(&found, &rows, 6);
    lab.assert_configures(6);
}

#[test]
fn the_plan_avoids_a_subnet_a_host_already_uses() {
    let Some(lab) = DiscoverLab::up(scenario::two_node()) else {
        return;
    };
    // hwstudio2's management interface also holds 10.254.0.20/24 (inside its namespace).
    let added = lab
        .macs
        .sh("hwstudio2", "ip addr add 10.254.0.20/24 dev en0")
        .expect("sh runs");
    assert!(added.status.success(), "{added:?}");
    let found = lab.discover(&[], &["hwstudio1", "hwstudio2"]);
    assert_exit(&found, 0);
    let file = lab.cluster_file();
    assert!(!file.contains("\"10.254.0."), "{file}");
    assert_shows(
        &found,
        &["hwstudio1 en5 10.254.1.1 <-> hwstudio2 en5 10.254.1.2"],
    );
    lab.assert_configures(1);
}

#[test]
fn a_host_whose_sshd_is_down_fails_discover_and_writes_nothing() {
    let spec = scenario::two_node().with(Fault::SshdDown {
        host: "hwstudio2".into(),
    });
    let Some(lab) = DiscoverLab::up(spec) else {
        return;
    };
    let found = lab.discover(&[], &["hwstudio1", "hwstudio2"]);
    let says = ["ERROR: hwstudio2: cannot connect", "Nothing was written"];
    lab.assert_wrote_nothing(&found, 1, &says);
}

#[test]
fn an_eight_node_ring_is_a_ring_in_rank_order() {
    let Some(lab) = DiscoverLab::up(scenario::eight_node_ring()) else {
        return;
    };
    let hosts: Vec<String> = (1..=8).map(|i| format!("mac{i}")).collect();
    let hosts: Vec<&str> = hosts.iter().map(String::as_str).collect();
    let found = lab.discover(&[], &hosts);
    let rows = [
        "mac1 en2 <-> mac2 en3, 80 Gb/s",
        "mac1 en3 <-> mac8 en2, 80 Gb/s",
        "ring: each host has a cable to two others",
        "JACCL: backend jaccl-ring can run (the ring follows rank order)",
        "for a full mesh (backend jaccl), cable: mac1 <-> mac3,",
    ];
    lab.assert_discovered(&found, &rows, 8);
    lab.assert_configures(8);
}

#[test]
fn a_thunderbolt_4_mac_gets_no_plan() {
    let spec = scenario::three_node().quirk(Quirk::Thunderbolt4 {
        host: "machine-c".into(),
    });
    let Some(lab) = DiscoverLab::up(spec) else {
        return;
    };
    let found = lab.discover(&[], &["machine-a", "machine-b", "machine-c"]);
    eprintln!("{}", found.log());
    assert_exit(&found, 1);
    assert_shows(
        &found,
        &["machine-a en5 <-> machine-c en5, 40 Gb/s: Thunderbolt 4, no RDMA on it"],
    );
    lab.assert_wrote_nothing(&found, 1, &["machine-c has no Thunderbolt 5 cable"]);
}

#[test]
fn a_busy_mac_whose_vpn_holds_the_pool_needs_another_pool() {
    let spec = scenario::two_node().quirk(Quirk::Busy {
        host: "hwstudio2".into(),
    });
    let Some(lab) = DiscoverLab::up(spec) else {
        return;
    };
    let hosts = ["hwstudio1", "hwstudio2"];
    let found = lab.discover(&[], &hosts);
    lab.assert_wrote_nothing(&found, 1, &["has no free /30 left"]);

    // 10.77.0.0/24 is the lab's management network, where the SSH sessions run: taken too.
    let with_pool = |pool: &str| lab.discover(&["--pool", pool], &hosts);
    let found = with_pool("10.77.0.0/24");
    assert_ended(&found, 1, &["has no free /30 left"]);
    let found = with_pool("10.99.0.0/24");
    eprintln!("{}", found.log());
    assert_exit(&found, 0);
    assert_shows(
        &found,
        &["hwstudio1 en5 10.99.0.1 <-> hwstudio2 en5 10.99.0.2"],
    );
    lab.assert_configures(1);
}

#[test]
fn a_mac_behind_another_is_discovered_through_the_proxy_flag() {
    let spec = scenario::two_node().with(Fault::BehindJump {
        host: "hwstudio2".into(),
        jump: "hwstudio1".into(),
    });
    let Some(lab) = DiscoverLab::up(spec) else {
        return;
    };
    let proxy = ["--proxy", "hwstudio1:hwstudio2"];
    let found = lab.discover(&proxy, &["hwstudio1", "hwstudio2"]);
    assert_exit(&found, 0);
    assert_shows(&found, &["hwstudio1 en5 <-> hwstudio2 en5, 80 Gb/s"]);
    let file = lab.cluster_file();
    assert!(
        file.contains("[[proxy]]\nvia = \"hwstudio1\"\ntarget = \"hwstudio2\""),
        "{file}"
    );
    lab.assert_configures(1);
}

#[test]
fn ctrl_c_while_a_host_does_not_answer_ends_discover_at_once() {
    let spec = scenario::two_node().with(Fault::HostDown {
        host: "hwstudio2".into(),
    });
    let Some(lab) = DiscoverLab::up(spec) else {
        return;
    };
    let running = lab.start_discover(&["--connect-timeout", "60"], &["hwstudio1", "hwstudio2"]);
    std::thread::sleep(Duration::from_secs(1));
    running.signal("INT");
    let stopped = running.wait(Duration::from_secs(10));
    let says = ["Interrupted (Ctrl-C): nothing was written."];
    lab.assert_wrote_nothing(&stopped, 130, &says);
}

#[test]
fn after_recabling_discover_shows_the_changes_and_force_writes_them() {
    let Some(mut lab) = DiscoverLab::up(scenario::three_node()) else {
        return;
    };
    let hosts = ["machine-a", "machine-b", "machine-c"];
    assert_exit(&lab.discover(&[], &hosts), 0);
    lab.assert_configures(3);
    let before = lab.cluster_file();

    // At the back of machine-a, the plugs of en3 (to machine-b) and en5 (to machine-c) swap.
    lab.macs
        .swap_cables("machine-a", "en3", "en5")
        .expect("swapped");
    let moved = lab.discover(&[], &hosts);
    eprintln!("{}", moved.log());
    assert_exit(&moved, 1);
    assert_shows(
        &moved,
        &[
            "machine-a en3 <-> machine-c en5, 80 Gb/s",
            "machine-a en5 <-> machine-b en3, 80 Gb/s",
            "- cable machine-a en3 10.254.0.1 <-> machine-b en3 10.254.0.2",
            "- cable machine-a en5 10.254.0.5 <-> machine-c en5 10.254.0.6",
            "+ cable machine-a en3 ",
            "+ cable machine-a en5 ",
        ],
    );
    // The cable nobody touched keeps its addresses.
    assert!(!moved.stdout.contains("~ cable"), "{}", moved.log());
    assert_eq!(lab.cluster_file(), before);

    let forced = lab.discover(&["--force"], &hosts);
    assert_exit(&forced, 0);
    let after = lab.cluster_file();
    assert!(
        after.contains("a = { host = \"machine-b\", port = \"en5\", address = \"10.254.0.9\" }"),
        "{after}"
    );
    lab.assert_configures(3);
}
