//! Removing a lab: by its recorded name and PIDs only, and harmless to repeat.

use std::path::Path;

use super::state::{base_dir, LabState};
use super::{naming, process, sys, LabError};

/// Stop every process in the lab's namespaces, delete the namespaces, remove the lab
/// directory. A lab that is already (partly) gone is not an error.
pub fn teardown(name: &str) -> Result<(), LabError> {
    let dir = base_dir().join(name);
    let recorded: Vec<u32> = LabState::load(&dir)
        .map(|state| {
            state
                .hosts
                .iter()
                .flat_map(|host| [host.relay_pid, host.sshd_pid, host.keeper_pid])
                .flatten()
                .collect()
        })
        .unwrap_or_default();
    let namespaces = lab_namespaces(name)?;
    let mut pids = recorded;
    for ns in &namespaces {
        pids.extend(ns_pids(ns));
    }
    pids.sort_unstable();
    pids.dedup();
    process::stop(&pids);
    let mut problems = Vec::new();
    for ns in &namespaces {
        if let Err(err) = sys::run("ip", ["netns", "del", ns]) {
            problems.push(err.to_string());
        }
    }
    if std::env::var_os("RDMA_LAB_KEEP_DIR").is_none() {
        remove_dir(&dir, &mut problems);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(LabError::Command {
            command: format!("teardown of lab {name}"),
            code: "-".into(),
            stderr: problems.join("; "),
        })
    }
}

/// Whether anything of the lab is left: its directory or any of its namespaces.
pub fn exists(name: &str) -> bool {
    base_dir().join(name).is_dir() || lab_namespaces(name).is_ok_and(|found| !found.is_empty())
}

/// Names of all labs recorded under the base directory.
pub fn all_labs() -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(base_dir()) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|entry| LabState::file(&entry.path()).exists())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .collect();
    names.sort();
    names
}

/// Labs whose owning process died without tearing them down (a killed test run).
pub fn reap_orphans() {
    for name in all_labs() {
        let Ok(state) = LabState::load(&base_dir().join(&name)) else {
            continue;
        };
        if state.owner_pid.is_some_and(|pid| !sys::alive(pid)) {
            let _ = teardown(&name);
        }
    }
}

fn lab_namespaces(name: &str) -> Result<Vec<String>, LabError> {
    let prefix = naming::ns_prefix(name);
    let listing = sys::run("ip", ["netns", "list"])?;
    Ok(listing
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|ns| ns.starts_with(&prefix))
        .map(str::to_owned)
        .collect())
}

fn ns_pids(ns: &str) -> Vec<u32> {
    sys::run("ip", ["netns", "pids", ns])
        .map(|text| {
            text.split_whitespace()
                .filter_map(|pid| pid.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

fn remove_dir(dir: &Path, problems: &mut Vec<String>) {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => {}
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => problems.push(format!("remove {}: {err}", dir.display())),
    }
}
