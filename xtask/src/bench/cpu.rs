//! How much CPU the whole machine spent during a measured run (the tool, the simulated Macs'
//! sshd, shells and shims): from `/proc/stat`'s first line, busy = every field but idle and
//! iowait. On a lab whose Macs share the machine's cores, a run that keeps the cores busy
//! is bounded by CPU, not by round trips; the CPU seconds say how much work it made.

use anyhow::{anyhow, Context, Result};

/// `/proc/stat` counts in USER_HZ, which Linux fixes at 100 for user space.
const TICKS_PER_SECOND: f64 = 100.0;

/// The machine's CPU counters at one moment.
#[derive(Debug, Clone, Copy)]
pub struct CpuClock {
    busy: u64,
}

impl CpuClock {
    pub fn now() -> Result<Self> {
        let text = std::fs::read_to_string("/proc/stat").context("reading /proc/stat")?;
        parse(&text)
    }

    /// CPU seconds spent since `self`, over all cores.
    pub fn busy_secs_since(self) -> Result<f64> {
        let now = Self::now()?;
        // Tick counts of one run are far below 2^52: exact in f64.
        #[allow(clippy::cast_precision_loss)]
        Ok(now.busy.saturating_sub(self.busy) as f64 / TICKS_PER_SECOND)
    }
}

/// CPU seconds (user and system) of every child this process has waited for so far, from
/// `/proc/self/stat`'s `cutime` and `cstime`: around one run of the tool, its own CPU (and
/// its `ssh -G`), apart from the simulated Macs'.
pub fn children_secs() -> Result<f64> {
    let text = std::fs::read_to_string("/proc/self/stat").context("reading /proc/self/stat")?;
    // The command name may hold spaces and parentheses: the fields start after the last `)`.
    let fields: Vec<&str> = text
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    // `cutime` and `cstime` are fields 16 and 17; the first after `)` is field 3.
    let ticks = |field: usize| -> Result<u64> {
        fields
            .get(field - 3)
            .and_then(|value| value.parse().ok())
            .ok_or_else(|| anyhow!("/proc/self/stat has no field {field}"))
    };
    // A process's tick counts are far below 2^52: exact in f64.
    #[allow(clippy::cast_precision_loss)]
    Ok((ticks(16)? + ticks(17)?) as f64 / TICKS_PER_SECOND)
}

fn parse(text: &str) -> Result<CpuClock> {
    let line = text
        .lines()
        .find(|line| line.starts_with("cpu "))
        .ok_or_else(|| anyhow!("/proc/stat has no aggregate `cpu` line"))?;
    let fields: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .map(str::parse)
        .collect::<Result<_, _>>()
        .with_context(|| format!("reading /proc/stat's line {line:?}"))?;
    // user nice system idle iowait irq softirq steal (guest time is inside user already).
    let [user, nice, system, idle, iowait, irq, softirq, steal, ..] = fields[..] else {
        return Err(anyhow!("/proc/stat's cpu line is short: {line:?}"));
    };
    let _waiting = (idle, iowait);
    Ok(CpuClock {
        busy: user + nice + system + irq + softirq + steal,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_leaves_out_idle_and_iowait() {
        let clock = parse("cpu  100 5 50 1000 20 1 2 3 0 0\ncpu0 50 2 25 500 10 0 1 1 0 0\n")
            .expect("parses");
        assert_eq!(clock.busy, 161);
    }

    #[test]
    fn a_short_line_is_an_error() {
        assert!(parse("cpu  1 2 3\n").is_err());
    }

    #[test]
    fn a_waited_child_counts_its_cpu() {
        let before = children_secs().expect("reads /proc/self/stat");
        let status = std::process::Command::new("sh")
            .args(["-c", "i=0; while [ $i -lt 300000 ]; do i=$((i + 1)); done"])
            .status()
            .expect("sh runs");
        assert!(status.success());
        let spent = children_secs().expect("reads /proc/self/stat") - before;
        assert!(spent > 0.05, "{spent}");
    }
}
