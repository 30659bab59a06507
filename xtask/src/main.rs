//! Developer chores: `cargo xtask <command>` (alias in `.cargo/config.toml`).

mod bench;
mod build;
mod dist;
mod fixtures;
mod lab;
mod record;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Developer chores for rdma-setup")]
struct Xtask {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Rewrite the simulated replay scenarios in fixtures/ (review the snapshot diffs after).
    Fixtures {
        /// Where the scenario folders go.
        #[arg(long, default_value = "fixtures")]
        out: PathBuf,
    },
    /// Record a live cluster into a replay scenario, in check mode: nothing on the Macs is
    /// changed and sudo is never run.
    Record(Box<record::RecordArgs>),
    /// Start, use and remove a lab of simulated Macs (needs root).
    Lab(Box<lab::LabArgs>),
    /// Time rdma-setup (release build) on labs of 2, 4 and 8 simulated Macs against stock
    /// OpenSSH doing the same work; prints a Markdown table (needs root).
    Bench(bench::BenchArgs),
    /// Write the shell completions and the man page, generated from the command line's
    /// definition, under dist/ (commit the result; a test checks they are current).
    Dist {
        /// Where the files go.
        #[arg(long, default_value = "dist")]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    let result: Result<ExitCode> = match Xtask::parse().command {
        Command::Fixtures { out } => {
            fixtures::write_all(&workspace_root().join(out)).map(|()| ExitCode::SUCCESS)
        }
        Command::Record(args) => record::run(&args),
        Command::Lab(args) => lab::run(*args),
        Command::Bench(args) => bench::run(&args),
        Command::Dist { out } => {
            dist::write_all(&workspace_root().join(out)).map(|()| ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("xtask: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root, whatever directory cargo was started from.
fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}
