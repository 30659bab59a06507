//! `cargo xtask bench`: how fast `rdma-setup` is against the floor stock OpenSSH sets.
//!
//! For each lab size and delay: a lab of simulated Macs is brought up, then `--runs` times:
//! the floor (OpenSSH, `floor.rs`) from rebooted hosts, a fresh run of the release build from
//! rebooted hosts, a re-run on the configured cluster and a `--check` (`runs.rs`). The lab is
//! torn down before the next one starts, also on error. Medians go into one Markdown table
//! (`table.rs`) on stdout; progress goes to stderr.

mod cpu;
mod floor;
mod runs;
mod table;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Args;
use rdma_harness::lab::{scenario, Fault, Lab, LabSpec};

use crate::build::{cargo_build, target_dir};
use cpu::CpuClock;
use runs::Mode;
use table::Row;

#[derive(Args)]
pub struct BenchArgs {
    /// Runs of each kind (floor, fresh, re-run, check) per lab; the table shows medians.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    runs: u32,
    /// Lab sizes: 2 (two-node), 3 (three-node), 4 (four-node full mesh), 8 (eight-node ring).
    #[arg(long, value_delimiter = ',', default_value = "2,4,8")]
    hosts: Vec<usize>,
    /// One-way delay in ms on every host's SSH stream (20 makes a 40 ms round trip).
    #[arg(long, value_delimiter = ',', default_value = "0,20")]
    delays: Vec<u64>,
    /// Measure this rdma-setup (a `--release` build) instead of building one with
    /// `cargo build --release -p rdma-setup`.
    #[arg(long, value_name = "PATH")]
    binary: Option<PathBuf>,
}

pub fn run(args: &BenchArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let specs: Vec<(usize, LabSpec)> = args
        .hosts
        .iter()
        .map(|&size| lab_of_size(size).map(|spec| (size, spec)))
        .collect::<Result<_>>()?;
    if args.delays.is_empty() {
        bail!("--delays is empty");
    }
    let binary = match &args.binary {
        Some(path) => {
            std::fs::canonicalize(path).with_context(|| format!("--binary {}", path.display()))?
        }
        None => {
            eprintln!("bench: cargo build --release -p rdma-setup");
            cargo_build(&["--release", "-p", "rdma-setup", "--bin", "rdma-setup"])?;
            target_dir().join("release").join("rdma-setup")
        }
    };
    cargo_build(&["-p", "rdma-harness", "--bin", "mac-shim"])?;
    std::env::set_var("RDMA_LAB_SHIM", target_dir().join("debug").join("mac-shim"));

    let mut rows = Vec::new();
    for (size, spec) in &specs {
        for &delay_ms in &args.delays {
            eprintln!(
                "bench: {size} hosts, {delay_ms} ms each way, {} runs",
                args.runs
            );
            let row = bench_lab(&binary, *size, spec, delay_ms, args.runs)?;
            eprintln!("bench: {}", table::row_line(&row));
            rows.push(row);
        }
    }
    println!("{}", table::machine_line(args.runs));
    println!();
    print!("{}", table::render(&rows));
    eprintln!(
        "bench: done in {:.0} s",
        started.elapsed().as_secs_f64().round()
    );
    Ok(ExitCode::SUCCESS)
}

/// The lab for each size the benchmark knows.
fn lab_of_size(size: usize) -> Result<LabSpec> {
    Ok(match size {
        2 => scenario::two_node(),
        3 => scenario::three_node(),
        4 => scenario::four_node(),
        8 => scenario::eight_node_ring(),
        other => bail!("no lab of {other} hosts (known: 2, 3, 4, 8)"),
    })
}

/// One lab: up, measured, down (dropping the `Lab` on an error or panic tears it down too).
fn bench_lab(binary: &Path, size: usize, spec: &LabSpec, delay_ms: u64, runs: u32) -> Result<Row> {
    let mut spec = spec.clone();
    if delay_ms > 0 {
        for host in &spec.hosts.clone() {
            spec.faults.push(Fault::Delay {
                host: host.clone(),
                delay: Duration::from_millis(delay_ms),
            });
        }
    }
    let lab = Lab::up(spec.clone()).context("building the lab")?;
    eprintln!("bench: lab {} is up", lab.name());
    let measured = measure(&lab, binary, &spec, runs);
    let name = lab.name().to_owned();
    let down = lab.down();
    let samples = measured.with_context(|| format!("lab {name}"))?;
    down.with_context(|| format!("removing lab {name}"))?;
    Ok(samples.row(size, delay_ms))
}

fn measure(lab: &Lab, binary: &Path, spec: &LabSpec, runs: u32) -> Result<table::Samples> {
    let ends = scenario::planned_ends(spec);
    let args = scenario::node_args(spec);
    let mut samples = table::Samples::default();
    for run in 1..=runs {
        runs::reset(lab, &ends)?;
        let clock = CpuClock::now()?;
        let floor = floor::measure(lab, &ends).with_context(|| format!("floor, run {run}"))?;
        samples.add_floor(floor.as_secs_f64(), clock.busy_secs_since()?);

        runs::reset(lab, &ends)?;
        runs::clear_command_logs(lab)?;
        for mode in [Mode::Fresh, Mode::Rerun, Mode::Check] {
            let clock = CpuClock::now()?;
            let tool_run = runs::run_tool(lab, binary, &args, mode)?;
            samples.add(mode, &tool_run, clock.busy_secs_since()?);
            if mode == Mode::Fresh {
                samples.add_fresh_commands(&runs::fresh_command_counts(lab));
            }
        }
        eprintln!("bench:   run {run}/{runs} done");
    }
    Ok(samples)
}
