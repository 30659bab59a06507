//! One host's transcript: the commands it received, in order, with what each printed.
//!
//! ```text
//! # recorded by cargo xtask record (notes before the first entry are kept)
//!
//! $ ifconfig en5
//! | en5: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500
//! ! some stderr line
//! = 0
//!
//! $ ibv_devinfo -v
//! @ failed: no result within 30 s
//! @ hint: the Mac may be overloaded
//! ```
//!
//! Every line of output keeps its bytes after the two-character marker, TABs and trailing
//! spaces included, so transcripts stay byte-exact and still read well in a diff. A line
//! that would not come back from a text file unchanged (a `\r`, a NUL, an ESC, a command
//! or note spanning lines) is written escaped instead, with a `\` before its marker:
//! `\| a\r`. Whatever a host printed, writing then reading gives back the same bytes.
//!
//! `@` lines record what the transport itself reported instead of an exit code: a host that
//! could not be reached (`@ unreachable:` before any entry, or inside the entry whose command
//! found the session gone), a command the transport gave up on (`@ failed:`), or a sudo
//! failure (`@ sudo failed:`); each is followed by `@ hint:`. Replaying one returns the same
//! error, so a scenario reproduces a broken cluster as faithfully as a healthy one.
//!
//! This file holds the types; `read.rs` parses (and bounds the size of what it reads),
//! `write.rs` renders and `escape.rs` holds the escaping.

mod escape;
mod read;
mod write;

#[cfg(test)]
mod read_tests;
#[cfg(test)]
mod render_tests;

pub(super) use read::read_file;

use rdma_phase::{CommandOutput, TransportError};

/// One command and its result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The command's canonical shell line (`RemoteCommand::shell_line`).
    pub command: String,
    pub stdin: Option<String>,
    /// What the command printed, or why the transport could not run it.
    pub output: Result<CommandOutput, Failure>,
}

impl Entry {
    /// An entry for a command that ran and printed `output`.
    pub fn ran(command: impl Into<String>, stdin: Option<String>, output: CommandOutput) -> Self {
        Self {
            command: command.into(),
            stdin,
            output: Ok(output),
        }
    }
}

/// All entries of one host, in the order the host received them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transcript {
    /// The comment lines before the first entry, without their `# `: who recorded the
    /// transcript and what was held back. Comments further down are not kept.
    pub notes: Vec<String>,
    /// Set when the host could not be reached at all; such a transcript has no entries.
    pub unreachable: Option<Failure>,
    pub entries: Vec<Entry>,
}

/// What the transport reported instead of a command's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    pub reason: String,
    pub hint: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// No session (`TransportError::Connect`).
    Unreachable,
    /// The command did not finish (`TransportError::Command`).
    Failed,
    /// sudo could not be satisfied (`TransportError::Sudo`).
    Sudo,
}

impl FailureKind {
    pub(super) fn marker(self) -> &'static str {
        match self {
            Self::Unreachable => "unreachable",
            Self::Failed => "failed",
            Self::Sudo => "sudo failed",
        }
    }
}

impl Failure {
    /// The recordable part of a transport error. `Refused` is not: it never reached the
    /// host, it is a decision of the transport in front of it.
    pub fn from_error(error: &TransportError) -> Option<Self> {
        let (kind, reason, hint) = match error {
            TransportError::Connect { reason, hint, .. } => {
                (FailureKind::Unreachable, reason, hint)
            }
            TransportError::Command { reason, hint, .. } => (FailureKind::Failed, reason, hint),
            TransportError::Sudo { reason, hint, .. } => (FailureKind::Sudo, reason, hint),
            TransportError::Refused { .. } => return None,
            // Recorded as a lost host (replayed as one) with the whole story as the reason.
            TransportError::Broken { hint, .. } => {
                return Some(Self {
                    kind: FailureKind::Unreachable,
                    reason: error.detail(),
                    hint: hint.clone(),
                })
            }
        };
        Some(Self {
            kind,
            reason: reason.clone(),
            hint: hint.clone(),
        })
    }

    /// The error the transport reported when this was recorded.
    pub fn to_error(&self, host: &str, command: &str) -> TransportError {
        let host = host.to_owned();
        let reason = self.reason.clone();
        let hint = self.hint.clone();
        match self.kind {
            FailureKind::Unreachable => TransportError::Connect { host, reason, hint },
            FailureKind::Failed => TransportError::Command {
                host,
                command: command.to_owned(),
                reason,
                hint,
            },
            FailureKind::Sudo => TransportError::Sudo { host, reason, hint },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct TranscriptError {
    pub line: usize,
    pub reason: String,
}
