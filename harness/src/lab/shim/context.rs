//! Which lab and which host a shim runs in, found without any configuration: the lab from
//! the shim's own location (`<lab>/bin/mac-shim`), the host from the UTS hostname.

use std::io::Write;
use std::path::PathBuf;

use super::ROOT_MARKER;
use crate::lab::spec::Misbehaviour;
use crate::lab::state::{HostState, LabPaths, LabState};

pub struct HostContext {
    pub state: LabState,
    pub host: HostState,
    pub paths: LabPaths,
    /// Running under the sudo shim.
    pub root: bool,
}

impl HostContext {
    pub fn load() -> Result<Self, String> {
        let exe = std::env::current_exe().map_err(|err| format!("cannot find myself: {err}"))?;
        let dir: PathBuf = exe
            .parent()
            .and_then(|bin| bin.parent())
            .ok_or_else(|| format!("{} is not inside a lab's bin/", exe.display()))?
            .to_path_buf();
        let state = LabState::load(&dir).map_err(|err| err.to_string())?;
        let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map_err(|err| format!("cannot read the hostname: {err}"))?;
        let host = state
            .host(hostname.trim())
            .map_err(|err| format!("{err} (not running inside a lab host?)"))?
            .clone();
        Ok(Self {
            paths: state.paths(),
            state,
            host,
            root: std::env::var(ROOT_MARKER).is_ok_and(|value| value == "1"),
        })
    }

    /// One line per invocation in the host's command log, for tests to inspect.
    pub fn log(&self, command: &str, args: &[String]) {
        let marker = if self.root && command != "sudo" {
            "[root] "
        } else {
            ""
        };
        let line = format!("{marker}{command} {}\n", args.join(" "));
        let path = self.paths.command_log(&self.host.name);
        // One write per line with O_APPEND keeps concurrent sessions' lines whole.
        if let Ok(mut file) = std::fs::File::options()
            .create(true)
            .append(true)
            .open(path)
        {
            let _ = file.write_all(line.as_bytes());
        }
    }

    pub fn rdma_enabled(&self, host: &str) -> bool {
        std::fs::read_to_string(self.paths.rdma_flag(host))
            .is_ok_and(|word| word.trim() == "enabled")
    }

    /// How `rdma_ctl status` misbehaves on this host, if it does.
    pub fn rdma_ctl_fault(&self) -> Option<Misbehaviour> {
        std::fs::read_to_string(self.paths.rdma_ctl_fault(&self.host.name))
            .ok()
            .and_then(|word| Misbehaviour::from_word(&word))
    }

    /// Whether `sudo` hangs on this host ([`crate::lab::Lab::set_sudo_hangs`]).
    pub fn sudo_hangs(&self) -> bool {
        self.paths.sudo_hangs(&self.host.name).exists()
    }

    pub fn sudo_password(&self) -> Option<String> {
        std::fs::read_to_string(self.paths.sudo_password(&self.host.name)).ok()
    }
}
