//! One host's session as the phases see it: every read sent once, independent commands sent
//! together.
//!
//! - A read that nothing has changed since is answered from the first answer: bridge and ip
//!   both read `ifconfig -a`, every node of a host reads `ibv_devices`; the host hears each
//!   once. A change forgets the answers it may have made wrong (setting an address forgets
//!   what `ifconfig` said, not which RDMA devices exist: `RemoteCommand::about`); a volatile
//!   read (a ping, who holds a lock) is always sent.
//! - [`Session::prefetch`] sends the reads the phases declared, all at once, before they run.
//! - [`Session::send_changes`] sends a batch of changes at once; when a phase then asks for
//!   one of them, it gets that answer instead of sending it again.
//!
//! What really went over the wire is logged ([`Session::take_sent`]), so reports and
//! recordings show what the host received, and counted, for `-v` and the benchmark.

use std::collections::HashMap;

use rdma_phase::context::IssuedCommand;
use rdma_phase::{CommandOutput, RemoteCommand, Transport, TransportError};

/// A command and its stdin: what makes two requests the same.
type Key = (String, Option<String>);

fn key(command: &RemoteCommand) -> Key {
    (command.shell_line(), command.stdin().map(str::to_owned))
}

/// What [`Session::send_changes_then_reads`] got back.
#[derive(Debug, Default)]
pub struct ChangesSent {
    /// The answer to `before`, if there was one.
    pub before: Option<Result<CommandOutput, TransportError>>,
    /// The results of `first` (none when `before` failed).
    pub first: Vec<Result<CommandOutput, TransportError>>,
}

pub struct Session {
    inner: Box<dyn Transport>,
    answers: HashMap<Key, (RemoteCommand, CommandOutput)>,
    prepaid: HashMap<Key, Result<CommandOutput, TransportError>>,
    sent: Vec<IssuedCommand>,
    /// Commands that go with the next request, and the answers of those that went.
    riders: Vec<RemoteCommand>,
    ridden: Vec<(Key, Result<CommandOutput, TransportError>)>,
    /// Requests that went over the wire (a batch is one) and the commands in them.
    pub round_trips: usize,
    pub commands: usize,
}

impl Session {
    pub fn new(inner: Box<dyn Transport>) -> Self {
        Self {
            inner,
            answers: HashMap::new(),
            prepaid: HashMap::new(),
            sent: Vec::new(),
            riders: Vec::new(),
            ridden: Vec::new(),
            round_trips: 0,
            commands: 0,
        }
    }

    /// What was sent since the last call, in order.
    pub fn take_sent(&mut self) -> Vec<IssuedCommand> {
        std::mem::take(&mut self.sent)
    }

    /// Send `command` with the next request, whatever that holds: a check that needs no round
    /// trip of its own. [`Session::ridden`] gives its answer.
    pub fn ride_along(&mut self, command: RemoteCommand) {
        self.riders.push(command);
    }

    /// The answer `command` got riding along; sent by itself now if no request took it.
    pub fn ridden(&mut self, command: &RemoteCommand) -> Result<CommandOutput, TransportError> {
        let wanted = key(command);
        self.riders.retain(|rider| key(rider) != wanted);
        match self.ridden.iter().position(|(rider, _)| *rider == wanted) {
            Some(at) => self.ridden.remove(at).1,
            None => self.run(command),
        }
    }

    /// Forget every answer: the next reads see the host as it is now.
    pub fn forget(&mut self) {
        self.answers.clear();
    }

    /// Send `first` together with every read of `reads` not answered yet; the reads'
    /// answers are kept for the phases, `first`'s results are returned.
    pub fn send_with_reads(
        &mut self,
        first: &[RemoteCommand],
        reads: &[RemoteCommand],
    ) -> Vec<Result<CommandOutput, TransportError>> {
        let (batch, keys) = self.unanswered(first, reads);
        let results = self.send(&batch);
        self.keep_answers(&batch, first.len(), keys, results)
    }

