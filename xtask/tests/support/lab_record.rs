//! What the lab recording tests share: the binaries they run, the case they record, replay
//! and compare, and how reports are compared.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use rdma_harness::examples::TWO_NODE_PAIR;
use rdma_harness::lab::testing::{lab_for_test, ToolRun};
use rdma_harness::lab::{scenario, Fault, Lab, LabSpec};
use regex::Regex;

pub const PAIR: &[&str] = &TWO_NODE_PAIR;

/// Unreachable hosts give up after this long, in the live run and the recording alike.
pub const CONNECT_TIMEOUT: &[&str] = &["--connect-timeout", "2"];

/// The rdma-setup binary, built (or found up to date) once per test run: this package's
/// tests cannot name another package's binary, and a stale one would replay with old code.
pub fn rdma_setup() -> &'static Path {
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
pub fn record(lab: &Lab, args: &[&str], out: &Path, extra: &[&str]) -> ToolRun {
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

pub fn tool(lab: &Lab, args: &[&str]) -> ToolRun {
    lab.run_tool(rdma_setup(), args, &[])
        .expect("rdma-setup starts")
}

/// Ping round trips differ from one run to the next. So does the way a powered-off Mac
/// fails to answer: the first attempt waits out the timeout while ARP is pending, a later
/// one gets "No route to host" at once. Nothing else may differ.
pub fn unstable_parts_masked(report: &str, connect_reason: bool) -> String {
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
pub fn host_state(lab: &Lab, host: &str) -> String {
    let script = r"ip -4 -br addr; ip -o link | sed -n 's/^[0-9]*: \([^:@ ]*\).* master \([^ ]*\) .*/\1 in \2/p'; ls -l --time-style=full-iso /tmp";
    let output = lab.sh(host, script).expect("reading the host's state");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub struct Case {
    pub spec: LabSpec,
    /// The cluster's rdma-setup arguments (without --check).
    pub args: Vec<String>,
    /// Run rdma-setup for real first, so the recording sees a configured cluster.
    pub configure_first: bool,
    /// The exit code `rdma-setup --check` must give.
    pub want_exit: i32,
    /// A host is powered off: see [`unstable_parts_masked`].
    pub host_down: bool,
}

impl Case {
    pub fn pair(spec: LabSpec, want_exit: i32) -> Self {
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
pub fn record_replay_compare(case: &Case) -> Option<(Lab, tempfile::TempDir)> {
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

pub fn pair_with(fault: Fault, want_exit: i32) {
    let host_down = matches!(fault, Fault::HostDown { .. });
    record_replay_compare(&Case {
        host_down,
        ..Case::pair(scenario::two_node().with(fault), want_exit)
    });
}

/// Every file of a scenario folder, concatenated.
pub fn folder_text(dir: &Path) -> String {
    let mut text = std::fs::read_to_string(dir.join("command")).expect("command file");
    for item in std::fs::read_dir(dir.join("hosts")).expect("hosts folder") {
        let path = item.expect("listing hosts").path();
        text.push_str(&std::fs::read_to_string(&path).expect("a transcript"));
    }
    text
}

/// The report's words line by line: placeholders are shorter than the names they replace,
/// so the summary table's padding differs.
pub fn words(report: &str) -> Vec<Vec<&str>> {
    report
        .lines()
        .map(|line| line.split_whitespace().collect())
        .collect()
}

/// What a replay says first, on stderr (and nothing else there).
pub fn banner(dir: &str) -> String {
    format!("Replaying {dir}: recorded outputs, no host is contacted.\n")
}
