//! What running a command on a session can yield ([`Ran`], [`ExecError`]), the output cap,
//! and what follows a command's stdin.
//!
//! One command runs on a channel of its own (`channel`, driven by `batch`); several run as
//! one script on one channel (`joint`), which keeps every property of one command: the
//! deadline, the output cap, ending what was given up on.

use rdma_phase::CommandOutput;

use super::wait::TimedOut;

/// What one channel gave back: every byte it read, and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ran {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// The exit code, or why there is none.
    pub end: Result<i32, ExecError>,
}

impl Ran {
    /// The command's result as a caller sees it: text (invalid UTF-8 replaced), or the error.
    pub fn into_output(self) -> Result<CommandOutput, ExecError> {
        let exit_code = self.end?;
        Ok(output(&self.stdout, &self.stderr, exit_code))
    }
}

/// A command's output as callers get it, from its raw bytes.
pub fn output(stdout: &[u8], stderr: &[u8], exit_code: i32) -> CommandOutput {
    CommandOutput {
        stdout: String::from_utf8_lossy(stdout).into_owned(),
        stderr: String::from_utf8_lossy(stderr).into_owned(),
        exit_code,
    }
}

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
    /// A joint batch's script ended without this command's result (it could not start, or
    /// its reply was garbled): `reason`, with what the script's channel said. The session is
    /// still usable.
    Unanswered {
        reason: String,
        /// The script's exit code, if it ended.
        exit_code: Option<i32>,
        stderr: String,
    },
    /// A staged batch did not run this command: a command of an earlier stage failed.
    NotRun,
}

/// libssh2's `LIBSSH2_ERROR_CHANNEL_FAILURE` and `LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED`:
/// the server said no to one channel or request, the connection itself is intact.
const CHANNEL_REFUSALS: [i32; 2] = [-21, -22];

impl ExecError {
    pub fn from_ssh(error: &ssh2::Error) -> Self {
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
