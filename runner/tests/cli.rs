//! The command line itself: usage errors, help, phase listing, dry-run.

use std::ffi::OsString;

use rdma_harness::examples::{THREE_NODE_MESH, TWO_NODE_PAIR};
use rdma_setup::app::execute;

fn run(args: &[&str]) -> (i32, String, String) {
    let argv = std::iter::once("rdma-setup")
        .chain(args.iter().copied())
        .map(OsString::from);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let execution = execute(argv, false, &mut out, &mut err);
    (
        execution.exit_code,
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    )
}

#[test]
fn dry_run_of_the_readme_example() {
    let mut args = TWO_NODE_PAIR.to_vec();
    args.push("--dry-run");
    let (code, out, err) = run(&args);
    assert_eq!((code, err.as_str()), (0, ""));
    insta::assert_snapshot!(out);
}

#[test]
fn dry_run_through_a_proxy() {
    let mut args = TWO_NODE_PAIR.to_vec();
    args.extend([
        "--proxy",
        "hwstudio1:hwstudio2",
        "--dry-run",
        "--only",
        "ip",
    ]);
    let (code, out, _) = run(&args);
    assert_eq!(code, 0);
    insta::assert_snapshot!(out);
}

#[test]
fn dry_run_of_the_three_node_mesh_writes_each_hosts_own_ports() {
    let mut args = vec!["--dry-run", "--only", "ibv-config"];
    args.extend(THREE_NODE_MESH);
    let (code, out, _) = run(&args);
    assert_eq!(code, 0);
    let expected = r#"[[null,"rdma_en3","rdma_en5"],["rdma_en3",null,"rdma_en5"],["rdma_en5","rdma_en3",null]]"#;
    let sent = format!("with stdin: {expected}\n");
    assert_eq!(out.matches(&sent).count(), 3, "{out}");
}

#[test]
fn list_phases() {
    let (code, out, _) = run(&["--list-phases"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(out);
}

#[test]
fn usage_errors_name_the_culprit_and_exit_2() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--node", "hwstudio1:en5:10.254.0.5", "--node", "hwstudio2:en5:10.254.0.6", "--proxy", "hwstudio1-hwstudio2"],
            "ERROR: Invalid --proxy format: 'hwstudio1-hwstudio2'  (expected proxy_host:target_host)\n",
        ),
        (
            &["--node", "hwstudio1:en5"],
            "ERROR: Invalid --node format: 'hwstudio1:en5'  (expected ssh_host:interface:rdma_ip)\n",
        ),
        (
            &["--node", "hw;reboot:en5:10.254.0.5"],
            "ERROR: Invalid --node 'hw;reboot:en5:10.254.0.5': SSH host 'hw;reboot' may only use letters, digits, '.', '-', '_' and one optional 'user@'\n",
        ),
        (
            &["--node", "a:eth0x:10.254.0.5"],
            "ERROR: Invalid --node 'a:eth0x:10.254.0.5': interface 'eth0x' is not a macOS interface name like en5\n",
        ),
        (
            &["--node", "a:en5:10.254.0.300"],
            "ERROR: Invalid --node 'a:en5:10.254.0.300': '10.254.0.300' is not an IPv4 address like 10.254.0.5\n",
        ),
        (
            &["--node", "a:en5:10.254.0.5", "--node", "b:en5:10.254.0.6", "--netmask", "33"],
            "ERROR: Invalid --netmask '33': give a prefix length from 1 to 32, such as 30\n",
        ),
        (
            &["--node", "a:en5:10.254.0.5", "--node", "b:en5:10.254.0.6", "--only", "pingg"],
            "ERROR: unknown phase 'pingg' in --only; the phases are: cabling, bridge, ip, ibv-config, rdma-status, ibv-devices, ping\n",
        ),
        (
            &["--netmask", "30"],
            "ERROR: at least one --node is required, e.g. --node hwstudio1:en5:10.254.0.5 --node hwstudio2:en5:10.254.0.6 (or a cluster file: --cluster FILE, or ./rdma-cluster.toml; --save FILE writes one)\n",
        ),
    ];
    for (args, expected) in cases {
        let (code, out, err) = run(args);
        assert_eq!(code, 2, "{args:?}");
        assert_eq!(err, *expected, "{args:?}");
        assert_eq!(out, "", "{args:?}");
    }
}

#[test]
fn help_shows_examples_and_exit_codes() {
    let (code, out, _) = run(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("--node <SSH_HOST:IFACE:RDMA_IP>"), "{out}");
    assert!(out.contains("Exit codes:"), "{out}");
}

/// The real binary, for what only a process shows: the exit status and stream separation.
#[test]
fn the_binary_exits_2_on_bad_input() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_rdma-setup"))
        .args(["--node", "hwstudio1:en5"])
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).starts_with("ERROR: Invalid --node format"));
}
