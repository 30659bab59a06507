//! The lab itself, driven with OpenSSH's client from the controller namespace: what the
//! simulated Macs print, how their shims behave, and every fault the lab can inject.
//!
//! Needs root (network namespaces). Without it these tests skip, loudly, unless `CI=true`.

use std::time::{Duration, Instant};

use rdma_harness::lab::testing::{lab_for_test, ssh_text};
use rdma_harness::lab::{scenario, Fault, HostKeyFault, Lab};

#[test]
fn simulated_macs_speak_macos_over_openssh() {
    let Some(lab) = lab_for_test(scenario::two_node()) else {
        return;
    };
    let (out, _, code) = ssh_text(&lab, "hwstudio1", "hostname; ifconfig -a");
    assert_eq!(code, 0);
    assert!(
        out.starts_with("hwstudio1\nlo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 16384\n")
    );
    assert!(out.contains(
        "en5: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\
         \toptions=460<TSO4,TSO6,CHANNEL_IO>\n\
         \tether 36:4d:04:01:05:44\n"
    ));
    assert!(out.contains("\tinet 10.77.0.11 netmask 0xffffff00 broadcast 10.77.0.255\n"));

    let (_, err, code) = ssh_text(&lab, "hwstudio1", "ifconfig en7");
    assert_eq!(
        (err.as_str(), code),
        ("ifconfig: interface en7 does not exist\n", 1)
    );

    // A change without sudo fails as on a Mac; with sudo it lands in the kernel.
    let set = "ifconfig en5 10.254.0.5 netmask 255.255.255.252";
    let (_, err, code) = ssh_text(&lab, "hwstudio1", set);
    assert_eq!(
        (err.as_str(), code),
        ("ifconfig: ioctl (SIOCAIFADDR): permission denied\n", 1)
    );
    assert_eq!(ssh_text(&lab, "hwstudio1", &format!("sudo -n {set}")).2, 0);
    assert_eq!(
        ssh_text(
            &lab,
            "hwstudio2",
            "sudo -n ifconfig en5 10.254.0.6 netmask 0xfffffffc"
        )
        .2,
        0
    );
    // The assignment replaced the port's self-assigned address (its first); configd put
    // that back after it.
    let own = lab
        .self_assigned("hwstudio1", "en5")
        .expect("a cabled port");
    assert_eq!(
        lab.ipv4_addrs("hwstudio1", "en5").expect("ip"),
        ["10.254.0.5/30".to_owned(), format!("{own}/16")]
    );
    let (out, _, _) = ssh_text(&lab, "hwstudio1", "ifconfig en5");
    assert!(out.contains("\tinet 10.254.0.5 netmask 0xfffffffc broadcast 10.254.0.7\n"));

    // Real ICMP over the veth "cable", printed the macOS way.
    let (out, _, code) = ssh_text(&lab, "hwstudio1", "ping -c 1 -t 2 10.254.0.6");
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("PING 10.254.0.6 (10.254.0.6): 56 data bytes\n64 bytes from 10.254.0.6: icmp_seq=0 ttl=64 time="));
    assert!(out.contains("round-trip min/avg/max/stddev = "));
    // Apple's `-b boundif` (iputils' -I): the tool binds its pings to the cable's port.
    assert_eq!(
        ssh_text(&lab, "hwstudio1", "ping -c 1 -t 2 -b en5 10.254.0.6").2,
        0
    );
    let (_, err, code) = ssh_text(&lab, "hwstudio1", "ping -c 1 -t 1 -b en9 10.254.0.6");
    assert_eq!((err.as_str(), code), ("ping: bad interface name\n", 1));
    let (out, _, code) = ssh_text(&lab, "hwstudio1", "ping -c 1 -t 1 10.254.0.9");
    assert_eq!(code, 2);
    assert!(out.contains("1 packets transmitted, 0 packets received, 100.0% packet loss\n"));

    let (out, _, code) = ssh_text(
        &lab,
        "hwstudio2",
        "rdma_ctl status; ibv_devices; ibv_devinfo -d rdma_en5 -v",
    );
    assert_eq!(code, 0);
    assert!(out.starts_with("enabled\n    device          \t   node GUID\n"));
    assert!(out.contains("    rdma_en5        \t8396a9d9edba0205\n"));
    assert!(out.contains("\t\t\tstate:\t\t\tPORT_ACTIVE (4)\n"));
    assert!(out.contains("\t\t\tGID[  1]:\t\t::ffff:10.254.0.6\n"));
    let (_, err, code) = ssh_text(&lab, "hwstudio2", "ibv_devinfo -d rdma_en9");
    assert_eq!(
        (err.as_str(), code),
        ("IB device 'rdma_en9' wasn't found\n", 255)
    );
    let (_, err, code) = ssh_text(&lab, "hwstudio2", "rdma_ctl enable");
    assert_eq!(
        (err.as_str(), code),
        (
            "rdma_ctl: This tool needs to be executed from Recovery OS.\n",
            77
        )
    );

    // Each Mac has its own /tmp.
    ssh_text(&lab, "hwstudio1", "echo one > /tmp/mine");
    assert_eq!(ssh_text(&lab, "hwstudio2", "cat /tmp/mine").2, 1);
    assert_eq!(
        std::fs::read_to_string(lab.host_tmp("hwstudio1").join("mine")).expect("file"),
        "one\n"
    );
    let sudo = lab.sudo_invocations("hwstudio1");
    assert_eq!(sudo, [format!("sudo -n {set}")]);
}

