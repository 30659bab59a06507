//! `--format json`: one JSON document on stdout and nothing else, in the documented schema.

mod child;

use std::process::Command;
use std::time::Duration;

use child::{binary, fixture, Running};
use serde_json::Value;

/// The binary as a script runs it; its stdout parsed as JSON.
fn json_of(args: &[&str]) -> (Option<i32>, Value, String) {
    let mut command = Command::new(binary());
    command.args(args).args(["--format", "json"]);
    let finished = Running::start(command).wait(Duration::from_secs(20));
    let document = serde_json::from_str(&finished.stdout).unwrap_or_else(|err| {
        panic!(
            "stdout is not one JSON document ({err}):\n{}",
            finished.stdout
        )
    });
    (finished.code(), document, finished.stderr)
}

#[test]
fn a_replayed_run_as_json() {
    let (code, document, _) = json_of(&["--replay", &fixture("two-node-reboot")]);
    assert_eq!(code, Some(0));
    assert_eq!(document["schema_version"], 1);
    assert_eq!(document["exit_code"], 0);
    assert_eq!(document["mode"], "apply");
    assert_eq!(
        document["plan"]["matrix"],
        serde_json::json!([[null, "rdma_en5"], ["rdma_en5", null]])
    );
    assert_eq!(document["recap"]["changes"], 4);
    let pings = document["pings"].as_array().expect("pings");
    assert_eq!(pings.len(), 2);
    assert!(
        pings.iter().all(|ping| ping["rtt_ms"].as_f64().is_some()),
        "{pings:?}"
    );
    let mut shown = document.clone();
    shown["duration_ms"] = Value::from("[ms]");
    shown["tool"]["commit"] = Value::from("[commit]");
    insta::assert_snapshot!(serde_json::to_string_pretty(&shown).expect("json"));
}

#[test]
fn failures_and_unreachable_hosts_are_in_the_document() {
    let (code, document, _) = json_of(&["--replay", &fixture("lab-recorded-host-down")]);
    assert_eq!(code, Some(1));
    assert_eq!(document["exit_code"], 1);
    assert_eq!(document["mode"], "check");
    assert_eq!(document["unreachable"], serde_json::json!(["host-2"]));
    assert_eq!(document["hosts"][1]["reachable"], false);
    assert!(document["hosts"][1]["error"]["message"]
        .as_str()
        .is_some_and(|message| message.starts_with("cannot connect: ")));
    assert_eq!(document["recap"]["unreachable"], 1);
}

#[test]
fn a_dry_run_as_json_has_no_text_on_stdout() {
    let (code, document, stderr) = json_of(&[
        "--dry-run",
        "--node",
        "hwstudio1:en5:10.254.0.5",
        "--node",
        "hwstudio2:en5:10.254.0.6",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(document["mode"], "dry-run");
    let statuses: Vec<&str> = document["hosts"][0]["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|row| row["status"].as_str())
        .collect();
    assert!(
        !statuses.contains(&"ok"),
        "a dry-run checks nothing: {statuses:?}"
    );
}
