//! Whole CLI runs against every recorded scenario in `fixtures/`, snapshot-tested: the
//! report a user sees, the exit code, and the exact commands each host received.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rdma_setup::app::{execute, Execution};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

fn run(args: &[&str]) -> (Execution, String, String) {
    let argv = std::iter::once("rdma-setup")
        .chain(args.iter().copied())
        .map(OsString::from);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let execution = execute(argv, false, &mut out, &mut err);
    (
        execution,
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    )
}

/// Per host, in order: every command sent, with its stdin. Commands check mode held back
/// are marked, so a snapshot proves none of them went out.
fn received(execution: &Execution) -> String {
    let (Some(plan), Some(report)) = (&execution.plan, &execution.report) else {
        return "(no run)\n".to_owned();
    };
    let mut by_host: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for host in &report.hosts {
        let lines = by_host.entry(host.host.0).or_default();
        for run in &host.runs {
            for issued in &run.issued {
                let mark = if issued.sent { "$" } else { "(not sent)" };
                lines.push(format!("{mark} {}", issued.line));
                if let Some(stdin) = &issued.stdin {
                    lines.push(format!("  stdin: {}", stdin.trim_end()));
                }
            }
        }
    }
    let mut text = String::new();
    for (index, lines) in by_host {
        let _ = writeln!(text, "== {}", plan.hosts[index].name);
        for line in lines {
            let _ = writeln!(text, "{line}");
        }
    }
    text
}

fn replay(name: &str) {
    let dir = fixtures().join(name);
    let dir = dir.to_string_lossy().into_owned();
    let (execution, out, err) = run(&["--replay", &dir]);
    // The scenario's folder is named in the banner: show it as the repository path.
    let err = err.replace(&dir, &format!("fixtures/{name}"));
    let report = format!("exit code: {}\n{err}\n{out}", execution.exit_code);
    insta::assert_snapshot!(format!("{name}__report"), report);
    insta::assert_snapshot!(format!("{name}__commands"), received(&execution));
}

#[test]
fn two_node_reboot() {
    replay("two-node-reboot");
}

#[test]
fn two_node_reinstall() {
    replay("two-node-reinstall");
}

#[test]
fn two_node_configured() {
    replay("two-node-configured");
}

#[test]
fn two_node_check() {
    replay("two-node-check");
}

#[test]
fn pulled_cable() {
    replay("pulled-cable");
}

#[test]
fn wrong_interface() {
    replay("wrong-interface");
}

#[test]
fn three_node_mesh() {
    replay("three-node-mesh");
}

#[test]
fn proxied_host() {
    replay("proxied-host");
}

#[test]
fn no_ipv4_gid() {
    replay("no-ipv4-gid");
}

#[test]
fn one_mac_rebooted() {
    replay("one-mac-rebooted");
}

#[test]
fn busy_mac() {
    replay("busy-mac");
}

#[test]
fn thunderbolt4_mac() {
    replay("thunderbolt4-mac");
}

#[test]
fn predecessor_device_file() {
    replay("predecessor-device-file");
}

#[test]
fn invalid_device_file() {
    replay("invalid-device-file");
}

/// Written by `cargo xtask lab record --redact`, not by the simulator.
#[test]
fn lab_recorded_host_down() {
    replay("lab-recorded-host-down");
}

/// What a recording printed is what its replay prints.
#[test]
fn a_recording_replays_to_its_check_report() {
    let dir = fixtures().join("lab-recorded-host-down");
    let (execution, out, err) = run(&["--replay", &dir.to_string_lossy()]);
    // The banner goes to stderr, so stdout is exactly the report.
    assert_eq!(
        err,
        format!(
            "Replaying {}: recorded outputs, no host is contacted.\n",
            dir.display()
        )
    );
    assert_eq!(execution.exit_code, 1);
    let saved = std::fs::read_to_string(dir.join("check-report.txt")).expect("check-report.txt");
    assert_eq!(out, saved);
}

/// A scenario folder without a test above would never be replayed.
#[test]
fn every_scenario_has_a_test() {
    let source = include_str!("replay_scenarios.rs");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(fixtures()).expect("fixtures/ exists") {
        let path = entry.expect("readable fixtures/").path();
        if path.join("command").is_file() {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if !source.contains(&format!("replay(\"{name}\")")) {
                missing.push(name);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "scenarios without a replay test: {missing:?}"
    );
}

#[test]
fn a_re_run_on_a_configured_cluster_sends_no_sudo() {
    let dir = fixtures().join("two-node-configured");
    let (execution, _, _) = run(&["--replay", &dir.to_string_lossy()]);
    assert_eq!(execution.exit_code, 0);
    let commands = received(&execution);
    assert!(!commands.contains("sudo"), "{commands}");
}

/// A recording of a run that changed hosts, replayed as `--check`, would report its own
/// recorded changes as contradictions: refused before anything runs.
#[test]
fn a_recorded_run_is_not_replayed_as_a_check() {
    let dir = fixtures().join("two-node-reboot");
    let (execution, out, err) = run(&["--check", "--replay", &dir.to_string_lossy()]);
    assert_eq!((execution.exit_code, out.as_str()), (2, ""));
    assert!(
        err.contains("was recorded without --check, from a run that changed its hosts: replay it without --check"),
        "{err}"
    );
}

#[test]
fn check_mode_sends_no_change() {
    let dir = fixtures().join("two-node-check");
    let (execution, out, _) = run(&["--check", "--replay", &dir.to_string_lossy()]);
    assert_eq!(execution.exit_code, 3, "{out}");
    let commands = received(&execution);
    for line in commands.lines().filter(|line| line.starts_with('$')) {
        assert!(
            !line.contains("sudo") && !line.contains("sh -c"),
            "sent a change: {line}"
        );
    }
    assert!(out.contains("would set 10.254.0.5/30 on en5"), "{out}");
}

#[test]
fn only_ping_reads_what_it_needs() {
    let dir = fixtures().join("two-node-configured");
    let (execution, out, _) = run(&["--only", "ping", "--replay", &dir.to_string_lossy()]);
    assert_eq!(execution.exit_code, 0, "{out}");
    assert!(out.contains("hwstudio1 -> hwstudio2: ✓"), "{out}");
}

#[test]
fn a_command_the_recording_lacks_is_refused_loudly() {
    // The reboot scenario never saw en3: asking for it must fail, not invent an answer.
    let dir = fixtures().join("two-node-reboot");
    let (execution, out, _) = run(&[
        "--replay",
        &dir.to_string_lossy(),
        "--node",
        "hwstudio1:en3:10.254.0.1",
        "--node",
        "hwstudio2:en3:10.254.0.2",
    ]);
    assert_eq!(execution.exit_code, 1);
    assert!(
        out.contains("has no (unused) recording of this command"),
        "{out}"
    );
}

#[test]
fn lock_taken_meanwhile() {
    replay("lock-taken-meanwhile");
}
