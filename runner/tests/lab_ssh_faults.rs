//! End to end with hosts that cannot be reached, trusted or relied on: the others are still
//! configured, the run ends in bounded time, host keys are never silently accepted, and a
//! host printing without end or never answering costs neither memory nor a leftover
//! process.

use std::path::Path;
use std::time::{Duration, Instant};

use rdma_harness::examples::{THREE_NODE_MESH, TWO_NODE_PAIR};
use rdma_harness::lab::testing::{lab_for_test, MeasuredRun, ToolRun};
use rdma_harness::lab::{scenario, Fault, HostKeyFault, Lab};

const MESH: &[&str] = &THREE_NODE_MESH;

const PAIR: &[&str] = &TWO_NODE_PAIR;

/// Past this the tool's memory would grow with what a host prints.
const MEMORY_CEILING_KIB: u64 = 64 * 1024;

fn run_measured(lab: &Lab, args: &[&str], extra: &[&str]) -> MeasuredRun {
    let args: Vec<&str> = args.iter().chain(extra).copied().collect();
    lab.run_tool_measured(Path::new(env!("CARGO_BIN_EXE_rdma-setup")), &args, &[])
        .expect("rdma-setup starts")
}

fn run(lab: &Lab, args: &[&str], extra: &[&str]) -> ToolRun {
    run_measured(lab, args, extra).run
}

#[test]
fn unreachable_hosts_do_not_stop_the_others() {
    for fault in [
        Fault::SshdDown {
            host: "machine-c".into(),
        },
        Fault::HostDown {
            host: "machine-c".into(),
        },
    ] {
        let Some(lab) = lab_for_test(scenario::three_node().with(fault.clone())) else {
            return;
        };
        let result = run(&lab, MESH, &["--connect-timeout", "3"]);
        let log = format!("{fault:?}\n{}", result.transcript());
        assert_eq!(result.code, Some(1), "{log}");
        assert!(result.elapsed < Duration::from_secs(20), "{log}");
        assert!(
            result.stdout.contains("machine-c") || result.stderr.contains("machine-c"),
            "{log}"
        );
        assert_eq!(
            lab.static_addrs("machine-a", "en3").expect("ip"),
            ["10.254.0.1/30"],
            "{log}"
        );
        assert_eq!(
            lab.static_addrs("machine-b", "en3").expect("ip"),
            ["10.254.0.2/30"],
            "{log}"
        );
        assert!(result.stdout.contains("machine-a -> machine-b: ✓"), "{log}");
    }
}

#[test]
fn unknown_host_key_is_refused_unless_accepted() {
    let spec = scenario::two_node().with(Fault::HostKey {
        host: "hwstudio2".into(),
        kind: HostKeyFault::Unknown,
    });
    let Some(lab) = lab_for_test(spec) else {
        return;
    };
    let refused = run(&lab, PAIR, &[]);
    let log = refused.transcript();
    assert_eq!(refused.code, Some(1), "{log}");
    assert!(
        lab.static_addrs("hwstudio2", "en5").expect("ip").is_empty(),
        "{log}"
    );
    assert!(
        lab.commands("hwstudio2").is_empty(),
        "commands ran on an untrusted host\n{log}"
    );

    let accepted = run(&lab, PAIR, &["--accept-new-host-keys"]);
    let log = accepted.transcript();
    assert_eq!(accepted.code, Some(0), "{log}");
    let known = std::fs::read_to_string(lab.known_hosts_path()).expect("known_hosts");
    assert_eq!(
        known.lines().count(),
        2,
        "the new key was not recorded\n{known}"
    );
    // Recorded: the next run needs no flag.
    assert_eq!(run(&lab, PAIR, &[]).code, Some(0));
}

#[test]
fn changed_host_key_is_always_refused() {
    let spec = scenario::two_node().with(Fault::HostKey {
        host: "hwstudio1".into(),
        kind: HostKeyFault::Changed,
    });
    let Some(lab) = lab_for_test(spec) else {
        return;
    };
    for extra in [&[][..], &["--accept-new-host-keys"][..]] {
        let result = run(&lab, PAIR, extra);
        let log = result.transcript();
        assert_eq!(result.code, Some(1), "{log}");
        assert!(
            lab.commands("hwstudio1").is_empty(),
            "commands ran on an impostor\n{log}"
        );
        assert_eq!(
            lab.static_addrs("hwstudio2", "en5").expect("ip"),
            ["10.254.0.6/30"],
            "{log}"
        );
    }
}

