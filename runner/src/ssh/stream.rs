//! The byte stream a session runs over ([`SessionStream`]) and what keeps an indirect one
//! running ([`Route`]).
//!
//! libssh2 only needs a socket. The indirect routes hand it one end of a Unix socket pair
//! and keep whatever feeds the other end (a pump thread, a child process) alive in
//! [`Route`], which lives exactly as long as the session. `route` opens both; `session`
//! runs the session on the stream and keeps the route.

use std::net::TcpStream;
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::thread::JoinHandle;

use ssh2::Session;

use super::proxy_command::ProxyChild;

/// What keeps an indirect route running. Dropped after the session that uses it.
pub enum Route {
    Direct,
    // Held only to be dropped with the session.
    /// The `ProxyJump` pump thread (`jump`). Dropping the handle does not wait: the thread
    /// stops on its own when the target session's socket closes.
    Jump {
        _pump: JoinHandle<()>,
    },
    Command {
        _child: ProxyChild,
    },
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
