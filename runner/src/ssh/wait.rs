//! Waiting for a non-blocking libssh2 session's socket, with a deadline.
//!
//! Commands and tunnels run libssh2 in non-blocking mode so that one thread can serve
//! stdout, stderr and stdin of every channel of a batch (or both directions of a tunnel)
//! without the classic deadlock, and so that every wait is bounded. When libssh2 says
//! "would block", [`Session::block_directions`] tells which way, and `poll(2)` sleeps until
//! the socket is ready instead of spinning.

use std::os::fd::BorrowedFd;
use std::time::{Duration, Instant};

use rustix::event::{poll, PollFd, PollFlags, Timespec};
use ssh2::{BlockDirections, Session};

/// libssh2's `LIBSSH2_ERROR_EAGAIN`.
const LIBSSH2_ERROR_EAGAIN: i32 = -37;

/// The longest single sleep. libssh2 may already hold data it read while serving another
/// call, which no socket event announces; waking up now and then bounds that latency.
const MAX_SLEEP: Duration = Duration::from_millis(50);

/// The deadline passed while waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimedOut;

pub fn would_block(error: &ssh2::Error) -> bool {
    error.code() == ssh2::ErrorCode::Session(LIBSSH2_ERROR_EAGAIN)
}

/// Sleep until the session's socket is ready in the direction libssh2 is blocked on, the
/// deadline passes, or [`MAX_SLEEP`] elapses.
pub fn wait_session(
    session: &Session,
    socket: BorrowedFd<'_>,
    deadline: Instant,
) -> Result<(), TimedOut> {
    let flags = poll_flags(session);
    let remaining = deadline
        .checked_duration_since(Instant::now())
        .filter(|left| !left.is_zero())
        .ok_or(TimedOut)?;
    poll_fds(&mut [PollFd::new(&socket, flags)], remaining.min(MAX_SLEEP));
    Ok(())
}

/// What to `poll(2)` the session's socket for: the direction libssh2 is blocked on, else
/// reading.
pub fn poll_flags(session: &Session) -> PollFlags {
    match session.block_directions() {
        BlockDirections::Outbound => PollFlags::OUT,
        BlockDirections::Both => PollFlags::IN | PollFlags::OUT,
        BlockDirections::Inbound | BlockDirections::None => PollFlags::IN,
    }
}

/// Whether libssh2 last waited for the socket to take writes.
pub fn outbound_blocked(session: &Session) -> bool {
    matches!(
        session.block_directions(),
        BlockDirections::Outbound | BlockDirections::Both
    )
}

/// `poll(2)` for at most `timeout` (capped at [`MAX_SLEEP`]). Errors (EINTR) just end the
/// sleep early: every caller loops and checks its own state and deadline.
pub fn poll_fds(fds: &mut [PollFd<'_>], timeout: Duration) {
    let timeout = timeout.min(MAX_SLEEP);
    // MAX_SLEEP is below one second, so the nanoseconds carry the whole timeout.
    let spec = Timespec {
        tv_sec: 0,
        tv_nsec: timeout.subsec_nanos().into(),
    };
    if let Err(error) = poll(fds, Some(&spec)) {
        tracing::trace!(%error, "poll interrupted");
    }
}
