//! Several commands at once on one session: a channel each, at most [`MAX_CHANNELS`] open at
//! a time, every channel served from one poll loop.
//!
//! The loop opens channels for queued commands, advances each open channel's state machine
//! (`channel`) as far as it goes without waiting, and sleeps on the socket only when nothing
//! moved. So the commands run on the host at the same time, and their exec requests, output
//! and closes share round trips. Opens do not: libssh2 keeps the state of a channel open in
//! the session, not in the channel, so the next open goes out when the previous one is
//! confirmed. N commands cost N open round trips back to back, overlapped with everything
//! else, instead of 2N one after another.
//!
//! That is why the transport no longer gives each command of a batch its channel: it runs
//! one channel per round, a command alone ([`run_one`]) or several as one script (`joint`),
//! which costs two round trips whatever their number, or one: the first channel a batch gets
//! is the session's spare (`spare`), opened ahead, and once every job has its channel the
//! loop starts the next spare, its open overlapping the batch. The loop below still serves
//! any number of channels, with the limits that come with it.
//!
//! Limits:
//! - [`MAX_CHANNELS`]: OpenSSH's default `MaxSessions` is 10 channels per connection; the
//!   rest of the batch waits in a queue. A server that refuses a channel while some of the
//!   batch are open (a lower `MaxSessions`) gets no more than it had from then on: the
//!   command waits for a channel to close. A server that took no channel of the batch and
//!   refuses one fails that command alone.
//! - One deadline for the batch: every command gets the whole timeout from the batch's
//!   start; past it, those still running or queued fail as timed out and their channels
//!   are closed (commands wrapped by `lifeline` end on the host).
//! - The session breaking fails every command without a result, and nothing more is sent.

use std::collections::VecDeque;
use std::os::fd::BorrowedFd;
use std::time::Instant;

use rdma_phase::CommandOutput;
use ssh2::{BlockDirections, Session};

use super::channel::{CommandChannel, Job};
use super::exec::{AfterStdin, ExecError, Ran, MAX_OUTPUT};
use super::spare::Spare;
use super::wait::wait_session;

/// Channels open at once on one session. OpenSSH allows 10 by default (`MaxSessions`); two
/// stay free for anything else on the connection.
pub const MAX_CHANNELS: usize = 8;

/// How often a channel refused with none of the batch open is asked for again before its
/// command fails: a server frees closed channels a moment after our close, not before.
const MAX_RETRIES: u32 = 3;

/// The read buffer, shared by the channels: one packet's worth of data is at most 32 KiB.
const READ_CHUNK: usize = 32 * 1024;

/// Run one `line` through the remote user's shell, with `stdin` then `after` on its standard
/// input: a batch of one.
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
    run(session, socket, spare, std::slice::from_ref(&job), deadline)
        .pop()
        .map_or_else(
            // `run` returns one result per job; this only satisfies the type.
            || Err(ExecError::Lost("no result for the command".into())),
            Ran::into_output,
        )
}

