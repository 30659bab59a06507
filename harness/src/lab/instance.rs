//! The `Lab` value itself: what it holds, what it tells about the lab it stands for, and
//! how dropping it tears that lab down. What a lab can do is added by the files above this
//! one (see the module list in `mod.rs`).

use std::path::{Path, PathBuf};
use std::process::Child;

use super::state::{LabPaths, LabState};
use super::{sys, teardown};

/// A lab of simulated Macs. Dropping it tears everything down (unless [`Lab::keep`] was
/// called), also when a test panics.
#[derive(Debug)]
pub struct Lab {
    pub(super) state: LabState,
    /// Processes this process started, reaped on teardown.
    pub(super) children: Vec<Child>,
    /// Dropping leaves the lab running.
    pub(super) kept: bool,
}

impl Lab {
    pub fn name(&self) -> &str {
        &self.state.name
    }

    pub fn dir(&self) -> &Path {
        &self.state.dir
    }

    pub fn state(&self) -> &LabState {
        &self.state
    }

    pub fn paths(&self) -> LabPaths {
        self.state.paths()
    }

    /// The ssh config for `ssh -F` and `rdma-setup --ssh-config`.
    pub fn ssh_config_path(&self) -> PathBuf {
        self.paths().ssh_config()
    }

    pub fn known_hosts_path(&self) -> PathBuf {
        self.paths().known_hosts()
    }

    pub fn controller_ns(&self) -> &str {
        &self.state.controller_ns
    }

    pub fn host_names(&self) -> Vec<String> {
        self.state
            .hosts
            .iter()
            .map(|host| host.name.clone())
            .collect()
    }

    /// The directory mounted over the host's /tmp, seen from outside.
    pub fn host_tmp(&self, host: &str) -> PathBuf {
        self.paths().host_tmp(host)
    }

    pub(super) fn reap_children(&mut self) {
        for child in &mut self.children {
            if !sys::alive(child.id()) {
                let _ = child.wait();
            }
        }
        self.children
            .retain_mut(|child| matches!(child.try_wait(), Ok(None)));
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        if self.kept {
            return;
        }
        if let Err(err) = teardown::teardown(&self.state.name) {
            eprintln!("rdma lab {}: teardown problem: {err}", self.state.name);
        }
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