#[test]
fn bridge_membership_rdma_and_sudo_password_faults() {
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
        })
        .with(Fault::SudoPassword {
            host: "hwstudio1".into(),
            password: "hunter2".into(),
        });
    let Some(lab) = lab_for_test(spec) else {
        return;
    };
    let (out, _, _) = ssh_text(
        &lab,
        "hwstudio1",
        "ifconfig bridge0; ifconfig en5; ibv_devinfo",
    );
    assert!(out.contains("\tmember: en5 flags=3<LEARNING,DISCOVER>\n"));
    assert!(out.contains("\tAddress cache:\n"));
    assert!(out.contains("en5: flags=8963<UP,BROADCAST,SMART,RUNNING,PROMISC,SIMPLEX,MULTICAST>"));
    assert!(out.contains("PORT_DOWN (1)"));

    let deletem = "ifconfig bridge0 deletem en5";
    let (_, err, code) = ssh_text(&lab, "hwstudio1", &format!("sudo -n {deletem}"));
    assert_eq!((err.as_str(), code), ("sudo: a password is required\n", 1));
    let (_, err, code) = ssh_text(&lab, "hwstudio1", &format!("sudo {deletem}"));
    assert!(err.starts_with("sudo: a terminal is required"), "{err}");
    assert_eq!(code, 1);
    let (_, err, code) = ssh_text(
        &lab,
        "hwstudio1",
        &format!("echo nope | sudo -S -p '' {deletem}"),
    );
    assert!(err.contains("Sorry, try again.\n"), "{err}");
    assert_eq!(code, 1);
    let (_, err, code) = ssh_text(
        &lab,
        "hwstudio1",
        &format!("echo hunter2 | sudo -S -p '' {deletem}"),
    );
    assert_eq!((err.as_str(), code), ("", 0));
    let (_, err, code) = ssh_text(
        &lab,
        "hwstudio1",
        &format!("echo hunter2 | sudo -S -p '' {deletem}"),
    );
    assert_eq!(
        (err.as_str(), code),
        ("ifconfig: BRDGDEL en5: No such file or directory\n", 1)
    );

    let (out, _, code) = ssh_text(
        &lab,
        "hwstudio2",
        "rdma_ctl status; ibv_devices; ifconfig bridge1",
    );
    assert_eq!(code, 0);
    assert!(out.starts_with("disabled\n    device          \t   node GUID\n    ------          \t----------------\nbridge1: "));
    let (_, err, code) = ssh_text(&lab, "hwstudio2", "ibv_devinfo");
    assert_eq!((err.as_str(), code), ("No IB devices found\n", 255));
    // hwstudio1's port is out of its bridge now, but the far end still is: still down.
    let (out, _, _) = ssh_text(&lab, "hwstudio1", "ibv_devinfo -d rdma_en5");
    assert!(out.contains("PORT_DOWN (1)"));
}

