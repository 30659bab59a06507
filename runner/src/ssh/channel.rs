//! One command's channel as a state machine that never blocks: exec request, stdin out,
//! stdout and stderr in, the end and the exit status, the close.
//!
//! Stdin cannot follow the exec request before the server's reply: OpenSSH's sshd opens a
//! session channel with a zero window and grants one only once it started the command (the
//! window adjust comes with the reply). So a command's stdin costs a round trip more than
//! its exec; what need not be secret goes in the exec request instead (`joint`).
//!
//! [`CommandChannel::advance`] does what can be done now and returns; `batch` calls it and
//! sleeps on the socket only when it did not move. Both streams are read as data comes.
//! Reading stdout to EOF before touching stderr (what blocking code naturally does)
//! deadlocks as soon as the command fills the channel window with stderr: the window is per
//! channel, so the server stops sending stdout too.
//!
//! What is kept of each stream is capped (stdout at the job's limit, [`MAX_OUTPUT`] for one
//! command; stderr at [`MAX_OUTPUT`]), so a host printing without end costs a few MiB, not
//! all our memory. The bytes are kept raw: the caller decides what they mean. A command given
//! up on (the deadline, the cap, a refused exec) has its channel closed; commands wrapped by
//! `lifeline` (or a joint batch's script) then end on the host too. The close of a finished
//! command goes out here as well, so the server frees the session (its `MaxSessions` counts
//! it) before the next one is opened.

use std::io::{ErrorKind, Read, Write};
use std::time::{Duration, Instant};

use ssh2::Channel;

use super::exec::{AfterStdin, ExecError, Ran, Stream, MAX_OUTPUT};
use super::wait::would_block;

/// What to run on one channel.
#[derive(Debug, Clone, Copy)]
pub struct Job<'a> {
    /// The line for the remote user's shell (already wrapped by `lifeline` / `--proxy`).
    pub line: &'a str,
    pub stdin: &'a [u8],
    pub after: AfterStdin,
    /// The most stdout kept before the command is given up on ([`MAX_OUTPUT`] for one
    /// command; a joint batch's framed reply may be longer).
    pub stdout_limit: usize,
}

/// Exit code reported when the remote side gave none (killed by a signal, channel closed
/// early), as `ssh` itself does.
const NO_EXIT_STATUS: i32 = 255;

/// How long a close may take before the channel is dropped anyway: long enough for the
/// server's answer on a working network, short enough that a wedged host costs little
/// past the deadline. sshd closes the command's pipes when our close arrives, which is what
/// `lifeline` takes as the signal to end the command; waiting for the server's reply only
/// frees the channel cleanly.
pub const CLOSE_GRACE: Duration = Duration::from_millis(500);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// The `exec` request is to be sent, or its reply awaited.
    Starting,
    /// The command runs: stdin goes out, output comes in.
    Running,
    /// The server sent EOF on both streams; its close, which follows the exit status, is
    /// awaited.
    Ending,
    /// The result is known; our close goes out, until `until` at the latest.
    Closing {
        until: Instant,
    },
    Done,
}

pub struct CommandChannel<'a> {
    channel: Channel,
    state: State,
    line: &'a str,
    stdin_left: &'a [u8],
    /// Set once EOF went out, or from the start when none is to be sent.
    eof_sent: bool,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    stdout_limit: usize,
    /// The exit code, or why there is none, once known.
    result: Option<Result<i32, ExecError>>,
}

impl<'a> CommandChannel<'a> {
    /// A freshly opened channel for `job`; nothing is sent until [`Self::advance`].
    pub fn new(channel: Channel, job: &Job<'a>) -> Self {
        Self {
            channel,
            state: State::Starting,
            line: job.line,
            stdin_left: job.stdin,
            // Nothing to do once the bytes are out, if no EOF is to follow them.
            eof_sent: job.after == AfterStdin::KeepOpen,
            stdout: Vec::new(),
            stderr: Vec::new(),
            stdout_limit: job.stdout_limit,
            result: None,
        }
    }

    /// Do everything that can be done without waiting; whether anything happened.
    /// `buf` is scratch space for reads, shared by the channels of a batch.
    pub fn advance(&mut self, buf: &mut [u8], now: Instant) -> bool {
        let mut moved = false;
        loop {
            let step = match self.state {
                State::Starting => self.start(),
                State::Running => self.exchange(buf),
                State::Ending => self.end(),
                State::Closing { until } => Ok(self.close(now >= until)),
                State::Done => return moved,
            };
            match step {
                Ok(true) => moved = true,
                Ok(false) => return moved,
                Err(ExecError::Lost(reason)) => {
                    // The session is gone: nothing more is sent on it, not even a close.
                    self.result = Some(Err(ExecError::Lost(reason)));
                    self.state = State::Done;
                    return true;
                }
                Err(error) => {
                    self.give_up(error, now);
                    moved = true;
                }
            }
        }
    }

    /// Stop waiting for this command: it fails with `error` (unless its result is already
    /// known) and its channel is closed.
    ///
    /// One libssh2 rule this cannot keep: a packet half written when the socket filled must
    /// be finished by the same call before the session sends anything else. A channel given
    /// up on in that moment is not asked again, and the session would then refuse every
    /// send. It takes MiBs of stdin in flight with the host no longer reading (windows of
    /// 2 MiB a channel against the kernels' socket buffers); rdma-setup sends a password or
    /// a small file.
    pub fn give_up(&mut self, error: ExecError, now: Instant) {
        if self.result.is_none() {
            self.result = Some(Err(error));
            self.state = State::Closing {
                until: now + CLOSE_GRACE,
            };
        }
    }

    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Why the session broke, if it did while serving this channel.
    pub fn lost(&self) -> Option<&str> {
        match &self.result {
            Some(Err(ExecError::Lost(reason))) => Some(reason),
            _ => None,
        }
    }

