//! `rdma-setup discover`'s SSH and output flags, as users type them, on the lab: `-o FILE`,
//! `--connect-timeout`/`--command-timeout` (written to the file), `-v` (logs on stderr,
//! the report unchanged on stdout) and `--accept-new-host-keys`.
//!
//! Needs root. Without it these tests skip, loudly, unless `CI=true`, where they fail.

mod child;

use std::time::Duration;

use child::{discover_in_lab, in_lab_folder, Finished, Running};
use rdma_harness::lab::testing::lab_for_test;
use rdma_harness::lab::{scenario, Fault, HostKeyFault, Lab};

const LIMIT: Duration = Duration::from_secs(120);

fn discover(lab: &Lab, folder: &std::path::Path, flags: &[&str]) -> Finished {
    Running::start(discover_in_lab(
        lab,
        folder,
        flags,
        &["hwstudio1", "hwstudio2"],
    ))
    .wait(LIMIT)
}

#[test]
fn output_path_timeouts_and_verbose_logs() {
    let Some(lab) = lab_for_test(scenario::two_node()) else {
        return;
    };
    let folder = tempfile::tempdir().expect("temp dir");
    let flags = [
        "-o",
        "cluster/two.toml",
        "--connect-timeout",
        "7",
        "--command-timeout",
        "9",
        "-v",
    ];
    std::fs::create_dir(folder.path().join("cluster")).expect("folder");
    let found = discover(&lab, folder.path(), &flags);
    let log = found.log();
    assert_eq!(found.code(), Some(0), "{log}");
    assert!(
        found
            .stdout
            .contains("  hwstudio1 en5 <-> hwstudio2 en5, 80 Gb/s\n"),
        "{log}"
    );
    assert!(found.stderr.contains("DEBUG"), "-v logs nothing: {log}");
    assert!(!found.stdout.contains("DEBUG"), "logs on stdout: {log}");
    assert!(!folder.path().join("rdma-cluster.toml").exists(), "{log}");
    let written = std::fs::read_to_string(folder.path().join("cluster/two.toml")).expect("-o file");
    assert!(written.contains("connect_timeout = 7"), "{written}");
    assert!(written.contains("command_timeout = 9"), "{written}");

    // The file runs as written, with its timeouts.
    let command = in_lab_folder(&lab, folder.path(), &["--cluster", "cluster/two.toml"]);
    let run = Running::start(command).wait(LIMIT);
    assert_eq!(run.code(), Some(0), "{}", run.log());
}

#[test]
fn an_unknown_host_key_is_refused_unless_accepted() {
    let spec = scenario::two_node().with(Fault::HostKey {
        host: "hwstudio2".into(),
        kind: HostKeyFault::Unknown,
    });
    let Some(lab) = lab_for_test(spec) else {
        return;
    };
    let folder = tempfile::tempdir().expect("temp dir");
    let refused = discover(&lab, folder.path(), &[]);
    let log = refused.log();
    assert_eq!(refused.code(), Some(1), "{log}");
    assert!(refused.stderr.contains("hwstudio2"), "{log}");
    assert!(!folder.path().join("rdma-cluster.toml").exists(), "{log}");
    assert!(
        lab.commands("hwstudio2").is_empty(),
        "commands ran on an untrusted host\n{log}"
    );

    let accepted = discover(&lab, folder.path(), &["--accept-new-host-keys"]);
    assert_eq!(accepted.code(), Some(0), "{}", accepted.log());
    assert!(folder.path().join("rdma-cluster.toml").exists());
}