#[test]
fn unplugged_cable_has_no_carrier_until_plugged() {
    let spec = scenario::two_node().with(Fault::Unplugged {
        host: "hwstudio2".into(),
        port: "en5".into(),
    });
    let Some(mut lab) = lab_for_test(spec) else {
        return;
    };
    let (out, _, _) = ssh_text(&lab, "hwstudio1", "ifconfig en5; ibv_devinfo -d rdma_en5");
    assert!(out.starts_with("en5: flags=8863<UP,"), "{out}");
    assert!(out.contains("\tstatus: inactive\n"));
    assert!(out.contains("PORT_DOWN (1)"));
    ssh_text(
        &lab,
        "hwstudio1",
        "sudo ifconfig en5 10.254.0.5 netmask 255.255.255.252",
    );
    ssh_text(
        &lab,
        "hwstudio2",
        "sudo ifconfig en5 10.254.0.6 netmask 255.255.255.252",
    );
    assert_eq!(
        ssh_text(&lab, "hwstudio1", "ping -c 1 -t 1 10.254.0.6").2,
        2
    );

    lab.plug("hwstudio1", "en5").expect("plug");
    // Like a real hotplug, the ports come back without the addresses set on them, with
    // only the self-assigned one configd gives a port with a link.
    let own = lab
        .self_assigned("hwstudio1", "en5")
        .expect("a cabled port");
    assert_eq!(
        lab.ipv4_addrs("hwstudio1", "en5").expect("ip"),
        [format!("{own}/16")]
    );
    let (out, _, _) = ssh_text(&lab, "hwstudio1", "ifconfig en5");
    assert!(out.contains("\tstatus: active\n"), "{out}");
}

#[test]
fn a_host_behind_a_jump_host() {
    let spec = scenario::three_node().with(Fault::BehindJump {
        host: "machine-c".into(),
        jump: "machine-a".into(),
    });
    let Some(lab) = lab_for_test(spec) else {
        return;
    };
    // Through ProxyJump from the ssh config.
    let (out, _, code) = ssh_text(&lab, "machine-c", "hostname");
    assert_eq!((out.as_str(), code), ("machine-c\n", 0));
    // The old tool's --proxy: the jump host runs `ssh TARGET` in BatchMode.
    let (out, err, code) = ssh_text(
        &lab,
        "machine-a",
        "ssh -o BatchMode=yes machine-c 'rdma_ctl status'",
    );
    assert_eq!((out.as_str(), code), ("enabled\n", 0), "{err}");
    // And the controller has no way there except through the jump host.
    let ip = lab
        .state()
        .host("machine-c")
        .expect("host")
        .ssh_ip
        .to_string();
    let direct = lab
        .run_in_controller(&[
            "ssh",
            "-F",
            "/dev/null",
            "-o",
            "BatchMode=yes",
            "-o",
            "ConnectTimeout=2",
            &ip,
            "true",
        ])
        .expect("ssh runs");
    assert!(!direct.status.success());
    assert!(String::from_utf8_lossy(&direct.stderr).contains("unreachable"));
}

