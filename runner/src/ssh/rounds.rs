//! How a batch of commands goes out: what each round on the wire carries, and what sudo's
//! answers change for the next one. No I/O here: `transport` sends the rounds.
//!
//! The first round carries every command. On a host whose sudo is not known yet, the
//! privileged ones go with `sudo -n`: that is the probe, without a round of its own. Where
//! sudo needs no password they are done in that round; where it asks for one ("a password
//! is required", and nothing ran), the password is obtained and they go again with `sudo -S`
//! in the next round. A password sudo has not taken yet goes with one command only: a wrong
//! one is sent once, and fails every privileged command of the host without another try.

use rdma_phase::{CommandOutput, RemoteCommand, TransportError};
use zeroize::Zeroizing;

use super::sudo::{self, Account, SudoState};

/// One command as it goes out: the line (with its sudo prefix), its canonical form for
/// messages (never a secret), and its stdin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub line: String,
    pub shown: String,
    /// Wiped when dropped: it may hold the sudo password.
    pub stdin: Option<Zeroizing<Vec<u8>>>,
    /// The stdin is the command's own (a device file's JSON, in transcripts as it is), not
    /// the sudo password: it may travel where the Mac's process list shows it.
    pub stdin_public: bool,
}

/// What one round sends, in order.
#[derive(Debug, Default)]
pub struct Round {
    pub outgoing: Vec<Outgoing>,
    slots: Vec<Slot>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Plain(usize),
    /// A privileged command and whether it carried the password.
    Privileged(usize, Sent),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sent {
    NoPassword,
    Password,
}

type Answer = Result<CommandOutput, TransportError>;

/// The rounds of one batch.
pub struct Rounds<'c> {
    host: &'c str,
    commands: &'c [RemoteCommand],
    results: Vec<Option<Answer>>,
    /// How often each privileged command was sent (at most twice, as one at a time).
    tries: Vec<u8>,
    plain_sent: bool,
}

impl<'c> Rounds<'c> {
    pub fn new(host: &'c str, commands: &'c [RemoteCommand]) -> Self {
        Self {
            host,
            commands,
            results: commands.iter().map(|_| None).collect(),
            tries: vec![0; commands.len()],
            plain_sent: false,
        }
    }

    /// The next round under `sudo`, or `None` once every command has its result. Commands
    /// that sudo's state already fails get their result here, without being sent.
    pub fn next(&mut self, sudo: &SudoState) -> Option<Round> {
        let mut round = Round::default();
        if !self.plain_sent {
            self.plain_sent = true;
            for (index, command) in self.commands.iter().enumerate() {
                if !command.needs_root() {
                    let line = command.shell_line();
                    round.push(
                        Slot::Plain(index),
                        Outgoing {
                            shown: line.clone(),
                            line,
                            stdin: command
                                .stdin()
                                .map(|text| Zeroizing::new(text.as_bytes().to_vec())),
                            stdin_public: true,
                        },
                    );
                }
            }
        }
        self.privileged_round(sudo, &mut round);
        (!round.slots.is_empty()).then_some(round)
    }

    fn privileged_round(&mut self, sudo: &SudoState, round: &mut Round) {
        for (index, command) in self.commands.iter().enumerate() {
            if !command.needs_root() || self.results[index].is_some() {
                continue;
            }
            let sent = match sudo {
                SudoState::Failed { .. } => {
                    self.results[index] = Some(Err(self.sudo_error(sudo)));
                    continue;
                }
                // Not known yet: `sudo -n` is the probe (see the module doc).
                SudoState::Unprobed | SudoState::NoPassword => Sent::NoPassword,
                SudoState::Password { .. } => Sent::Password,
            };
            if self.tries[index] >= 2 {
                self.results[index] = Some(Err(TransportError::Sudo {
                    host: self.host.to_owned(),
                    reason: "sudo asked for a password again after it was given".into(),
                    hint: "check the sudo configuration of this host".into(),
                }));
                continue;
            }
            let line = match sudo {
                SudoState::Unprobed => Some(command.shell_line_with_sudo("sudo -n")),
                _ => sudo.line(command),
            };
            let (Some(line), stdin) = (line, sudo.stdin()) else {
                continue;
            };
            self.tries[index] += 1;
            round.push(
                Slot::Privileged(index, sent),
                Outgoing {
                    line,
                    shown: command.shell_line(),
                    stdin,
                    stdin_public: false,
                },
            );
            if matches!(
                sudo,
                SudoState::Password {
                    confirmed: false,
                    ..
                }
            ) {
                // Not yet taken by sudo: one command tries it, the others wait for the answer.
                break;
            }
        }
    }

