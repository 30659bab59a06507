//! The real binary against the lab where only a process shows the fault: logging while host
//! threads run (-v), Ctrl-C in the middle of a run, a device file that is a directory.
//!
//! Needs root. Without it these tests skip, loudly, unless `CI=true`, where they fail.

mod child;
mod lab_lock;

use std::time::{Duration, Instant};

use child::{in_lab, Finished, Running};
use rdma_harness::lab::testing::lab_for_test;
use rdma_harness::lab::{scenario, Lab};

fn start(lab: &Lab, args: &[&str]) -> Running {
    let mut command = in_lab(lab, args);
    command.env_remove("NO_COLOR");
    Running::start(command)
}

fn run(lab: &Lab, args: &[&str]) -> Finished {
    start(lab, args).wait(Duration::from_secs(60))
}

fn two_node_args() -> Vec<String> {
    scenario::node_args(&scenario::two_node())
}

#[test]
fn verbose_runs_over_ssh_end_and_log_without_colour() {
    let Some(lab) = lab_for_test(scenario::two_node()) else {
        return;
    };
    let nodes = two_node_args();
    for verbosity in ["-v", "-vv", "-v"] {
        let mut args: Vec<&str> = nodes.iter().map(String::as_str).collect();
        args.push(verbosity);
        let finished = run(&lab, &args);
        let log = finished.log();
        assert_eq!(finished.code(), Some(0), "{log}");
        assert!(finished.stdout.contains("Summary\n=======\n"), "{log}");
        assert!(finished.stderr.contains("DEBUG"), "{log}");
        assert!(finished.stderr.contains("session established"), "{log}");
        assert!(finished.stderr.contains("host=hwstudio2"), "{log}");
        assert!(
            !finished.stderr.contains('\x1b'),
            "colour codes in a file: {log}"
        );
    }
}

#[test]
fn ctrl_c_while_a_host_waits_prints_what_finished_and_exits_130() {
    let Some(lab) = lab_for_test(scenario::two_node()) else {
        return;
    };
    // Another run holds hwstudio2: its SSH session stays up while `sleep` runs.
    let keeper = lab_lock::hold(&lab, "hwstudio2", "bob@desk:9", 8);

    let nodes = two_node_args();
    let mut args: Vec<&str> = nodes.iter().map(String::as_str).collect();
    args.extend(["--lock-wait", "60"]);
    let running = start(&lab, &args);
    std::thread::sleep(Duration::from_secs(3));
    running.signal("INT");
    let signalled = Instant::now();
    let finished = running.wait(Duration::from_secs(20));
    let log = finished.log();
    assert!(signalled.elapsed() < Duration::from_secs(2), "{log}");
    assert_eq!(finished.code(), Some(130), "{log}");
    // hwstudio1 finished its changes; hwstudio2 was still waiting.
    assert!(finished.stdout.contains("[1/2] Configuring hwstudio1 (en5 -> 10.254.0.1/30)\n  ✓ en5 -> hwstudio2 en5 (80 Gb/s)\n  ✓ en5 not in any bridge\n  ✓ Static IP set: 10.254.0.1/30\n"), "{log}");
    assert!(
        finished.stdout.contains(
            "  - interrupted (Ctrl-C) while waiting for another run's lock on hwstudio2\n"
        ),
        "{log}"
    );
    assert!(
        finished.stdout.contains("\nInterrupted (Ctrl-C): "),
        "{log}"
    );
    assert_eq!(
        lab.static_addrs("hwstudio1", "en5").expect("ip"),
        ["10.254.0.1/30"]
    );
    assert!(
        lab.static_addrs("hwstudio2", "en5").expect("ip").is_empty(),
        "{log}"
    );
    keeper.signal("TERM");
    let _ = keeper.wait(Duration::from_secs(10));
}

#[test]
fn a_directory_in_the_device_files_place_is_named_and_nothing_is_left_behind() {
    let Some(lab) = lab_for_test(scenario::two_node()) else {
        return;
    };
    let in_the_way = lab.device_file_path("hwstudio1");
    std::fs::create_dir(&in_the_way).expect("a directory in the way");
    let nodes = two_node_args();
    let args: Vec<&str> = nodes.iter().map(String::as_str).collect();
    for _ in 0..2 {
        let finished = run(&lab, &args);
        let log = finished.log();
        assert_eq!(finished.code(), Some(1), "{log}");
        assert!(finished.stdout.contains("  ✗ /tmp/mlx_ibv_devices.json is a directory\n      ↳ JACCL needs a file there: on hwstudio1, look at what is in it, remove it with `sudo rm -r /tmp/mlx_ibv_devices.json`, and re-run\n"), "{log}");
        assert!(!finished.stdout.contains("differs after writing"), "{log}");
    }
    let inside = std::fs::read_dir(&in_the_way).expect("list").count();
    assert_eq!(inside, 0, "a temporary file was moved into the directory");
    let strays: Vec<_> = std::fs::read_dir(lab.host_tmp("hwstudio1"))
        .expect("list /tmp")
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("mlx_ibv_devices.json."))
        .collect();
    assert!(strays.is_empty(), "stray files: {strays:?}");
}
