//! Host aliases as users write them, resolved the way their own `ssh` resolves them.
//!
//! We run `ssh -G [-F FILE] [-p PORT] DEST` and read its `key value` lines instead of parsing
//! ssh_config ourselves: `-G` is OpenSSH's own evaluation of `Host`/`Match` blocks, `Include`,
//! first-match-wins, token expansion and every default, and the `ssh` binary is present on
//! every Mac and wherever users run ssh. A hand-written parser would disagree with ssh in
//! exactly the corner cases (`Match`, `Include` globs, `CanonicalizeHostname`) that make a
//! host "work with ssh but not with rdma-setup". Only if no `ssh` binary exists at all do we
//! fall back to ssh's defaults, and only when no config file was asked for.
//!
//! Split by concept:
//! - here: running `ssh -G` (or falling back to ssh's defaults) and its errors;
//! - `parse`: reading `ssh -G`'s output into a `ResolvedHost`;
//! - `host`: the `ResolvedHost` model and ssh's defaults;
//! - `destination`: `Destination` and `ProxyJump` entries;
//! - `tokens`: `%`/`~` expansion in ssh_config values.

mod destination;
mod host;
mod parse;
mod tokens;

use std::path::Path;
use std::process::{Command, Stdio};

pub use destination::Destination;
pub use host::{AgentSocket, ResolvedHost, StrictHostKeyChecking};
pub use tokens::{LocalUser, Tokens};

use host::defaults;
use parse::parse_ssh_g;

/// Why a destination could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct ConfigError {
    pub reason: String,
    pub hint: String,
}

/// Resolve `dest` with `ssh -G`, reading `config` instead of the user's files when given.
pub fn resolve(dest: &Destination, config: Option<&Path>) -> Result<ResolvedHost, ConfigError> {
    if dest.text.starts_with('-') || dest.text.is_empty() {
        return Err(ConfigError {
            reason: format!("'{}' is not an SSH destination", dest.text),
            hint: "host names may not start with '-'".into(),
        });
    }
    let mut command = Command::new("ssh");
    command.arg("-G");
    if let Some(config) = config {
        command.arg("-F").arg(config);
    }
    if let Some(port) = dest.port {
        command.arg("-p").arg(port.to_string());
    }
    command
        .arg(&dest.text)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    tracing::debug!(destination = %dest.text, ?config, "resolving with ssh -G");
    let output = match command.output() {
        Ok(output) => output,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound && config.is_none() => {
            tracing::debug!("no ssh binary: using ssh's defaults without a config file");
            return Ok(defaults(dest, &LocalUser::from_env()));
        }
        Err(error) => {
            return Err(ConfigError {
                reason: format!("cannot run `ssh -G` to read the SSH config: {error}"),
                hint: "install the OpenSSH client (rdma-setup reads ssh_config through `ssh -G`)"
                    .into(),
            })
        }
    };
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(ConfigError {
            reason: format!(
                "the SSH config could not be read for '{}': {}",
                dest.text,
                stderr.trim()
            ),
            hint: match config {
                Some(config) => format!("check `ssh -G -F {} {}`", config.display(), dest.text),
                None => format!("check `ssh -G {}` and ~/.ssh/config", dest.text),
            },
        });
    }
    let text = String::from_utf8_lossy(&output.stdout);
    parse_ssh_g(&dest.text, &text, &LocalUser::from_env()).map_err(|reason| ConfigError {
        reason,
        hint: format!("check `ssh -G {}`", dest.text),
    })
}
