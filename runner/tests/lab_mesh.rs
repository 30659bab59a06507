//! End to end on meshes of simulated Macs: every host gets the same device matrix, whose
//! row i holds host i's own port towards each peer.

use std::path::Path;

use rdma_harness::examples::THREE_NODE_MESH;
use rdma_harness::lab::testing::lab_for_test;
use rdma_harness::lab::{scenario, Lab};

fn device_file(lab: &Lab, host: &str) -> String {
    std::fs::read_to_string(lab.host_tmp(host).join("mlx_ibv_devices.json"))
        .unwrap_or_else(|err| panic!("no device file on {host}: {err}"))
}

#[test]
fn three_node_mesh_gets_the_right_matrix_everywhere() {
    let Some(lab) = lab_for_test(scenario::three_node()) else {
        return;
    };
    let args = THREE_NODE_MESH;
    let result = lab
        .run_tool(Path::new(env!("CARGO_BIN_EXE_rdma-setup")), &args, &[])
        .expect("rdma-setup starts");
    let log = result.transcript();
    assert_eq!(result.code, Some(0), "{log}");
    assert!(!result.stdout.contains('✗'), "{log}");
    let want = r#"[[null,"rdma_en3","rdma_en5"],["rdma_en3",null,"rdma_en5"],["rdma_en5","rdma_en3",null]]"#;
    for host in ["machine-a", "machine-b", "machine-c"] {
        assert_eq!(device_file(&lab, host).trim(), want, "{host}\n{log}");
    }
    assert_eq!(
        lab.static_addrs("machine-c", "en3").expect("ip"),
        ["10.254.0.10/30"]
    );
    for pair in [
        "machine-a -> machine-b: ✓",
        "machine-c -> machine-b: ✓",
        "machine-b -> machine-c: ✓",
    ] {
        assert!(result.stdout.contains(pair), "{pair}\n{log}");
    }
}

#[test]
fn four_node_full_mesh() {
    let Some(lab) = lab_for_test(scenario::four_node()) else {
        return;
    };
    let args = scenario::node_args(&scenario::four_node());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = lab
        .run_tool(Path::new(env!("CARGO_BIN_EXE_rdma-setup")), &args, &[])
        .expect("rdma-setup starts");
    let log = result.transcript();
    assert_eq!(result.code, Some(0), "{log}");
    let want = r#"[[null,"rdma_en2","rdma_en3","rdma_en4"],["rdma_en2",null,"rdma_en3","rdma_en4"],["rdma_en2","rdma_en3",null,"rdma_en4"],["rdma_en2","rdma_en3","rdma_en4",null]]"#;
    for host in ["mac1", "mac2", "mac3", "mac4"] {
        assert_eq!(device_file(&lab, host).trim(), want, "{host}\n{log}");
    }
    assert_eq!(result.stdout.matches(": ✓ ").count(), 12, "{log}");
}
