//! Developer chores: `cargo xtask <command>` (alias in `.cargo/config.toml`).

mod fixtures;

use std::path::PathBuf;

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
}

fn main() -> Result<()> {
    match Xtask::parse().command {
        Command::Fixtures { out } => fixtures::write_all(&workspace_root().join(out)),
    }
}

/// The workspace root, whatever directory cargo was started from.
fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}
