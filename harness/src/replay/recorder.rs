//! Wraps any connector and writes down what every host received: the source of scenario
//! transcripts (`cargo xtask fixtures` over simulated hosts, `cargo xtask record` over SSH).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use rdma_phase::plan::Host;
use rdma_phase::{CommandOutput, Connector, RemoteCommand, Transport, TransportError};

use super::{Entry, Transcript};

type Transcripts = Arc<Mutex<BTreeMap<String, Transcript>>>;

pub struct RecordingConnector<C> {
    inner: C,
    transcripts: Transcripts,
}

impl<C: Connector> RecordingConnector<C> {
    pub fn new(inner: C) -> Self {
        Self {
            inner,
            transcripts: Arc::default(),
        }
    }

    /// What each host has received so far, by host name.
    pub fn transcripts(&self) -> BTreeMap<String, Transcript> {
        self.transcripts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl<C: Connector> Connector for RecordingConnector<C> {
    fn connect(&self, host: &Host) -> Result<Box<dyn Transport>, TransportError> {
        let inner = self.inner.connect(host)?;
        self.transcripts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(host.name.to_string())
            .or_default();
        Ok(Box::new(RecordingTransport {
            inner,
            transcripts: Arc::clone(&self.transcripts),
        }))
    }
}

struct RecordingTransport {
    inner: Box<dyn Transport>,
    transcripts: Transcripts,
}

impl Transport for RecordingTransport {
    fn host(&self) -> &str {
        self.inner.host()
    }

    fn run(&mut self, command: &RemoteCommand) -> Result<CommandOutput, TransportError> {
        let output = self.inner.run(command)?;
        self.transcripts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(self.inner.host().to_owned())
            .or_default()
            .entries
            .push(Entry {
                command: command.shell_line(),
                stdin: command.stdin().map(str::to_owned),
                output: output.clone(),
            });
        Ok(output)
    }

    fn describe(&self, command: &RemoteCommand) -> String {
        self.inner.describe(command)
    }
}
