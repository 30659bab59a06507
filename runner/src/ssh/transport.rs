//! [`Transport`] over one established libssh2 session.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rdma_phase::{CommandOutput, RemoteCommand, Transport, TransportError};

use super::exec::{self, AfterStdin, ExecError, MAX_OUTPUT};
use super::hints;
use super::lifeline;
use super::prompt::Prompter;
use super::proxy::Via;
use super::session::Established;
use super::sudo::{self, Account, SudoState};

/// One host's session for the whole run. Used from one thread at a time.
pub struct SshTransport {
    /// The host as given on the command line.
    name: String,
    via: Option<Via>,
    established: Established,
    command_timeout: Duration,
    sudo: SudoState,
    prompter: Arc<Prompter>,
    /// The error that made the session unusable, once one has: later commands fail at once
    /// with it.
    lost: Option<TransportError>,
}

impl SshTransport {
    pub(crate) fn new(
        name: String,
        via: Option<Via>,
        established: Established,
        command_timeout: Duration,
        prompter: Arc<Prompter>,
    ) -> Self {
        Self {
            name,
            via,
            established,
            command_timeout,
            sudo: SudoState::Unprobed,
            prompter,
            lost: None,
        }
    }

    /// The alias users would type for this host's SSH checks.
    fn ssh_alias(&self) -> &str {
        self.via.as_ref().map_or(&self.name, |via| &via.proxy)
    }

