//! Running one command on an established session.
//!
//! The channel is served in non-blocking mode from one loop: write stdin, read stdout, read
//! stderr, and sleep on the socket only when none of them moved. Reading stdout to EOF
//! before touching stderr (what blocking code naturally does) deadlocks as soon as the
//! command fills the channel window with stderr: the window is per channel, so the server
//! stops sending stdout too. The loop also carries the command's deadline, so a hung host
//! costs at most `--command-timeout`, and caps what it keeps of each stream at
//! [`MAX_OUTPUT`], so a host printing without end costs a few MiB, not all our memory.
//!
//! A command given up on (deadline, output cap) has its channel closed; commands wrapped by
//! `lifeline` then end on the host too.

use std::io::{ErrorKind, Read, Write};
use std::os::fd::BorrowedFd;
use std::time::{Duration, Instant};

use rdma_phase::CommandOutput;
use ssh2::{Channel, Session};

use super::wait::{retry, wait_session, TimedOut};

/// Why a command produced no output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecError {
    /// The deadline passed; the session is still usable.
    TimedOut,
    /// The server refused this channel (e.g. its `MaxSessions`); the session is fine.
    Refused(String),
    /// The command printed more than [`MAX_OUTPUT`] on this stream; it was ended and the
    /// session is still usable.
    TooMuchOutput(Stream),
    /// The session broke (socket closed, protocol error): nothing more will run on it.
    Lost(String),
}

/// libssh2's `LIBSSH2_ERROR_CHANNEL_FAILURE` and `LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED`:
/// the server said no to one channel or request, the connection itself is intact.
const CHANNEL_REFUSALS: [i32; 2] = [-21, -22];

impl ExecError {
    fn from_ssh(error: &ssh2::Error) -> Self {
        match error.code() {
            ssh2::ErrorCode::Session(code) if CHANNEL_REFUSALS.contains(&code) => {
                Self::Refused(error.to_string())
            }
            _ => Self::Lost(error.to_string()),
        }
    }
}

impl From<TimedOut> for ExecError {
    fn from(_: TimedOut) -> Self {
        Self::TimedOut
    }
}

/// The most one command may print on each of stdout and stderr. What rdma-setup runs prints
/// a few KiB; past this the host is misbehaving (a command stuck printing, a hostile shim)
/// and holding more would only grow this process.
pub const MAX_OUTPUT: usize = 4 * 1024 * 1024;

/// One of a command's output streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    pub fn name(self) -> &'static str {
        match self {
            Self::Stdout => "stdout",
            Self::Stderr => "stderr",
        }
    }
}

/// What the channel gets after the stdin bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterStdin {
    /// EOF, as `ssh host command < file` sends.
    Eof,
    /// Nothing, until the command has ended: the line is wrapped by `lifeline`, which counts
    /// its stdin bytes itself and takes EOF for "the client is gone".
    KeepOpen,
}

/// Exit code reported when the remote side gave none (killed by a signal, channel closed
/// early), as `ssh` itself does.
const NO_EXIT_STATUS: i32 = 255;

/// How much unread output we hold before we stop feeding stdin: the remote reader is then
/// probably waiting on us, and reading first keeps the window open.
const READ_CHUNK: usize = 32 * 1024;

/// Run `line` through the remote user's shell, with `stdin` then `after` on its standard
/// input.
pub fn run(
    session: &Session,
    socket: BorrowedFd<'_>,
    line: &str,
    stdin: Option<&[u8]>,
    after: AfterStdin,
    deadline: Instant,
) -> Result<CommandOutput, ExecError> {
    session.set_blocking(false);
    let mut channel = ssh_step(retry(session, socket, deadline, || {
        session.channel_session()
    }))?;
    let input = Input {
        left: stdin.unwrap_or_default(),
        // Nothing to do once the bytes are out, if no EOF is to follow them.
        eof_sent: after == AfterStdin::KeepOpen,
    };
    let result = exec_and_collect(session, socket, &mut channel, line, input, deadline);
    if result.is_err() {
        abandon(session, channel);
    }
    result
}

/// The command's stdin still to send.
struct Input<'a> {
    left: &'a [u8],
    /// Set once EOF went out, or from the start when none is to be sent.
    eof_sent: bool,
}