#[test]
fn host_key_faults_and_a_dead_sshd() {
    let spec = scenario::three_node()
        .with(Fault::HostKey {
            host: "machine-a".into(),
            kind: HostKeyFault::Unknown,
        })
        .with(Fault::HostKey {
            host: "machine-b".into(),
            kind: HostKeyFault::Changed,
        })
        .with(Fault::SshdDown {
            host: "machine-c".into(),
        });
    let Some(mut lab) = lab_for_test(spec) else {
        return;
    };
    let (_, err, code) = ssh_text(&lab, "machine-a", "true");
    assert_eq!(code, 255);
    assert!(err.contains("Host key verification failed"), "{err}");
    let (_, err, code) = ssh_text(&lab, "machine-b", "true");
    assert_eq!(code, 255);
    assert!(
        err.contains("REMOTE HOST IDENTIFICATION HAS CHANGED"),
        "{err}"
    );
    let (_, err, code) = ssh_text(&lab, "machine-c", "true");
    assert_eq!(code, 255);
    assert!(err.contains("Connection refused"), "{err}");
    // The host is still there without sshd, and sshd can come back.
    let out = lab
        .sh("machine-c", "hostname; rdma_ctl status")
        .expect("sh");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "machine-c\nenabled\n");
    lab.start_sshd("machine-c").expect("sshd starts");
    assert_eq!(ssh_text(&lab, "machine-c", "true").2, 0);
    lab.stop_sshd("machine-c").expect("sshd stops");
    assert_eq!(ssh_text(&lab, "machine-c", "true").2, 255);
}

#[test]
fn delayed_host_pays_the_delay_on_every_round_trip() {
    let delay = Duration::from_millis(60);
    let spec = scenario::two_node().with(Fault::Delay {
        host: "hwstudio2".into(),
        delay,
    });
    let Some(lab) = lab_for_test(spec) else {
        return;
    };
    let timed = |host: &str| {
        let started = Instant::now();
        assert_eq!(ssh_text(&lab, host, "true").2, 0);
        started.elapsed()
    };
    let fast = timed("hwstudio1");
    let slow = timed("hwstudio2");
    // An SSH login takes several round trips, each paying the delay twice.
    assert!(slow >= fast + delay * 4, "fast {fast:?}, slow {slow:?}");
}

#[test]
fn teardown_removes_everything_and_is_idempotent() {
    let Some(lab) = lab_for_test(scenario::four_node()) else {
        return;
    };
    let name = lab.name().to_owned();
    let dir = lab.dir().to_path_buf();
    assert_eq!(lab.state().hosts.len(), 4);
    let (out, _, _) = ssh_text(&lab, "mac4", "ibv_devices");
    assert!(out.contains("rdma_en2") && out.contains("rdma_en3") && out.contains("rdma_en4"));
    let keeper = lab.state().hosts[0].keeper_pid.expect("keeper");
    drop(lab);
    let namespaces = std::process::Command::new("ip")
        .args(["netns", "list"])
        .output()
        .expect("ip");
    assert!(!String::from_utf8_lossy(&namespaces.stdout).contains(&format!("{name}-")));
    assert!(!dir.exists());
    assert!(
        !std::path::Path::new(&format!("/proc/{keeper}")).exists() || {
            // The PID may have been reused by an unrelated process; it must not be our sleep.
            std::fs::read_to_string(format!("/proc/{keeper}/cmdline"))
                .map_or(true, |c| !c.contains("infinity"))
        }
    );
    Lab::down_by_name(&name).expect("second teardown is fine");
    Lab::down_by_name(&name).expect("third teardown is fine");
}

#[test]
fn a_panicking_test_still_tears_its_lab_down() {
    let name = std::sync::Mutex::new(None);
    let outcome = std::panic::catch_unwind(|| {
        let Some(lab) = lab_for_test(scenario::two_node()) else {
            return;
        };
        *name.lock().expect("lock") = Some(lab.name().to_owned());
        panic!("a failing assertion");
    });
    let Some(name) = name.into_inner().expect("lock") else {
        return;
    };
    assert!(outcome.is_err());
    let namespaces = std::process::Command::new("ip")
        .args(["netns", "list"])
        .output()
        .expect("ip");
    assert!(!String::from_utf8_lossy(&namespaces.stdout).contains(&format!("{name}-")));
    assert!(!Lab::list().contains(&name));
}
