//! How phases reach a host: one session per host, commands in, output out.
//!
//! libssh2, a replayed transcript and the dry-run simulator all sit behind [`Transport`];
//! phases never know which one they talk to.

use serde::Serialize;

use crate::plan::Host;
use crate::RemoteCommand;

/// What a remote command printed and how it exited.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CommandOutput {
    pub stdout: String,
    pub stderr: String,
    pub exit_code: i32,
}

impl CommandOutput {
    pub fn new(stdout: impl Into<String>, stderr: impl Into<String>, exit_code: i32) -> Self {
        Self {
            stdout: stdout.into(),
            stderr: stderr.into(),
            exit_code,
        }
    }

    pub fn success(&self) -> bool {
        self.exit_code == 0
    }

    /// Standard output and error, trimmed, for messages.
    pub fn combined_trimmed(&self) -> String {
        let out = self.stdout.trim();
        let err = self.stderr.trim();
        match (out.is_empty(), err.is_empty()) {
            (true, _) => err.to_owned(),
            (false, true) => out.to_owned(),
            (false, false) => format!("{out}\n{err}"),
        }
    }
}

/// Why a command could not be run at all. Every variant names the host and carries
/// a hint for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// No session to the host (DNS, refused, timeout, host key, authentication, proxy).
    #[error("{host}: cannot connect: {reason}")]
    Connect {
        host: String,
        reason: String,
        hint: String,
    },
    /// A command did not finish in time, printed more than the transport accepts, or the
    /// server refused to start it; the session itself is still usable.
    #[error("{host}: `{command}` failed: {reason}")]
    Command {
        host: String,
        command: String,
        reason: String,
        hint: String,
    },
    /// The session broke while `during` ran (host rebooted, network dropped, sshd restarted):
    /// nothing more runs on it. `earlier` is set on the errors of the commands after that
    /// one, which fail at once.
    #[error("SSH session to {host} broke {when}during `{during}`: {reason}", when = if *.earlier { "earlier, " } else { "" })]
    Broken {
        host: String,
        during: String,
        earlier: bool,
        reason: String,
        hint: String,
    },
    /// sudo could not be satisfied (no password available, wrong password).
    #[error("{host}: sudo failed: {reason}")]
    Sudo {
        host: String,
        reason: String,
        hint: String,
    },
    /// The transport refuses this command by design: check mode, the recorder, or a replay
    /// with no recording for it.
    #[error("{host}: refused `{command}`: {reason}")]
    Refused {
        host: String,
        command: String,
        reason: String,
        hint: String,
    },
}

impl TransportError {
    pub fn hint(&self) -> &str {
        match self {
            Self::Connect { hint, .. }
            | Self::Command { hint, .. }
            | Self::Broken { hint, .. }
            | Self::Sudo { hint, .. }
            | Self::Refused { hint, .. } => hint,
        }
    }

    /// Whether the host's session is unusable after this error, so later phases for the host
    /// should not even try. A sudo failure is not: reads still tell the user useful things.
    pub fn is_fatal_for_host(&self) -> bool {
        matches!(self, Self::Connect { .. } | Self::Broken { .. })
    }

    /// The message without the host name, for places that already show the host.
    pub fn detail(&self) -> String {
        match self {
            Self::Connect { reason, .. } => format!("cannot connect: {reason}"),
            Self::Command {
                command, reason, ..
            } => format!("`{command}` failed: {reason}"),
            Self::Broken {
                during,
                earlier,
                reason,
                ..
            } => {
                let when = if *earlier { "earlier, " } else { "" };
                format!("SSH session broke {when}during `{during}`: {reason}")
            }
            Self::Sudo { reason, .. } => format!("sudo failed: {reason}"),
            Self::Refused {
                command, reason, ..
            } => format!("refused `{command}`: {reason}"),
        }
    }
}

/// A session to one host.
///
/// The runner owns one per SSH host for the whole run and hands it to each phase in turn.
/// [`Transport::run`] runs one command; [`Transport::run_many`] runs independent commands
/// together, so that a host's reads (or changes, or pings) cost one round trip, not one
/// each.
pub trait Transport: Send {
    /// The host this session talks to, as given on the command line.
    fn host(&self) -> &str;

    /// Run one command and wait for it. A non-zero exit code is not an error here: it is
    /// part of the output, for the phase to interpret.
    fn run(&mut self, command: &RemoteCommand) -> Result<CommandOutput, TransportError>;

    /// Run commands that do not depend on each other, possibly at the same time, and return
    /// their results in the order given. The default runs them one after another; the SSH
    /// transport opens a channel for each on the one session.
    fn run_many(
        &mut self,
        commands: &[RemoteCommand],
    ) -> Vec<Result<CommandOutput, TransportError>> {
        commands.iter().map(|command| self.run(command)).collect()
    }

    /// Run `stages` one after another: a stage runs once every command before it has ended,
    /// and only if each of them succeeded (exit 0); the commands of a stage that did not run
    /// get `None`, and so do those of every stage after it. The commands of one stage do not
    /// depend on each other. The default sends each stage as a batch of its own; the SSH
    /// transport sends them in one request when sudo lets it.
    fn run_stages(&mut self, stages: &[&[RemoteCommand]]) -> Staged {
        let mut staged = Staged::default();
        let mut failed = false;
        for stage in stages {
            if failed || stage.is_empty() {
                staged.results.push(stage.iter().map(|_| None).collect());
                continue;
            }
            let results = self.run_many(stage);
            staged.requests += 1;
            failed = !results
                .iter()
                .all(|result| result.as_ref().is_ok_and(CommandOutput::success));
            staged.results.push(results.into_iter().map(Some).collect());
        }
        staged
    }

    /// How this command would be launched from the user's machine, for dry-run and verbose
    /// output: `ssh hwstudio1 sudo ifconfig ...`, or through a proxy.
    fn describe(&self, command: &RemoteCommand) -> String {
        format!("ssh {} {}", self.host(), command.shell_line())
    }
}

/// What [`Transport::run_stages`] did: each stage's results (`None`: not run), and how many
/// requests went over the wire.
#[derive(Debug, Default)]
pub struct Staged {
    pub results: Vec<Vec<Option<Result<CommandOutput, TransportError>>>>,
    pub requests: usize,
}

/// Opens the one session a host uses for the whole run. Implemented by the libssh2
/// connector, the replay of a recorded scenario and the dry-run simulator; called from one
/// thread per host, in parallel.
pub trait Connector: Sync {
    fn connect(&self, host: &Host) -> Result<Box<dyn Transport>, TransportError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_session_names_the_command_it_broke_during() {
        let broken = |earlier| TransportError::Broken {
            host: "hwstudio1".into(),
            during: "ifconfig -a".into(),
            earlier,
            reason: "connection reset".into(),
            hint: "check it".into(),
        };
        assert_eq!(
            broken(false).to_string(),
            "SSH session to hwstudio1 broke during `ifconfig -a`: connection reset"
        );
        assert_eq!(
            broken(true).detail(),
            "SSH session broke earlier, during `ifconfig -a`: connection reset"
        );
        assert!(broken(true).is_fatal_for_host());
        assert_eq!(broken(false).hint(), "check it");
    }
}
