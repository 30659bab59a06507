//! End to end on meshes of simulated Macs: every host gets the same device matrix, whose
//! row i holds host i's own port towards each peer.

use std::path::Path;

use rdma_harness::examples::THREE_NODE_MESH;
use rdma_harness::lab::testing::lab_for_test;
use rdma_harness::lab::{scenario, Lab};

fn device_file(lab: &Lab, host: &str) -> String {
    lab.device_file(host)
        .unwrap_or_else(|err| panic!("no device file on {host}: {err}"))
}

/// `host`'s management address (`en0`): the `HostName` the lab's ssh config gives it.
fn management_address(lab: &Lab, host: &str) -> String {
    let state = lab.state().host(host).expect("a host of the lab");
    state.ssh_ip.to_string()
}

#[test]
fn three_node_mesh_gets_the_right_matrix_everywhere() {
    let Some(lab) = lab_for_test(scenario::three_node()) else {
        return;
    };
    let folder = tempfile::tempdir().expect("temp dir");
    let hostfile = folder.path().join("hostfile.json");
    let hostfile_arg = hostfile.display().to_string();
    let mut args = THREE_NODE_MESH.to_vec();
    args.extend(["--hostfile", &hostfile_arg]);
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
    // Rank 0's address comes from the ssh config, as the user's ssh reaches it.
    let written = std::fs::read_to_string(&hostfile).unwrap_or_else(|e| panic!("{e}\n{log}"));
    let json: serde_json::Value = serde_json::from_str(&written).expect("hostfile is JSON");
    assert_eq!(json["backend"], "jaccl", "{written}");
    let rank0 = management_address(&lab, "machine-a");
    assert_eq!(
        json["hosts"][0]["ips"],
        serde_json::json!([rank0]),
        "{written}"
    );
    let rows: Vec<String> = (0..3)
        .map(|rank| json["hosts"][rank]["rdma"].to_string())
        .collect();
    assert_eq!(format!("[{}]", rows.join(",")), want, "{written}");
    assert!(result.stderr.contains("written"), "{log}");
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
