//! What the command line decides about SSH.

use std::path::PathBuf;
use std::time::Duration;

/// SSH settings shared by every host of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshOptions {
    /// `--ssh-config FILE`; `None` reads `~/.ssh/config` (and the system file) as ssh does.
    pub ssh_config: Option<PathBuf>,
    /// `--connect-timeout`: TCP connect, and separately each wait of the handshake and
    /// authentication.
    pub connect_timeout: Duration,
    /// `--command-timeout`: how long one remote command may take, output included.
    pub command_timeout: Duration,
    /// `--accept-new-host-keys`: trust and record keys of hosts not yet in known_hosts.
    /// A changed key is refused whatever this says.
    pub accept_new_host_keys: bool,
}

impl Default for SshOptions {
    fn default() -> Self {
        Self {
            ssh_config: None,
            connect_timeout: Duration::from_secs(10),
            command_timeout: Duration::from_secs(30),
            accept_new_host_keys: false,
        }
    }
}
