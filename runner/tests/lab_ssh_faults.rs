//! End to end with hosts that cannot be reached or trusted: the others are still
//! configured, the run ends in bounded time, and host keys are never silently accepted.

use std::path::Path;
use std::time::Duration;

use rdma_harness::examples::{THREE_NODE_MESH, TWO_NODE_PAIR};
use rdma_harness::lab::testing::{lab_for_test, ToolRun};
use rdma_harness::lab::{scenario, Fault, HostKeyFault, Lab};

const MESH: &[&str] = &THREE_NODE_MESH;

const PAIR: &[&str] = &TWO_NODE_PAIR;

fn run(lab: &Lab, args: &[&str], extra: &[&str]) -> ToolRun {
    let args: Vec<&str> = args.iter().chain(extra).copied().collect();
    lab.run_tool(Path::new(env!("CARGO_BIN_EXE_rdma-setup")), &args, &[])
        .expect("rdma-setup starts")
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
            lab.ipv4_addrs("machine-a", "en3").expect("ip"),
            ["10.254.0.1/30"],
            "{log}"
        );
        assert_eq!(
            lab.ipv4_addrs("machine-b", "en3").expect("ip"),
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
        lab.ipv4_addrs("hwstudio2", "en5").expect("ip").is_empty(),
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
            lab.ipv4_addrs("hwstudio2", "en5").expect("ip"),
            ["10.254.0.6/30"],
            "{log}"
        );
    }
}
