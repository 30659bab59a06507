//! `rdma-setup discover` on the real binary, where no host is needed: its help, and the
//! command lines it refuses (exit 2) before any host is contacted. The run flags keep
//! working beside it. Discovering real (simulated) Macs is in `lab_discover.rs`.

mod child;

use std::process::Command;
use std::time::Duration;

use child::{binary, Finished, Running};

fn run(args: &[&str]) -> Finished {
    let mut command = Command::new(binary());
    command.args(args).env("NO_COLOR", "1");
    // An empty ssh config and no agent: if anything did try a host, it could not hang.
    command.env_remove("SSH_AUTH_SOCK");
    Running::start(command).wait(Duration::from_secs(20))
}

#[test]
fn discover_help_names_the_hosts_the_file_the_pool_and_the_exit_codes() {
    let help = run(&["discover", "--help"]);
    assert_eq!(help.code(), Some(0), "{}", help.log());
    for part in [
        "Usage: rdma-setup discover [OPTIONS] <HOST>...",
        "rank order",
        "--cluster <FILE>",
        "[default: rdma-cluster.toml]",
        "--pool <CIDR>",
        "[default: 10.254.0.0/16]",
        "--force",
        "--proxy <PROXY_HOST:TARGET_HOST>",
        "--ssh-config <FILE>",
        "--connect-timeout <SECS>",
        "--command-timeout <SECS>",
        "--accept-new-host-keys",
        "Exit codes: 0 the file was written",
    ] {
        assert!(help.stdout.contains(part), "{part}\n{}", help.log());
    }
    // The run's own flags are not discover's.
    assert!(!help.stdout.contains("--node"), "{}", help.log());
    let main = run(&["--help"]);
    assert_eq!(main.code(), Some(0));
    assert!(main.stdout.contains("discover"), "{}", main.log());
    assert!(main.stdout.contains("--node <SSH_HOST:IFACE:RDMA_IP>"));
}

#[test]
fn bad_command_lines_exit_2_before_any_host_is_contacted() {
    let folder = tempfile::tempdir().expect("temp dir");
    let folder_arg = folder.path().display().to_string();
    let cases: [(&[&str], &str); 7] = [
        (
            &["discover", "--pool", "10.254.0.1/16", "mac1", "mac2"],
            "ERROR: --pool: '10.254.0.1/16' is not an address pool",
        ),
        (
            &["discover", "--pool", "10.254.0.0/31", "mac1", "mac2"],
            "ERROR: --pool: '10.254.0.0/31'",
        ),
        (
            &["discover", "mac1"],
            "ERROR: discover needs at least 2 hosts (got 1)",
        ),
        (&["discover"], "<HOST>..."),
        (&["discover", "mac1", "mac1"], "'mac1' is given twice"),
        (
            &["discover", "--cluster", &folder_arg, "mac1", "mac2"],
            "is a folder",
        ),
        (
            &["discover", "--connect-timeout", "0", "mac1", "mac2"],
            "out of range",
        ),
    ];
    for (args, expected) in cases {
        let finished = run(args);
        assert_eq!(finished.code(), Some(2), "{args:?}\n{}", finished.log());
        assert!(
            finished.stderr.contains(expected),
            "{args:?}: {expected}\n{}",
            finished.log()
        );
        assert!(
            !finished.stderr.contains("Reading"),
            "{args:?}\n{}",
            finished.log()
        );
    }
    assert_eq!(std::fs::read_dir(folder.path()).expect("list").count(), 0);
}

#[test]
fn run_flags_and_discover_do_not_mix() {
    // A run flag before the subcommand, and one after it: both refused, nothing run.
    for args in [
        &["--check", "discover", "mac1", "mac2"][..],
        &["discover", "--node", "mac1:en5:10.254.0.5", "mac1", "mac2"][..],
        &["discover", "--check", "mac1", "mac2"][..],
    ] {
        let finished = run(args);
        assert_eq!(finished.code(), Some(2), "{args:?}\n{}", finished.log());
        assert!(finished.stdout.is_empty(), "{}", finished.log());
    }
    // The flat run flags still work as before: a dry-run of the README's example.
    let dry = run(&[
        "--dry-run",
        "--node",
        "hwstudio1:en5:10.254.0.5",
        "--node",
        "hwstudio2:en5:10.254.0.6",
    ]);
    assert_eq!(dry.code(), Some(0), "{}", dry.log());
    assert!(
        dry.stdout.contains("[1/2] Configuring hwstudio1"),
        "{}",
        dry.log()
    );
}
