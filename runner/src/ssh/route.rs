//! How a session reaches its host, and one connection attempt from the top: resolve the
//! destination with `ssh -G`, open the byte stream (a TCP connection, a `ProxyJump` tunnel
//! or a `ProxyCommand`), then establish the session on it.
//!
//! A `ProxyJump` tunnel runs through the jump host's own session, established here the
//! same way, one hop closer to us; so this file is where the recursion over a chain lives.

use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use super::config::{self, Destination, ResolvedHost};
use super::hints::{self, ConnectFailure};
use super::jump;
use super::proxy_command;
use super::session::{Connector, Established};
use super::stream::{Route, SessionStream};

/// ProxyJump chains longer than this are taken for a loop in the config.
const MAX_HOPS: usize = 8;

/// Connect to `dest`. `jumps` overrides the host's own `ProxyJump` (for the later hops
/// of a chain, as ssh does).
pub fn establish(
    connector: &Connector<'_>,
    dest: &Destination,
    jumps: Option<&[Destination]>,
    depth: usize,
) -> Result<Established, ConnectFailure> {
    if depth > MAX_HOPS {
        return Err(ConnectFailure::new(
            format!("more than {MAX_HOPS} ProxyJump hops: the ssh config probably loops"),
            format!(
                "check the ProxyJump lines that `ssh -G {}` shows",
                dest.text
            ),
        ));
    }
    let started = Instant::now();
    let host = config::resolve(dest, connector.options.ssh_config.as_deref())
        .map_err(|error| ConnectFailure::new(error.reason, error.hint))?;
    tracing::debug!(
        alias = %host.alias,
        hostname = %host.hostname,
        port = host.port,
        user = %host.user,
        took = ?started.elapsed(),
        "resolved"
    );
    let jumps = jumps.map_or_else(|| host.proxy_jump.clone(), <[_]>::to_vec);
    let (stream, route) = open(connector, &host, &jumps, depth)?;
    connector.establish_on(host, stream, route)
}

/// Open the stream to `host`, through `jumps` (first hop first) when there are any.
fn open(
    connector: &Connector<'_>,
    host: &ResolvedHost,
    jumps: &[Destination],
    depth: usize,
) -> Result<(SessionStream, Route), ConnectFailure> {
    if let Some((last, before)) = jumps.split_last() {
        tracing::debug!(host = %host.alias, jump = %last.text, "connecting through ProxyJump");
        let jump_session = establish(connector, last, Some(before), depth + 1)
            .map_err(|failure| failure.context(&format!("jump host {}", last.text)))?;
        let (stream, pump) = jump::tunnel(
            jump_session,
            &host.hostname,
            host.port,
            &last.text,
            &host.alias,
        )?;
        return Ok((SessionStream::Unix(stream), Route::Jump { _pump: pump }));
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
        let started = Instant::now();
        match TcpStream::connect_timeout(address, timeout) {
            Ok(stream) => {
                tracing::debug!(%address, took = ?started.elapsed(), "TCP connected");
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
