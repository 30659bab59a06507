//! Phase `ibv-devices`: the node's RDMA device exists, its port is active and it publishes
//! the IPv4-mapped GID JACCL needs.

mod decide;
mod unsupported;

#[cfg(test)]
mod run_tests;

use rdma_phase::facts::address_state;
use rdma_phase::parse::{parse_ibv_devices, parse_ibv_devinfo, parse_rdma_ctl_status, RdmaState};
use rdma_phase::reads;
use rdma_phase::{
    CommandOutput, Context, Outcome, Phase, PhaseError, RemoteCommand, Scope, Status,
    TransportError,
};

pub use decide::{
    classify_listing, gid_row, listing_row, missing_gid_row, pick_device, port_row, Listing,
    NodeFacts,
};
pub use unsupported::{port_kind, port_link, unsupported_row, PortKind, PortLink};

/// The `ibv-devices` phase.
pub struct IbvDevicesPhase;

pub static IBV_DEVICES: IbvDevicesPhase = IbvDevicesPhase;

inventory::submit! { rdma_phase::PhaseRegistration(&IBV_DEVICES) }

impl Phase for IbvDevicesPhase {
    fn name(&self) -> &'static str {
        "ibv-devices"
    }

    fn order(&self) -> u32 {
        50
    }

    fn description(&self) -> &'static str {
        "Check the RDMA device of the interface: listed by ibv_devices, port active, IPv4-mapped GID published"
    }

    fn scope(&self) -> Scope {
        Scope::Node
    }

    /// The device list, the node's port, the interface listing (read when the GID is
    /// missing, to tell a pending address from a stuck port) and whether RDMA is on (read when the
    /// device is missing; the rdma-status phase reads it too, so it is asked once).
    /// `networksetup` and `system_profiler` are not declared: they are slow, and only a
    /// Mac with RDMA enabled and no device for the port needs them.
    fn reads(&self, cx: &Context<'_>) -> Vec<RemoteCommand> {
        let Some(node) = cx.node() else {
            return Vec::new();
        };
        let device = node.iface.rdma_device();
        vec![
            reads::ibv_devices(),
            reads::ibv_devinfo(device.as_str()),
            reads::ifconfig_all(),
            reads::rdma_ctl_status(),
        ]
    }

    fn dry_run(&self, cx: &mut Context<'_>) -> Result<Vec<Outcome>, PhaseError> {
        let Some(node) = cx.node() else {
            return Ok(vec![Outcome::fail(
                "ibv-devices runs once per --node but was given none",
            )]);
        };
        let device = node.iface.rdma_device();
        cx.would_read(&reads::ibv_devices());
        cx.would_read(&reads::ibv_devinfo(device.as_str()));
        Ok(vec![Outcome::skipped(format!(
            "IBV devices, {device} port and GID: not checked (dry-run)"
        ))])
    }

    fn run(&self, cx: &mut Context<'_>) -> Result<Vec<Outcome>, PhaseError> {
        let Some(node) = cx.node() else {
            return Ok(vec![Outcome::fail(
                "ibv-devices runs once per --node but was given none",
            )
            .with_hint("This is a bug in rdma-setup: please report it")]);
        };
        let facts = NodeFacts {
            host: cx.host().name.as_str(),
            iface: node.iface.as_str(),
            device: node.iface.rdma_device(),
            address: node.ip,
        };

        let listing = cx.read(&reads::ibv_devices())?;
        let devices = parse_ibv_devices(&listing.stdout);
        let listed = classify_listing(&listing, &devices, &facts.device);
        if listed != Listing::Found {
            return Ok(vec![no_device_row(cx, &listed, &facts)?]);
        }
        let row = listing_row(&listed, &facts);

        let info = cx.read(&reads::ibv_devinfo(facts.device.as_str()))?;
        let parsed = parse_ibv_devinfo(&info.stdout);
        let device = pick_device(&parsed, &facts.device);
        let port = port_row(device, &info, &facts);
        let gid = match gid_row(device, &facts) {
            // Without the GID, whether the port holds its address tells the cause apart.
            missing if missing.status == Status::Fail => {
                let held = address_state(cx, node)?;
                missing_gid_row(held, cx.mode(), &facts)
            }
            found => found,
        };
        Ok(vec![row, port, gid])
    }
}

/// The row when the node's device is not listed. With RDMA enabled, "none" cannot mean
/// "disabled": the port's hardware says what it is instead.
fn no_device_row(
    cx: &mut Context<'_>,
    listed: &Listing,
    facts: &NodeFacts<'_>,
) -> Result<Outcome, PhaseError> {
    if !matches!(listed, Listing::NoDevices | Listing::Elsewhere(_)) {
        return Ok(listing_row(listed, facts));
    }
    let rdma = parse_rdma_ctl_status(&cx.read(&reads::rdma_ctl_status())?);
    if rdma != RdmaState::Enabled {
        return Ok(listing_row(listed, facts));
    }
    let port = port_kind(&explaining_read(cx, &reads::hardware_ports())?, facts.iface);
    let link = match port {
        PortKind::Thunderbolt(receptacle) => Some(port_link(
            &explaining_read(cx, &reads::thunderbolt_buses())?,
            receptacle,
        )),
        _ => None,
    };
    Ok(unsupported_row(listed, &port, link.as_ref(), facts))
}

/// A read that only explains a failure (`system_profiler` can take seconds): when the
/// command itself fails (a timeout), the row loses the explanation, not its verdict. A
/// broken session or a refused command still ends the phase, as any read's would.
fn explaining_read(
    cx: &mut Context<'_>,
    command: &RemoteCommand,
) -> Result<CommandOutput, PhaseError> {
    match cx.read(command) {
        Err(error @ TransportError::Command { .. }) => {
            Ok(CommandOutput::new("", error.detail(), -1))
        }
        other => other,
    }
}
