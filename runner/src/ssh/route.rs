//! How the byte stream of a session reaches its host: a TCP connection, a `ProxyJump`
//! tunnel or a `ProxyCommand`.
//!
//! libssh2 only needs a socket. The indirect routes hand it one end of a Unix socket pair
//! and keep whatever feeds the other end (a pump thread, a child process) alive in
//! [`Route`], which lives exactly as long as the session.

use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::time::Duration;

use ssh2::Session;

use super::config::{Destination, ResolvedHost};
use super::hints::{self, ConnectFailure};
use super::jump::{self, JumpTunnel};
use super::proxy_command::{self, ProxyChild};
use super::session::Connector;

/// What keeps an indirect route running. Dropped after the session that uses it.
pub enum Route {
    Direct,
    // Held only to be dropped with the session.
    Jump { _tunnel: JumpTunnel },
    Command { _child: ProxyChild },
}

/// The socket a session runs over.
pub enum SessionStream {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl SessionStream {
    /// A second descriptor for the same socket, to `poll(2)` while libssh2 owns the first.
    pub fn poll_handle(&self) -> std::io::Result<OwnedFd> {
        Ok(match self {
            Self::Tcp(stream) => stream.try_clone()?.into(),
            Self::Unix(stream) => stream.try_clone()?.into(),
        })
    }

    pub fn attach(self, session: &mut Session) {
        match self {
            Self::Tcp(stream) => session.set_tcp_stream(stream),
            Self::Unix(stream) => session.set_tcp_stream(stream),
        }
    }
}

/// Open the stream to `host`, through `jumps` (first hop first) when there are any.
pub fn open(
    connector: &Connector<'_>,
    host: &ResolvedHost,
    jumps: &[Destination],
    depth: usize,
) -> Result<(SessionStream, Route), ConnectFailure> {
    if let Some((last, before)) = jumps.split_last() {
        tracing::debug!(host = %host.alias, jump = %last.text, "connecting through ProxyJump");
        let jump_session = connector
            .establish(last, Some(before), depth + 1)
            .map_err(|failure| failure.context(&format!("jump host {}", last.text)))?;
        let (stream, tunnel) = jump::tunnel(
            jump_session,
            &host.hostname,
            host.port,
            &last.text,
            &host.alias,
        )?;
        return Ok((SessionStream::Unix(stream), Route::Jump { _tunnel: tunnel }));
    }
    if let Some(command) = &host.proxy_command {
        let (stream, child) = proxy_command::spawn(command, host)?;
        return Ok((
            SessionStream::Unix(stream),
            Route::Command { _child: child },
        ));
    }
    let stream = connect_tcp(host, connector.options.connect_timeout)?;
    Ok((SessionStream::Tcp(stream), Route::Direct))
}

/// TCP connect to each address of the host in turn, each bounded by `timeout`.
fn connect_tcp(host: &ResolvedHost, timeout: Duration) -> Result<TcpStream, ConnectFailure> {
    let addresses: Vec<SocketAddr> = (host.hostname.as_str(), host.port)
        .to_socket_addrs()
        .map_err(|error| {
            ConnectFailure::new(
                format!("cannot resolve {}: {error}", host.hostname),
                format!(
                    "check the name (or the HostName in your ssh config for {}); {}",
                    host.alias,
                    hints::check_ssh(&host.alias)
                ),
            )
        })?
        .collect();
    let mut last_error = None;
    for address in &addresses {
        tracing::debug!(%address, host = %host.alias, "TCP connect");
        match TcpStream::connect_timeout(address, timeout) {
            Ok(stream) => {
                if let Err(error) = stream.set_nodelay(true) {
                    tracing::debug!(%error, "TCP_NODELAY");
                }
                return Ok(stream);
            }
            Err(error) => last_error = Some((address, error)),
        }
    }
    let reason = match last_error {
        Some((address, error)) if error.kind() == std::io::ErrorKind::TimedOut => format!(
            "no answer from {address} within {} s",
            timeout.as_secs_f64()
        ),
        Some((address, error)) => format!("cannot connect to {address}: {error}"),
        None => format!("{} has no address", host.hostname),
    };
    Err(ConnectFailure::new(reason, hints::unreachable(&host.alias)))
}