#[test]
fn a_host_printing_without_end_is_cut_off_and_costs_no_memory() {
    let spec = scenario::three_node().with(Fault::Flood {
        host: "machine-c".into(),
    });
    let Some(lab) = lab_for_test(spec) else {
        return;
    };
    // A short timeout: a tool without the cap would buffer the flood until then, and a few
    // seconds of it are already gigabytes.
    let measured = run_measured(&lab, MESH, &["--command-timeout", "5"]);
    let result = &measured.run;
    let log = format!(
        "peak memory {:?} KiB\n{}",
        measured.peak_memory_kib,
        result.transcript()
    );
    eprintln!(
        "flood: exit {:?} after {:?}, peak memory (VmHWM) {:?} KiB",
        result.code, result.elapsed, measured.peak_memory_kib
    );
    assert_eq!(result.code, Some(1), "{log}");
    let row = result
        .stdout
        .lines()
        .find(|line| line.contains("✗") && line.contains("rdma_ctl status"))
        .unwrap_or_else(|| panic!("no ✗ row for rdma_ctl status\n{log}"));
    assert!(row.contains("output over 4 MiB on stdout"), "{log}");
    // Only machine-c's block has it; the others are configured and ping each other.
    assert_eq!(
        result.stdout.matches("output over 4 MiB").count(),
        1,
        "{log}"
    );
    assert!(result.stdout.contains("machine-a -> machine-b: ✓"), "{log}");
    assert_eq!(
        lab.static_addrs("machine-a", "en3").expect("ip"),
        ["10.254.0.1/30"],
        "{log}"
    );
    let peak = measured
        .peak_memory_kib
        .unwrap_or_else(|| panic!("the tool's memory was never read\n{log}"));
    assert!(peak < MEMORY_CEILING_KIB, "{log}");
    assert!(result.elapsed < Duration::from_secs(30), "{log}");
}

#[test]
fn a_hung_command_is_ended_on_the_host_after_the_timeout() {
    let spec = scenario::two_node().with(Fault::Hang {
        host: "hwstudio2".into(),
    });
    let Some(lab) = lab_for_test(spec) else {
        return;
    };
    // Watch the hanging command while the tool runs: when it started and when it was gone.
    let done = std::sync::atomic::AtomicBool::new(false);
    let (result, lifetime) = std::thread::scope(|scope| {
        let watcher = scope.spawn(|| {
            let mut seen: Option<Instant> = None;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                let hung = lab.hung_pids("hwstudio2");
                match (seen, Lab::still_running(&hung).is_empty()) {
                    (None, false) => seen = Some(Instant::now()),
                    (Some(since), true) => return Some(since.elapsed()),
                    _ => {}
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            None
        });
        let result = run(&lab, PAIR, &["--command-timeout", "2"]);
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        (result, watcher.join().expect("watcher"))
    });
    let exited = Instant::now();
    let log = result.transcript();
    assert_eq!(result.code, Some(1), "{log}");
    assert!(
        result
            .stdout
            .lines()
            .any(|line| line.contains("✗") && line.contains("no result within 2 s")),
        "{log}"
    );
    assert!(result.elapsed < Duration::from_secs(30), "{log}");
    let hung = lab.hung_pids("hwstudio2");
    assert!(!hung.is_empty(), "rdma_ctl status never hung\n{log}");
    let mut left = Lab::still_running(&hung);
    while !left.is_empty() && exited.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(20));
        left = Lab::still_running(&hung);
    }
    eprintln!(
        "hang: tool exited after {:?}; the hung rdma_ctl {hung:?} ran {lifetime:?} in all \
         (timeout 2 s), and was gone {:?} after the tool exited",
        result.elapsed,
        exited.elapsed()
    );
    assert!(
        left.is_empty(),
        "rdma_ctl status {left:?} still runs on hwstudio2 after the tool exited\n{log}"
    );
    // hwstudio1 is unaffected.
    assert_eq!(
        lab.static_addrs("hwstudio1", "en5").expect("ip"),
        ["10.254.0.5/30"],
        "{log}"
    );
}
