//! `cargo xtask record` against the lab: every lab scenario, healthy and with each fault, is
//! recorded, replayed with `rdma-setup --check --replay`, and the replayed report compared
//! with a live `rdma-setup --check` of the same lab. A recording must also leave every
//! simulated Mac exactly as it found it.
//!
//! Needs root. Without it these tests skip, loudly, unless `CI=true`, where they fail.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use rdma_harness::examples::{THREE_NODE_MESH, TWO_NODE_PAIR};
use rdma_harness::lab::testing::{lab_for_test, ToolRun};
use rdma_harness::lab::{scenario, Fault, HostKeyFault, Lab, LabSpec};
use regex::Regex;

const PAIR: &[&str] = &TWO_NODE_PAIR;

/// Unreachable hosts give up after this long, in the live run and the recording alike.
const CONNECT_TIMEOUT: &[&str] = &["--connect-timeout", "2"];

/// The rdma-setup binary, built (or found up to date) once per test run: this package's
/// tests cannot name another package's binary, and a stale one would replay with old code.
fn rdma_setup() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .args([
                "build",
                "--quiet",
                "-p",
                "rdma-setup",
                "--bin",
                "rdma-setup",
            ])
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
            .stdin(Stdio::null())
            .status()
            .expect("cargo starts");
        assert!(status.success(), "building rdma-setup failed");
        Path::new(env!("CARGO_BIN_EXE_xtask"))
            .parent()
            .expect("the xtask binary sits in a target directory")
            .join("rdma-setup")
    })
}

/// `xtask record` in the controller namespace, with the lab's ssh config.
fn record(lab: &Lab, args: &[&str], out: &Path, extra: &[&str]) -> ToolRun {
    let mut command = lab.controller_command(env!("CARGO_BIN_EXE_xtask"));
    command
        .arg("record")
        .arg("--ssh-config")
        .arg(lab.ssh_config_path())
        .args(args)
        .args(CONNECT_TIMEOUT)
        .arg("--out")
        .arg(out)
        .args(extra)
        .env("NO_COLOR", "1");
    let started = std::time::Instant::now();
    let output = command.output().expect("xtask record starts");
    ToolRun {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        code: output.status.code(),
        elapsed: started.elapsed(),
    }
}

fn tool(lab: &Lab, args: &[&str]) -> ToolRun {
    lab.run_tool(rdma_setup(), args, &[])
        .expect("rdma-setup starts")
}

/// Ping round trips differ from one run to the next. So does the way a powered-off Mac
/// fails to answer: the first attempt waits out the timeout while ARP is pending, a later
/// one gets "No route to host" at once. Nothing else may differ.
fn unstable_parts_masked(report: &str, connect_reason: bool) -> String {
    static RTT: OnceLock<Regex> = OnceLock::new();
    static CONNECT: OnceLock<Regex> = OnceLock::new();
    let report = RTT
        .get_or_init(|| Regex::new(r"\d+(\.\d+)? ?ms\b").expect("a literal pattern"))
        .replace_all(report, "<rtt>");
    if !connect_reason {
        return report.into_owned();
    }
    CONNECT
        .get_or_init(|| Regex::new(r"cannot connect: .*").expect("a literal pattern"))
        .replace_all(&report, "cannot connect: <reason>")
        .into_owned()
}

