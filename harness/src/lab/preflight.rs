//! Can this machine host a lab? Says exactly what is missing, all at once.

use super::{sys, LabError};

/// Programs the lab runs, with the package that provides each.
const TOOLS: &[(&str, &str)] = &[
    ("ip", "iproute2"),
    ("unshare", "util-linux"),
    ("nsenter", "util-linux"),
    ("ssh-keygen", "openssh-client"),
    ("ssh", "openssh-client"),
    ("ping", "iputils-ping"),
    ("kill", "procps"),
];

pub const SSHD: &str = "/usr/sbin/sshd";
/// sshd refuses to start without it.
pub const PRIVSEP_DIR: &str = "/run/sshd";

pub fn check() -> Result<(), LabError> {
    let mut missing = Vec::new();
    match sys::effective_uid() {
        Some(0) => {}
        Some(uid) => missing.push(format!(
            "root: running as uid {uid}; network namespaces need root (run the tests with sudo -E)"
        )),
        None => missing.push("root: cannot read the effective uid from /proc/self/status".into()),
    }
    for (tool, package) in TOOLS {
        if sys::which(tool).is_none() {
            missing.push(format!("`{tool}` (package {package})"));
        }
    }
    // sshd refuses to start unless run by absolute path, so look exactly there.
    if !sys::is_executable(std::path::Path::new(SSHD)) {
        missing.push(format!("{SSHD} (package openssh-server)"));
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(LabError::Unavailable { missing })
    }
}
