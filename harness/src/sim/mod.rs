//! An in-memory cluster of simulated Macs that answers the tool's commands in macOS format.
//!
//! `cargo xtask fixtures` runs the real phases against simulated Macs in known states (a
//! fresh reboot, a reinstall, a pulled cable, ...) and saves what each host received as
//! replay scenarios. The lab does the same against real kernel state; this is its
//! in-process counterpart, with the same output formatters. A simulated Mac is as messy as
//! a real one by default (self-assigned 169.254 addresses on its Thunderbolt ports, TN3205's
//! GID table), and more so on request ([`SimHost::busy`], [`SimHost::thunderbolt4`],
//! [`SimHost::with_device_file`], [`SimHost::with_configd`]).

mod cluster;
mod hardware_ports;
mod host;
mod ifconfig;
mod lock;
mod netstat;
mod ping;
mod rdma;

#[cfg(test)]
mod tests;

pub use cluster::{Cable, SimCluster, SimConnector};
pub use host::{Configd, RdmaSwitch, SimHost, SimPort};