    /// Send `before` (the host lock's take), then, if it succeeded, `changes` at once, then,
    /// if every one succeeded, `first` (the release) and the reads of `reads` not answered
    /// since (those the changes made wrong): in one request when the transport can
    /// (`Transport::run_stages`). A phase that asks for a change later gets its answer.
    /// When `before` failed nothing else ran, and its answer is all there is.
    pub fn send_changes_then_reads(
        &mut self,
        before: Option<&RemoteCommand>,
        changes: &[RemoteCommand],
        first: &[RemoteCommand],
        reads: &[RemoteCommand],
    ) -> ChangesSent {
        for change in changes {
            self.forget_what(change);
        }
        let (batch, keys) = self.unanswered(first, reads);
        let before: Vec<RemoteCommand> = before.into_iter().cloned().collect();
        let mut stages: Vec<&[RemoteCommand]> = Vec::new();
        for stage in [&before[..], changes, &batch[..]] {
            if !stage.is_empty() {
                stages.push(stage);
            }
        }
        let staged = self.inner.run_stages(&stages);
        self.round_trips += staged.requests;
        let mut results = staged.results.into_iter();
        let mut sent = ChangesSent::default();
        if !before.is_empty() {
            self.log_sent(&before);
            self.commands += 1;
            let answer = results
                .next()
                .and_then(|stage| stage.into_iter().next().flatten())
                .unwrap_or_else(|| Err(self.unanswered_change(&before[0])));
            let taken = answer.as_ref().is_ok_and(CommandOutput::success);
            sent.before = Some(answer);
            if !taken {
                return sent;
            }
        }
        if changes.is_empty() {
            sent.first = self.send_with_reads(first, reads);
            return sent;
        }
        self.log_sent(changes);
        self.commands += changes.len();
        let change_results = results.next().unwrap_or_default();
        for (change, result) in changes.iter().zip(change_results) {
            let result = result.unwrap_or_else(|| Err(self.unanswered_change(change)));
            self.prepaid.insert(key(change), result);
        }
        let reread = results
            .next()
            .and_then(|stage| stage.into_iter().collect::<Option<Vec<_>>>());
        sent.first = match reread {
            Some(results) if !batch.is_empty() => {
                self.log_sent(&batch);
                self.commands += batch.len();
                self.keep_answers(&batch, first.len(), keys, results)
            }
            // A change failed (or nothing to read): the rest go by themselves.
            _ => self.send_with_reads(first, reads),
        };
        sent
    }

    /// `first`, then every read of `reads` not answered yet (each once), and their keys.
    fn unanswered(
        &self,
        first: &[RemoteCommand],
        reads: &[RemoteCommand],
    ) -> (Vec<RemoteCommand>, Vec<Key>) {
        let mut batch: Vec<RemoteCommand> = first.to_vec();
        let mut keys: Vec<Key> = Vec::new();
        for read in reads.iter().filter(|read| read.is_cacheable()) {
            let read_key = key(read);
            if !self.answers.contains_key(&read_key) && !keys.contains(&read_key) {
                keys.push(read_key);
                batch.push(read.clone());
            }
        }
        (batch, keys)
    }

    /// Keep the answers of `batch`'s reads (after its first `first_len` commands) and return
    /// the results of those first ones.
    fn keep_answers(
        &mut self,
        batch: &[RemoteCommand],
        first_len: usize,
        keys: Vec<Key>,
        mut results: Vec<Result<CommandOutput, TransportError>>,
    ) -> Vec<Result<CommandOutput, TransportError>> {
        let first = first_len.min(results.len());
        let answers = results.split_off(first);
        for (read_key, answer) in keys.into_iter().zip(answers) {
            // A failed read is left for the phase to send again and report.
            if let Ok(output) = answer {
                let read = batch[first_len..]
                    .iter()
                    .find(|read| key(read) == read_key)
                    .cloned();
                if let Some(read) = read {
                    self.answers.insert(read_key, (read, output));
                }
            }
        }
        results
    }

    /// The remembered answer to a read, without sending anything.
    pub fn remembered(&self, command: &RemoteCommand) -> Option<&CommandOutput> {
        self.answers.get(&key(command)).map(|(_, output)| output)
    }

    /// Send every read of `reads` not answered yet, at once.
    pub fn prefetch(&mut self, reads: &[RemoteCommand]) {
        self.send_with_reads(&[], reads);
    }

    /// Send changes at once; a phase that asks for one of them later gets its answer.
    pub fn send_changes(&mut self, changes: &[RemoteCommand]) {
        let results = self.send(changes);
        for (change, result) in changes.iter().zip(results) {
            self.forget_what(change);
            self.prepaid.insert(key(change), result);
        }
    }

