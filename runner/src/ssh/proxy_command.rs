//! `ProxyCommand` from the ssh config: a child process whose stdin/stdout is the stream.
//!
//! The child gets one end of a Unix socket pair as both stdin and stdout, libssh2 the
//! other, so no copying thread is needed.

use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::process::{Child, Command, Stdio};

use super::config::{LocalUser, ResolvedHost, Tokens};
use super::hints::{self, ConnectFailure};

/// The running proxy command; stopped (by its own handle) when the session ends.
pub struct ProxyChild(Child);

impl Drop for ProxyChild {
    fn drop(&mut self) {
        if let Err(error) = self.0.kill() {
            tracing::debug!(%error, "ProxyCommand already gone");
        }
        if let Err(error) = self.0.wait() {
            tracing::debug!(%error, "waiting for the ProxyCommand");
        }
    }
}

pub fn spawn(
    command: &str,
    host: &ResolvedHost,
) -> Result<(UnixStream, ProxyChild), ConnectFailure> {
    let local = LocalUser::from_env();
    let tokens = Tokens {
        local: &local,
        alias: host
            .alias
            .rsplit_once('@')
            .map_or(&host.alias, |(_, alias)| alias),
        hostname: &host.hostname,
        user: &host.user,
        port: host.port,
    };
    let line = tokens.expand(command);
    let failure = |error: std::io::Error| {
        ConnectFailure::new(
            format!("cannot start the ProxyCommand `{line}`: {error}"),
            hints::check_ssh(&host.alias),
        )
    };
    let (ours, theirs) = UnixStream::pair().map_err(failure)?;
    let theirs_out: OwnedFd = theirs.try_clone().map_err(failure)?.into();
    let theirs_in: OwnedFd = theirs.into();
    tracing::debug!(host = %host.alias, command = %line, "starting ProxyCommand");
    // `exec` as ssh does, so the shell does not linger between us and the command.
    let child = Command::new("/bin/sh")
        .arg("-c")
        .arg(format!("exec {line}"))
        .stdin(Stdio::from(theirs_in))
        .stdout(Stdio::from(theirs_out))
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(failure)?;
    Ok((ours, ProxyChild(child)))
}
