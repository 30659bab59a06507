//! Samples, their medians and the Markdown table.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::runs::{Mode, ToolSample};

const MODES: [Mode; 3] = [Mode::Fresh, Mode::Rerun, Mode::Check];

fn index(mode: Mode) -> usize {
    match mode {
        Mode::Fresh => 0,
        Mode::Rerun => 1,
        Mode::Check => 2,
    }
}

/// Everything measured on one lab, run by run.
#[derive(Debug, Default)]
pub struct Samples {
    /// Floor wall times, seconds.
    floor: Vec<f64>,
    /// CPU seconds the machine spent in each floor run, then in each tool run per mode.
    floor_cpu: Vec<f64>,
    cpu: [Vec<f64>; 3],
    /// CPU seconds of the tool's own process per mode.
    own_cpu: [Vec<f64>; 3],
    /// Tool wall times per mode, seconds.
    seconds: [Vec<f64>; 3],
    /// Per mode, per host: round trips and commands of each run.
    round_trips: [BTreeMap<String, Vec<f64>>; 3],
    commands: [BTreeMap<String, Vec<f64>>; 3],
    /// Per host: `ifconfig -a` and `ibv_devices` calls of each fresh run.
    ifconfig_a: BTreeMap<String, Vec<f64>>,
    ibv_devices: BTreeMap<String, Vec<f64>>,
}

impl Samples {
    pub fn add_floor(&mut self, seconds: f64, cpu_seconds: f64) {
        self.floor.push(seconds);
        self.floor_cpu.push(cpu_seconds);
    }

    pub fn add(&mut self, mode: Mode, sample: &ToolSample, cpu_seconds: f64) {
        let i = index(mode);
        self.seconds[i].push(sample.elapsed.as_secs_f64());
        self.cpu[i].push(cpu_seconds);
        self.own_cpu[i].push(sample.own_cpu);
        for (host, counts) in &sample.hosts {
            push(&mut self.round_trips[i], host, counts.round_trips);
            push(&mut self.commands[i], host, counts.commands);
        }
    }

    pub fn add_fresh_commands(&mut self, counts: &BTreeMap<String, (u64, u64)>) {
        for (host, &(ifconfig_a, ibv_devices)) in counts {
            push(&mut self.ifconfig_a, host, ifconfig_a);
            push(&mut self.ibv_devices, host, ibv_devices);
        }
    }

    pub fn row(&self, hosts: usize, delay_ms: u64) -> Row {
        let per_mode = |of: &[BTreeMap<String, Vec<f64>>; 3]| MODES.map(|m| spread(&of[index(m)]));
        Row {
            hosts,
            delay_ms,
            floor: median(&self.floor),
            seconds: MODES.map(|m| median(&self.seconds[index(m)])),
            floor_cpu: median(&self.floor_cpu),
            cpu: MODES.map(|m| median(&self.cpu[index(m)])),
            own_cpu: MODES.map(|m| median(&self.own_cpu[index(m)])),
            round_trips: per_mode(&self.round_trips),
            commands: per_mode(&self.commands),
            ifconfig_a: spread(&self.ifconfig_a),
            ibv_devices: spread(&self.ibv_devices),
        }
    }
}

fn push(map: &mut BTreeMap<String, Vec<f64>>, host: &str, value: u64) {
    // Counts are small; f64 holds them exactly.
    #[allow(clippy::cast_precision_loss)]
    map.entry(host.to_owned()).or_default().push(value as f64);
}

/// The median; the mean of the middle two for an even count.
fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => sorted[n / 2],
        _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// The lowest and highest of the hosts' medians.
fn spread(per_host: &BTreeMap<String, Vec<f64>>) -> (f64, f64) {
    let medians: Vec<f64> = per_host.values().map(|runs| median(runs)).collect();
    let low = medians.iter().copied().fold(f64::INFINITY, f64::min);
    let high = medians.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (low, high)
}

/// One table row: one lab at one delay.
#[derive(Debug)]
pub struct Row {
    pub hosts: usize,
    pub delay_ms: u64,
    pub floor: f64,
    /// Fresh, re-run, check: median seconds.
    pub seconds: [f64; 3],
    /// Median CPU seconds the whole machine spent: the floor's, then fresh, re-run, check.
    pub floor_cpu: f64,
    pub cpu: [f64; 3],
    /// Median CPU seconds of the tool's own process: fresh, re-run, check.
    pub own_cpu: [f64; 3],
    pub round_trips: [(f64, f64); 3],
    pub commands: [(f64, f64); 3],
    pub ifconfig_a: (f64, f64),
    pub ibv_devices: (f64, f64),
}

/// `2 cores, AMD EPYC, Linux 6.1.0; ...`: where the numbers were taken.
pub fn machine_line(runs: u32) -> String {
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split_once(':'))
                .map(|(_, model)| model.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map_or_else(|_| "?".to_owned(), |text| text.trim().to_owned());
    format!(
        "Measured on {cores} cores (nproc), {model}, Linux {kernel}; lab of simulated Macs \
         (network namespaces, OpenSSH sshd); medians of {runs} runs; times in seconds."
    )
}

const HEADER: &str = "| hosts | delay each way | floor | fresh | re-run | check | fresh/floor \
    | re-run/floor | round trips/host (fresh/re-run/check) | commands/host (fresh/re-run/check) \
    | `ifconfig -a`/host (fresh) | `ibv_devices`/host (fresh) \
    | CPU s (floor/fresh/re-run/check) | the tool's own CPU s (fresh/re-run/check) |\n\
    |---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";

pub fn render(rows: &[Row]) -> String {
    let mut out = String::from(HEADER);
    for row in rows {
        let _ = writeln!(out, "{}", row_line(row));
    }
    out
}

pub fn row_line(row: &Row) -> String {
    let [fresh, rerun, check] = row.seconds;
    let three = |of: &[(f64, f64); 3]| {
        of.iter()
            .map(|&range| count(range))
            .collect::<Vec<_>>()
            .join("/")
    };
    format!(
        "| {} | {} ms | {:.2} | {fresh:.2} | {rerun:.2} | {check:.2} | {:.2} | {:.2} | {} | {} | {} | {} | {:.2}/{:.2}/{:.2}/{:.2} | {:.2}/{:.2}/{:.2} |",
        topology(row.hosts),
        row.delay_ms,
        row.floor,
        fresh / row.floor,
        rerun / row.floor,
        three(&row.round_trips),
        three(&row.commands),
        count(row.ifconfig_a),
        count(row.ibv_devices),
        row.floor_cpu,
        row.cpu[0],
        row.cpu[1],
        row.cpu[2],
        row.own_cpu[0],
        row.own_cpu[1],
        row.own_cpu[2],
    )
}

fn topology(hosts: usize) -> String {
    match hosts {
        2 => "2".to_owned(),
        4 => "4 (full mesh)".to_owned(),
        8 => "8 (ring)".to_owned(),
        other => other.to_string(),
    }
}

/// `3`, `2.5`, or `3–4` when the hosts differ.
fn count((low, high): (f64, f64)) -> String {
    let one = |value: f64| {
        if value.fract() == 0.0 {
            format!("{value:.0}")
        } else {
            format!("{value:.1}")
        }
    };
    if low == high {
        one(low)
    } else {
        format!("{}–{}", one(low), one(high))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(count((3.0, 3.0)), "3");
        assert_eq!(count((2.5, 4.0)), "2.5–4");
    }
}
