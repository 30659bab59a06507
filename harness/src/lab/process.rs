//! The long-running processes of a simulated Mac: its namespace keeper, sshd, and relay.

use std::fs::File;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{sys, LabError};

const START_TIMEOUT: Duration = Duration::from_secs(10);

/// Stdout and stderr go to a log file so no child holds the caller's pipes open (a test
/// harness waits for those to close).
fn logged(command: &mut Command, log: &Path) -> Result<(), LabError> {
    let file = File::options()
        .create(true)
        .append(true)
        .open(log)
        .map_err(LabError::io(format!("open {}", log.display())))?;
    let err = file
        .try_clone()
        .map_err(LabError::io(format!("open {}", log.display())))?;
    command.stdin(Stdio::null()).stdout(file).stderr(err);
    Ok(())
}

fn spawn(command: &mut Command) -> Result<Child, LabError> {
    command
        .spawn()
        .map_err(LabError::io(format!("start {}", sys::describe(command))))
}

/// Start the process that owns a host's mount and UTS namespaces: it mounts the host's
/// private /tmp and /root, sets the hostname, then sleeps. `ip netns exec`, `unshare` and
/// `sh` all exec, so the child's PID ends up being that `sleep`.
pub fn start_keeper(
    ns: &str,
    hostname: &str,
    tmp: &Path,
    home: &Path,
    log: &Path,
) -> Result<Child, LabError> {
    let mut command = Command::new("ip");
    command.args(["netns", "exec", ns, "unshare", "--mount", "--uts"]);
    command.args(["--propagation", "private", "sh", "-c"]);
    command.arg(
        "mount --bind \"$1\" /tmp && mount --bind \"$2\" /root && hostname \"$3\" \
         && exec sleep infinity",
    );
    command.arg("keeper").arg(tmp).arg(home).arg(hostname);
    logged(&mut command, log)?;
    let mut child = spawn(&mut command)?;
    let pid = child.id();
    let started = Instant::now();
    loop {
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        if comm.trim() == "sleep" {
            return Ok(child);
        }
        if matches!(child.try_wait(), Ok(Some(_))) || started.elapsed() > START_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(LabError::Timeout {
                what: format!("the namespace keeper of {hostname}"),
                seconds: START_TIMEOUT.as_secs(),
                log: std::fs::read_to_string(log).ok(),
            });
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A command that runs inside a host's network, mount and UTS namespaces.
pub fn in_host(keeper_pid: u32) -> Command {
    let mut command = Command::new("nsenter");
    command.args(["-t", &keeper_pid.to_string(), "-n", "-m", "-u", "--"]);
    command
}

/// Start sshd inside the host and wait until it listens.
pub fn start_sshd(keeper_pid: u32, config: &Path, log: &Path) -> Result<Child, LabError> {
    // Lines of an earlier run must not count as this one's readiness.
    let _ = std::fs::remove_file(log);
    let mut command = in_host(keeper_pid);
    command
        .arg(super::preflight::SSHD)
        .arg("-D")
        .arg("-f")
        .arg(config);
    command.arg("-E").arg(log);
    logged(&mut command, &log.with_extension("out"))?;
    let child = spawn(&mut command)?;
    wait_for_line(child, log, "Server listening on", "sshd")
}

/// Start the delaying relay in front of sshd.
pub fn start_relay(
    keeper_pid: u32,
    shim: &Path,
    listen: &str,
    target: &str,
    delay_ms: u64,
    log: &Path,
) -> Result<Child, LabError> {
    let _ = std::fs::remove_file(log);
    let mut command = in_host(keeper_pid);
    command.arg(shim).arg("lab-relay").arg(listen).arg(target);
    command.arg(delay_ms.to_string());
    logged(&mut command, log)?;
    let child = spawn(&mut command)?;
    wait_for_line(child, log, "relay listening", "the delay relay")
}

fn wait_for_line(
    mut child: Child,
    log: &Path,
    needle: &str,
    what: &str,
) -> Result<Child, LabError> {
    let started = Instant::now();
    loop {
        if std::fs::read_to_string(log).is_ok_and(|text| text.contains(needle)) {
            return Ok(child);
        }
        if matches!(child.try_wait(), Ok(Some(_))) || started.elapsed() > START_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(LabError::Timeout {
                what: what.to_owned(),
                seconds: START_TIMEOUT.as_secs(),
                log: std::fs::read_to_string(log).ok(),
            });
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// TERM, then KILL what is left after a grace period.
pub fn stop(pids: &[u32]) {
    for &pid in pids {
        sys::kill(pid, "TERM");
    }
    let started = Instant::now();
    while pids.iter().any(|&pid| sys::alive(pid)) && started.elapsed() < Duration::from_secs(2) {
        std::thread::sleep(Duration::from_millis(20));
    }
    for &pid in pids {
        if sys::alive(pid) {
            sys::kill(pid, "KILL");
        }
    }
}
