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

// The files from the top down: each uses only files in the groups below its own (its
// tests, which sit at the top, excepted).

// The macOS commands inside a simulated Mac (`mac-shim`), the other side of the lab.
pub mod shim;

// Labs for tests; a lab's life (up, attach, keep, down); building one from its spec.
pub mod testing;

mod lifecycle;

mod build;
mod clutter;

// What a running lab can do, one concern a file, each adding methods to `Lab`.
mod cables;
mod exec;
mod inspect;
mod misbehave;
mod reach;
mod settings;

// The `Lab` value: what it holds and tells, and its teardown on drop; who started which
// lab on this machine.
mod instance;
pub mod roster;

// The pieces below: removing a lab by name; namespaces and veths, processes, ssh files;
// finding the shim, what the machine must have, the named scenarios; files, names, port
// identities, the delay relay, the spec, the recorded state, running system commands.
mod teardown;

mod net;
mod process;
mod ssh;

pub mod locate;
mod preflight;
pub mod quirks;
pub mod scenario;

mod files;
mod naming;
mod ports;
pub mod relay;
mod spec;
pub mod state;
mod sys;

mod error;

pub use build::SHIM_COMMANDS;
pub use error::LabError;
pub use instance::Lab;
pub use quirks::{OldDeviceFile, Quirk, QuirkySpec};
pub use spec::{
    Cable, Fault, HostKeyFault, LabSpec, Misbehaviour, PortRef, HIDDEN_IFACE, MGMT_IFACE,
};
