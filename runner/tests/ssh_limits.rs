//! What a misbehaving host may cost, over a real loopback sshd: endless output is cut at the
//! cap and the command ended, a command past `--command-timeout` does not live on on the
//! host, and the session serves the next command either way; in a batch (`run_many`), the
//! other commands are not affected, the host's disk holds at most the cap a stream, and the
//! batch's temporary directory goes, also when the batch timed out.
//!
//! The remote commands carry marker arguments (`yes rdma-flood.4242`, `sleep 120.4242`) so
//! the checks find exactly them in /proc (read-only: nothing here signals a process).

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rdma_phase::{CommandOutput, RemoteCommand, Transport, TransportError};
use support::commands::sh;
use support::procs;
use support::serve::{session, session_behind_proxy};
use support::{sshd_available, Client, SshdSetup};

/// Run `argv` as a command while watching this machine for it: the result, and the PIDs
/// it ran as (so a check that it is gone afterwards cannot pass because it never ran).
fn run_watched(
    session: &mut dyn Transport,
    argv: &[&str],
) -> (Result<CommandOutput, TransportError>, Vec<u32>) {
    std::thread::scope(|scope| {
        let watcher = scope.spawn(|| procs::wait_for(argv, Duration::from_secs(10)));
        let result = session.run(&RemoteCommand::read(argv.iter().copied()));
        (result, watcher.join().expect("watcher"))
    })
}

/// The command failed with the output cap error naming `stream`.
fn assert_capped(result: Result<CommandOutput, TransportError>, stream: &str) {
    let error = match result {
        Ok(output) => panic!(
            "expected the output cap, got {} bytes of stdout, {} of stderr",
            output.stdout.len(),
            output.stderr.len()
        ),
        Err(error) => error,
    };
    let TransportError::Command { reason, hint, .. } = &error else {
        panic!("expected a command error, got {error:?}");
    };
    assert!(reason.contains("output over 4 MiB"), "{reason}");
    assert!(reason.contains(stream), "{reason}");
    assert!(hint.contains("ssh studio"), "{hint}");
    assert!(!error.is_fatal_for_host());
}

#[test]
fn endless_output_is_cut_at_the_cap_and_the_session_goes_on() {
    if !sshd_available("endless_output") {
        return;
    }
    let client = Client::new();
    // Short, so that a transport without the cap gives up before buffering gigabytes.
    let (_sshd, mut session) = session(&client, SshdSetup::default(), Duration::from_secs(5));

    let started = Instant::now();
    let (result, pids) = run_watched(&mut session, &["yes", "rdma-flood.4242"]);
    assert_capped(result, "stdout");
    // The cap, not the deadline, ended it (the error says so too).
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
    assert!(
        !pids.is_empty(),
        "the flooding command was never seen running"
    );
    let gone = procs::gone_within(&pids, Duration::from_secs(5));
    eprintln!("stdout flood: capped after {elapsed:?}, gone from the host {gone:?} later");
    assert!(gone.is_some(), "the flooding command still runs");
    let output = session
        .run(&RemoteCommand::read(["echo", "ok"]))
        .expect("the session serves the next command");
    assert_eq!(output.stdout, "ok\n");

    assert_capped(
        session.run(&RemoteCommand::read([
            "sh",
            "-c",
            "head -c 52428800 /dev/zero >&2",
        ])),
        "stderr",
    );
    let output = session
        .run(&RemoteCommand::read(["echo", "still ok"]))
        .expect("the session serves the next command");
    assert_eq!(output.stdout, "still ok\n");
}

#[test]
fn output_up_to_the_cap_is_returned_whole() {
    if !sshd_available("output_at_cap") {
        return;
    }
    let client = Client::new();
    let (_sshd, mut session) = session(&client, SshdSetup::default(), Duration::from_secs(60));
    let output = session
        .run(&RemoteCommand::read([
            "sh",
            "-c",
            "head -c 4194304 /dev/zero | tr '\\0' o; head -c 4194304 /dev/zero | tr '\\0' e >&2",
        ]))
        .expect("exactly the cap on both streams is fine");
    assert_eq!(output.stdout.len(), 4 * 1024 * 1024);
    assert_eq!(output.stderr.len(), 4 * 1024 * 1024);
    assert!(output.success());
}

#[test]
fn a_timed_out_command_is_ended_on_the_host() {
    if !sshd_available("timed_out_command_ended") {
        return;
    }
    let client = Client::new();
    let (_sshd, mut session) = session(&client, SshdSetup::default(), Duration::from_secs(2));
    let (result, pids) = run_watched(&mut session, &["sleep", "120.4242"]);
    let error = result.expect_err("must time out");
    assert!(
        matches!(&error, TransportError::Command { reason, .. } if reason.contains("2 s")),
        "{error:?}"
    );
    assert!(!pids.is_empty(), "`sleep 120.4242` was never seen running");
    let gone = procs::gone_within(&pids, Duration::from_secs(5));
    eprintln!("timed out after 2 s; `sleep 120.4242` gone from the host {gone:?} later");
    assert!(gone.is_some(), "`sleep 120.4242` outlived its timeout");

    let output = session
        .run(&RemoteCommand::read(["echo", "next"]))
        .expect("the session serves the next command");
    assert_eq!(output.stdout, "next\n");
}

