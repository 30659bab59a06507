//! A round's one channel on one session, served from a poll loop that never blocks: a
//! command alone ([`run_one`]) or several as one script (`joint`).
//!
//! The loop advances the channel's state machine (`channel`) as far as it goes without
//! waiting, and sleeps on the socket only when nothing moved. The channel is the session's
//! spare (`spare`), opened ahead, so a round costs one round trip, or two when the spare was
//! not open in time; once the round has its channel the loop starts the next spare, its open
//! overlapping the round.
//!
//! Limits:
//! - A server that refuses the channel (`MaxSessions`) fails the round alone.
//! - One deadline: past it, the command fails as timed out and its channel is closed
//!   (commands wrapped by `lifeline` end on the host).
//! - The session breaking fails the command, and nothing more is sent.

use std::os::fd::BorrowedFd;
use std::time::Instant;

use rdma_phase::CommandOutput;
use ssh2::Session;

use super::channel::{CommandChannel, Job};
use super::exec::{AfterStdin, ExecError, Ran, MAX_OUTPUT};
use super::spare::Spare;
use super::wait::{outbound_blocked, wait_session};

/// The read buffer: one packet's worth of data is at most 32 KiB.
const READ_CHUNK: usize = 32 * 1024;

/// Run one `line` through the remote user's shell, with `stdin` then `after` on its standard
/// input.
pub fn run_one(
    session: &Session,
    socket: BorrowedFd<'_>,
    spare: &mut Spare,
    line: &str,
    stdin: Option<&[u8]>,
    after: AfterStdin,
    deadline: Instant,
) -> Result<CommandOutput, ExecError> {
    let job = Job {
        line,
        stdin: stdin.unwrap_or_default(),
        after,
        stdout_limit: MAX_OUTPUT,
    };
    run(session, socket, spare, &job, deadline).into_output()
}

/// Run `job` on `session`: what its channel read and how it ended. The channel is `spare`'s;
/// once it is taken (and the exec request is out), the next spare starts opening (`spare`).
pub fn run(
    session: &Session,
    socket: BorrowedFd<'_>,
    spare: &mut Spare,
    job: &Job<'_>,
    deadline: Instant,
) -> Ran {
    session.set_blocking(false);
    let mut open = loop {
        if Instant::now() >= deadline {
            return failed(ExecError::TimedOut);
        }
        match spare.take(session) {
            Ok(Some(channel)) => {
                tracing::trace!("channel open");
                break CommandChannel::new(channel, job);
            }
            // The open request is out (or could not be written yet): its answer comes later.
            Ok(None) => {
                // Waking at the deadline is the point, so passing it is no error here.
                let _ = wait_session(session, socket, deadline);
            }
            // A broken session or a refused channel: either way this command fails.
            Err(error) => return failed(ExecError::from_ssh(&error)),
        }
    };
    let mut buf = vec![0_u8; READ_CHUNK];
    let mut timed_out = false;
    // Taking the channel was progress: the first pass goes round again without waiting.
    let mut just_opened = true;
    loop {
        let now = Instant::now();
        if !timed_out && now >= deadline {
            timed_out = true;
            open.give_up(ExecError::TimedOut, now);
        }
        // The next spare's open goes out (with the exec request, unless the socket is full:
        // it then waits for it to drain). Before the channel moves: what asking about it
        // reads off the socket is the channel's to take now.
        let mut moved = std::mem::take(&mut just_opened) | spare.advance(session);
        moved |= open.advance(&mut buf, now);
        if let Some(reason) = open.lost() {
            let reason = reason.to_owned();
            // A result already known (a command that ended and was being closed) is kept.
            return open
                .into_ran()
                .unwrap_or_else(|| failed(ExecError::Lost(reason)));
        }
        if open.is_done() {
            // A done channel has its result; this only satisfies the type.
            return open
                .into_ran()
                .unwrap_or_else(|| failed(ExecError::Lost("no result for the command".into())));
        }
        if moved {
            continue;
        }
        // Output libssh2 already holds needs no socket event; unless libssh2 first has to get
        // something out (a window adjust), which only the socket draining allows.
        if open.has_queued_output() && !outbound_blocked(session) {
            continue;
        }
        // Nothing to do before the socket moves, the deadline passes or a close is overdue.
        let wake = open
            .closing_until()
            .into_iter()
            .chain((!timed_out).then_some(deadline))
            .min()
            .unwrap_or(now);
        // Waking at `wake` is the point, so passing it is no error here.
        let _ = wait_session(session, socket, wake);
    }
}

/// A job that ended with `error` before its channel read anything.
fn failed(error: ExecError) -> Ran {
    Ran {
        stdout: Vec::new(),
        stderr: Vec::new(),
        end: Err(error),
    }
}
