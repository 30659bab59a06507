//! `cargo xtask record` against the lab: every lab scenario, healthy and with each fault, is
//! recorded, replayed with `rdma-setup --check --replay`, and the replayed report compared
//! with a live `rdma-setup --check` of the same lab. A recording must also leave every
//! simulated Mac exactly as it found it.
//!
//! Needs root. Without it these tests skip, loudly, unless `CI=true`, where they fail.

#[path = "support/lab_record.rs"]
mod support;

use std::sync::OnceLock;
use std::time::Duration;

use rdma_harness::examples::THREE_NODE_MESH;
use rdma_harness::lab::testing::lab_for_test;
use rdma_harness::lab::{scenario, Fault, HostKeyFault};
use regex::Regex;
use support::{
    banner, folder_text, pair_with, record, record_replay_compare, tool, unstable_parts_masked,
    words, Case, CONNECT_TIMEOUT, PAIR,
};

#[test]
fn two_macs_after_a_reboot() {
    let Some((lab, dir)) = record_replay_compare(&Case::pair(scenario::two_node(), 3)) else {
        return;
    };
    let transcript =
        std::fs::read_to_string(dir.path().join("scenario/hosts/hwstudio1.transcript"))
            .expect("hwstudio1's transcript");
    for command in [
        "$ sw_vers",
        "$ uname -a",
        "$ networksetup -listallhardwareports",
        "$ system_profiler SPThunderboltDataType -json",
        "$ ifconfig -a",
        "$ netstat -rn -f inet",
    ] {
        assert!(
            transcript.contains(&format!("{command}\n")),
            "{command} missing"
        );
    }
    assert!(
        transcript.contains("# not sent (check mode): ssh hwstudio1 sudo ifconfig en5 10.254.0.5 netmask 255.255.255.252"),
        "{transcript}"
    );
    assert!(
        !lab.commands("hwstudio1")
            .iter()
            .any(|line| line.starts_with("[root]")),
        "something ran as root"
    );
}

#[test]
fn two_macs_already_configured() {
    let case = Case {
        configure_first: true,
        ..Case::pair(scenario::two_node(), 0)
    };
    record_replay_compare(&case);
}

#[test]
fn three_macs_in_a_mesh() {
    record_replay_compare(&Case {
        spec: scenario::three_node(),
        args: THREE_NODE_MESH
            .iter()
            .map(|arg| (*arg).to_owned())
            .collect(),
        configure_first: true,
        want_exit: 0,
        host_down: false,
    });
}

#[test]
fn four_macs_in_a_full_mesh() {
    let spec = scenario::four_node();
    let args = scenario::node_args(&spec);
    record_replay_compare(&Case {
        spec,
        args,
        configure_first: false,
        want_exit: 3,
        host_down: false,
    });
}

#[test]
fn a_bridged_port() {
    pair_with(
        Fault::Bridged {
            host: "hwstudio1".into(),
            port: "en5".into(),
            bridge: "bridge0".into(),
        },
        3,
    );
}

#[test]
fn rdma_disabled() {
    pair_with(
        Fault::RdmaDisabled {
            host: "hwstudio2".into(),
        },
        1,
    );
}

#[test]
fn sudo_with_a_password() {
    pair_with(
        Fault::SudoPassword {
            host: "hwstudio1".into(),
            password: "secret".into(),
        },
        3,
    );
}

#[test]
fn an_unplugged_cable() {
    // The cabling phase fails it (no run can fix a cable), where a check used to stop at 3.
    pair_with(
        Fault::Unplugged {
            host: "hwstudio1".into(),
            port: "en5".into(),
        },
        1,
    );
}

#[test]
fn a_mac_behind_a_jump_host() {
    pair_with(
        Fault::BehindJump {
            host: "hwstudio2".into(),
            jump: "hwstudio1".into(),
        },
        3,
    );
}

#[test]
fn a_mac_behind_the_old_proxy_flag() {
    let mut case = Case::pair(
        scenario::two_node().with(Fault::BehindJump {
            host: "hwstudio2".into(),
            jump: "hwstudio1".into(),
        }),
        3,
    );
    case.args
        .extend(["--proxy".to_owned(), "hwstudio1:hwstudio2".to_owned()]);
    record_replay_compare(&case);
}