fn exec_and_collect(
    session: &Session,
    socket: BorrowedFd<'_>,
    channel: &mut Channel,
    line: &str,
    input: Input<'_>,
    deadline: Instant,
) -> Result<CommandOutput, ExecError> {
    ssh_step(retry(session, socket, deadline, || channel.exec(line)))?;

    let Input {
        left: mut stdin_left,
        mut eof_sent,
    } = input;
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let mut out_stream = channel.stream(0);
    let mut err_stream = channel.stderr();
    let mut buf = vec![0_u8; READ_CHUNK];

    loop {
        let mut moved = false;

        if !stdin_left.is_empty() {
            match channel.write(stdin_left) {
                Ok(n) => {
                    stdin_left = &stdin_left[n..];
                    moved |= n > 0;
                }
                Err(error) if error.kind() == ErrorKind::WouldBlock => {}
                // The command exited without reading all its input: like a pipe, the
                // rest is dropped and the exit code tells the story.
                Err(_) if channel.eof() => stdin_left = &[],
                Err(error) => return Err(ExecError::Lost(error.to_string())),
            }
        }
        if stdin_left.is_empty() && !eof_sent {
            match channel.send_eof() {
                Ok(()) => {
                    eof_sent = true;
                    moved = true;
                }
                Err(error) if super::wait::would_block(&error) => {}
                Err(_) if channel.eof() => eof_sent = true,
                Err(error) => return Err(ExecError::Lost(error.to_string())),
            }
        }

        let out_read = read_some(&mut out_stream, &mut buf, &mut stdout, Stream::Stdout)?;
        let err_read = read_some(&mut err_stream, &mut buf, &mut stderr, Stream::Stderr)?;
        moved |= out_read || err_read;

        // libssh2 returns 0 for "nothing now" in some states as well as for EOF; only the
        // channel's own EOF flag (set once no data is queued for either stream) ends it.
        if !moved && channel.eof() {
            break;
        }
        if Instant::now() >= deadline {
            return Err(ExecError::TimedOut);
        }
        if !moved {
            // Data libssh2 pulled off the socket while serving the other stream sits in its
            // queue, not in the socket: do not sleep on the socket for it.
            if channel.read_window().available > 0 {
                continue;
            }
            wait_session(session, socket, deadline)?;
        }
    }

    // The exit status arrives just before the channel closes; wait for the close.
    ssh_step(retry(session, socket, deadline, || channel.wait_close()))?;
    let exit_code = channel.exit_status().unwrap_or(NO_EXIT_STATUS);
    if let Ok(signal) = channel.exit_signal() {
        if let Some(name) = signal.exit_signal {
            tracing::debug!(signal = %name, "remote command was killed by a signal");
            return Ok(output(stdout, stderr, NO_EXIT_STATUS));
        }
    }
    Ok(output(stdout, stderr, exit_code))
}

/// Read what is available now from one stream; whether anything came. Past
/// [`MAX_OUTPUT`] it stops and fails: the caller then closes the channel without reading
/// further.
fn read_some(
    stream: &mut ssh2::Stream,
    buf: &mut [u8],
    into: &mut Vec<u8>,
    which: Stream,
) -> Result<bool, ExecError> {
    let mut moved = false;
    loop {
        match stream.read(buf) {
            Ok(0) => return Ok(moved),
            Ok(n) => {
                if into.len() + n > MAX_OUTPUT {
                    return Err(ExecError::TooMuchOutput(which));
                }
                into.extend_from_slice(&buf[..n]);
                moved = true;
            }
            Err(error) if error.kind() == ErrorKind::WouldBlock => return Ok(moved),
            Err(error) => return Err(ExecError::Lost(error.to_string())),
        }
    }
}

fn output(stdout: Vec<u8>, stderr: Vec<u8>, exit_code: i32) -> CommandOutput {
    CommandOutput {
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        exit_code,
    }
}

fn ssh_step<T>(step: Result<Result<T, ssh2::Error>, TimedOut>) -> Result<T, ExecError> {
    match step {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(ExecError::from_ssh(&error)),
        Err(TimedOut) => Err(ExecError::TimedOut),
    }
}

/// Give up on a channel whose command overran or failed: ask the server to close it and free
/// it, spending at most a moment, so the session stays usable for the next command. sshd
/// then closes the command's pipes, which is what `lifeline` takes as the signal to end the
/// command. What the server had already sent for this channel is dropped with it, unread.
fn abandon(session: &Session, mut channel: Channel) {
    const GRACE: Duration = Duration::from_millis(500);
    session.set_blocking(true);
    session.set_timeout(u32::try_from(GRACE.as_millis()).unwrap_or(u32::MAX));
    if let Err(error) = channel.close() {
        tracing::debug!(%error, "closing an abandoned channel");
    }
    drop(channel);
    session.set_timeout(0);
    session.set_blocking(false);
}
