//! Commands and results the batch tests share.

use rdma_phase::{CommandOutput, RemoteCommand, TransportError};

/// A command for the remote user's shell.
pub fn sh(script: &str) -> RemoteCommand {
    RemoteCommand::read(["sh", "-c", script])
}

/// The stdout of each command of a batch, all of which must have succeeded.
pub fn stdout_of(results: Vec<Result<CommandOutput, TransportError>>) -> Vec<String> {
    results
        .into_iter()
        .map(|result| {
            let output = result.expect("command result");
            assert!(output.success(), "{output:?}");
            output.stdout
        })
        .collect()
}
