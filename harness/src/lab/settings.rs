//! What a simulated Mac is set to, as its shims read it: the RDMA flag in NVRAM and
//! whether sudo asks for a password.

use super::instance::Lab;
use super::{files, LabError};

impl Lab {
    /// Set what `rdma_ctl status` reports (the NVRAM flag only Recovery can change).
    pub fn set_rdma(&self, host: &str, enabled: bool) -> Result<(), LabError> {
        self.state.host(host)?;
        let word = if enabled { "enabled\n" } else { "disabled\n" };
        files::write(&self.paths().rdma_flag(host), word, 0o644)
    }

    /// Make sudo ask for a password (`Some`) or not (`None`, NOPASSWD).
    pub fn set_sudo_password(&self, host: &str, password: Option<&str>) -> Result<(), LabError> {
        self.state.host(host)?;
        let path = self.paths().sudo_password(host);
        match password {
            Some(password) => files::write(&path, password, 0o600),
            None => files::remove(&path),
        }
    }
}
