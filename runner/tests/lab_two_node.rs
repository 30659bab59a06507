//! End to end on two simulated Macs: the real `rdma-setup` binary, over real SSH, against
//! real namespaces, addresses and pings (see `rdma_harness::lab`).
//!
//! Needs root. Without it these tests skip, loudly, unless `CI=true`, where they fail.

use std::path::Path;

use rdma_harness::examples::TWO_NODE_PAIR;
use rdma_harness::lab::testing::{lab_for_test, ToolRun};
use rdma_harness::lab::{scenario, Fault, Lab};

const NODES: &[&str] = &TWO_NODE_PAIR;

fn run(lab: &Lab, extra: &[&str], env: &[(&str, &str)]) -> ToolRun {
    let args: Vec<&str> = NODES.iter().chain(extra).copied().collect();
    lab.run_tool(Path::new(env!("CARGO_BIN_EXE_rdma-setup")), &args, env)
        .expect("rdma-setup starts")
}

fn device_file(lab: &Lab, host: &str) -> String {
    lab.device_file(host)
        .unwrap_or_else(|err| panic!("no device file on {host}: {err}"))
}

#[test]
fn fresh_reboot_is_restored_and_a_rerun_changes_nothing() {
    let Some(lab) = lab_for_test(scenario::two_node()) else {
        return;
    };
    let first = run(&lab, &[], &[]);
    let log = first.transcript();
    assert_eq!(first.code, Some(0), "{log}");
    assert!(
        first.stdout.contains("✓ Static IP set: 10.254.0.5/30"),
        "{log}"
    );
    assert!(
        first.stdout.contains("✓ Static IP set: 10.254.0.6/30"),
        "{log}"
    );
    assert!(first.stdout.contains("hwstudio1 -> hwstudio2: ✓ "), "{log}");
    assert!(first.stdout.contains("hwstudio2 -> hwstudio1: ✓ "), "{log}");
    assert!(
        !first.stdout.contains('✗') && !first.stdout.contains('⚠'),
        "{log}"
    );
    assert_eq!(
        lab.static_addrs("hwstudio1", "en5").expect("ip"),
        ["10.254.0.5/30"]
    );
    assert_eq!(
        lab.static_addrs("hwstudio2", "en5").expect("ip"),
        ["10.254.0.6/30"]
    );
    for host in ["hwstudio1", "hwstudio2"] {
        assert_eq!(
            device_file(&lab, host).trim(),
            r#"[[null,"rdma_en5"],["rdma_en5",null]]"#
        );
        assert_eq!(
            lab.sudo_invocations(host)
                .iter()
                .filter(|l| l.contains("ifconfig"))
                .count(),
            1
        );
    }

    let sudo_before: usize = ["hwstudio1", "hwstudio2"]
        .iter()
        .map(|host| lab.sudo_invocations(host).len())
        .sum();
    // The re-run takes its cluster from a file saved from the same command line.
    let folder = tempfile::tempdir().expect("temp dir");
    let cluster = folder.path().join("rdma-cluster.toml");
    let cluster = cluster.display().to_string();
    let saved = std::process::Command::new(env!("CARGO_BIN_EXE_rdma-setup"))
        .args(["--save", &cluster])
        .args(NODES)
        .output()
        .expect("rdma-setup --save starts");
    assert!(saved.status.success(), "{saved:?}");
    let second = lab
        .run_tool(
            Path::new(env!("CARGO_BIN_EXE_rdma-setup")),
            &["--cluster", &cluster],
            &[],
        )
        .expect("rdma-setup starts");
    let log = second.transcript();
    assert_eq!(second.code, Some(0), "{log}");
    assert!(second.stderr.contains("Cluster from"), "{log}");
    assert!(
        second
            .stdout
            .contains("✓ Static IP already set: 10.254.0.5/30"),
        "{log}"
    );
    assert!(
        !second.stdout.contains('✗') && !second.stdout.contains('⚠'),
        "{log}"
    );
    let sudo_after: usize = ["hwstudio1", "hwstudio2"]
        .iter()
        .map(|host| lab.sudo_invocations(host).len())
        .sum();
    assert_eq!(
        sudo_after, sudo_before,
        "a re-run on a configured cluster used sudo\n{log}"
    );
}

