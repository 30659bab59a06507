//! What went wrong while connecting, and the user-facing texts that say what to do.
//!
//! Every failure names the host and ends in a command the user can run; the wording follows
//! the old tool's troubleshooting section.

use rdma_phase::TransportError;

/// A connection step failed: the reason and the advice, before the host is attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectFailure {
    pub reason: String,
    pub hint: String,
}

impl ConnectFailure {
    pub fn new(reason: impl Into<String>, hint: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            hint: hint.into(),
        }
    }

    /// Prefix the reason, e.g. with the jump host the failure happened on.
    pub fn context(mut self, prefix: &str) -> Self {
        self.reason = format!("{prefix}: {}", self.reason);
        self
    }

    pub fn into_error(self, host: &str) -> TransportError {
        TransportError::Connect {
            host: host.to_owned(),
            reason: self.reason,
            hint: self.hint,
        }
    }
}

pub fn check_ssh(alias: &str) -> String {
    format!("check that `ssh {alias} true` works from this machine")
}

pub fn unreachable(alias: &str) -> String {
    format!(
        "check that {alias} is up and on the network and that Remote Login is on \
         (System Settings > General > Sharing); {}",
        check_ssh(alias)
    )
}

pub fn authentication(alias: &str) -> String {
    format!(
        "install your public key on the host with `ssh-copy-id {alias}` (or load the right key \
         with `ssh-add`), then check that `ssh {alias} true` works without a password prompt"
    )
}

pub fn proxy_reach(proxy: &str, target: &str) -> String {
    format!(
        "If proxy commands time out, verify that the proxy host can reach the target host via \
         SSH: ssh {proxy} \"ssh {target} hostname\""
    )
}

pub fn command_timeout(alias: &str, seconds: u64) -> String {
    format!(
        "the host may be hung or overloaded: check it with `ssh {alias} true`, or allow more \
         time with --command-timeout (now {seconds} s)"
    )
}

pub fn endless_output(alias: &str, command: &str) -> String {
    format!(
        "this command prints a few KiB on a healthy Mac: see what {alias} answers with \
         `ssh {alias} {command} | head`"
    )
}

pub fn session_lost(alias: &str) -> String {
    format!(
        "the SSH connection to {alias} broke (host rebooted, network dropped or sshd \
         restarted); {} and run rdma-setup again",
        check_ssh(alias)
    )
}
