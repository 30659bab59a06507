//! `ProxyJump`: the target's SSH session runs inside a `direct-tcpip` channel of the jump
//! host's session.
//!
//! libssh2 wants a socket for the target session, so it gets one end of a Unix socket pair
//! and a pump thread copies bytes between the other end and the channel. The thread owns
//! the jump session; it ends when either side closes (the target session is dropped, or
//! the jump host closes the channel).

use std::io::{ErrorKind, Read, Write};
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags};
use ssh2::Channel;

use super::hints::ConnectFailure;
use super::session::Established;
use super::wait::{poll_fds, poll_flags, would_block};

/// How much the pump buffers in each direction before it waits for the reader.
const BUFFER: usize = 64 * 1024;

/// Open a `direct-tcpip` channel from `jump` to `host:port` and start the pump. The
/// returned handle is the pump thread's: dropping it does not wait, the thread stops on its
/// own when the target session's socket closes.
pub fn tunnel(
    jump: Established,
    host: &str,
    port: u16,
    jump_name: &str,
    target_alias: &str,
) -> Result<(UnixStream, JoinHandle<()>), ConnectFailure> {
    // Still blocking, with the connect timeout set during the jump's handshake.
    let channel = jump
        .session
        .channel_direct_tcpip(host, port, None)
        .map_err(|error| {
            ConnectFailure::new(
                format!("jump host {jump_name} could not open a connection to {host}:{port}: {error}"),
                format!(
                    "check that {jump_name} reaches the target: ssh {jump_name} \"nc -z {host} {port}\", \
                     or ssh -J {jump_name} {target_alias} true"
                ),
            )
        })?;
    let (ours, theirs) = UnixStream::pair().map_err(|error| {
        ConnectFailure::new(
            format!("cannot create a socket pair: {error}"),
            String::new(),
        )
    })?;
    theirs.set_nonblocking(true).map_err(|error| {
        ConnectFailure::new(
            format!("cannot configure a socket pair: {error}"),
            String::new(),
        )
    })?;
    jump.session.set_blocking(false);
    let name = format!("ssh-jump-{jump_name}");
    let label = format!("{jump_name} -> {host}:{port}");
    let thread = std::thread::Builder::new()
        .name(name)
        .spawn(move || pump(jump, channel, theirs, &label))
        .map_err(|error| {
            ConnectFailure::new(
                format!("cannot start the tunnel thread: {error}"),
                String::new(),
            )
        })?;
    Ok((ours, thread))
}

/// Copy bytes both ways until one side ends.
fn pump(jump: Established, mut channel: Channel, mut local: UnixStream, label: &str) {
    let mut to_channel: Vec<u8> = Vec::with_capacity(BUFFER);
    let mut to_local: Vec<u8> = Vec::with_capacity(BUFFER);
    let mut buf = vec![0_u8; BUFFER];
    let mut local_eof = false;
    let mut channel_eof = false;

    let reason = loop {
        let mut moved = false;

        // Local socket -> channel.
        if !local_eof && to_channel.len() < BUFFER {
            match local.read(&mut buf) {
                Ok(0) => {
                    local_eof = true;
                    moved = true;
                }
                Ok(n) => {
                    to_channel.extend_from_slice(&buf[..n]);
                    moved = true;
                }
                Err(error) if error.kind() == ErrorKind::WouldBlock => {}
                Err(error) => break format!("local side: {error}"),
            }
        }
        if !to_channel.is_empty() {
            match channel.write(&to_channel) {
                Ok(n) => {
                    to_channel.drain(..n);
                    moved |= n > 0;
                }
                Err(error) if error.kind() == ErrorKind::WouldBlock => {}
                Err(error) => break format!("jump channel: {error}"),
            }
        }
        if local_eof && to_channel.is_empty() {
            // The target session is gone: nothing more to carry.
            break "target session closed".to_owned();
        }

        // Channel -> local socket.
        if !channel_eof && to_local.len() < BUFFER {
            match channel.read(&mut buf) {
                Ok(0) if channel.eof() => {
                    channel_eof = true;
                    moved = true;
                }
                Ok(0) => {}
                Ok(n) => {
                    to_local.extend_from_slice(&buf[..n]);
                    moved = true;
                }
                Err(error) if error.kind() == ErrorKind::WouldBlock => {}
                Err(error) => break format!("jump channel: {error}"),
            }
        }
        if !to_local.is_empty() {
            match local.write(&to_local) {
                Ok(n) => {
                    to_local.drain(..n);
                    moved |= n > 0;
                }
                Err(error) if error.kind() == ErrorKind::WouldBlock => {}
                Err(error) => break format!("local side: {error}"),
            }
        }
        if channel_eof && to_local.is_empty() {
            break "jump host closed the tunnel".to_owned();
        }

        if !moved {
            if channel.read_window().available > 0 {
                continue;
            }
            let session_flags = poll_flags(&jump.session);
            let mut local_flags = PollFlags::empty();
            if !local_eof && to_channel.len() < BUFFER {
                local_flags |= PollFlags::IN;
            }
            if !to_local.is_empty() {
                local_flags |= PollFlags::OUT;
            }
            poll_fds(
                &mut [
                    PollFd::new(&jump.socket, session_flags),
                    PollFd::new(&local.as_fd(), local_flags),
                ],
                Duration::from_secs(1),
            );
        }
    };
    tracing::debug!(tunnel = %label, %reason, "ProxyJump tunnel ends");
    close(&jump, channel);
}

/// Close the channel politely, briefly; the jump session is dropped right after.
fn close(jump: &Established, mut channel: Channel) {
    let deadline = Instant::now() + Duration::from_millis(500);
    while Instant::now() < deadline {
        match channel.close() {
            Err(error) if would_block(&error) => {
                poll_fds(
                    &mut [PollFd::new(&jump.socket, PollFlags::IN | PollFlags::OUT)],
                    Duration::from_millis(10),
                );
            }
            _ => break,
        }
    }
}
