//! Building the workspace's own binaries from a chore (the lab's shim, the tool under
//! benchmark), with the cargo that runs xtask, into the workspace's target directory.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::workspace_root;

/// Where cargo puts build output for this workspace.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace_root().join("target"), PathBuf::from)
}

/// `cargo build --quiet ARGS` in the workspace.
pub fn cargo_build(args: &[&str]) -> Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let ok = Command::new(cargo)
        .arg("build")
        .arg("--quiet")
        .args(args)
        .current_dir(workspace_root())
        .status()
        .context("running cargo build")?
        .success();
    if !ok {
        bail!("cargo build {} failed", args.join(" "));
    }
    Ok(())
}
