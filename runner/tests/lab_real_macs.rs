//! The real binary against lab Macs as messy as real ones: a cluster where one Mac
//! rebooted, a busy Mac, a Thunderbolt 4 Mac, device files other tools left.
//!
//! Needs root. Without it these tests skip, loudly, unless `CI=true`, where they fail.

mod child;

use std::ffi::OsStr;
use std::time::Duration;

use child::{in_lab, Finished, Running};
use rdma_harness::lab::testing::{lab_for_test, two_node_with_old_device_files};
use rdma_harness::lab::{scenario, Lab, Quirk};

fn run(lab: &Lab, args: &[impl AsRef<OsStr>]) -> Finished {
    let mut command = in_lab(lab, args);
    command.env("NO_COLOR", "1");
    Running::start(command).wait(Duration::from_secs(90))
}

fn nodes() -> Vec<String> {
    scenario::node_args(&scenario::two_node())
}

/// What a restart leaves on a lab Mac: the cable ports back to their self-assigned address
/// only, `/tmp` emptied.
fn restart(lab: &Lab, host: &str) {
    for addr in lab.static_addrs(host, "en5").expect("addresses") {
        let output = lab
            .sh(host, &format!("ip addr del {addr} dev en5"))
            .expect("ip runs");
        assert!(output.status.success(), "removing {addr} on {host}");
    }
    lab.remove_run_files(host).expect("/tmp emptied");
}

#[test]
fn one_mac_rebooted_is_pending_in_check_and_fixed_by_a_run() {
    let Some(lab) = lab_for_test(scenario::two_node()) else {
        return;
    };
    let apply = nodes();
    let mut check = apply.clone();
    check.push("--check".into());
    assert_eq!(run(&lab, &apply).code(), Some(0));

    restart(&lab, "hwstudio2");
    let pending = run(&lab, &check);
    let log = pending.log();
    assert_eq!(pending.code(), Some(3), "{log}");
    assert!(!pending.stdout.contains('✗'), "{log}");
    assert!(
        pending
            .stdout
            .contains("hwstudio1 -> hwstudio2: → not tested yet"),
        "{log}"
    );

    let fixed = run(&lab, &apply);
    assert_eq!(fixed.code(), Some(0), "{}", fixed.log());
    assert!(
        fixed.stdout.contains("; 2 changes made."),
        "{}",
        fixed.log()
    );
    assert_eq!(run(&lab, &check).code(), Some(0));
}

#[test]
fn on_a_busy_mac_only_the_nodes_port_is_touched() {
    let spec = scenario::two_node().quirk(Quirk::Busy {
        host: "hwstudio1".into(),
    });
    let Some(lab) = lab_for_test(spec) else {
        return;
    };
    let finished = run(&lab, &nodes());
    let log = finished.log();
    assert_eq!(finished.code(), Some(0), "{log}");
    assert!(finished.stdout.contains(" of utun4 on hwstudio1"), "{log}");
    let changes: Vec<String> = lab
        .sudo_invocations("hwstudio1")
        .into_iter()
        .filter(|line| line.contains("ifconfig"))
        .collect();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert!(
        changes[0].ends_with("ifconfig en5 10.254.0.1 netmask 255.255.255.252"),
        "{changes:?}"
    );
    let touched_vm_bridges = lab
        .commands("hwstudio1")
        .into_iter()
        .filter(|line| line.contains("bridge100") || line.contains("bridge101"))
        .count();
    assert_eq!(touched_vm_bridges, 0);
}

#[test]
fn a_thunderbolt_4_mac_is_told_it_cannot_do_rdma() {
    let spec = scenario::two_node().quirk(Quirk::Thunderbolt4 {
        host: "hwstudio2".into(),
    });
    let Some(lab) = lab_for_test(spec) else {
        return;
    };
    let finished = run(&lab, &nodes());
    let log = finished.log();
    assert_eq!(finished.code(), Some(1), "{log}");
    assert!(
        finished
            .stdout
            .contains("✗ IBV devices: none, RDMA is enabled but en5 cannot do RDMA (Thunderbolt 4 link at 40 Gb/s)"),
        "{log}"
    );
    assert!(!finished.stdout.contains("Recovery"), "{log}");
}

#[test]
fn device_files_other_tools_left() {
    let Some(lab) = lab_for_test(two_node_with_old_device_files()) else {
        return;
    };
    let predecessor = lab
        .device_file("hwstudio1")
        .expect("the predecessor's file");
    let finished = run(&lab, &nodes());
    let log = finished.log();
    assert_eq!(finished.code(), Some(0), "{log}");
    assert!(
        finished
            .stdout
            .contains("✓ IBV config current: /tmp/mlx_ibv_devices.json\n"),
        "{log}"
    );
    assert!(
        finished
            .stdout
            .contains("✓ IBV config written: /tmp/mlx_ibv_devices.json (replaced an object where JACCL needs an array)"),
        "{log}"
    );
    let kept = lab.device_file("hwstudio1").expect("file");
    assert_eq!(kept, predecessor, "a current file is not rewritten");
}
