//! `--hostfile` in the lab: before the file is written, every host but rank 0 pings rank 0's
//! address once over SSH (real ICMP between the lab's namespaces). An address the others
//! reach gets the file; one they do not fails the run, names them and writes nothing.

use std::path::Path;

use rdma_harness::examples::THREE_NODE_MESH;
use rdma_harness::lab::testing::{lab_for_test, ToolRun};
use rdma_harness::lab::{scenario, Lab};

/// `host`'s management address (`en0`): the `HostName` the lab's ssh config gives it.
fn management_address(lab: &Lab, host: &str) -> String {
    let state = lab.state().host(host).expect("a host of the lab");
    state.ssh_ip.to_string()
}

fn run(lab: &Lab, hostfile: &Path, extra: &[&str]) -> ToolRun {
    let hostfile = hostfile.display().to_string();
    let mut args = THREE_NODE_MESH.to_vec();
    args.extend(["--hostfile", &hostfile]);
    args.extend(extra);
    lab.run_tool(Path::new(env!("CARGO_BIN_EXE_rdma-setup")), &args, &[])
        .expect("rdma-setup starts")
}

#[test]
fn rank_0_must_be_reachable_from_every_host_before_the_hostfile_is_written() {
    let Some(lab) = lab_for_test(scenario::three_node()) else {
        return;
    };
    let folder = tempfile::tempdir().expect("temp dir");
    let hostfile = folder.path().join("hostfile.json");

    // Rank 0's HostName is its management address, which every host reaches. The hosts ask
    // on the sessions of the run: one connection each (`-v` logs every TCP connect).
    let result = run(&lab, &hostfile, &["-v"]);
    let log = result.transcript();
    eprintln!("--- reachable ---\n{}", result.stderr);
    assert_eq!(result.code, Some(0), "{log}");
    assert_eq!(
        result.stderr.matches("TCP connect address=").count(),
        3,
        "{log}"
    );
    let rank0 = management_address(&lab, "machine-a");
    let config = lab.ssh_config_path().display().to_string();
    let said = format!(
        "rank 0 (machine-a) at {rank0}, its HostName in {config}; every other host reached it"
    );
    assert!(result.stderr.contains(&said), "{said}\n{log}");
    let written = std::fs::read_to_string(&hostfile).unwrap_or_else(|e| panic!("{e}\n{log}"));
    let json: serde_json::Value = serde_json::from_str(&written).expect("hostfile is JSON");
    assert_eq!(json["hosts"][0]["ips"], serde_json::json!([rank0]), "{log}");

    // From here on the file on disk must stay as it is.
    std::fs::write(&hostfile, "previous\n").expect("old hostfile");

    // Rank 0's Thunderbolt address on the machine-a/machine-b cable: machine-b reaches it
    // over that cable, machine-c has no route to it.
    let result = run(&lab, &hostfile, &["--rank0-ip", "10.254.0.1"]);
    let log = result.transcript();
    eprintln!("--- Thunderbolt address ---\n{}", result.stderr);
    assert_eq!(result.code, Some(1), "{log}");
    for says in [
        "not written: rank 0 (machine-a) at 10.254.0.1, from --rank0-ip, is not reachable from every host:",
        "\n  machine-c: no reply to `ping -c 1 -t 2 10.254.0.1`",
        "10.254.0.1 is machine-a's Thunderbolt address on en3",
        "give --rank0-ip ADDRESS with an address of machine-a that machine-c can reach",
    ] {
        assert!(result.stderr.contains(says), "{says}\n{log}");
    }
    assert!(!result.stderr.contains("machine-b: "), "{log}");
    assert_eq!(
        std::fs::read_to_string(&hostfile).expect("kept"),
        "previous\n"
    );

    // An address nobody has, inside the management subnet: no host gets a reply.
    let unused = rank0
        .rsplit_once('.')
        .map(|(net, _)| format!("{net}.250"))
        .expect("an IPv4 address");
    let result = run(&lab, &hostfile, &["--rank0-ip", &unused]);
    let log = result.transcript();
    eprintln!("--- unused address ---\n{}", result.stderr);
    assert_eq!(result.code, Some(1), "{log}");
    for host in ["machine-b", "machine-c"] {
        let says = format!("\n  {host}: no reply to `ping -c 1 -t 2 {unused}`");
        assert!(result.stderr.contains(&says), "{says}\n{log}");
    }
    assert!(
        result
            .stderr
            .contains("that machine-b and machine-c can reach"),
        "{log}"
    );
    assert_eq!(
        std::fs::read_to_string(&hostfile).expect("kept"),
        "previous\n"
    );
    let names: Vec<_> = std::fs::read_dir(folder.path())
        .expect("list")
        .map(|entry| entry.expect("entry").file_name())
        .collect();
    assert_eq!(names, ["hostfile.json"], "{log}");
}
