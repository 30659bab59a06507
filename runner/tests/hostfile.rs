//! `--hostfile` on the real binary: written when a run proves every cable, never otherwise,
//! and refused before any host is contacted when it could not be right.

mod child;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use child::{binary, fixture, Finished, Running};

fn run(args: &[&str]) -> Finished {
    let mut command = Command::new(binary());
    command.args(args).env("NO_COLOR", "1");
    Running::start(command).wait(Duration::from_secs(20))
}

struct Folder {
    dir: tempfile::TempDir,
}

impl Folder {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn text(path: &Path) -> String {
    path.display().to_string()
}

#[test]
fn a_proven_mesh_gets_the_hostfile_mlx_launch_reads() {
    let folder = Folder::new();
    let hostfile = folder.file("hostfile.json");
    let mesh = fixture("three-node-mesh");
    let finished = run(&[
        "--replay",
        &mesh,
        "--hostfile",
        &text(&hostfile),
        "--rank0-ip",
        "192.168.1.1",
    ]);
    let log = finished.log();
    assert_eq!(finished.code(), Some(0), "{log}");
    let written = std::fs::read_to_string(&hostfile).unwrap_or_else(|e| panic!("{e}\n{log}"));
    let json: serde_json::Value = serde_json::from_str(&written).expect("JSON");
    let want = serde_json::json!({
        "backend": "jaccl",
        "envs": [],
        "hosts": [
            {"ssh": "machine-a", "ips": ["192.168.1.1"], "rdma": [null, "rdma_en3", "rdma_en5"]},
            {"ssh": "machine-b", "ips": [], "rdma": ["rdma_en3", null, "rdma_en5"]},
            {"ssh": "machine-c", "ips": [], "rdma": ["rdma_en5", "rdma_en3", null]},
        ]
    });
    assert_eq!(json, want, "{written}");
    assert!(written.ends_with("}\n"), "{written:?}");
    assert!(
        finished
            .stderr
            .contains("mlx.launch --backend jaccl --hostfile"),
        "{log}"
    );
    // Only the one file: the temporary it was written through is gone.
    let names: Vec<_> = std::fs::read_dir(folder.dir.path())
        .expect("list")
        .map(|entry| entry.expect("entry").file_name())
        .collect();
    assert_eq!(names, ["hostfile.json"], "{log}");
}

#[test]
fn rank_0_address_defaults_to_its_hostname_in_the_ssh_config() {
    let folder = Folder::new();
    let config = folder.file("ssh_config");
    std::fs::write(&config, "Host hwstudio1\n  HostName 192.0.2.7\n").expect("config");
    let hostfile = folder.file("hostfile.json");
    let finished = run(&[
        "--replay",
        &fixture("two-node-reboot"),
        "--ssh-config",
        &text(&config),
        "--hostfile",
        &text(&hostfile),
    ]);
    let log = finished.log();
    assert_eq!(finished.code(), Some(0), "{log}");
    let written = std::fs::read_to_string(&hostfile).unwrap_or_else(|e| panic!("{e}\n{log}"));
    let json: serde_json::Value = serde_json::from_str(&written).expect("JSON");
    assert_eq!(json["hosts"][0]["ips"], serde_json::json!(["192.0.2.7"]));
    assert_eq!(json["hosts"][1]["ips"], serde_json::json!([]));
}

/// (fixture, extra flags, what stderr says): runs that do not prove the cables.
#[test]
fn an_unproven_cluster_leaves_the_old_hostfile_alone() {
    let cases: [(&str, &[&str], &str); 3] = [
        ("pulled-cable", &[], "not ready"),
        (
            "two-node-reboot",
            &["--skip", "ping"],
            "ping phase did not run",
        ),
        ("one-mac-rebooted", &[], "not ready"),
    ];
    for (scenario, extra, why) in cases {
        let folder = Folder::new();
        let hostfile = folder.file("hostfile.json");
        std::fs::write(&hostfile, "previous\n").expect("old hostfile");
        let scenario_dir = fixture(scenario);
        let mut args = vec!["--replay", &scenario_dir, "--rank0-ip", "192.168.1.1"];
        let hostfile_arg = text(&hostfile);
        args.extend(["--hostfile", &hostfile_arg]);
        args.extend(extra);
        let finished = run(&args);
        let log = finished.log();
        assert_ne!(finished.code(), Some(2), "{scenario}\n{log}");
        assert!(finished.stderr.contains("not written"), "{scenario}\n{log}");
        assert!(finished.stderr.contains(why), "{scenario}\n{log}");
        let after = std::fs::read_to_string(&hostfile).expect("still there");
        assert_eq!(after, "previous\n", "{scenario}");
    }
}

/// Refused as a usage error (exit 2) before anything runs; the message names the fix.
#[test]
fn impossible_hostfiles_are_refused_up_front() {
    let folder = Folder::new();
    let hostfile = text(&folder.file("hostfile.json"));
    let config = folder.file("ssh_config");
    std::fs::write(&config, "Host local\n  HostName 127.0.0.1\n").expect("config");
    let config = text(&config);
    let folder_path = text(folder.dir.path());
    // Four hosts in a line: neither a mesh nor a ring in rank order.
    let line = [
        "--node",
        "m1:en2:10.254.0.1",
        "--node",
        "m2:en2:10.254.0.2",
        "--node",
        "m2:en3:10.254.0.5",
        "--node",
        "m3:en3:10.254.0.6",
        "--node",
        "m3:en4:10.254.0.9",
        "--node",
        "m4:en4:10.254.0.10",
    ];
    let two = [
        "--node",
        "local:en5:10.254.0.5",
        "--node",
        "peer:en5:10.254.0.6",
    ];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            [
                &line[..],
                &["--rank0-ip", "192.168.1.1", "--hostfile", &hostfile],
            ]
            .concat(),
            "m4-m1 have no cable",
        ),
        (
            [
                &two[..],
                &["--ssh-config", &config, "--hostfile", &hostfile],
            ]
            .concat(),
            "loopback address",
        ),
        (
            [
                &two[..],
                &["--rank0-ip", "192.168.1.1", "--hostfile", &folder_path],
            ]
            .concat(),
            "is a folder",
        ),
        (
            [&two[..], &["--rank0-ip", "192.168.1.1"]].concat(),
            "--hostfile",
        ),
        (
            [&two[..], &["--dry-run", "--hostfile", &hostfile]].concat(),
            "cannot be used with",
        ),
        (
            [&two[..], &["--hostfile", &hostfile, "--rank0-ip", "10.254"]].concat(),
            "10.254",
        ),
    ];
    for (args, says) in cases {
        let finished = run(&args);
        let log = finished.log();
        assert_eq!(finished.code(), Some(2), "{args:?}\n{log}");
        assert!(finished.stderr.contains(says), "{args:?}\n{log}");
        assert!(!finished.stderr.contains("panicked"), "{log}");
        assert!(!folder.file("hostfile.json").exists(), "{args:?}");
    }
}
