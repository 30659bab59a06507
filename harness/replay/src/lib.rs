//! Recorded scenarios and the transport that replays them: a product crate (`--replay`,
//! `cargo xtask record`), unlike the test lab in `rdma-harness`.
//!
//! A scenario folder holds the command line (`command`) and one transcript per host
//! (`hosts/<host>.transcript`). The format is documented in `fixtures/README.md`.

mod connector;
mod recorder;
mod redact;
mod scenario;
mod transcript;

pub use connector::{ReplayConnector, ReplayTransport};
pub use recorder::{RecordingConnector, REFUSED_NOTE};
pub use redact::Redactor;
pub use scenario::{Scenario, ScenarioError};
pub use transcript::{Entry, Failure, FailureKind, Transcript, TranscriptError};

/// A plan host with just a name, for the connectors' tests.
#[cfg(test)]
fn test_host(name: &str) -> rdma_phase::plan::Host {
    rdma_phase::plan::Host {
        name: rdma_phase::HostName::parse(name).expect("valid name"),
        via: None,
        nodes: Vec::new(),
    }
}
