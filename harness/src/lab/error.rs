//! Why a lab could not be built, used or torn down.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum LabError {
    /// The machine cannot host a lab at all. Tests must fail on this under CI, not skip.
    #[error(
        "the lab of simulated Macs cannot be built on this machine:\n{}\n\
         The lab needs root (network namespaces) and: iproute2 (ip), util-linux (unshare, nsenter), \
         openssh-server (/usr/sbin/sshd), openssh-client (ssh, ssh-keygen), iputils-ping (ping). \
         On Debian/Ubuntu: apt-get install -y openssh-server iproute2 iputils-ping; run as root.",
        .missing.iter().map(|m| format!("  - {m}")).collect::<Vec<_>>().join("\n")
    )]
    Unavailable { missing: Vec<String> },

    #[error("invalid lab spec: {0}")]
    Spec(String),

    #[error("`{command}` failed (exit {code}): {stderr}")]
    Command {
        command: String,
        code: String,
        stderr: String,
    },

    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },

    #[error("lab state {}: {reason}", .path.display())]
    State { path: PathBuf, reason: String },

    #[error("the lab has no host '{0}'")]
    UnknownHost(String),

    /// Not a name `lab up` gives (letters, digits and `_`), so it could reach outside the
    /// lab's directory or into another lab's namespaces.
    #[error("'{0}' is not a lab name (they look like rl1a2b3c: see `cargo xtask lab list`)")]
    NotALabName(String),

    #[error("timed out after {seconds}s waiting for {what}{}", .log.as_deref().map(|l| format!("; log:\n{l}")).unwrap_or_default())]
    Timeout {
        what: String,
        seconds: u64,
        log: Option<String>,
    },

    #[error(
        "the mac-shim binary was not found (looked in: {looked}); build it with \
         `cargo build -p rdma-harness --bin mac-shim` or set RDMA_LAB_SHIM"
    )]
    ShimMissing { looked: String },
}

impl LabError {
    pub(crate) fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let what = what.into();
        move |source| Self::Io { what, source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unavailable_names_every_missing_piece_and_the_fix() {
        let text = LabError::Unavailable {
            missing: vec!["root: running as uid 1000".into(), "/usr/sbin/sshd".into()],
        }
        .to_string();
        assert!(text.contains("\n  - root: running as uid 1000\n  - /usr/sbin/sshd\n"));
        assert!(text.contains("apt-get install -y openssh-server iproute2 iputils-ping"));
    }
}
