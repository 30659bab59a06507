//! The floor: what stock OpenSSH needs for the same work. One connection per host (a
//! ControlMaster, its socket in a temporary directory), then three commands one after
//! another over it: read all (every read the tool's first round makes), apply all (the
//! addresses and the device file), ping all. It verifies nothing. Hosts run in parallel;
//! like the tool, no host pings before every host has applied its addresses (a cable needs
//! both ends).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Barrier;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use rdma_harness::lab::scenario::{PlannedEnd, PLANNED_NETMASK};
use rdma_harness::lab::Lab;

/// What every host reads, as the tool's phases do (the cabling phase's Thunderbolt facts
/// included); then `ibv_devinfo` of each of its ports ([`read_all`]).
const READ_ALL: &str =
    "ifconfig -a; netstat -rn -f inet; printenv SSH_CONNECTION; rdma_ctl status; \
    ibv_devices; cat /tmp/mlx_ibv_devices.json; \
    system_profiler SPThunderboltDataType -json; networksetup -listallhardwareports";

/// Every read of a host with these cable ends.
fn read_all(ends: &[&PlannedEnd]) -> String {
    let mut line = READ_ALL.to_owned();
    for planned in ends {
        line.push_str(&format!("; ibv_devinfo -d rdma_{} -v", planned.end.port));
    }
    line
}

/// Every change of a host with these cable ends: its addresses, then its device file (a
/// list of its devices: the floor decides nothing, it only writes as much).
fn apply_all(ends: &[&PlannedEnd]) -> String {
    let mut line = ends
        .iter()
        .map(|planned| {
            format!(
                "sudo ifconfig {} {} netmask {PLANNED_NETMASK}",
                planned.end.port, planned.ip
            )
        })
        .collect::<Vec<_>>()
        .join(" && ");
    let devices = ends
        .iter()
        .map(|planned| format!("\"rdma_{}\"", planned.end.port))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str(&format!(
        " && printf '%s\\n' '[[{devices}]]' > /tmp/mlx_ibv_devices.json"
    ));
    line
}

/// One floor run from rebooted hosts: wall time until every host has pinged.
pub fn measure(lab: &Lab, ends: &[PlannedEnd]) -> Result<Duration> {
    // Private (0700) and removed when dropped, like any temporary directory of tempfile's.
    let dir = tempfile::Builder::new()
        .prefix("rdma-bench-")
        .tempdir()
        .context("creating a directory for the control sockets")?;
    let mut by_host: BTreeMap<String, Vec<&PlannedEnd>> = BTreeMap::new();
    for planned in ends {
        by_host
            .entry(planned.end.host.clone())
            .or_default()
            .push(planned);
    }
    let barrier = Barrier::new(by_host.len());
    let started = Instant::now();
    let results: Vec<Result<()>> = std::thread::scope(|scope| {
        let threads: Vec<_> = by_host
            .iter()
            .map(|(host, ends)| {
                let (barrier, dir) = (&barrier, dir.path());
                scope.spawn(move || one_host(lab, dir, host, ends, barrier))
            })
            .collect();
        threads
            .into_iter()
            .map(|thread| {
                thread
                    .join()
                    .unwrap_or_else(|_| Err(anyhow!("a floor thread panicked")))
            })
            .collect()
    });
    let elapsed = started.elapsed();
    for host in by_host.keys() {
        // Untimed: close the connection.
        let _ = ssh(lab, dir.path().join(host), &["-O", "exit", host])
            .stderr(Stdio::null())
            .status();
    }
    results.into_iter().collect::<Result<Vec<()>>>()?;
    Ok(elapsed)
}

fn one_host(
    lab: &Lab,
    dir: &Path,
    host: &str,
    ends: &[&PlannedEnd],
    barrier: &Barrier,
) -> Result<()> {
    let socket = dir.join(host);
    let before_ping = connect_read_apply(lab, dir, &socket, host, ends);
    // Every thread arrives, failed or not, so none waits forever.
    barrier.wait();
    before_ping?;
    let ping_all = ends
        .iter()
        .map(|planned| format!("ping -c 1 -t 2 {}", planned.peer_ip))
        .collect::<Vec<_>>()
        .join(" && ");
    let out = remote(lab, &socket, host, &ping_all)?;
    expect_success(host, "ping all", &out)
}

fn connect_read_apply(
    lab: &Lab,
    dir: &Path,
    socket: &Path,
    host: &str,
    ends: &[&PlannedEnd],
) -> Result<()> {
    // The master goes to the background once logged in (-f); its stdio must not be a pipe
    // we wait on, so it logs to a file (-E) instead.
    let log = dir.join(format!("{host}.log"));
    let log_text = log.to_string_lossy().into_owned();
    let status = ssh(lab, socket, &["-M", "-f", "-N", "-E", &log_text, host])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .context("starting ssh")?;
    if !status.success() {
        let why = std::fs::read_to_string(&log).unwrap_or_default();
        bail!("{host}: the floor's ssh master failed ({status}): {why}");
    }
    // `cat` of the missing device file fails on a rebooted host: only ssh's own 255 counts.
    let out = remote(lab, socket, host, &read_all(ends))?;
    if out.status.code() == Some(255) {
        expect_success(host, "read all", &out)?;
    }
    let out = remote(lab, socket, host, &apply_all(ends))?;
    expect_success(host, "apply all", &out)
}

/// `ssh -F <lab config> -S SOCKET ARGS` in the controller namespace.
fn ssh(lab: &Lab, socket: impl AsRef<Path>, args: &[&str]) -> Command {
    let mut cmd = lab.controller_command("ssh");
    cmd.arg("-F")
        .arg(lab.ssh_config_path())
        .args(["-o", "BatchMode=yes", "-S"])
        .arg(socket.as_ref())
        .args(args);
    cmd
}

/// One command over the host's master connection.
fn remote(lab: &Lab, socket: &Path, host: &str, command: &str) -> Result<Output> {
    ssh(lab, socket, &["-o", "ControlMaster=no", host, command])
        .output()
        .with_context(|| format!("{host}: running ssh"))
}

fn expect_success(host: &str, what: &str, out: &Output) -> Result<()> {
    if out.status.success() {
        return Ok(());
    }
    bail!(
        "{host}: the floor's {what} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[cfg(test)]
mod tests {
    use rdma_harness::lab::PortRef;

    use super::*;

    #[test]
    fn the_floor_reads_and_changes_what_the_tool_does() {
        let end = |port: &str, ip: [u8; 4]| PlannedEnd {
            end: PortRef {
                host: "mac1".into(),
                port: port.into(),
            },
            ip: ip.into(),
            peer_ip: [10, 254, 0, 99].into(),
        };
        let (a, b) = (end("en2", [10, 254, 0, 1]), end("en3", [10, 254, 0, 5]));
        let reads = read_all(&[&a, &b]);
        for read in [
            "ifconfig -a",
            "netstat -rn -f inet",
            "printenv SSH_CONNECTION",
            "ibv_devinfo -d rdma_en2 -v",
            "ibv_devinfo -d rdma_en3 -v",
            "networksetup -listallhardwareports",
        ] {
            assert!(reads.contains(read), "{reads}");
        }
        assert_eq!(
            apply_all(&[&a, &b]),
            "sudo ifconfig en2 10.254.0.1 netmask 255.255.255.252 && \
             sudo ifconfig en3 10.254.0.5 netmask 255.255.255.252 && \
             printf '%s\\n' '[[\"rdma_en2\",\"rdma_en3\"]]' > /tmp/mlx_ibv_devices.json"
        );
    }
}
