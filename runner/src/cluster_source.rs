//! Where a run's cluster comes from when the command line names no `--node`: `--cluster FILE`,
//! else `./rdma-cluster.toml`, else the user's own (`$XDG_CONFIG_HOME/rdma-setup/cluster.toml`,
//! `~/.config/rdma-setup/cluster.toml` without it). The file becomes flags in front of the user's own, so a file is
//! checked exactly as a command line is, and a flag the user types wins over the file's.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::Parser;

use crate::cli::Args;
use crate::cluster_file::{self, Located};

/// The file a bare `rdma-setup` looks for in the current folder.
pub const DEFAULT_FILE: &str = "rdma-cluster.toml";

/// A cluster file a run took its cluster from.
#[derive(Debug)]
pub struct UsedFile {
    pub path: PathBuf,
    located: Located,
}

impl UsedFile {
    /// `error` (the planner's, quoting a `--node` or `--proxy` string) with the file and line
    /// of the part it is about.
    pub fn locate(&self, error: &str) -> String {
        let line = self.located.file.command_line();
        let quoted = line
            .nodes
            .iter()
            .chain(&line.proxies)
            .find(|spec| error.contains(&format!("'{spec}'")) || error.contains(spec.as_str()));
        match quoted.and_then(|spec| self.located.line_of_spec(spec)) {
            Some(at) => format!("{}:{at}: {error}", self.path.display()),
            None => format!("{}: {error}", self.path.display()),
        }
    }
}

/// `args` as the run should see them: with no `--node` (and no replay), the cluster file's
/// flags in front of `argv`'s; otherwise unchanged.
pub fn apply(args: Args, argv: &[OsString]) -> Result<(Args, Option<UsedFile>), String> {
    if !args.nodes.is_empty() {
        if let Some(path) = &args.cluster {
            return Err(format!(
                "--cluster {} and --node do not mix: give the cluster by one or the other",
                path.display()
            ));
        }
        return Ok((args, None));
    }
    if args.replay.is_some() || args.list_phases {
        return Ok((args, None));
    }
    let path = match &args.cluster {
        Some(path) => path.clone(),
        None if Path::new(DEFAULT_FILE).is_file() => PathBuf::from(DEFAULT_FILE),
        None => match users_file().filter(|path| path.is_file()) {
            Some(path) => path,
            None => return Ok((args, None)),
        },
    };
    let located = cluster_file::load(&path).map_err(|error| error.to_string())?;
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    };
    let mut merged: Vec<OsString> = argv.iter().take(1).cloned().collect();
    merged.extend(located.file.argv(&folder));
    // A dry-run writes nothing, the file's hostfile included.
    if let Some(hostfile) = located
        .file
        .hostfile_path(&folder)
        .filter(|_| !args.dry_run)
    {
        merged.extend(["--hostfile".into(), hostfile.into_os_string()]);
    }
    merged.extend(argv.iter().skip(1).cloned());
    let args = Args::try_parse_from(&merged).map_err(|error| {
        let rendered = error.render().to_string();
        let first = rendered.lines().next().unwrap_or_default();
        format!(
            "{}: {}",
            path.display(),
            first.trim_start_matches("error: ")
        )
    })?;
    Ok((args, Some(UsedFile { path, located })))
}

/// The per-user cluster file, as the XDG base directory rules place it (the same on macOS,
/// where command-line tools keep their settings in `~/.config` too).
fn users_file() -> Option<PathBuf> {
    let non_empty = |name| std::env::var_os(name).filter(|value| !value.is_empty());
    let config = match non_empty("XDG_CONFIG_HOME") {
        Some(config) => PathBuf::from(config),
        None => PathBuf::from(non_empty("HOME")?).join(".config"),
    };
    Some(config.join("rdma-setup").join("cluster.toml"))
}

/// `--save FILE`: the command line's cluster as a cluster file, written unless a different
/// one is already there. The file's text, to show.
pub fn save(args: &Args, path: &Path) -> Result<String, String> {
    let extras = cluster_file::Extras {
        ssh_config: args.ssh_config.clone(),
        hostfile: args.hostfile.clone(),
        ..cluster_file::Extras::default()
    };
    let file = cluster_file::from_args(&args.nodes, &args.proxies, &args.netmask, extras)
        .map_err(|error| error.to_string())?;
    let text = cluster_file::render(&file);
    match std::fs::read_to_string(path) {
        Ok(existing) if existing == text => return Ok(text),
        Ok(_) => {
            return Err(format!(
                "--save {}: the file exists and holds something else; move it away or choose another path",
                path.display()
            ))
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(format!("--save {}: {error}", path.display())),
    }
    crate::write_whole::write_whole(path, &text).map_err(|error| {
        format!(
            "--save {}: cannot write it: {error}; check the folder exists and is writable",
            path.display()
        )
    })?;
    Ok(text)
}
