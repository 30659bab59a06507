//! Another rdma-setup run, as the lab sees it: an SSH session to a simulated Mac that
//! holds the host lock for as long as it stays open.

use std::time::Duration;

use rdma_harness::lab::Lab;
use rdma_phase::host_lock::LOCK_PATH;

use crate::child::Running;

/// Hold `host`'s lock as `who` for `seconds`: the lock names the session's sshd, which
/// lives while `sleep` runs. Returns once the lock is in place.
pub fn hold(lab: &Lab, host: &str, who: &str, seconds: u32) -> Running {
    let mut keeper = lab.controller_command("ssh");
    keeper
        .arg("-F")
        .arg(lab.ssh_config_path())
        .args(["-o", "BatchMode=yes", host])
        .arg(format!(
            "echo \"$PPID $(date +%s) session {who}\" > {LOCK_PATH}; sleep {seconds}"
        ));
    let keeper = Running::start(keeper);
    std::thread::sleep(Duration::from_millis(800));
    keeper
}