#[test]
fn a_timed_out_command_behind_a_proxy_is_ended_on_the_target() {
    if !sshd_available("timed_out_behind_proxy") {
        return;
    }
    let client = Client::new();
    let (_target, _proxy, mut session) =
        session_behind_proxy(&client, SshdSetup::default(), Duration::from_secs(2));
    let (result, pids) = run_watched(&mut session, &["sleep", "120.4343"]);
    result.expect_err("must time out");
    assert!(!pids.is_empty(), "`sleep 120.4343` was never seen running");
    let gone = procs::gone_within(&pids, Duration::from_secs(5));
    eprintln!("through --proxy: `sleep 120.4343` gone from the target {gone:?} after the timeout");
    assert!(gone.is_some(), "`sleep 120.4343` outlived its timeout");
    let output = session
        .run(&RemoteCommand::read(["echo", "next"]))
        .expect("the session serves the next command");
    assert_eq!(output.stdout, "next\n");
}

/// `yes MARKER` that first writes its PID to `pid_file`. In a batch a flood is cut at the
/// cap within milliseconds, too soon to be found reliably by polling the process list on a
/// loaded machine; the PID it wrote names it for sure.
fn recorded_flood(pid_file: &std::path::Path, marker: &str) -> RemoteCommand {
    RemoteCommand::read([
        "sh".to_owned(),
        "-c".to_owned(),
        "echo $$ >\"$0\"; exec yes \"$1\"".to_owned(),
        pid_file.display().to_string(),
        marker.to_owned(),
    ])
}

/// The PID a [`recorded_flood`] wrote.
fn recorded_pid(pid_file: &std::path::Path) -> Vec<u32> {
    std::fs::read_to_string(pid_file)
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .into_iter()
        .collect()
}

#[test]
fn a_command_over_the_output_cap_fails_alone() {
    if !sshd_available("batch_output_cap") {
        return;
    }
    let client = Client::new();
    let (_sshd, mut session) = session(&client, SshdSetup::default(), Duration::from_secs(20));
    let pids_dir = tempfile::tempdir().expect("tempdir");
    let pid_file = pids_dir.path().join("flood.pid");
    let commands = [
        sh("echo before"),
        recorded_flood(&pid_file, "rdma-flood.5151"),
        sh("sleep 0.5; echo after"),
        sh("head -c 52428800 /dev/zero >&2"),
    ];
    let results = session.run_many(&commands);
    let pids = recorded_pid(&pid_file);
    let mut results = results.into_iter();
    assert_eq!(results.next().expect("0").expect("echo").stdout, "before\n");
    assert_capped(results.next().expect("1"), "stdout");
    assert_eq!(results.next().expect("2").expect("sleep").stdout, "after\n");
    assert_capped(results.next().expect("3"), "stderr");
    assert!(!pids.is_empty(), "the flood wrote no PID: it never ran");
    let gone = procs::gone_within(&pids, Duration::from_secs(5));
    eprintln!("flood in a batch: gone from the host {gone:?} after the batch");
    assert!(gone.is_some(), "the flooding command still runs");
    assert_eq!(
        session.run(&sh("echo next")).expect("next").stdout,
        "next\n"
    );
}

