//! Two runs at once against one lab cluster (a cron `--check` and a person's run, two team
//! members): the host lock keeps them from fighting, and neither reports a false ✗.
//!
//! Needs root. Without it these tests skip, loudly, unless `CI=true`, where they fail.

mod child;
mod lab_lock;

use std::time::{Duration, Instant};

use child::{in_lab, Finished, Running};
use rdma_harness::lab::testing::lab_for_test;
use rdma_harness::lab::{scenario, Lab};
use rdma_phase::host_lock::LOCK_PATH;

fn start(lab: &Lab, args: &[&str]) -> Running {
    let mut command = in_lab(lab, args);
    command.env("NO_COLOR", "1");
    Running::start(command)
}

fn run(lab: &Lab, args: &[&str]) -> Finished {
    start(lab, args).wait(Duration::from_secs(90))
}

/// Put every cable end back as after a reboot: no address, no device file.
fn reboot(lab: &Lab, spec: &rdma_harness::lab::LabSpec) {
    for cable in &spec.cables {
        for end in [&cable.a, &cable.b] {
            let flush = format!("ip -4 addr flush dev {}", end.port);
            let output = lab.sh(&end.host, &flush).expect("flush");
            assert!(output.status.success(), "{flush} on {}", end.host);
        }
    }
    for host in &spec.hosts {
        let _ = std::fs::remove_file(lab.device_file_path(host));
    }
}

#[test]
fn two_runs_at_once_never_report_a_false_failure() {
    let spec = scenario::four_node();
    let Some(lab) = lab_for_test(spec.clone()) else {
        return;
    };
    let nodes = scenario::node_args(&spec);
    // -v: a run says in its log when it waits for the other's lock.
    let mut apply: Vec<&str> = nodes.iter().map(String::as_str).collect();
    apply.push("-v");
    let mut check = apply.clone();
    check.push("--check");
    let mut waited = 0;
    for round in 0..10 {
        reboot(&lab, &spec);
        // Even rounds: two people configure at once. Odd rounds: cron checks during a run.
        let second = if round % 2 == 0 { &apply } else { &check };
        let first = start(&lab, &apply);
        std::thread::sleep(Duration::from_millis(20 * (round % 3)));
        let second = start(&lab, second);
        let (first, second) = (
            first.wait(Duration::from_secs(90)),
            second.wait(Duration::from_secs(90)),
        );
        let log = format!("round {round}\n{}\n{}", first.log(), second.log());
        assert_eq!(first.code(), Some(0), "{log}");
        let second_ok: &[i32] = if round % 2 == 0 { &[0] } else { &[0, 3] };
        assert!(
            second.code().is_some_and(|code| second_ok.contains(&code)),
            "{log}"
        );
        for finished in [&first, &second] {
            assert!(!finished.stdout.contains('✗'), "a false failure: {log}");
        }
        waited += usize::from(
            first.stderr.contains("waiting for another run's lock")
                || second.stderr.contains("waiting for another run's lock"),
        );
        // Whatever the interleaving, the cluster ends configured.
        let after = run(&lab, &check);
        assert_eq!(after.code(), Some(0), "round {round}: {}", after.log());
    }
    eprintln!("rounds in which a run logged that it waited: {waited} of 10");
}

#[test]
fn a_held_lock_names_its_run_and_a_dead_one_is_taken_over() {
    let spec = scenario::two_node();
    let Some(lab) = lab_for_test(spec.clone()) else {
        return;
    };
    let nodes = scenario::node_args(&spec);
    let mut args: Vec<&str> = nodes.iter().map(String::as_str).collect();
    args.extend(["--lock-wait", "1"]);

    // A live run elsewhere: its SSH session's sshd stays up while `sleep` runs.
    let holder = lab.ssh(
        "hwstudio1",
        &format!("echo \"$PPID $(date +%s) session alice@laptop-2:77\" > {LOCK_PATH}; sleep 1"),
    );
    assert!(holder.is_ok());
    // The command above has ended, and its session with it: the lock it left is stale.
    let stale = run(&lab, &args);
    assert_eq!(stale.code(), Some(0), "{}", stale.log());

    let keeper = lab_lock::hold(&lab, "hwstudio1", "alice@laptop-2:77", 6);
    let busy = run(&lab, &args);
    let log = busy.log();
    assert_eq!(busy.code(), Some(1), "{log}");
    assert!(
        busy.stdout
            .contains("  ✗ another rdma-setup run (alice@laptop-2:77, started "),
        "{log}"
    );
    assert!(
        busy.stdout
            .contains("s ago) is changing hwstudio1: nothing was changed here\n"),
        "{log}"
    );
    assert!(
        busy.stdout
            .contains(&format!("`ssh hwstudio1 rm -f {LOCK_PATH}`")),
        "{log}"
    );
    assert!(busy.stdout.contains("hwstudio2 -> hwstudio1: - not tested: hwstudio1 busy with another rdma-setup run (see above)"), "{log}");
    // The other host was configured as usual.
    assert!(
        busy.stdout.contains("Static IP already set: 10.254.0.2/30")
            || busy.stdout.contains("Static IP set: 10.254.0.2/30"),
        "{log}"
    );
    keeper.signal("TERM");
    let _ = keeper.wait(Duration::from_secs(10));
}

#[test]
fn a_run_killed_while_it_holds_a_lock_does_not_block_the_next() {
    let spec = scenario::two_node();
    let Some(lab) = lab_for_test(spec.clone()) else {
        return;
    };
    let nodes = scenario::node_args(&spec);
    let mut args: Vec<&str> = nodes.iter().map(String::as_str).collect();
    args.extend(["--command-timeout", "60"]);
    // hwstudio1's sudo hangs: the run holds hwstudio1's lock, taken in the request that
    // makes the changes, while the first of them never ends.
    lab.set_sudo_hangs("hwstudio1", true)
        .expect("make sudo hang");
    let running = start(&lab, &args);
    let lock = lab.host_tmp("hwstudio1").join("rdma-setup.lock");
    let deadline = Instant::now() + Duration::from_secs(20);
    let held = loop {
        let content = std::fs::read_to_string(&lock).unwrap_or_default();
        if content.contains(" session ") || Instant::now() > deadline {
            break content;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    // Through the tool's wrapper on the Mac, the lock still names the connection's sshd.
    assert!(held.contains(" session "), "lock: {held:?}");
    std::thread::sleep(Duration::from_millis(500));
    running.signal("KILL");
    let killed = running.wait(Duration::from_secs(10));
    assert_eq!(killed.code(), None, "{}", killed.log());

    // The next run finds the lock of a run that is gone and takes it over at once.
    lab.set_sudo_hangs("hwstudio1", false)
        .expect("sudo works again");
    args.truncate(nodes.len());
    args.extend(["--only", "bridge,ip", "--lock-wait", "5"]);
    let next = run(&lab, &args);
    let log = next.log();
    assert_eq!(next.code(), Some(0), "{log}");
    assert!(!next.stdout.contains("another rdma-setup run"), "{log}");
    assert!(next.elapsed < Duration::from_secs(4), "it waited: {log}");
}
