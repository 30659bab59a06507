//! The lab of simulated Macs for end-to-end tests.
//!
//! Each simulated Mac is a Linux network namespace with its own hostname and private /tmp
//! and /root, a real OpenSSH `sshd` on a management network, Thunderbolt "cables" made of
//! veth pairs named like the Mac ports (`en5`), and macOS-format command shims (the list is
//! [`SHIM_COMMANDS`]) acting on the real kernel state.
//! The tool under test runs in a controller namespace with no default route. Nothing of the
//! lab touches the root namespace's network.
//!
//! ```no_run
//! use rdma_harness::lab::{scenario, Lab};
//! let lab = Lab::up(scenario::two_node())?;
//! let out = lab.ssh("hwstudio1", "ifconfig en5")?;
//! # Ok::<(), rdma_harness::lab::LabError>(())
//! ```

mod build;
mod error;
mod instance;
pub mod locate;
mod misbehave;
mod naming;
mod net;
mod preflight;
mod process;
pub mod relay;
pub mod scenario;
pub mod shim;
mod spec;
mod ssh;
pub mod state;
mod sys;
mod teardown;
pub mod testing;

pub use build::SHIM_COMMANDS;
pub use error::LabError;
pub use instance::Lab;
pub use spec::{
    Cable, Fault, HostKeyFault, LabSpec, Misbehaviour, PortRef, HIDDEN_IFACE, MGMT_IFACE,
};
