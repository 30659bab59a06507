//! `--dry-run`: nothing reaches a host, and nothing stands in for one.
//!
//! Each phase lists what it would send to a Mac just after a reboot
//! (`rdma_phase::Phase::dry_run`); the transport here only names the host and refuses to
//! run anything, so no command can be sent even by mistake, and no simulated answer can
//! make a row look checked.

use rdma_phase::plan::Host;
use rdma_phase::{CommandOutput, Connector, RemoteCommand, Transport, TransportError};

pub struct DryRunConnector;

impl Connector for DryRunConnector {
    fn connect(&self, host: &Host) -> Result<Box<dyn Transport>, TransportError> {
        Ok(Box::new(Unsent {
            host: host.name.to_string(),
        }))
    }
}

/// A host that is only ever described.
struct Unsent {
    host: String,
}

impl Transport for Unsent {
    fn host(&self) -> &str {
        &self.host
    }

    fn run(&mut self, command: &RemoteCommand) -> Result<CommandOutput, TransportError> {
        Err(TransportError::Refused {
            host: self.host.clone(),
            command: command.shell_line(),
            reason: "a dry-run sends nothing".to_owned(),
            hint: "this is a bug in the phase's dry-run: please report it".to_owned(),
        })
    }
}
