//! What one command's result means for the caller and for the session: the errors of
//! [`SshTransport`], with the hint that goes with each.

use rdma_phase::{CommandOutput, TransportError};

use super::super::exec::{ExecError, MAX_OUTPUT};
use super::super::hints;
use super::super::proxy::Via;
use super::SshTransport;

impl SshTransport {
    /// What one command's result means for the caller, and for the session.
    pub(super) fn judge(
        &mut self,
        shown: &str,
        result: Result<CommandOutput, ExecError>,
        elapsed_ms: u128,
    ) -> Result<CommandOutput, TransportError> {
        let timeout = self.command_timeout;
        let error = match result {
            Ok(output) => {
                tracing::debug!(
                    host = %self.name,
                    command = %shown,
                    exit = output.exit_code,
                    stdout_bytes = output.stdout.len(),
                    stderr_bytes = output.stderr.len(),
                    batch_ms = elapsed_ms,
                    "done"
                );
                match self.proxy_failed(&output) {
                    Some(error) => error,
                    None => return Ok(output),
                }
            }
            Err(ExecError::TimedOut) => TransportError::Command {
                host: self.name.clone(),
                command: shown.to_owned(),
                reason: format!("no result within {} s", timeout.as_secs_f64()),
                hint: match &self.via {
                    Some(via) => hints::proxy_reach(&via.proxy, &via.target),
                    None => hints::command_timeout(&self.name, timeout.as_secs()),
                },
            },
            Err(ExecError::Refused(reason)) => TransportError::Command {
                host: self.name.clone(),
                command: shown.to_owned(),
                reason: format!("the SSH server refused to run it: {reason}"),
                hint: format!(
                    "check sshd's limits (MaxSessions) on {}; {}",
                    self.ssh_alias(),
                    hints::check_ssh(self.ssh_alias())
                ),
            },
            Err(ExecError::TooMuchOutput(stream)) => TransportError::Command {
                host: self.name.clone(),
                command: shown.to_owned(),
                reason: format!(
                    "output over {} MiB on {}: rdma-setup stopped reading and ended the command",
                    MAX_OUTPUT / (1024 * 1024),
                    stream.name()
                ),
                hint: hints::endless_output(self.ssh_alias(), shown),
            },
            Err(ExecError::Unanswered {
                reason,
                exit_code,
                stderr,
            }) => {
                // Through --proxy, the proxy's ssh failing to reach the target is why.
                let output = CommandOutput::new("", stderr.as_str(), exit_code.unwrap_or(-1));
                match self.proxy_failed(&output) {
                    Some(error) => error,
                    None => TransportError::Command {
                        host: self.name.clone(),
                        command: shown.to_owned(),
                        reason: match exit_code {
                            Some(code) => format!("{reason} (exit {code}): {}", stderr.trim()),
                            None => reason,
                        },
                        hint: hints::check_ssh(self.ssh_alias()),
                    },
                }
            }
            Err(ExecError::NotRun) => self.not_run(),
            Err(ExecError::Lost(reason)) => {
                // Every command the session broke under says so; later ones name the first.
                let error = TransportError::Broken {
                    host: self.name.clone(),
                    during: shown.to_owned(),
                    earlier: false,
                    reason,
                    hint: hints::session_lost(self.ssh_alias()),
                };
                self.lost.get_or_insert_with(|| error.clone());
                error
            }
        };
        tracing::debug!(host = %self.name, command = %shown, %error, "failed");
        Err(error)
    }

    /// Through --proxy: the error, if `output` is the proxy's ssh failing to reach the target
    /// rather than the command's. The session is no use from then on.
    pub(super) fn proxy_failed(&mut self, output: &CommandOutput) -> Option<TransportError> {
        let via = self
            .via
            .as_ref()
            .filter(|_| Via::inner_ssh_failed(output))?;
        let reason = format!(
            "{} could not reach {} over SSH: {}",
            via.proxy,
            via.target,
            output.stderr.trim()
        );
        let error = TransportError::Connect {
            host: self.name.clone(),
            reason,
            hint: hints::proxy_reach(&via.proxy, &via.target),
        };
        self.lost.get_or_insert_with(|| error.clone());
        Some(error)
    }
}
