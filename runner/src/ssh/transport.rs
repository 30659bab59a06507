//! [`Transport`] over one established libssh2 session.
//!
//! Every call is a batch: `run` is a batch of one, `run_many` sends its commands at once, in
//! as many rounds as sudo needs (`rounds`). A round of one command runs on a channel of its
//! own inside the `lifeline` wrapper (`batch::run_one`); a round of several runs as one
//! script on one channel (`joint`). Each round's channel is the session's spare (`spare`),
//! opened while the previous round ran, so a round costs one round trip (two when its spare
//! was not open in time), whatever its size. The transport counts the rounds it sends, the
//! round trips a run costs apart from the handshake, and logs them with the number of
//! commands when it is dropped (`round trips=N commands=M`, debug level), closing the spare.

use std::os::fd::AsFd;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rdma_phase::{CommandOutput, RemoteCommand, Staged, Transport, TransportError};

use super::batch;
use super::exec::{AfterStdin, ExecError};
use super::hints;
use super::joint;
use super::lifeline;
use super::prompt::Prompter;
use super::proxy::Via;
use super::rounds::{Outgoing, Rounds};
use super::script::Command;
use super::session::Established;
use super::spare::Spare;
use super::sudo::{Account, SudoState};

#[path = "transport_judge.rs"]
mod judge;
#[path = "transport_stages.rs"]
mod stages;

/// One host's session for the whole run. Used from one thread at a time.
pub struct SshTransport {
    /// The host as given on the command line.
    name: String,
    via: Option<Via>,
    established: Established,
    /// The channel opened ahead for the next round (out only while a round runs).
    spare: Option<Spare>,
    command_timeout: Duration,
    sudo: SudoState,
    prompter: Arc<Prompter>,
    /// The error that made the session unusable, once one has: later commands fail at once
    /// with it.
    lost: Option<TransportError>,
    round_trips: u64,
    commands: u64,
}

impl SshTransport {
    pub(crate) fn new(
        name: String,
        via: Option<Via>,
        established: Established,
        spare: Spare,
        command_timeout: Duration,
        prompter: Arc<Prompter>,
    ) -> Self {
        Self {
            name,
            via,
            established,
            spare: Some(spare),
            command_timeout,
            sudo: SudoState::Unprobed,
            prompter,
            lost: None,
            round_trips: 0,
            commands: 0,
        }
    }

    /// Batches sent on the wire so far: one per `run`, one per `run_many`, one more for a
    /// sudo probe that had nothing to ride with, and one more when sudo wanted a password
    /// after all (the password goes with one command first until sudo took it).
    pub fn round_trips(&self) -> u64 {
        self.round_trips
    }

    /// Commands asked for so far (`run` and `run_many`), sudo probes not included.
    pub fn commands(&self) -> u64 {
        self.commands
    }

    /// The alias users would type for this host's SSH checks.
    fn ssh_alias(&self) -> &str {
        self.via.as_ref().map_or(&self.name, |via| &via.proxy)
    }

    /// Through --proxy, the line the proxy runs for `line` on the target.
    fn through_via(&self, line: &str) -> String {
        match &self.via {
            Some(via) => via.wrap(line),
            None => line.to_owned(),
        }
    }

    /// Send one round: every line at once, on one channel.
    fn send(&mut self, round: &[Outgoing]) -> Vec<Result<CommandOutput, TransportError>> {
        self.send_staged(round, &[])
            .into_iter()
            .map(|result| result.unwrap_or_else(|| Err(self.not_run())))
            .collect()
    }

