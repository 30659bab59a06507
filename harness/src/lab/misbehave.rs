//! Hosts whose `rdma_ctl status` misbehaves ([`Misbehaviour`]): it prints without end, or
//! never answers. The transport must cap the first and end the second on the host. And
//! hosts whose `sudo` hangs: a change that never ends, made under the host lock.

use super::instance::Lab;
use super::spec::Misbehaviour;
use super::{files, sys, LabError};

impl Lab {
    /// Make `rdma_ctl status` on `host` misbehave (`Some`) or answer normally (`None`).
    pub fn set_misbehaviour(
        &self,
        host: &str,
        misbehaviour: Option<Misbehaviour>,
    ) -> Result<(), LabError> {
        self.state().host(host)?;
        let path = self.paths().rdma_ctl_fault(host);
        match misbehaviour {
            Some(how) => files::write(&path, &format!("{}\n", how.word()), 0o644),
            None => files::remove(&path),
        }
    }

    /// Make `sudo` on `host` hang (a change that never ends) or work again.
    pub fn set_sudo_hangs(&self, host: &str, hangs: bool) -> Result<(), LabError> {
        self.state().host(host)?;
        let path = self.paths().sudo_hangs(host);
        if hangs {
            files::write(&path, "hang\n", 0o644)
        } else {
            files::remove(&path)
        }
    }

    /// The PIDs of every `rdma_ctl status` (or `sudo`) that started hanging on `host`, still
    /// running or not (see [`Lab::still_running`]).
    pub fn hung_pids(&self, host: &str) -> Vec<u32> {
        std::fs::read_to_string(self.paths().hung_pids(host))
            .unwrap_or_default()
            .lines()
            .filter_map(|line| line.trim().parse().ok())
            .collect()
    }

    /// Those of `pids` that are still running (zombies are not). The lab shares the PID
    /// namespace of the machine, so a lab host's process is visible here as is.
    pub fn still_running(pids: &[u32]) -> Vec<u32> {
        pids.iter()
            .copied()
            .filter(|pid| sys::alive(*pid))
            .collect()
    }
}
