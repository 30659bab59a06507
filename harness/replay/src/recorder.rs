//! Wraps any connector and writes down what every host received: the source of scenario
//! transcripts (`cargo xtask fixtures` over simulated hosts, `cargo xtask record` over SSH).
//!
//! Recording real Macs must never change them, whatever the phases ask for, so the policy
//! is part of the recorder rather than left to check mode: [`RecordingConnector::read_only`]
//! refuses every command declared as changing the host (and anything under sudo) before it
//! reaches the connector underneath, and notes it in the host's transcript instead.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use rdma_phase::plan::Host;
use rdma_phase::{CommandOutput, Connector, RemoteCommand, Transport, TransportError};

use super::{Entry, Failure, Transcript};

type Transcripts = Arc<Mutex<BTreeMap<String, Transcript>>>;

/// The note that precedes each refused command in a read-only transcript.
pub const REFUSED_NOTE: &str = "refused by the recorder, never sent: ";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Changes {
    /// Pass changes through (simulated hosts, whose state is ours to change).
    Send,
    /// Refuse them here (real hosts).
    Refuse,
}

pub struct RecordingConnector<C> {
    inner: C,
    changes: Changes,
    transcripts: Transcripts,
}

impl<C: Connector> RecordingConnector<C> {
    /// Record everything, changes included: for simulated hosts only.
    pub fn sending_changes(inner: C) -> Self {
        Self {
            inner,
            changes: Changes::Send,
            transcripts: Arc::default(),
        }
    }

    /// Record reads and refuse every change: nothing that changes a host gets past this
    /// transport, whatever mode the run is in.
    pub fn read_only(inner: C) -> Self {
        Self {
            changes: Changes::Refuse,
            ..Self::sending_changes(inner)
        }
    }

    /// What each host has received so far, by host name.
    pub fn transcripts(&self) -> BTreeMap<String, Transcript> {
        lock(&self.transcripts).clone()
    }
}

fn lock(transcripts: &Transcripts) -> std::sync::MutexGuard<'_, BTreeMap<String, Transcript>> {
    transcripts.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<C: Connector> Connector for RecordingConnector<C> {
    fn connect(&self, host: &Host) -> Result<Box<dyn Transport>, TransportError> {
        let name = host.name.to_string();
        let inner = match self.inner.connect(host) {
            Ok(inner) => inner,
            Err(error) => {
                lock(&self.transcripts).entry(name).or_default().unreachable =
                    Failure::from_error(&error);
                return Err(error);
            }
        };
        lock(&self.transcripts).entry(name.clone()).or_default();
        Ok(Box::new(RecordingTransport {
            name,
            inner,
            changes: self.changes,
            transcripts: Arc::clone(&self.transcripts),
        }))
    }
}

struct RecordingTransport {
    /// The transcript's key: the host as the plan names it.
    name: String,
    inner: Box<dyn Transport>,
    changes: Changes,
    transcripts: Transcripts,
}

impl RecordingTransport {
    fn refuses(&self, command: &RemoteCommand) -> bool {
        self.changes == Changes::Refuse
            && (command.changes_host()
                || command.needs_root()
                || command.argv().first().is_some_and(|word| word == "sudo"))
    }
}

impl Transport for RecordingTransport {
    fn host(&self) -> &str {
        self.inner.host()
    }

    fn run(&mut self, command: &RemoteCommand) -> Result<CommandOutput, TransportError> {
        let line = command.shell_line();
        if self.refuses(command) {
            lock(&self.transcripts)
                .entry(self.name.clone())
                .or_default()
                .notes
                .push(format!(
                    "{REFUSED_NOTE}{}",
                    command.shell_line_with_sudo("sudo")
                ));
            return Err(TransportError::Refused {
                host: self.inner.host().to_owned(),
                command: line,
                reason: "the recorder never sends a command that changes a host".to_owned(),
                hint: "a phase asked the recorder for a change: this is a bug, please report it"
                    .to_owned(),
            });
        }
        let result = self.inner.run(command);
        let output = match &result {
            Ok(output) => Ok(output.clone()),
            Err(error) => match Failure::from_error(error) {
                Some(failure) => Err(failure),
                None => return result,
            },
        };
        lock(&self.transcripts)
            .entry(self.name.clone())
            .or_default()
            .entries
            .push(Entry {
                command: line,
                stdin: command.stdin().map(str::to_owned),
                output,
            });
        result
    }

    fn describe(&self, command: &RemoteCommand) -> String {
        self.inner.describe(command)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{test_host, FailureKind, ReplayConnector, Scenario};

    /// Recording a replay of a scenario gives the scenario back, failures included.
    #[test]
    fn transport_failures_are_recorded_as_they_happened() {
        let text = "# a note\n\n$ rdma_ctl status\n| enabled\n= 0\n\n$ ibv_devinfo -v\n@ failed: no result within 30 s\n@ hint: wait\n";
        let down = "@ unreachable: no answer\n@ hint: is it on?\n";
        let mut transcripts = BTreeMap::new();
        transcripts.insert("up".to_owned(), Transcript::parse(text).expect("valid"));
        transcripts.insert("down".to_owned(), Transcript::parse(down).expect("valid"));
        let scenario = Scenario {
            description: String::new(),
            args: Vec::new(),
            transcripts,
        };
        let recorder = RecordingConnector::read_only(ReplayConnector::new(scenario, "the test"));

        assert!(recorder.connect(&test_host("down")).is_err());
        let mut up = recorder.connect(&test_host("up")).expect("reachable");
        up.run(&RemoteCommand::read(["rdma_ctl", "status"]))
            .expect("recorded output");
        up.run(&RemoteCommand::read(["ibv_devinfo", "-v"]))
            .expect_err("recorded failure");
        let refused = up
            .run(&RemoteCommand::privileged(["ifconfig", "en5", "down"]))
            .expect_err("a change");
        assert!(
            matches!(refused, TransportError::Refused { .. }),
            "{refused:?}"
        );

        let recorded = recorder.transcripts();
        assert_eq!(
            recorded["down"].unreachable.as_ref().map(|f| f.kind),
            Some(FailureKind::Unreachable)
        );
        let up = &recorded["up"];
        assert_eq!(up.entries.len(), 2, "the refused change is not an entry");
        assert_eq!(
            up.entries[1]
                .output
                .as_ref()
                .map_err(|f| (f.kind, f.hint.as_str())),
            Err((FailureKind::Failed, "wait"))
        );
        assert_eq!(
            up.notes,
            [format!("{REFUSED_NOTE}sudo ifconfig en5 down")],
            "the replayed transcript's own note is not copied; the refusal is noted"
        );
    }
}