    /// Send one round in stages (`script::build_staged`): `None` for a command not run.
    fn send_staged(
        &mut self,
        round: &[Outgoing],
        stage_starts: &[usize],
    ) -> Vec<Option<Result<CommandOutput, TransportError>>> {
        if let Some(lost) = &self.lost {
            let earlier = earlier(lost);
            return round.iter().map(|_| Some(Err(earlier.clone()))).collect();
        }
        self.round_trips += 1;
        for (index, outgoing) in round.iter().enumerate() {
            // Stage 0 is the first; a later stage runs only if everything before it succeeded.
            let stage = stage_starts
                .iter()
                .filter(|&&start| start > 0 && start <= index)
                .count();
            tracing::debug!(
                host = %self.name,
                command = %outgoing.shown,
                stdin_bytes = outgoing.stdin.as_ref().map_or(0, |stdin| stdin.len()),
                stage,
                "run"
            );
        }
        let started = Instant::now();
        let deadline = started + self.command_timeout;
        let session = &self.established.session;
        let socket = self.established.socket.as_fd();
        let mut spare = self.spare.take().unwrap_or_else(|| Spare::start(session));
        // The lifeline (or the batch script, which has its own) goes around the innermost
        // command: through --proxy that is the one on the target, which the proxy's ssh
        // passes our channel's end on to.
        // A command alone costs the Mac less without the batch script; but its stdin would
        // cost a round trip, which the script saves for a public one (`script`).
        let alone = match round {
            [one] if stage_starts.is_empty() => {
                !(one.stdin_public && one.stdin.as_ref().is_some_and(|stdin| !stdin.is_empty()))
            }
            _ => false,
        };
        let results = if let (true, [one]) = (alone, round) {
            let stdin = one.stdin.as_deref().map(Vec::as_slice);
            let line = self.through_via(&lifeline::wrap(&one.line, stdin.map_or(0, <[u8]>::len)));
            vec![batch::run_one(
                session,
                socket,
                &mut spare,
                &line,
                stdin,
                AfterStdin::KeepOpen,
                deadline,
            )]
        } else {
            let commands: Vec<Command<'_>> = round
                .iter()
                .map(|outgoing| Command {
                    line: &outgoing.line,
                    stdin: outgoing.stdin.as_deref().map(Vec::as_slice),
                    stdin_public: outgoing.stdin_public,
                    // Every line here is `RemoteCommand`'s: quoted words.
                    words: true,
                })
                .collect();
            joint::run(
                session,
                socket,
                &mut spare,
                (&commands, stage_starts),
                &|line| self.through_via(line),
                deadline,
            )
        };
        self.spare = Some(spare);
        let elapsed_ms = started.elapsed().as_millis();
        round
            .iter()
            .zip(results)
            .map(|(outgoing, result)| match result {
                Err(ExecError::NotRun) => None,
                result => Some(self.judge(&outgoing.shown, result, elapsed_ms)),
            })
            .collect()
    }

    /// What a command gets that a staged round did not run, where a result is due.
    fn not_run(&self) -> TransportError {
        TransportError::Command {
            host: self.name.clone(),
            command: String::new(),
            reason: "not run: a command before it in its batch failed".into(),
            hint: "this is a bug in rdma-setup: please report it with -vv output".into(),
        }
    }

    /// Run `commands` as one batch, in as many rounds as sudo needs.
    fn run_batch(
        &mut self,
        commands: &[RemoteCommand],
    ) -> Vec<Result<CommandOutput, TransportError>> {
        self.commands += commands.len() as u64;
        let host = self.name.clone();
        let mut rounds = Rounds::new(&host, commands);
        while let Some(round) = rounds.next(&self.sudo) {
            let answers = self.send(&round.outgoing);
            self.absorb(&mut rounds, round, answers);
        }
        rounds.finish()
    }
}

/// Who sudo runs as on the host, as its password prompt would say it. Through a proxy we
/// only know the target's user if it was written as user@host; the proxy's user is the best
/// guess (clusters use one account name).
fn account<'a>(name: &'a str, session_user: &'a str) -> Account<'a> {
    let user = name.split_once('@').map_or(session_user, |(user, _)| user);
    let host = name.rsplit_once('@').map_or(name, |(_, host)| host);
    Account { user, host }
}

/// The error a command gets when the session was already lost before it.
fn earlier(lost: &TransportError) -> TransportError {
    match lost.clone() {
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
    }
}

impl Transport for SshTransport {
    fn host(&self) -> &str {
        &self.name
    }

    fn run(&mut self, command: &RemoteCommand) -> Result<CommandOutput, TransportError> {
        self.run_batch(std::slice::from_ref(command))
            .pop()
            // One result per command; this only satisfies the type.
            .unwrap_or_else(|| {
                Err(TransportError::Command {
                    host: self.name.clone(),
                    command: command.shell_line(),
                    reason: "no result".into(),
                    hint: hints::check_ssh(self.ssh_alias()),
                })
            })
    }

    fn run_many(
        &mut self,
        commands: &[RemoteCommand],
    ) -> Vec<Result<CommandOutput, TransportError>> {
        self.run_batch(commands)
    }

    fn run_stages(&mut self, stages: &[&[RemoteCommand]]) -> Staged {
        self.stages(stages)
    }

    fn describe(&self, command: &RemoteCommand) -> String {
        match &self.via {
            Some(via) => via.describe(&command.shell_line()),
            None => format!("ssh {} {}", self.name, command.shell_line()),
        }
    }
}

impl Drop for SshTransport {
    fn drop(&mut self) {
        tracing::debug!(
            host = %self.name,
            "round trips={} commands={}",
            self.round_trips,
            self.commands
        );
        // A lost session takes no more requests, not even a close.
        if let (Some(spare), None) = (self.spare.take(), &self.lost) {
            spare.close(&self.established.session, self.established.socket.as_fd());
        }
    }
}
