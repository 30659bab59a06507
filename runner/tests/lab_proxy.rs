//! End to end with a Mac only reachable through another: the old tool's `--proxy` (the
//! proxy runs `ssh TARGET ...`) and OpenSSH's `ProxyJump` from the ssh config.

use std::path::Path;

use rdma_harness::examples::TWO_NODE_PAIR;
use rdma_harness::lab::testing::lab_for_test;
use rdma_harness::lab::{scenario, Fault, LabSpec};

const NODES: &[&str] = &TWO_NODE_PAIR;

fn hidden() -> LabSpec {
    scenario::two_node().with(Fault::BehindJump {
        host: "hwstudio2".into(),
        jump: "hwstudio1".into(),
    })
}

fn run_and_check(extra: &[&str], spec: LabSpec, env: &[(&str, &str)]) {
    let Some(lab) = lab_for_test(spec) else {
        return;
    };
    let args: Vec<&str> = NODES.iter().chain(extra).copied().collect();
    let result = lab
        .run_tool(Path::new(env!("CARGO_BIN_EXE_rdma-setup")), &args, env)
        .expect("rdma-setup starts");
    let log = result.transcript();
    assert_eq!(result.code, Some(0), "{log}");
    assert!(!result.stdout.contains('✗'), "{log}");
    assert_eq!(
        lab.static_addrs("hwstudio2", "en5").expect("ip"),
        ["10.254.0.6/30"]
    );
    let file = lab
        .device_file("hwstudio2")
        .expect("device file on the hidden host");
    assert_eq!(file.trim(), r#"[[null,"rdma_en5"],["rdma_en5",null]]"#);
    assert!(
        result.stdout.contains("hwstudio2 -> hwstudio1: ✓ "),
        "{log}"
    );
}

#[test]
fn through_the_old_proxy_flag() {
    run_and_check(&["--proxy", "hwstudio1:hwstudio2"], hidden(), &[]);
}

#[test]
fn through_the_old_proxy_flag_with_a_sudo_password() {
    let spec = hidden().with(Fault::SudoPassword {
        host: "hwstudio2".into(),
        password: "behind".into(),
    });
    run_and_check(
        &["--proxy", "hwstudio1:hwstudio2"],
        spec,
        &[("RDMA_SETUP_SUDO_PASSWORD", "behind")],
    );
}

#[test]
fn through_proxyjump_in_the_ssh_config() {
    run_and_check(&[], hidden(), &[]);
}
