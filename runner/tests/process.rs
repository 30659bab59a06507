//! The real binary as users run it: a process with its own stdout and stderr, exit status and
//! signals. What in-process tests cannot see (a lock held on stderr, a full disk, Ctrl-C) is
//! tested here.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_rdma-setup");

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(name)
}

/// What a finished run printed. A run that outlives `limit` is killed (by its PID) and the
/// test fails: a hang must show up as a failure, not as a CI time-out.
struct Finished {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

fn wait_bounded(mut child: Child, limit: Duration) -> Finished {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let mut stdout = String::new();
            let mut stderr = String::new();
            if let Some(mut out) = child.stdout.take() {
                out.read_to_string(&mut stdout).expect("stdout");
            }
            if let Some(mut err) = child.stderr.take() {
                err.read_to_string(&mut stderr).expect("stderr");
            }
            return Finished {
                status,
                stdout,
                stderr,
            };
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("rdma-setup did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Start the binary with both streams piped to files, so a chatty run cannot block on a
/// full pipe while we wait for it.
fn start(args: &[&str], dir: &Path) -> Child {
    let out = std::fs::File::create(dir.join("stdout")).expect("stdout file");
    let err = std::fs::File::create(dir.join("stderr")).expect("stderr file");
    Command::new(BINARY)
        .args(args)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .expect("the binary starts")
}

fn run(args: &[&str]) -> Finished {
    let dir = tempfile::tempdir().expect("temp dir");
    let child = start(args, dir.path());
    let finished = wait_bounded(child, Duration::from_secs(20));
    Finished {
        stdout: std::fs::read_to_string(dir.path().join("stdout")).expect("stdout"),
        stderr: std::fs::read_to_string(dir.path().join("stderr")).expect("stderr"),
        ..finished
    }
}

#[test]
fn verbose_runs_end_and_log_to_stderr_without_colour_codes() {
    let replay = fixture("two-node-reboot");
    let replay = replay.to_str().expect("utf-8 path");
    let dry_run = [
        "--dry-run",
        "--node",
        "hwstudio1:en5:10.254.0.5",
        "--node",
        "hwstudio2:en5:10.254.0.6",
    ];
    let cases: [(&[&str], &str); 4] = [
        (&["-v", "--replay", replay], "DEBUG"),
        (&["-vv", "--replay", replay], "DEBUG"),
        (
            &[
                "-v", dry_run[0], dry_run[1], dry_run[2], dry_run[3], dry_run[4],
            ],
            "DEBUG",
        ),
        (
            &[
                "-vv", dry_run[0], dry_run[1], dry_run[2], dry_run[3], dry_run[4],
            ],
            "phase finished",
        ),
    ];
    for (args, expected_log) in cases {
        let run = run(args);
        assert_eq!(run.status.code(), Some(0), "{args:?}: {}", run.stderr);
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
        let output = Command::new(BINARY)
            .args(args)
            .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
            .stdin(Stdio::null())
            .stdout(full())
            .output()
            .expect("the binary runs");
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.starts_with("ERROR: cannot write the output: "),
            "{args:?}: {stderr}"
        );
    }
}

#[rstest::rstest]
#[case(&["--connect-timeout", "0"], "error: invalid value '0' for '--connect-timeout <SECS>': 0 seconds is out of range: give 1 to 86400, e.g. 10")]
#[case(&["--command-timeout", "99999999999999999"], "error: invalid value '99999999999999999' for '--command-timeout <SECS>': 99999999999999999 seconds is out of range")]
#[case(&["--command-timeout", "ten"], "error: invalid value 'ten' for '--command-timeout <SECS>': 'ten' is not a number of seconds, e.g. 10")]
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
    assert_eq!(run.status.code(), Some(2), "{}", run.stderr);
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
    let child = start(
        &[
            "--ssh-config",
            config.to_str().expect("utf-8 path"),
            "--connect-timeout",
            "60",
            "--node",
            "hwstudio1:en5:10.254.0.5",
            "--node",
            "hwstudio2:en5:10.254.0.6",
        ],
        dir.path(),
    );
    std::thread::sleep(Duration::from_millis(700));
    let pid = child.id().to_string();
    let sent = Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill");
    assert!(sent.success());
    let started = Instant::now();
    let finished = wait_bounded(child, Duration::from_secs(10));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    let stdout = std::fs::read_to_string(dir.path().join("stdout")).expect("stdout");
    let stderr = std::fs::read_to_string(dir.path().join("stderr")).expect("stderr");
    assert_eq!(finished.status.code(), Some(130), "{stdout}{stderr}");
    assert!(stdout.contains("[1/2] Configuring hwstudio1 (en5 -> 10.254.0.5/30)\n  - interrupted (Ctrl-C) while connecting to hwstudio1\n"), "{stdout}");
    assert!(stdout.contains("[2/2] Configuring hwstudio2"), "{stdout}");
    assert!(stdout.contains("\nInterrupted (Ctrl-C): "), "{stdout}");
    assert!(
        stdout.contains("  hwstudio1      en5   10.254.0.5/30      RDMA:-         -\n"),
        "{stdout}"
    );
}
