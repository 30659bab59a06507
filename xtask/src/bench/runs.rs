//! The tool's runs: rebooting the cable ends, running `rdma-setup -v` in the controller, and
//! what each host did (its `done` log line, its shim command log).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use rdma_harness::lab::scenario::PlannedEnd;
use rdma_harness::lab::Lab;

/// Which run of the three.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// From rebooted hosts: every address and the device file to make.
    Fresh,
    /// On the cluster the fresh run configured: nothing to change.
    Rerun,
    /// `--check` on the configured cluster.
    Check,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Self::Fresh => "fresh",
            Self::Rerun => "re-run",
            Self::Check => "check",
        }
    }
}

/// What a host's `done` line says: SSH round trips and commands over its session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostCounts {
    pub round_trips: u64,
    pub commands: u64,
}

/// One run of the tool.
#[derive(Debug)]
pub struct ToolSample {
    pub elapsed: Duration,
    /// CPU seconds of the tool's own process (and what it waited for: `ssh -G`).
    pub own_cpu: f64,
    pub hosts: BTreeMap<String, HostCounts>,
}

/// Every cable end as after a reboot: no IPv4 address on the planned ports, no device file,
/// no lock file.
pub fn reset(lab: &Lab, ends: &[PlannedEnd]) -> Result<()> {
    for planned in ends {
        let ns = &lab.state().host(&planned.end.host)?.ns;
        let port = &planned.end.port;
        let status = Command::new("ip")
            .args(["-n", ns, "-4", "addr", "flush", "dev", port])
            .status()
            .context("running ip addr flush")?;
        if !status.success() {
            bail!("ip -n {ns} -4 addr flush dev {port} failed ({status})");
        }
    }
    for host in lab.host_names() {
        lab.remove_run_files(&host)?;
    }
    Ok(())
}

/// Run the tool once with `-v` and the lab's `--node` arguments; it must exit 0.
pub fn run_tool(lab: &Lab, binary: &Path, node_args: &[String], mode: Mode) -> Result<ToolSample> {
    let mut args = vec!["-v"];
    if mode == Mode::Check {
        args.push("--check");
    }
    args.extend(node_args.iter().map(String::as_str));
    let before = super::cpu::children_secs()?;
    let run = lab
        .run_tool(binary, &args, &[])
        .with_context(|| format!("starting {}", binary.display()))?;
    let own_cpu = super::cpu::children_secs()? - before;
    if run.code != Some(0) {
        bail!(
            "the {} run of rdma-setup exited {:?}, not 0:\n{}",
            mode.name(),
            run.code,
            run.transcript()
        );
    }
    let hosts = done_lines(&run.stderr);
    for host in lab.host_names() {
        if !hosts.contains_key(&host) {
            bail!(
                "the {} run logged no `done ... host={host} round_trips=N commands=M` line \
                 (is {} a build whose -v logs it?):\n{}",
                mode.name(),
                binary.display(),
                run.transcript()
            );
        }
    }
    Ok(ToolSample {
        elapsed: run.elapsed,
        own_cpu,
        hosts,
    })
}

/// Each host's counts from its `done` debug line (tracing's `key=value` fields).
fn done_lines(stderr: &str) -> BTreeMap<String, HostCounts> {
    let mut hosts = BTreeMap::new();
    for line in stderr.lines().filter(|line| line.contains(" done")) {
        let field = |key: &str| {
            line.split_whitespace()
                .find_map(|word| word.strip_prefix(key)?.strip_prefix('='))
        };
        let number = |key: &str| field(key).and_then(|value| value.parse::<u64>().ok());
        if let (Some(host), Some(round_trips), Some(commands)) =
            (field("host"), number("round_trips"), number("commands"))
        {
            hosts.insert(
                host.to_owned(),
                HostCounts {
                    round_trips,
                    commands,
                },
            );
        }
    }
    hosts
}

/// Empty every host's shim command log, so the next run's commands are all it holds.
pub fn clear_command_logs(lab: &Lab) -> Result<()> {
    for host in lab.host_names() {
        let path = lab.paths().command_log(&host);
        std::fs::write(&path, "").with_context(|| format!("clearing {}", path.display()))?;
    }
    Ok(())
}

/// `ifconfig -a` and `ibv_devices` calls per host in the command log.
pub fn fresh_command_counts(lab: &Lab) -> BTreeMap<String, (u64, u64)> {
    lab.host_names()
        .into_iter()
        .map(|host| {
            let mut counts = (0, 0);
            for line in lab.commands(&host) {
                match line.trim_start_matches("[root] ").trim() {
                    "ifconfig -a" => counts.0 += 1,
                    "ibv_devices" => counts.1 += 1,
                    _ => {}
                }
            }
            (host, counts)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_done_lines_of_tracing_output() {
        let stderr = "2025-01-01T00:00:00.000001Z DEBUG connected host=mac1 elapsed=1ms\n\
            2025-01-01T00:00:00.000002Z DEBUG done host=mac1 round_trips=3 commands=12 \
            elapsed=20.5ms\n\
            2025-01-01T00:00:00.000003Z DEBUG done host=mac2 round_trips=2 commands=7 \
            elapsed=1.2s\n";
        let hosts = done_lines(stderr);
        assert_eq!(hosts.len(), 2);
        assert_eq!(
            hosts["mac1"],
            HostCounts {
                round_trips: 3,
                commands: 12
            }
        );
        assert_eq!(hosts["mac2"].commands, 7);
    }
}