    /// Take in the answers to `round`. `ask` obtains the password (environment, terminal)
    /// when sudo turns out to need one; it is called at most once per round.
    pub fn absorb(
        &mut self,
        round: Round,
        answers: Vec<Answer>,
        sudo: &mut SudoState,
        account: &Account<'_>,
        ask: &mut dyn FnMut() -> SudoState,
    ) {
        for (slot, answer) in round.slots.into_iter().zip(answers) {
            match slot {
                Slot::Plain(index) => self.results[index] = Some(answer),
                Slot::Privileged(index, sent) => {
                    let output = match answer {
                        Ok(output) => output,
                        Err(error) => {
                            self.results[index] = Some(Err(error));
                            continue;
                        }
                    };
                    match (sent, &mut *sudo) {
                        // The first `sudo -n` on this host is the probe: what it says sets
                        // sudo's state for the rest of the run.
                        (Sent::NoPassword, state @ SudoState::Unprobed) => {
                            if sudo::needs_password(&output) {
                                *state = ask();
                            } else if sudo::refused_by_sudo(&output) {
                                *state = sudo::probe_failed_state(account, &output);
                                self.results[index] = Some(Err(self.sudo_error(state)));
                            } else {
                                tracing::debug!(host = %self.host, "sudo works without a password");
                                *state = SudoState::NoPassword;
                                self.results[index] = Some(Ok(output));
                            }
                        }
                        // A NOPASSWD host can still ask for a password for some command
                        // (per-command rules): get it, and this command goes again with it.
                        (Sent::NoPassword, state) if sudo::needs_password(&output) => {
                            if matches!(state, SudoState::NoPassword) {
                                *state = ask();
                            }
                        }
                        (Sent::Password, state) if sudo::wrong_password(&output) => {
                            if matches!(state, SudoState::Password { .. }) {
                                *state = sudo::wrong_password_state(account);
                            }
                        }
                        (Sent::Password, SudoState::Password { confirmed, .. }) => {
                            *confirmed = true;
                            self.results[index] = Some(Ok(output));
                        }
                        _ => self.results[index] = Some(Ok(output)),
                    }
                }
            }
        }
    }

    /// One result per command, in order.
    pub fn finish(self) -> Vec<Answer> {
        let host = self.host;
        self.results
            .into_iter()
            .map(|result| {
                // `next` gives every command a result before it returns `None`; this only
                // satisfies the type.
                result.unwrap_or_else(|| {
                    Err(TransportError::Sudo {
                        host: host.to_owned(),
                        reason: "sudo could not be probed".into(),
                        hint: "check the sudo configuration of this host".into(),
                    })
                })
            })
            .collect()
    }

    fn sudo_error(&self, sudo: &SudoState) -> TransportError {
        let (reason, hint) = match sudo {
            SudoState::Failed { reason, hint } => (reason.clone(), hint.clone()),
            _ => (String::new(), String::new()),
        };
        TransportError::Sudo {
            host: self.host.to_owned(),
            reason,
            hint,
        }
    }
}

impl Round {
    fn push(&mut self, slot: Slot, outgoing: Outgoing) {
        self.slots.push(slot);
        self.outgoing.push(outgoing);
    }
}

#[cfg(test)]
#[path = "rounds_tests.rs"]
mod tests;