#[test]
fn sudo_password_comes_from_the_environment() {
    let spec = scenario::two_node()
        .with(Fault::SudoPassword {
            host: "hwstudio1".into(),
            password: "pw-one".into(),
        })
        .with(Fault::SudoPassword {
            host: "hwstudio2".into(),
            password: "pw-one".into(),
        });
    let Some(lab) = lab_for_test(spec) else {
        return;
    };
    let wrong = run(&lab, &[], &[("RDMA_SETUP_SUDO_PASSWORD", "not-it")]);
    assert_eq!(wrong.code, Some(1), "{}", wrong.transcript());
    assert!(lab.static_addrs("hwstudio1", "en5").expect("ip").is_empty());

    let right = run(&lab, &[], &[("RDMA_SETUP_SUDO_PASSWORD", "pw-one")]);
    let log = right.transcript();
    assert_eq!(right.code, Some(0), "{log}");
    assert!(
        !right.stdout.contains("pw-one") && !right.stderr.contains("pw-one"),
        "{log}"
    );
    assert_eq!(
        lab.static_addrs("hwstudio2", "en5").expect("ip"),
        ["10.254.0.6/30"]
    );
    // The password went through stdin (`sudo -S`), never on a command line.
    for host in ["hwstudio1", "hwstudio2"] {
        assert!(lab
            .commands(host)
            .iter()
            .all(|line| !line.contains("pw-one")));
        assert!(lab
            .sudo_invocations(host)
            .iter()
            .any(|line| line.starts_with("sudo -S")));
    }
}

#[test]
fn bridged_ports_are_freed_and_disabled_rdma_is_reported() {
    let spec = scenario::two_node()
        .with(Fault::Bridged {
            host: "hwstudio1".into(),
            port: "en5".into(),
            bridge: "bridge0".into(),
        })
        .with(Fault::Bridged {
            host: "hwstudio2".into(),
            port: "en5".into(),
            bridge: "bridge1".into(),
        })
        .with(Fault::RdmaDisabled {
            host: "hwstudio2".into(),
        });
    let Some(lab) = lab_for_test(spec) else {
        return;
    };
    let result = run(&lab, &[], &[]);
    let log = result.transcript();
    assert_eq!(result.code, Some(1), "{log}");
    assert!(result.stdout.contains("en5 removed from bridge0"), "{log}");
    assert!(result.stdout.contains("en5 removed from bridge1"), "{log}");
    assert!(result.stdout.contains("RDMA: disabled"), "{log}");
    assert!(result.stdout.contains("Recovery"), "{log}");
    let members = lab
        .sh("hwstudio1", "ifconfig bridge0 | grep -c member: || true")
        .expect("sh");
    assert_eq!(String::from_utf8_lossy(&members.stdout).trim(), "0");
    assert_eq!(
        lab.static_addrs("hwstudio1", "en5").expect("ip"),
        ["10.254.0.5/30"]
    );

    // Once RDMA is enabled (from Recovery, outside the tool), a re-run is all green.
    lab.set_rdma("hwstudio2", true).expect("flag");
    let again = run(&lab, &[], &[]);
    let log = again.transcript();
    assert_eq!(again.code, Some(0), "{log}");
    assert!(again.stdout.contains("PORT_ACTIVE"), "{log}");
}

#[test]
fn an_unplugged_cable_fails_in_cabling_leaves_the_port_alone_and_works_once_plugged() {
    let spec = scenario::two_node().with(Fault::Unplugged {
        host: "hwstudio1".into(),
        port: "en5".into(),
    });
    let Some(mut lab) = lab_for_test(spec) else {
        return;
    };
    let result = run(&lab, &["--command-timeout", "10"], &[]);
    let log = result.transcript();
    assert_eq!(result.code, Some(1), "{log}");
    assert!(
        result.stdout.contains(
            "  ✗ nothing is plugged into en5 (planned: a cable to hwstudio2 en5); hwstudio2 en5 has nothing plugged in\n"
        ),
        "{log}"
    );
    assert!(
        result.stdout.contains(
            "hwstudio1 -> hwstudio2: - not tested: cabling failed for hwstudio1 en5 (see above)"
        ),
        "{log}"
    );
    // No address on a port whose cable does not lead where the plan says.
    for host in ["hwstudio1", "hwstudio2"] {
        assert!(
            lab.static_addrs(host, "en5").expect("ip").is_empty(),
            "{host}: {log}"
        );
    }

    lab.plug("hwstudio1", "en5").expect("plug");
    let again = run(&lab, &["--command-timeout", "10"], &[]);
    let log = again.transcript();
    assert_eq!(again.code, Some(0), "{log}");
    assert!(
        again
            .stdout
            .contains("  ✓ en5 -> hwstudio2 en5 (80 Gb/s)\n"),
        "{log}"
    );
    assert_eq!(
        lab.static_addrs("hwstudio1", "en5").expect("ip"),
        ["10.254.0.5/30"]
    );
}
