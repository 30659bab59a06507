//! The resolved host model: everything the transport needs to know about one destination
//! after `ssh -G` (`ResolvedHost` and its enums), and ssh's defaults for machines without an
//! `ssh` binary.

use std::path::PathBuf;

use super::destination::Destination;
use super::tokens::LocalUser;

/// `StrictHostKeyChecking` as `ssh -G` prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrictHostKeyChecking {
    /// `yes`: never add keys.
    Yes,
    /// `ask` (the default): ssh would ask; we have no dialogue, so we refuse with the fix.
    Ask,
    /// `accept-new`, `no`, `off`: new keys are recorded. Changed keys are still refused: we
    /// do not copy ssh's "connect anyway with reduced features" for `no`.
    AcceptNew,
}

/// Which agent socket to ask for keys (`IdentityAgent`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentSocket {
    /// `$SSH_AUTH_SOCK`, libssh2's default.
    Environment,
    /// `IdentityAgent none`.
    Disabled,
    Path(PathBuf),
}

/// Everything the transport needs to know about one destination, after `ssh -G`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedHost {
    /// What was resolved (alias or `user@host`), for messages.
    pub alias: String,
    pub hostname: String,
    pub port: u16,
    pub user: String,
    /// `IdentityFile` entries, expanded; missing files are skipped later.
    pub identity_files: Vec<PathBuf>,
    /// Whether the config named them (`IdentityFile`), rather than these being ssh's
    /// defaults: named files are offered before the agent's other keys.
    pub identity_files_named: bool,
    pub identities_only: bool,
    pub identity_agent: AgentSocket,
    pub pubkey_authentication: bool,
    /// `ProxyJump` hops, first hop first. Empty for a direct connection.
    pub proxy_jump: Vec<Destination>,
    /// `ProxyCommand`, tokens not yet expanded.
    pub proxy_command: Option<String>,
    pub user_known_hosts: Vec<PathBuf>,
    pub global_known_hosts: Vec<PathBuf>,
    pub strict_host_key_checking: StrictHostKeyChecking,
    pub host_key_alias: Option<String>,
}

/// ssh's defaults for a destination, for machines without an `ssh` binary.
pub fn defaults(dest: &Destination, local: &LocalUser) -> ResolvedHost {
    let (user, host) = match dest.text.split_once('@') {
        Some((user, host)) => (user.to_owned(), host.to_owned()),
        None => (local.name.clone(), dest.text.clone()),
    };
    let ssh_dir = local.home.join(".ssh");
    ResolvedHost {
        alias: dest.text.clone(),
        hostname: host,
        port: dest.port.unwrap_or(22),
        user,
        identity_files: ["id_rsa", "id_ecdsa", "id_ed25519"]
            .iter()
            .map(|name| ssh_dir.join(name))
            .collect(),
        identity_files_named: false,
        identities_only: false,
        identity_agent: AgentSocket::Environment,
        pubkey_authentication: true,
        proxy_jump: Vec::new(),
        proxy_command: None,
        user_known_hosts: vec![ssh_dir.join("known_hosts"), ssh_dir.join("known_hosts2")],
        global_known_hosts: vec![
            PathBuf::from("/etc/ssh/ssh_known_hosts"),
            PathBuf::from("/etc/ssh/ssh_known_hosts2"),
        ],
        strict_host_key_checking: StrictHostKeyChecking::Ask,
        host_key_alias: None,
    }
}
