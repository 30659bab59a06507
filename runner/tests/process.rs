//! The real binary as users run it: a process with its own stdout and stderr, exit status and
//! signals. What in-process tests cannot see (a lock held on stderr, a full disk, Ctrl-C) is
//! tested here.

mod child;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use child::{binary, fixture, Finished, Running};
use rdma_harness::examples::TWO_NODE_PAIR;

fn start(args: &[&str]) -> Running {
    let mut command = Command::new(binary());
    command.args(args).env_remove("NO_COLOR");
    Running::start(command)
}

fn run(args: &[&str]) -> Finished {
    start(args).wait(Duration::from_secs(20))
}

#[test]
fn verbose_runs_end_and_log_to_stderr_without_colour_codes() {
    let replay = fixture("two-node-reboot");
    let replay = replay.as_str();
    let dry_run = |verbose| [&[verbose, "--dry-run"][..], &TWO_NODE_PAIR].concat();
    let cases: [(Vec<&str>, &str); 4] = [
        (vec!["-v", "--replay", replay], "DEBUG"),
        (vec!["-vv", "--replay", replay], "DEBUG"),
        (dry_run("-v"), "DEBUG"),
        (dry_run("-vv"), "phase finished"),
    ];
    for (args, expected_log) in cases {
        let run = run(&args);
        assert_eq!(run.code(), Some(0), "{args:?}: {}", run.stderr);
        assert!(
            run.stdout.contains("Summary\n=======\n"),
            "{args:?}: {}",
            run.stdout
        );
        assert!(
            run.stderr.contains(expected_log),
            "{args:?}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains("host=hwstudio2"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(
            !run.stderr.contains('\x1b'),
            "{args:?}: colour codes in a file: {:?}",
            run.stderr
        );
        assert!(
            !run.stdout.contains('\x1b'),
            "{args:?}: colour codes in a file"
        );
    }
}

#[test]
fn output_that_cannot_be_written_is_an_error() {
    if !Path::new("/dev/full").exists() {
        eprintln!("SKIPPED: no /dev/full here");
        return;
    }
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full")
    };
    let cases: [&[&str]; 3] = [
        &["--help"],
        &["--list-phases"],
        &["--replay", "fixtures/two-node-configured"],
    ];
    for args in cases {
        let output = Command::new(binary())
            .args(args)
            .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
            .stdin(Stdio::null())
            .stdout(full())
            .output()
            .expect("the binary runs");
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("ERROR: cannot write the output: "),
            "{args:?}: {stderr}"
        );
    }
}

#[rstest::rstest]
#[case(&["--connect-timeout", "0"], "error: invalid value '0' for '--connect-timeout <SECS>': 0 seconds is out of range: give 1 to 86400, e.g. 10")]
#[case(&["--command-timeout", "99999999999999999"], "error: invalid value '99999999999999999' for '--command-timeout <SECS>': 99999999999999999 seconds is out of range")]
#[case(&["--command-timeout", "ten"], "error: invalid value 'ten' for '--command-timeout <SECS>': 'ten' is not a number of seconds, e.g. 10")]
#[case(&["--lock-wait", "86401"], "error: invalid value '86401' for '--lock-wait <SECS>': 86401 seconds is out of range: give 0 to 86400, e.g. 10")]
#[case(&["--ssh-config", "/nonexistent/ssh_config"], "ERROR: --ssh-config /nonexistent/ssh_config: No such file or directory (os error 2); give the path of an ssh config file")]
#[case(&["--ssh-config", "/"], "ERROR: --ssh-config /: not a file")]
fn bad_ssh_options_are_refused_before_any_connection(
    #[case] flags: &[&str],
    #[case] message: &str,
) {
    // Hosts that do not resolve: were anything attempted, the run would be slow and say so.
    let mut args = vec![
        "--node",
        "nohost1.invalid:en5:10.254.0.5",
        "--node",
        "nohost2.invalid:en5:10.254.0.6",
    ];
    args.extend(flags);
    let started = Instant::now();
    let run = run(&args);
    assert_eq!(run.code(), Some(2), "{}", run.stderr);
    assert!(run.stderr.starts_with(message), "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// An ssh config whose hosts never answer: their ProxyCommand reads and says nothing, so the
/// handshake waits (until `--connect-timeout`). It ends by itself when our end closes.
fn silent_hosts_config(dir: &Path) -> PathBuf {
    let config = dir.join("ssh_config");
    std::fs::write(
        &config,
        "Host *\n  ProxyCommand cat >/dev/null\n  StrictHostKeyChecking yes\n",
    )
    .expect("ssh config");
    config
}

#[test]
fn ctrl_c_prints_what_finished_and_exits_130() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = silent_hosts_config(dir.path());
    let running = start(&[
        "--ssh-config",
        config.to_str().expect("utf-8 path"),
        "--connect-timeout",
        "60",
        "--node",
        "hwstudio1:en5:10.254.0.5",
        "--node",
        "hwstudio2:en5:10.254.0.6",
    ]);
    std::thread::sleep(Duration::from_millis(700));
    running.signal("INT");
    let signalled = Instant::now();
    let finished = running.wait(Duration::from_secs(10));
    assert!(
        signalled.elapsed() < Duration::from_secs(2),
        "took {:?}",
        signalled.elapsed()
    );
    let (log, stdout) = (finished.log(), &finished.stdout);
    assert_eq!(finished.code(), Some(130), "{log}");
    assert!(stdout.contains("[1/2] Configuring hwstudio1 (en5 -> 10.254.0.5/30)\n  - interrupted (Ctrl-C) while connecting to hwstudio1\n"), "{log}");
    assert!(stdout.contains("[2/2] Configuring hwstudio2"), "{log}");
    assert!(stdout.contains("\nInterrupted (Ctrl-C): "), "{log}");
    assert!(
        stdout.contains("  hwstudio1      en5   10.254.0.5/30      RDMA:-         -\n"),
        "{log}"
    );
}

#[test]
fn version_names_the_commit_it_was_built_from() {
    let finished = run(&["--version"]);
    assert_eq!(finished.code(), Some(0));
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned());
    let commit = head.unwrap_or_else(|| "unknown".to_owned());
    assert_eq!(
        finished.stdout,
        format!("rdma-setup {} ({commit})\n", env!("CARGO_PKG_VERSION"))
    );
}