    /// Output libssh2 already holds for a running command: data it pulled off the socket
    /// while serving another channel, which no socket event will announce.
    pub fn has_queued_output(&self) -> bool {
        self.state == State::Running && self.channel.read_window().available > 0
    }

    /// When the close of this channel stops being waited for, if it is closing.
    pub fn closing_until(&self) -> Option<Instant> {
        match self.state {
            State::Closing { until } => Some(until),
            _ => None,
        }
    }

    /// What the channel read, and how it ended: `None` until the result is known.
    pub fn into_ran(self) -> Option<Ran> {
        Some(Ran {
            end: self.result?,
            stdout: self.stdout,
            stderr: self.stderr,
        })
    }

    fn start(&mut self) -> Result<bool, ExecError> {
        match self.channel.exec(self.line) {
            Ok(()) => {
                tracing::trace!("exec accepted");
                self.state = State::Running;
                Ok(true)
            }
            Err(error) if would_block(&error) => Ok(false),
            Err(error) => Err(ExecError::from_ssh(&error)),
        }
    }

    /// One round of stdin out, stdout and stderr in.
    fn exchange(&mut self, buf: &mut [u8]) -> Result<bool, ExecError> {
        let mut moved = false;
        if !self.stdin_left.is_empty() {
            match self.channel.write(self.stdin_left) {
                Ok(n) => {
                    self.stdin_left = &self.stdin_left[n..];
                    moved |= n > 0;
                }
                Err(error) if error.kind() == ErrorKind::WouldBlock => {}
                // The command exited without reading all its input: like a pipe, the rest
                // is dropped and the exit code tells the story.
                Err(_) if self.channel.eof() => self.stdin_left = &[],
                Err(error) => return Err(ExecError::Lost(error.to_string())),
            }
        }
        if self.stdin_left.is_empty() && !self.eof_sent {
            match self.channel.send_eof() {
                Ok(()) => {
                    self.eof_sent = true;
                    moved = true;
                }
                Err(error) if would_block(&error) => {}
                Err(_) if self.channel.eof() => self.eof_sent = true,
                Err(error) => return Err(ExecError::Lost(error.to_string())),
            }
        }
        let mut out = self.channel.stream(0);
        moved |= read_some(&mut out, buf, &mut self.stdout, self.stdout_limit)
            .ok_or(ExecError::TooMuchOutput(Stream::Stdout))??;
        let mut err = self.channel.stderr();
        moved |= read_some(&mut err, buf, &mut self.stderr, MAX_OUTPUT)
            .ok_or(ExecError::TooMuchOutput(Stream::Stderr))??;

        // libssh2 returns 0 for "nothing now" in some states as well as for EOF; only the
        // channel's own EOF flag (set once no data is queued for either stream) ends it.
        if !moved && self.channel.eof() {
            tracing::trace!("output ended");
            self.state = State::Ending;
            return Ok(true);
        }
        Ok(moved)
    }

    /// The exit status arrives just before the server's close: wait for the close.
    fn end(&mut self) -> Result<bool, ExecError> {
        match self.channel.wait_close() {
            Ok(()) => {}
            Err(error) if would_block(&error) => return Ok(false),
            Err(error) => return Err(ExecError::from_ssh(&error)),
        }
        let mut exit_code = self.channel.exit_status().unwrap_or(NO_EXIT_STATUS);
        tracing::trace!(exit_code, "closed by the server");
        if let Ok(signal) = self.channel.exit_signal() {
            if let Some(name) = signal.exit_signal {
                tracing::debug!(signal = %name, "remote command was killed by a signal");
                exit_code = NO_EXIT_STATUS;
            }
        }
        self.result = Some(Ok(exit_code));
        self.state = State::Closing {
            until: Instant::now() + CLOSE_GRACE,
        };
        Ok(true)
    }

    /// Send our EOF and close and, for a command given up on, wait for the server's close.
    /// Past the grace the channel is dropped as it is: what the server still sends for it
    /// is discarded by libssh2.
    fn close(&mut self, overdue: bool) -> bool {
        match self.channel.close() {
            Ok(()) => {}
            Err(error) if would_block(&error) && !overdue => return false,
            Err(error) => tracing::debug!(%error, "closing a channel"),
        }
        self.state = State::Done;
        true
    }
}

/// Read what is available now from one stream; whether anything came. `None` past `limit`
/// bytes: the caller then closes the channel without reading further.
fn read_some(
    stream: &mut ssh2::Stream,
    buf: &mut [u8],
    into: &mut Vec<u8>,
    limit: usize,
) -> Option<Result<bool, ExecError>> {
    let mut moved = false;
    loop {
        match stream.read(buf) {
            Ok(0) => return Some(Ok(moved)),
            Ok(n) => {
                if into.len() + n > limit {
                    return None;
                }
                into.extend_from_slice(&buf[..n]);
                moved = true;
            }
            Err(error) if error.kind() == ErrorKind::WouldBlock => return Some(Ok(moved)),
            Err(error) => return Some(Err(ExecError::Lost(error.to_string()))),
        }
    }
}