/// Run `jobs` on `session`, at most [`MAX_CHANNELS`] at a time; what each channel read and
/// how it ended, in the jobs' order. The first channel is `spare`'s; once every job has its
/// channel (and the exec requests are out), the next spare starts opening (`spare`).
pub fn run(
    session: &Session,
    socket: BorrowedFd<'_>,
    spare: &mut Spare,
    jobs: &[Job<'_>],
    deadline: Instant,
) -> Vec<Ran> {
    session.set_blocking(false);
    let mut batch = Batch {
        results: jobs.iter().map(|_| None).collect(),
        queue: (0..jobs.len()).collect(),
        open: Vec::new(),
        limit: MAX_CHANNELS,
        accepted: false,
        retries: 0,
        timed_out: false,
    };
    let mut buf = vec![0_u8; READ_CHUNK];
    loop {
        let now = Instant::now();
        if !batch.timed_out && now >= deadline {
            batch.time_out(now);
        }
        let mut moved = match batch.open_next(session, spare, jobs) {
            Ok(moved) => moved,
            Err(reason) => return batch.lose(&reason),
        };
        // Once every job has its channel, the next spare's open goes out (with the exec
        // requests, unless the socket is full: it then waits for it to drain). Before the
        // channels move: what asking about it reads off the socket is theirs to take now.
        if batch.queue.is_empty() {
            moved |= spare.advance(session);
        }
        for (_, channel) in &mut batch.open {
            moved |= channel.advance(&mut buf, now);
        }
        if let Some(reason) = batch.open.iter().find_map(|(_, channel)| channel.lost()) {
            let reason = reason.to_owned();
            return batch.lose(&reason);
        }
        batch.collect_done();
        if batch.open.is_empty() && batch.queue.is_empty() {
            return batch.finish();
        }
        if moved {
            continue;
        }
        let queued = batch
            .open
            .iter()
            .any(|(_, channel)| channel.has_queued_output());
        // Output libssh2 already holds needs no socket event; unless libssh2 first has to get
        // something out (a window adjust), which only the socket draining allows.
        if queued
            && !matches!(
                session.block_directions(),
                BlockDirections::Outbound | BlockDirections::Both
            )
        {
            continue;
        }
        // Nothing to do before the socket moves, the deadline passes or a close is overdue.
        let wake = batch
            .open
            .iter()
            .filter_map(|(_, channel)| channel.closing_until())
            .chain((!batch.timed_out).then_some(deadline))
            .min()
            .unwrap_or(now);
        // Waking at `wake` is the point, so passing it is no error here.
        let _ = wait_session(session, socket, wake);
    }
}

struct Batch<'a> {
    results: Vec<Option<Ran>>,
    /// Indices of the jobs without a channel yet, in order.
    queue: VecDeque<usize>,
    /// Channels opened and not yet done, with their job's index.
    open: Vec<(usize, CommandChannel<'a>)>,
    /// How many channels may be open: [`MAX_CHANNELS`], or fewer once the server refused one.
    limit: usize,
    /// Whether the server accepted a channel in this batch: a refusal then means "not that
    /// many at once", not "none".
    accepted: bool,
    /// Refusals in a row with no channel open (see [`MAX_RETRIES`]).
    retries: u32,
    timed_out: bool,
}

impl<'a> Batch<'a> {
    /// Open a channel for the next queued job if there is room; whether anything happened.
    /// `Err` when the session broke.
    fn open_next(
        &mut self,
        session: &Session,
        spare: &mut Spare,
        jobs: &[Job<'a>],
    ) -> Result<bool, String> {
        let Some(&next) = self.queue.front() else {
            return Ok(false);
        };
        if self.open.len() >= self.limit {
            return Ok(false);
        }
        match spare.take(session) {
            Ok(Some(channel)) => {
                tracing::trace!(job = next, "channel open");
                self.accepted = true;
                self.retries = 0;
                self.queue.pop_front();
                self.open
                    .push((next, CommandChannel::new(channel, &jobs[next])));
                Ok(true)
            }
            // The open request is out (or could not be written yet): its answer comes later.
            Ok(None) => Ok(false),
            Err(error) => match ExecError::from_ssh(&error) {
                ExecError::Lost(reason) => Err(reason),
                ExecError::Refused(reason) if self.accepted && self.retries < MAX_RETRIES => {
                    // The server took channels in this batch, so its own limit is below ours:
                    // wait for a channel to close. With none open, the server has not yet
                    // freed the ones just closed (it frees them after our close arrives and
                    // may read our next open first): the next try finds room.
                    self.limit = self.open.len().max(1);
                    if self.open.is_empty() {
                        self.retries += 1;
                    }
                    tracing::debug!(
                        limit = self.limit,
                        %reason,
                        "the server refused a channel; fewer at once"
                    );
                    Ok(true)
                }
                refused => {
                    self.queue.pop_front();
                    self.results[next] = Some(failed(refused));
                    Ok(true)
                }
            },
        }
    }

    /// The deadline passed: what is queued will not start, what runs is given up on.
    fn time_out(&mut self, now: Instant) {
        self.timed_out = true;
        for index in self.queue.drain(..) {
            self.results[index] = Some(failed(ExecError::TimedOut));
        }
        for (_, channel) in &mut self.open {
            channel.give_up(ExecError::TimedOut, now);
        }
    }

    fn collect_done(&mut self) {
        let mut index = 0;
        while index < self.open.len() {
            if self.open[index].1.is_done() {
                let (job, channel) = self.open.swap_remove(index);
                self.results[job] = channel.into_ran();
            } else {
                index += 1;
            }
        }
    }

    /// The session broke: every command without a result fails with `reason`. Results
    /// already known (a command that ended and was being closed) are kept.
    fn lose(mut self, reason: &str) -> Vec<Ran> {
        for (job, channel) in self.open.drain(..) {
            self.results[job] = channel.into_ran();
        }
        self.results
            .into_iter()
            .map(|result| result.unwrap_or_else(|| failed(ExecError::Lost(reason.to_owned()))))
            .collect()
    }

    fn finish(self) -> Vec<Ran> {
        self.results
            .into_iter()
            .map(|result| {
                // Every job left the queue and its channel with a result; this only
                // satisfies the type.
                result
                    .unwrap_or_else(|| failed(ExecError::Lost("no result for the command".into())))
            })
            .collect()
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