    fn account(&self) -> Account<'_> {
        // Through a proxy we only know the target's user if it was written as user@host;
        // the proxy's user is the best guess (clusters use one account name).
        let user = self
            .name
            .split_once('@')
            .map_or(self.established.host.user.as_str(), |(user, _)| user);
        let host = self
            .name
            .rsplit_once('@')
            .map_or(self.name.as_str(), |(_, host)| host);
        Account { user, host }
    }

    /// Run one shell line; `shown` is the canonical form used in messages (never a secret).
    pub(crate) fn run_line(
        &mut self,
        line: &str,
        stdin: Option<&[u8]>,
        shown: &str,
        timeout: Duration,
    ) -> Result<CommandOutput, TransportError> {
        if let Some(lost) = &self.lost {
            return Err(match lost.clone() {
                TransportError::Broken {
                    host,
                    during,
                    reason,
                    hint,
                    ..
                } => TransportError::Broken {
                    host,
                    during,
                    earlier: true,
                    reason,
                    hint,
                },
                other => other,
            });
        }
        // The lifeline goes around the innermost command: through --proxy that is the one
        // on the target, which the proxy's ssh passes our channel's end on to.
        let wrapped = lifeline::wrap(line, stdin.map_or(0, <[u8]>::len));
        let wire = self
            .via
            .as_ref()
            .map_or_else(|| wrapped.clone(), |via| via.wrap(&wrapped));
        tracing::debug!(host = %self.name, command = %shown, stdin_bytes = stdin.map_or(0, <[u8]>::len), "run");
        let started = Instant::now();
        let result = exec::run(
            &self.established.session,
            std::os::fd::AsFd::as_fd(&self.established.socket),
            &wire,
            stdin,
            AfterStdin::KeepOpen,
            started + timeout,
        );
        match result {
            Ok(output) => {
                tracing::debug!(
                    host = %self.name,
                    exit = output.exit_code,
                    stdout_bytes = output.stdout.len(),
                    stderr_bytes = output.stderr.len(),
                    elapsed_ms = started.elapsed().as_millis(),
                    "done"
                );
                if let Some(via) = &self.via {
                    if Via::inner_ssh_failed(&output) {
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
                        self.lost = Some(error.clone());
                        return Err(error);
                    }
                }
                Ok(output)
            }
            Err(ExecError::TimedOut) => Err(TransportError::Command {
                host: self.name.clone(),
                command: shown.to_owned(),
                reason: format!("no result within {} s", timeout.as_secs_f64()),
                hint: match &self.via {
                    Some(via) => hints::proxy_reach(&via.proxy, &via.target),
                    None => hints::command_timeout(&self.name, timeout.as_secs()),
                },
            }),
            Err(ExecError::Refused(reason)) => Err(TransportError::Command {
                host: self.name.clone(),
                command: shown.to_owned(),
                reason: format!("the SSH server refused to run it: {reason}"),
                hint: format!(
                    "check sshd's limits (MaxSessions) on {}; {}",
                    self.ssh_alias(),
                    hints::check_ssh(self.ssh_alias())
                ),
            }),
            Err(ExecError::TooMuchOutput(stream)) => Err(TransportError::Command {
                host: self.name.clone(),
                command: shown.to_owned(),
                reason: format!(
                    "output over {} MiB on {}: rdma-setup stopped reading and ended the command",
                    MAX_OUTPUT / (1024 * 1024),
                    stream.name()
                ),
                hint: hints::endless_output(self.ssh_alias(), shown),
            }),
            Err(ExecError::Lost(reason)) => {
                let error = TransportError::Broken {
                    host: self.name.clone(),
                    during: shown.to_owned(),
                    earlier: false,
                    reason,
                    hint: hints::session_lost(self.ssh_alias()),
                };
                self.lost = Some(error.clone());
                Err(error)
            }
        }
    }

    fn sudo_error(&self) -> Option<TransportError> {
        match &self.sudo {
            SudoState::Failed { reason, hint } => Some(TransportError::Sudo {
                host: self.name.clone(),
                reason: reason.clone(),
                hint: hint.clone(),
            }),
            _ => None,
        }
    }

    fn run_privileged(&mut self, command: &RemoteCommand) -> Result<CommandOutput, TransportError> {
        let shown = command.shell_line();
        if matches!(self.sudo, SudoState::Unprobed) {
            let probe = self.run_line(sudo::PROBE, None, sudo::PROBE, self.command_timeout)?;
            self.sudo = if probe.success() {
                tracing::debug!(host = %self.name, "sudo works without a password");
                SudoState::NoPassword
            } else if sudo::needs_password(&probe) {
                sudo::obtain_password(&self.prompter, &self.account())
            } else {
                sudo::probe_failed_state(&self.account(), &probe)
            };
        }
        // A NOPASSWD host can still ask for a password for some command (per-command rules):
        // then get the password and run it once more, with it.
        for _ in 0..2 {
            if let Some(error) = self.sudo_error() {
                return Err(error);
            }
            let (Some(line), stdin) = (self.sudo.line(command), self.sudo.stdin()) else {
                break;
            };
            let output = self.run_line(&line, stdin.as_deref(), &shown, self.command_timeout)?;
            match &self.sudo {
                SudoState::NoPassword if sudo::needs_password(&output) => {
                    self.sudo = sudo::obtain_password(&self.prompter, &self.account());
                }
                SudoState::Password(_) if sudo::wrong_password(&output) => {
                    self.sudo = sudo::wrong_password_state(&self.account());
                }
                _ => return Ok(output),
            }
        }
        Err(self.sudo_error().unwrap_or_else(|| TransportError::Sudo {
            host: self.name.clone(),
            reason: "sudo asked for a password again after it was given".into(),
            hint: "check the sudo configuration of this host".into(),
        }))
    }
}

impl Transport for SshTransport {
    fn host(&self) -> &str {
        &self.name
    }

    fn run(&mut self, command: &RemoteCommand) -> Result<CommandOutput, TransportError> {
        if command.needs_root() {
            return self.run_privileged(command);
        }
        let line = command.shell_line();
        self.run_line(
            &line,
            command.stdin().map(str::as_bytes),
            &line,
            self.command_timeout,
        )
    }

    fn describe(&self, command: &RemoteCommand) -> String {
        match &self.via {
            Some(via) => via.describe(&command.shell_line()),
            None => format!("ssh {} {}", self.name, command.shell_line()),
        }
    }
}