#[test]
fn a_timed_out_command_in_a_batch_is_ended_and_the_others_succeed() {
    if !sshd_available("batch_timeout") {
        return;
    }
    let client = Client::new();
    let (_sshd, mut session) = session(&client, SshdSetup::default(), Duration::from_secs(2));
    let sleeper = ["sleep", "120.5252"];
    let commands = [
        sh("echo quick"),
        RemoteCommand::read(sleeper),
        sh("sleep 0.5; echo slower"),
    ];
    let started = Instant::now();
    let (results, pids) = std::thread::scope(|scope| {
        let watcher = scope.spawn(|| procs::wait_for(&sleeper, Duration::from_secs(10)));
        let results = session.run_many(&commands);
        (results, watcher.join().expect("watcher"))
    });
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(4), "took {elapsed:?}");
    let mut results = results.into_iter();
    assert_eq!(results.next().expect("0").expect("quick").stdout, "quick\n");
    match results.next().expect("1") {
        Err(TransportError::Command {
            command, reason, ..
        }) => {
            assert_eq!(command, "sleep 120.5252");
            assert!(reason.contains("2 s"), "{reason}");
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert_eq!(
        results.next().expect("2").expect("slower").stdout,
        "slower\n"
    );
    assert!(!pids.is_empty(), "`sleep 120.5252` was never seen running");
    let gone = procs::gone_within(&pids, Duration::from_secs(5));
    eprintln!("timed out in a batch: `sleep 120.5252` gone from the host {gone:?} later");
    assert!(gone.is_some(), "`sleep 120.5252` outlived its timeout");
    assert_eq!(
        session.run(&sh("echo next")).expect("next").stdout,
        "next\n"
    );
}

/// The largest file in `tmp`'s subdirectories, and whether there was one, watched until
/// `done` is set: what a batch keeps on the host's disk while it runs.
fn watch_disk(tmp: &std::path::Path, done: &AtomicBool) -> (u64, bool) {
    let (mut largest, mut seen) = (0, false);
    while !done.load(Ordering::Relaxed) {
        for dir in std::fs::read_dir(tmp).into_iter().flatten().flatten() {
            seen = true;
            for file in std::fs::read_dir(dir.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                let size = file.metadata().map_or(0, |meta| meta.len());
                largest = largest.max(size);
            }
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    (largest, seen)
}

/// The entries of `tmp` left once a batch's directory had up to `within` to go.
fn left_in(tmp: &std::path::Path, within: Duration) -> Vec<std::path::PathBuf> {
    let started = Instant::now();
    loop {
        let left: Vec<_> = std::fs::read_dir(tmp)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
            .collect();
        if left.is_empty() || started.elapsed() >= within {
            return left;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_batch_keeps_at_most_the_cap_on_the_hosts_disk_and_leaves_nothing_behind() {
    if !sshd_available("batch_disk_bounds") {
        return;
    }
    let client = Client::new();
    let tmp = tempfile::tempdir().expect("tempdir");
    let env = format!("TMPDIR={}", tmp.path().display());
    let (_sshd, mut session) = session(
        &client,
        SshdSetup {
            env: &env,
            ..SshdSetup::default()
        },
        Duration::from_secs(2),
    );

    // Floods on both streams: cut at the source, so no file on the host outgrows the cap.
    // The flood's PID goes elsewhere: `tmp` must be left empty.
    let pids_dir = tempfile::tempdir().expect("tempdir");
    let pid_file = pids_dir.path().join("flood.pid");
    let commands = [
        recorded_flood(&pid_file, "rdma-flood.6161"),
        sh("head -c 104857600 /dev/zero >&2"),
        sh("echo fine"),
    ];
    let done = AtomicBool::new(false);
    let (results, (largest, seen)) = std::thread::scope(|scope| {
        let disk = scope.spawn(|| watch_disk(tmp.path(), &done));
        let results = session.run_many(&commands);
        done.store(true, Ordering::Relaxed);
        (results, disk.join().expect("disk watcher"))
    });
    let pids = recorded_pid(&pid_file);
    let mut results = results.into_iter();
    assert_capped(results.next().expect("0"), "stdout");
    assert_capped(results.next().expect("1"), "stderr");
    assert_eq!(results.next().expect("2").expect("echo").stdout, "fine\n");
    eprintln!("floods in a batch: the largest file on the host held {largest} bytes");
    assert!(seen, "the batch's directory was never seen");
    // The file-size limit counts 512-byte blocks: the first block past the cap.
    assert!(largest <= 4 * 1024 * 1024 + 512, "{largest} bytes on disk");
    assert!(!pids.is_empty(), "the flood wrote no PID: it never ran");
    assert!(procs::gone_within(&pids, Duration::from_secs(5)).is_some());
    assert_eq!(
        left_in(tmp.path(), Duration::from_secs(2)),
        Vec::<std::path::PathBuf>::new()
    );

    // Timed out: the channel closes, the lifeline ends the rest and removes the directory.
    let sleeper = ["sleep", "120.6262"];
    let commands = [RemoteCommand::read(sleeper), sh("echo quick")];
    let (results, pids) = std::thread::scope(|scope| {
        let watcher = scope.spawn(|| procs::wait_for(&sleeper, Duration::from_secs(5)));
        let results = session.run_many(&commands);
        (results, watcher.join().expect("watcher"))
    });
    let timed_out = Instant::now();
    assert!(
        matches!(&results[0], Err(TransportError::Command { reason, .. }) if reason.contains("2 s")),
        "{:?}",
        results[0]
    );
    assert_eq!(results[1].as_ref().expect("quick").stdout, "quick\n");
    assert!(!pids.is_empty(), "`sleep 120.6262` was never seen running");
    assert!(procs::gone_within(&pids, Duration::from_secs(5)).is_some());
    let left = left_in(tmp.path(), Duration::from_secs(5));
    eprintln!(
        "timed-out batch: directory gone {:?} after the timeout",
        timed_out.elapsed()
    );
    assert_eq!(left, Vec::<std::path::PathBuf>::new());
    assert_eq!(session.run_many(&[sh("echo a"), sh("echo b")]).len(), 2);
    assert_eq!(
        left_in(tmp.path(), Duration::from_secs(2)),
        Vec::<std::path::PathBuf>::new()
    );
}
