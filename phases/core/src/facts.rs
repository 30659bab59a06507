//! Reads that several phases need to explain what they found.

use crate::parse::{find_interface, parse_ifconfig};
use crate::{Context, NodeSpec, PhaseError};

/// Whether a node's interface holds its planned address right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressState {
    Held,
    /// The interface exists without the planned address (e.g. after a reboot).
    Missing,
    NoInterface,
}

/// Say whether the node's interface carries `node.ip` under the plan's prefix, from
/// `ifconfig -a`: the listing the bridge and ip phases read anyway, so the answer is
/// already there (a separate `ifconfig IFACE` would be one more command per node).
///
/// Verification phases call this only when something is wrong, to tell a consequence of a
/// missing address (which the ip phase fixes) from a fault of its own.
pub fn address_state(cx: &mut Context<'_>, node: &NodeSpec) -> Result<AddressState, PhaseError> {
    let output = cx.read(&crate::reads::ifconfig_all())?;
    let interfaces = parse_ifconfig(&output.stdout);
    let prefix = cx.plan().prefix;
    Ok(match find_interface(&interfaces, node.iface.as_str()) {
        None => AddressState::NoInterface,
        Some(iface) if iface.holds(node.ip, prefix) => AddressState::Held,
        Some(_) => AddressState::Missing,
    })
}
