//! `cargo xtask dist`: the shell completions (bash, zsh, fish) and the man page, generated
//! from the clap definition of the command line, so they can never drift from the flags.
//! They are committed under `dist/`; a test fails when they are not current.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use clap::CommandFactory;
use clap_complete::Shell;
use rdma_setup::cli::Args;

/// The command line's definition, with the plain release for a version: `--version` also
/// names the commit, which would make the committed files stale at every commit.
fn command() -> clap::Command {
    Args::command().version(env!("CARGO_PKG_VERSION"))
}

/// Every generated file, relative to the output folder, with its content.
pub fn files() -> Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut files = Vec::new();
    for (shell, name) in [
        (Shell::Bash, "rdma-setup.bash"),
        (Shell::Zsh, "_rdma-setup"),
        (Shell::Fish, "rdma-setup.fish"),
    ] {
        let mut script = Vec::new();
        clap_complete::generate(shell, &mut command(), "rdma-setup", &mut script);
        files.push((Path::new("completions").join(name), script));
    }
    let mut page = Vec::new();
    clap_mangen::Man::new(command())
        .render(&mut page)
        .context("rendering the man page")?;
    files.push((Path::new("man").join("rdma-setup.1"), page));
    Ok(files)
}

/// Write every generated file under `out`.
pub fn write_all(out: &Path) -> Result<()> {
    for (relative, content) in files()? {
        let path = out.join(&relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, content).with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed completions and man page are what the flags generate today.
    #[test]
    fn the_committed_files_are_current() {
        let dist = crate::workspace_root().join("dist");
        for (relative, content) in files().expect("generated") {
            let committed = std::fs::read(dist.join(&relative)).unwrap_or_default();
            assert!(
                committed == content,
                "dist/{} is out of date: run `cargo xtask dist` and commit the result",
                relative.display()
            );
        }
    }
}
