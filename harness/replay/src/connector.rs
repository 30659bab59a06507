//! Answers a run's commands from a recorded scenario instead of SSH.

use std::sync::Arc;

use rdma_phase::plan::Host;
use rdma_phase::{CommandOutput, Connector, RemoteCommand, Transport, TransportError};

use super::{Entry, Scenario};

/// Hands each host its own transcript.
pub struct ReplayConnector {
    scenario: Arc<Scenario>,
    /// Shown in errors so the user knows which folder to look at.
    origin: String,
}

impl ReplayConnector {
    pub fn new(scenario: Scenario, origin: impl Into<String>) -> Self {
        Self {
            scenario: Arc::new(scenario),
            origin: origin.into(),
        }
    }
}

impl Connector for ReplayConnector {
    fn connect(&self, host: &Host) -> Result<Box<dyn Transport>, TransportError> {
        let name = host.name.as_str();
        let transcript = self.scenario.transcripts.get(name).ok_or_else(|| TransportError::Connect {
            host: name.to_owned(),
            reason: format!("the scenario {} has no transcript for this host", self.origin),
            hint: format!(
                "replay with the hosts the scenario was recorded with (see {}/command), or record {name} too",
                self.origin
            ),
        })?;
        if let Some(failure) = &transcript.unreachable {
            return Err(failure.to_error(name, ""));
        }
        Ok(Box::new(ReplayTransport::new(
            name,
            self.origin.clone(),
            transcript.entries.clone(),
        )))
    }
}

/// Serves each recorded entry once, to the first command that matches it exactly (same
/// line, same stdin), and refuses anything it has no recording for.
pub struct ReplayTransport {
    host: String,
    origin: String,
    entries: Vec<Entry>,
    used: Vec<bool>,
}

impl ReplayTransport {
    /// Serve `entries` for `host`; `origin` names where they came from in errors.
    pub fn new(host: impl Into<String>, origin: impl Into<String>, entries: Vec<Entry>) -> Self {
        let used = vec![false; entries.len()];
        Self {
            host: host.into(),
            origin: origin.into(),
            entries,
            used,
        }
    }

    /// The recorded entries no command has asked for yet.
    pub fn unused(&self) -> Vec<&Entry> {
        self.entries
            .iter()
            .zip(&self.used)
            .filter(|(_, used)| !**used)
            .map(|(entry, _)| entry)
            .collect()
    }
}

impl Transport for ReplayTransport {
    fn host(&self) -> &str {
        &self.host
    }

    fn run(&mut self, command: &RemoteCommand) -> Result<CommandOutput, TransportError> {
        let line = command.shell_line();
        let found = self.entries.iter().enumerate().position(|(index, entry)| {
            !self.used[index] && entry.command == line && entry.stdin.as_deref() == command.stdin()
        });
        match found {
            Some(index) => {
                self.used[index] = true;
                self.entries[index]
                    .output
                    .clone()
                    .map_err(|failure| failure.to_error(&self.host, &line))
            }
            None => Err(TransportError::Refused {
                host: self.host.clone(),
                command: line,
                reason: format!(
                    "{}/hosts/{}.transcript has no (unused) recording of this command{}",
                    self.origin,
                    self.host,
                    if command.stdin().is_some() { " with this stdin" } else { "" }
                ),
                hint: "the tool now sends something the scenario never saw: re-record the scenario or add the entry by hand".to_owned(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::{test_host, Failure, FailureKind, Transcript};

    fn failure(kind: FailureKind) -> Failure {
        Failure {
            kind,
            reason: "the reason".to_owned(),
            hint: "the hint".to_owned(),
        }
    }

    #[test]
    fn recorded_transport_failures_come_back_as_the_same_errors() {
        let mut transcripts = BTreeMap::new();
        transcripts.insert(
            "down".to_owned(),
            Transcript {
                unreachable: Some(failure(FailureKind::Unreachable)),
                ..Transcript::default()
            },
        );
        transcripts.insert(
            "slow".to_owned(),
            Transcript {
                entries: vec![
                    Entry {
                        command: "ibv_devinfo -v".to_owned(),
                        stdin: None,
                        output: Err(failure(FailureKind::Failed)),
                    },
                    Entry {
                        command: "ifconfig -a".to_owned(),
                        stdin: None,
                        output: Err(failure(FailureKind::Unreachable)),
                    },
                ],
                ..Transcript::default()
            },
        );
        let scenario = Scenario {
            description: String::new(),
            args: Vec::new(),
            transcripts,
        };
        let connector = ReplayConnector::new(scenario, "the test");

        let Err(error) = connector.connect(&test_host("down")) else {
            panic!("an unreachable host connected");
        };
        assert_eq!(
            error,
            TransportError::Connect {
                host: "down".to_owned(),
                reason: "the reason".to_owned(),
                hint: "the hint".to_owned(),
            }
        );

        let mut slow = connector.connect(&test_host("slow")).expect("reachable");
        let error = slow
            .run(&RemoteCommand::read(["ibv_devinfo", "-v"]))
            .expect_err("timed out when recorded");
        assert_eq!(
            error,
            TransportError::Command {
                host: "slow".to_owned(),
                command: "ibv_devinfo -v".to_owned(),
                reason: "the reason".to_owned(),
                hint: "the hint".to_owned(),
            }
        );
        let error = slow
            .run(&RemoteCommand::read(["ifconfig", "-a"]))
            .expect_err("session lost when recorded");
        assert!(error.is_fatal_for_host(), "{error:?}");
    }
}
