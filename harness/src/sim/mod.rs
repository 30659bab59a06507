//! An in-memory cluster of simulated Macs that answers the tool's commands in macOS format.
//!
//! The dry-run answers its reads from clean simulated hosts; `cargo xtask fixtures` runs the
//! real phases against simulated faults (bridged ports, RDMA off, a pulled cable) and saves
//! what each host received as replay scenarios. The lab does the same against real kernel
//! state; this is its in-process counterpart, with the same output formatters.

mod cluster;
mod host;
mod lock;

pub use cluster::{Cable, SimCluster, SimConnector};
pub use host::{RdmaSwitch, SimHost, SimPort};