    /// Forget the answers `change` may have made wrong.
    fn forget_what(&mut self, change: &RemoteCommand) {
        self.answers.retain(|_, (read, _)| !change.may_change(read));
    }

    /// One request on the wire, logged and counted.
    fn send(&mut self, batch: &[RemoteCommand]) -> Vec<Result<CommandOutput, TransportError>> {
        if batch.is_empty() {
            return Vec::new();
        }
        let riders = std::mem::take(&mut self.riders);
        let full: Vec<RemoteCommand> = batch.iter().chain(&riders).cloned().collect();
        self.log_sent(&full);
        self.round_trips += 1;
        self.commands += full.len();
        let mut results = if let [one] = &full[..] {
            vec![self.inner.run(one)]
        } else {
            self.inner.run_many(&full)
        };
        let rode = results.split_off(batch.len().min(results.len()));
        self.ridden.extend(riders.iter().map(key).zip(rode));
        results
    }

    fn log_sent(&mut self, batch: &[RemoteCommand]) {
        for command in batch {
            self.sent.push(IssuedCommand {
                line: self.inner.describe(command),
                stdin: command.stdin().map(str::to_owned),
                sent: true,
            });
        }
    }

    /// What a change gets that a transport left without a result (the first stage always
    /// runs: this only satisfies the type).
    fn unanswered_change(&self, change: &RemoteCommand) -> TransportError {
        TransportError::Refused {
            host: self.host().to_owned(),
            command: change.shell_line(),
            reason: "the transport returned no result".to_owned(),
            hint: "this is a bug in rdma-setup: please report it".to_owned(),
        }
    }

    /// The answer a command already has, if any: a remembered read, or a change sent in a
    /// batch (given out once).
    fn answered(
        &mut self,
        command: &RemoteCommand,
    ) -> Option<Result<CommandOutput, TransportError>> {
        let command_key = key(command);
        if command.is_cacheable() {
            return self
                .answers
                .get(&command_key)
                .map(|(_, output)| Ok(output.clone()));
        }
        if command.changes_host() {
            let prepaid = self.prepaid.remove(&command_key)?;
            self.forget_what(command);
            return Some(prepaid);
        }
        None
    }

    fn remember(
        &mut self,
        command: &RemoteCommand,
        result: &Result<CommandOutput, TransportError>,
    ) {
        if command.changes_host() {
            self.forget_what(command);
        } else if let (true, Ok(output)) = (command.is_cacheable(), result) {
            self.answers
                .insert(key(command), (command.clone(), output.clone()));
        }
    }
}

impl Transport for Session {
    fn host(&self) -> &str {
        self.inner.host()
    }

    fn run(&mut self, command: &RemoteCommand) -> Result<CommandOutput, TransportError> {
        if let Some(answer) = self.answered(command) {
            return answer;
        }
        let result = self
            .send(std::slice::from_ref(command))
            .pop()
            .unwrap_or_else(|| {
                Err(TransportError::Refused {
                    host: self.host().to_owned(),
                    command: command.shell_line(),
                    reason: "the transport returned no result".to_owned(),
                    hint: "this is a bug in rdma-setup: please report it".to_owned(),
                })
            });
        self.remember(command, &result);
        result
    }

    fn run_many(
        &mut self,
        commands: &[RemoteCommand],
    ) -> Vec<Result<CommandOutput, TransportError>> {
        let mut results: Vec<Option<Result<CommandOutput, TransportError>>> = commands
            .iter()
            .map(|command| self.answered(command))
            .collect();
        let missing: Vec<RemoteCommand> = commands
            .iter()
            .zip(&results)
            .filter(|(_, answer)| answer.is_none())
            .map(|(command, _)| command.clone())
            .collect();
        let mut fresh = self.send(&missing).into_iter();
        for (command, slot) in commands.iter().zip(&mut results) {
            if slot.is_none() {
                let result = fresh.next().unwrap_or_else(|| {
                    Err(TransportError::Refused {
                        host: self.inner.host().to_owned(),
                        command: command.shell_line(),
                        reason: "the transport returned too few results".to_owned(),
                        hint: "this is a bug in rdma-setup: please report it".to_owned(),
                    })
                });
                self.remember(command, &result);
                *slot = Some(result);
            }
        }
        results.into_iter().flatten().collect()
    }

    fn describe(&self, command: &RemoteCommand) -> String {
        self.inner.describe(command)
    }
}

#[cfg(test)]
mod tests;