/// The proxy answers, the Mac behind it does not: the transcript says so, with the proxy's
/// own words.
#[test]
fn a_mac_down_behind_the_old_proxy_flag() {
    let spec = scenario::two_node()
        .with(Fault::BehindJump {
            host: "hwstudio2".into(),
            jump: "hwstudio1".into(),
        })
        .with(Fault::SshdDown {
            host: "hwstudio2".into(),
        });
    let mut case = Case::pair(spec, 1);
    case.args
        .extend(["--proxy".to_owned(), "hwstudio1:hwstudio2".to_owned()]);
    let Some((_lab, dir)) = record_replay_compare(&case) else {
        return;
    };
    let transcript =
        std::fs::read_to_string(dir.path().join("scenario/hosts/hwstudio2.transcript"))
            .expect("hwstudio2's transcript");
    assert!(
        transcript.contains("\n@ unreachable: hwstudio1 cannot run commands on hwstudio2 over SSH"),
        "{transcript}"
    );
}

#[test]
fn a_slow_link() {
    pair_with(
        Fault::Delay {
            host: "hwstudio1".into(),
            delay: Duration::from_millis(20),
        },
        3,
    );
}

#[test]
fn unreachable_macs() {
    for fault in [
        Fault::SshdDown {
            host: "hwstudio2".into(),
        },
        Fault::HostDown {
            host: "hwstudio2".into(),
        },
    ] {
        pair_with(fault, 1);
    }
}

#[test]
fn untrusted_host_keys() {
    for kind in [HostKeyFault::Unknown, HostKeyFault::Changed] {
        pair_with(
            Fault::HostKey {
                host: "hwstudio2".into(),
                kind,
            },
            1,
        );
    }
}

#[test]
fn a_redacted_recording_hides_the_macs_and_still_replays() {
    let spec = scenario::two_node().with(Fault::Bridged {
        host: "hwstudio2".into(),
        port: "en5".into(),
        bridge: "bridge0".into(),
    });
    let Some(lab) = lab_for_test(spec) else {
        return;
    };
    let live = tool(&lab, &[&["--check"], PAIR, CONNECT_TIMEOUT].concat());
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("redacted");
    let recorded = record(&lab, PAIR, &out, &["--redact"]);
    assert_eq!(recorded.code, Some(0), "{}", recorded.transcript());

    let text = folder_text(&out);
    let mut secrets: Vec<String> = vec!["hwstudio".to_owned()];
    for host in &lab.state().hosts {
        for port in &host.ports {
            secrets.push(port.mac.clone());
            secrets.push(format!("{:016x}", port.guid));
        }
    }
    for secret in &secrets {
        assert!(
            !text.contains(secret.as_str()),
            "{secret} left in the recording"
        );
    }
    static UUID: OnceLock<Regex> = OnceLock::new();
    let uuid = UUID.get_or_init(|| {
        Regex::new(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
            .expect("a literal pattern")
    });
    for found in uuid.find_iter(&text) {
        assert!(
            found.as_str().starts_with("00000000-0000-4000-8000-"),
            "a real UUID is left: {}",
            found.as_str()
        );
    }
    for kept in ["10.254.0.5", "10.254.0.6", "--node host-1:en5:10.254.0.5"] {
        assert!(text.contains(kept), "{kept} is gone");
    }

    let out_arg = out.to_str().expect("a UTF-8 temp path");
    let replayed = tool(&lab, &["--check", "--replay", out_arg]);
    assert_eq!(
        replayed.stderr,
        banner(out_arg),
        "{}",
        replayed.transcript()
    );
    assert_eq!(replayed.code, live.code);
    assert_eq!(
        replayed.stdout,
        std::fs::read_to_string(out.join("check-report.txt")).expect("check-report.txt")
    );
    let live_renamed = live
        .stdout
        .replace("hwstudio1", "host-1")
        .replace("hwstudio2", "host-2");
    assert_eq!(
        words(&unstable_parts_masked(&replayed.stdout, false)),
        words(&unstable_parts_masked(&live_renamed, false)),
    );
}
