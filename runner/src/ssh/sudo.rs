//! Privileged commands: `sudo -n` when the host allows it without a password, else
//! `sudo -S -p ''` with the password on standard input.
//!
//! sudo is probed once per host, lazily, before the first privileged command: a run that
//! changes nothing (or check mode) never runs sudo at all. The password is asked once per
//! host, tried once (a wrong one fails that host's privileged commands without retrying, so
//! the account is not locked out: in a batch, a password sudo has not yet taken goes with
//! one command, and with the others only once sudo took it), and only ever travels on a
//! channel's stdin: never argv, logs or errors. `rounds` decides what each round sends.

use rdma_phase::{CommandOutput, RemoteCommand};
use zeroize::Zeroizing;

use super::prompt::{PromptError, Prompter, Secret};

/// Where a non-interactive run supplies the sudo password.
pub const SUDO_PASSWORD_ENV: &str = "RDMA_SETUP_SUDO_PASSWORD";

/// What we know about sudo on one host.
#[derive(Debug, Clone)]
pub enum SudoState {
    Unprobed,
    NoPassword,
    /// `confirmed` once sudo took the password for a command: until then, it is sent for one
    /// command at a time, so that a wrong password is tried only once.
    Password {
        secret: Secret,
        confirmed: bool,
    },
    /// sudo cannot be used on this host for the rest of the run.
    Failed {
        reason: String,
        hint: String,
    },
}

impl SudoState {
    /// The shell line for `command` in this state (`Unprobed` and `Failed` have none).
    pub fn line(&self, command: &RemoteCommand) -> Option<String> {
        match self {
            Self::NoPassword => Some(command.shell_line_with_sudo("sudo -n")),
            Self::Password { .. } => Some(command.shell_line_with_sudo("sudo -S -p ''")),
            Self::Unprobed | Self::Failed { .. } => None,
        }
    }

    /// What the channel's stdin gets: the password line, or nothing. Built without any
    /// temporary copy, and wiped when dropped.
    pub fn stdin(&self) -> Option<Zeroizing<Vec<u8>>> {
        match self {
            Self::Password { secret, .. } => {
                let password = secret.expose().as_bytes();
                let mut line = Zeroizing::new(Vec::with_capacity(password.len() + 1));
                line.extend_from_slice(password);
                line.push(b'\n');
                Some(line)
            }
            _ => None,
        }
    }
}

/// `sudo -n` refused because a password would be needed.
pub fn needs_password(output: &CommandOutput) -> bool {
    !output.success() && output.stderr.contains("a password is required")
}

/// `sudo -S` refused the password. Matches sudo's own line, whatever its closing lines say.
pub fn wrong_password(output: &CommandOutput) -> bool {
    !output.success() && output.stderr.contains("Sorry, try again.")
}

/// Who the password is for, as sudo would say it.
pub struct Account<'a> {
    pub user: &'a str,
    pub host: &'a str,
}

/// The password for `account`: the environment, else the terminal, else a failure state.
pub fn obtain_password(prompter: &Prompter, account: &Account<'_>) -> SudoState {
    if let Ok(password) = std::env::var(SUDO_PASSWORD_ENV) {
        if !password.is_empty() {
            tracing::debug!(host = %account.host, "sudo password from {SUDO_PASSWORD_ENV}");
            return SudoState::Password {
                secret: Secret::new(password),
                confirmed: false,
            };
        }
    }
    let prompt = format!("[sudo] password for {}@{}: ", account.user, account.host);
    match prompter.ask(&prompt) {
        Ok(secret) => {
            tracing::debug!(host = %account.host, "sudo password from the terminal");
            SudoState::Password {
                secret,
                confirmed: false,
            }
        }
        Err(PromptError::NoTerminal) => SudoState::Failed {
            reason: format!(
                "sudo needs a password for {} on {} and there is no terminal to ask for it",
                account.user, account.host
            ),
            hint: no_password_hint(account),
        },
        Err(error) => SudoState::Failed {
            reason: format!("could not read the sudo password: {error}"),
            hint: no_password_hint(account),
        },
    }
}

fn no_password_hint(account: &Account<'_>) -> String {
    format!(
        "set {SUDO_PASSWORD_ENV} in the environment of rdma-setup, or allow passwordless sudo \
         for {user} on {host} (a NOPASSWD rule in /etc/sudoers.d/, edited with visudo)",
        user = account.user,
        host = account.host
    )
}

pub fn wrong_password_state(account: &Account<'_>) -> SudoState {
    SudoState::Failed {
        reason: format!(
            "sudo rejected the password for {}@{} (Sorry, try again.)",
            account.user, account.host
        ),
        hint: format!(
            "check the password{}; rdma-setup tried it once and will not retry, so the account \
             is not locked out",
            if std::env::var_os(SUDO_PASSWORD_ENV).is_some() {
                format!(" in {SUDO_PASSWORD_ENV}")
            } else {
                String::new()
            }
        ),
    }
}

/// sudo itself refused (not the command it would have run): its own `sudo:` lines, or a
/// sudoers rule that does not allow the user.
pub fn refused_by_sudo(output: &CommandOutput) -> bool {
    let said = output.stderr.trim_start();
    !output.success()
        && (said.starts_with("sudo: ")
            || said.starts_with("Sorry, user ")
            || said.contains("is not in the sudoers file"))
}

/// The probe failed for another reason than a password (not in sudoers, no sudo).
pub fn probe_failed_state(account: &Account<'_>, output: &CommandOutput) -> SudoState {
    SudoState::Failed {
        reason: format!(
            "sudo refused on {} (exit {}): {}",
            account.host,
            output.exit_code,
            output.combined_trimmed()
        ),
        hint: format!(
            "check that {} may use sudo on {}: ssh {} sudo -v",
            account.user, account.host, account.host
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_per_state() {
        let command = RemoteCommand::privileged(["ifconfig", "en5", "up"]);
        assert_eq!(
            SudoState::NoPassword.line(&command).as_deref(),
            Some("sudo -n ifconfig en5 up")
        );
        let password = SudoState::Password {
            secret: Secret::new("pw"),
            confirmed: false,
        };
        assert_eq!(
            password.line(&command).as_deref(),
            Some("sudo -S -p '' ifconfig en5 up")
        );
        assert_eq!(
            password.stdin().as_deref().map(Vec::as_slice),
            Some(&b"pw\n"[..])
        );
        assert_eq!(SudoState::Unprobed.line(&command), None);
    }

    #[test]
    fn recognises_sudo_answers() {
        let refused = CommandOutput {
            stdout: String::new(),
            stderr: "Sorry, try again.\nsudo: 1 incorrect password attempt\n".into(),
            exit_code: 1,
        };
        assert!(wrong_password(&refused));
        let needs = CommandOutput {
            stdout: String::new(),
            stderr: "sudo: a password is required\n".into(),
            exit_code: 1,
        };
        assert!(needs_password(&needs));
        assert!(!wrong_password(&needs));
    }

    #[test]
    fn state_debug_hides_the_password() {
        let state = SudoState::Password {
            secret: Secret::new("hunter2"),
            confirmed: true,
        };
        assert!(!format!("{state:?}").contains("hunter2"));
    }
}
