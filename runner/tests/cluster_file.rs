//! The cluster file on the real binary: `--save` writes one from a command line, and a run
//! with no `--node` takes its cluster from `--cluster FILE` or `./rdma-cluster.toml`, with the
//! file's line in every error about it.

mod child;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use child::{binary, Finished, Running};
use rdma_harness::examples::TWO_NODE_PAIR;

fn run_in(folder: &Path, args: &[&str]) -> Finished {
    let mut command = Command::new(binary());
    command.args(args).current_dir(folder).env("NO_COLOR", "1");
    Running::start(command).wait(Duration::from_secs(20))
}

/// A folder holding the two-node cluster saved by `--save` as `rdma-cluster.toml`.
fn saved_cluster() -> tempfile::TempDir {
    let folder = tempfile::tempdir().expect("temp dir");
    let saved = run_in(
        folder.path(),
        &[&["--save", "rdma-cluster.toml"][..], &TWO_NODE_PAIR[..]].concat(),
    );
    assert_eq!(saved.code(), Some(0), "{}", saved.log());
    folder
}

#[test]
fn save_writes_a_file_a_bare_run_then_uses() {
    let folder = saved_cluster();
    let text = std::fs::read_to_string(folder.path().join("rdma-cluster.toml")).expect("saved");
    assert!(
        text.contains(r#"hosts = ["hwstudio1", "hwstudio2"]"#),
        "{text}"
    );
    assert!(
        text.contains(r#"a = { host = "hwstudio1", port = "en5", address = "10.254.0.5" }"#),
        "{text}"
    );
    let from_flags = run_in(
        folder.path(),
        &[&["--dry-run"][..], &TWO_NODE_PAIR[..]].concat(),
    );
    let from_file = run_in(folder.path(), &["--dry-run"]);
    assert_eq!(from_file.code(), Some(0), "{}", from_file.log());
    assert_eq!(from_file.stdout, from_flags.stdout, "{}", from_file.log());
    assert!(
        from_file.stderr.contains("Cluster from rdma-cluster.toml"),
        "{}",
        from_file.log()
    );
    // Saving the same cluster again changes nothing and is no error.
    let again = run_in(
        folder.path(),
        &[&["--save", "rdma-cluster.toml"][..], &TWO_NODE_PAIR[..]].concat(),
    );
    assert_eq!(again.code(), Some(0), "{}", again.log());
}

#[test]
fn the_json_report_names_the_cluster_file_it_came_from() {
    let folder = saved_cluster();
    let from_file = run_in(folder.path(), &["--dry-run", "--format", "json"]);
    assert_eq!(from_file.code(), Some(0), "{}", from_file.log());
    let document: serde_json::Value =
        serde_json::from_str(&from_file.stdout).expect("one JSON document on stdout");
    assert_eq!(
        document["cluster_file"],
        "rdma-cluster.toml",
        "{}",
        from_file.log()
    );

    let from_flags = run_in(
        folder.path(),
        &[&["--dry-run", "--format", "json"][..], &TWO_NODE_PAIR[..]].concat(),
    );
    let document: serde_json::Value =
        serde_json::from_str(&from_flags.stdout).expect("one JSON document on stdout");
    assert!(document["cluster_file"].is_null(), "{}", from_flags.log());
}

#[test]
fn a_flag_typed_on_the_command_line_wins_over_the_file() {
    let folder = saved_cluster();
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let file = folder.path().join("rdma-cluster.toml");
    let file = file.display().to_string();
    let finished = run_in(
        elsewhere.path(),
        &["--cluster", &file, "--dry-run", "--netmask", "29"],
    );
    assert_eq!(finished.code(), Some(0), "{}", finished.log());
    assert!(
        finished.stdout.contains("10.254.0.5/29"),
        "{}",
        finished.log()
    );
}

/// (what to do to the saved file or the command line, what stderr must say)
#[test]
fn mistakes_are_refused_with_the_file_and_line() {
    let folder = saved_cluster();
    let saved = folder.path().join("rdma-cluster.toml");
    let text = std::fs::read_to_string(&saved).expect("saved");
    let line_of = |needle: &str| {
        1 + text
            .lines()
            .position(|line| line.contains(needle))
            .unwrap_or_else(|| panic!("{needle} not in\n{text}"))
    };
    let lonely = text.replace("10.254.0.6\"", "10.254.0.10\"");
    std::fs::write(folder.path().join("lonely.toml"), &lonely).expect("write");
    std::fs::write(folder.path().join("broken.toml"), "hosts = [\n").expect("write");
    let cases: Vec<(Vec<&str>, String)> = vec![
        (
            vec!["--cluster", "lonely.toml", "--check"],
            format!("lonely.toml:{}: ", line_of("10.254.0.5\"")),
        ),
        (vec!["--cluster", "broken.toml"], "broken.toml:1: ".into()),
        (
            vec!["--cluster", "missing.toml"],
            "missing.toml: cannot read".into(),
        ),
        (
            [&["--cluster", "rdma-cluster.toml"][..], &TWO_NODE_PAIR[..]].concat(),
            "do not mix".into(),
        ),
        (
            vec![
                "--save",
                "rdma-cluster.toml",
                "--node",
                "other:en5:10.254.0.5",
                "--node",
                "peer:en5:10.254.0.6",
            ],
            "exists and holds something else".into(),
        ),
    ];
    for (args, says) in cases {
        let finished = run_in(folder.path(), &args);
        let log = finished.log();
        assert_eq!(finished.code(), Some(2), "{args:?}\n{log}");
        assert!(finished.stderr.contains(&says), "{args:?}: {says}\n{log}");
        assert!(!finished.stderr.contains("panicked"), "{log}");
    }
    let after = std::fs::read_to_string(&saved).expect("still there");
    assert_eq!(after, text, "a refused --save left the file alone");
}

#[test]
fn without_a_file_or_a_node_the_error_names_both_ways() {
    let empty = tempfile::tempdir().expect("temp dir");
    let finished = run_in(empty.path(), &["--check"]);
    assert_eq!(finished.code(), Some(2), "{}", finished.log());
    assert!(
        finished.stderr.contains("rdma-cluster.toml"),
        "{}",
        finished.log()
    );
}

#[test]
fn the_users_own_file_is_the_last_resort() {
    let folder = saved_cluster();
    let config = tempfile::tempdir().expect("temp dir");
    let users = config.path().join("rdma-setup");
    std::fs::create_dir(&users).expect("mkdir");
    std::fs::copy(
        folder.path().join("rdma-cluster.toml"),
        users.join("cluster.toml"),
    )
    .expect("copy");
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let mut command = Command::new(binary());
    command
        .args(["--dry-run"])
        .current_dir(elsewhere.path())
        .env("NO_COLOR", "1")
        .env("XDG_CONFIG_HOME", config.path());
    let finished = Running::start(command).wait(Duration::from_secs(20));
    assert_eq!(finished.code(), Some(0), "{}", finished.log());
    assert!(
        finished.stderr.contains("rdma-setup/cluster.toml"),
        "{}",
        finished.log()
    );
    assert!(
        finished.stdout.contains("10.254.0.6/30"),
        "{}",
        finished.log()
    );
}