/// What a host looks like from inside: addresses on every port, bridges, the device file.
/// Link state and IPv6 link-local addresses are left out: veth carrier and DAD settle on
/// their own in the first second of a lab.
fn host_state(lab: &Lab, host: &str) -> String {
    let script = r"ip -4 -br addr; ip -o link | sed -n 's/^[0-9]*: \([^:@ ]*\).* master \([^ ]*\) .*/\1 in \2/p'; ls -l --time-style=full-iso /tmp";
    let output = lab.sh(host, script).expect("reading the host's state");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

struct Case {
    spec: LabSpec,
    /// The cluster's rdma-setup arguments (without --check).
    args: Vec<String>,
    /// Run rdma-setup for real first, so the recording sees a configured cluster.
    configure_first: bool,
    /// The exit code `rdma-setup --check` must give.
    want_exit: i32,
    /// A host is powered off: see [`unstable_parts_masked`].
    host_down: bool,
}

impl Case {
    fn pair(spec: LabSpec, want_exit: i32) -> Self {
        Self {
            spec,
            args: PAIR.iter().map(|arg| (*arg).to_owned()).collect(),
            configure_first: false,
            want_exit,
            host_down: false,
        }
    }
}

/// Record, replay and compare one case; returns the scenario folder for more checks.
fn record_replay_compare(case: &Case) -> Option<(Lab, tempfile::TempDir)> {
    let lab = lab_for_test(case.spec.clone())?;
    let args: Vec<&str> = case.args.iter().map(String::as_str).collect();
    if case.configure_first {
        let setup = tool(&lab, &args);
        assert_eq!(setup.code, Some(0), "{}", setup.transcript());
    }

    let check_args: Vec<&str> = ["--check"]
        .iter()
        .chain(&args)
        .chain(CONNECT_TIMEOUT)
        .copied()
        .collect();
    let live = tool(&lab, &check_args);
    assert_eq!(
        live.code,
        Some(case.want_exit),
        "live --check\n{}",
        live.transcript()
    );

    let hosts = lab.host_names();
    let before: Vec<String> = hosts.iter().map(|host| host_state(&lab, host)).collect();
    let sudo_before: Vec<usize> = hosts
        .iter()
        .map(|host| lab.sudo_invocations(host).len())
        .collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("scenario");
    let recorded = record(&lab, &args, &out, &[]);
    let log = recorded.transcript();
    assert_eq!(recorded.code, Some(0), "record\n{log}");
    assert!(
        recorded
            .stderr
            .contains("Checked: replaying the folder prints the same report."),
        "{log}"
    );
    let after: Vec<String> = hosts.iter().map(|host| host_state(&lab, host)).collect();
    assert_eq!(before, after, "the recording changed a host\n{log}");
    for (host, count) in hosts.iter().zip(sudo_before) {
        assert_eq!(
            lab.sudo_invocations(host).len(),
            count,
            "the recording ran sudo on {host}\n{log}"
        );
    }

    let out_arg = out.to_str().expect("a UTF-8 temp path");
    let replayed = tool(&lab, &["--check", "--replay", out_arg]);
    assert_eq!(
        replayed.stderr,
        banner(out_arg),
        "replay\n{}",
        replayed.transcript()
    );
    // The recording run printed exactly what its replay prints, round trips included.
    assert_eq!(
        replayed.stdout, recorded.stdout,
        "replay vs recording\n{log}"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("check-report.txt")).expect("check-report.txt"),
        recorded.stdout
    );
    // And a separate live check differs only in its round trips.
    assert_eq!(
        unstable_parts_masked(&replayed.stdout, case.host_down),
        unstable_parts_masked(&live.stdout, case.host_down),
        "replay vs live --check"
    );
    assert_eq!(replayed.code, live.code, "{}", replayed.transcript());
    Some((lab, dir))
}

fn pair_with(fault: Fault, want_exit: i32) {
    let host_down = matches!(fault, Fault::HostDown { .. });
    record_replay_compare(&Case {
        host_down,
        ..Case::pair(scenario::two_node().with(fault), want_exit)
    });
}

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

/// Every file of a scenario folder, concatenated.
fn folder_text(dir: &Path) -> String {
    let mut text = std::fs::read_to_string(dir.join("command")).expect("command file");
    for item in std::fs::read_dir(dir.join("hosts")).expect("hosts folder") {
        let path = item.expect("listing hosts").path();
        text.push_str(&std::fs::read_to_string(&path).expect("a transcript"));
    }
    text
}

/// The report's words line by line: placeholders are shorter than the names they replace,
/// so the summary table's padding differs.
fn words(report: &str) -> Vec<Vec<&str>> {
    report
        .lines()
        .map(|line| line.split_whitespace().collect())
        .collect()
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

/// What a replay says first, on stderr (and nothing else there).
fn banner(dir: &str) -> String {
    format!("Replaying {dir}: recorded outputs, no host is contacted.\n")
}
