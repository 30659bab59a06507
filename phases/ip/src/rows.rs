//! The rows the ip phase reports when it refuses, warns or fails: each names the culprit
//! and the fix.

use std::net::Ipv4Addr;

use rdma_phase::parse::{one_line, Gateway, InetAddress};
use rdma_phase::{Outcome, Prefix};

use crate::decide::{Enclosing, SessionGuard};

pub(crate) fn clash(
    host: &str,
    iface: &str,
    address: Ipv4Addr,
    planned: &str,
    other_iface: &str,
    held: InetAddress,
) -> Outcome {
    let outcome = Outcome::fail(format!(
        "{planned} clashes with {held} on {other_iface} of {host}: not changing {iface}"
    ));
    let hint = if held.address == address {
        format!(
            "{other_iface} on {host} already holds {}; if the cable moved from {other_iface} to {iface}, remove the old address with `sudo ifconfig {other_iface} inet {} delete` and re-run",
            held.address, held.address
        )
    } else {
        format!(
            "Pick a --node address whose subnet no other interface of {host} uses (10.254.0.x keeps clear of home and office LANs); a clash routes ordinary traffic over the cable and breaks Wi-Fi and VPNs"
        )
    };
    outcome.with_hint(hint)
}

pub(crate) fn refuse_for_session(
    guard: SessionGuard,
    host: &str,
    iface: &str,
    foreign: &[Ipv4Addr],
) -> Option<Outcome> {
    let held = foreign
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    match guard {
        SessionGuard::Clear => None,
        SessionGuard::CarriesSession(session) => Some(
            Outcome::fail(format!(
                "{iface} carries the SSH session to {host} ({session}): not changing it"
            ))
            .with_hint(format!(
                "rdma-setup never reconfigures the interface it is connected through. Check that {iface} is the Thunderbolt port meant for RDMA on {host}, or reach {host} over another interface (its LAN address) and re-run"
            )),
        ),
        // A self-assigned address alone is configd's, not a sign of a network someone set
        // up: without a readable session, it does not stop the change.
        SessionGuard::Unknown if foreign.is_empty() => None,
        SessionGuard::Unknown => Some(
            Outcome::fail(format!(
                "cannot tell whether {iface} carries the SSH session to {host}: not changing it"
            ))
            .with_hint(format!(
                "{iface} holds {held} and SSH_CONNECTION could not be read on {host}. If that address is not how you reach {host}, remove it with `sudo ifconfig {iface} inet ADDRESS delete` and re-run"
            )),
        ),
    }
}

pub(crate) fn set_failed(
    host: &str,
    iface: &str,
    planned: &str,
    command: &str,
    reason: &str,
) -> Outcome {
    let reason = one_line(reason);
    let lower = reason.to_ascii_lowercase();
    let hint = if lower.contains("permission denied") || lower.contains("not permitted") {
        format!(
            "sudo on {host} did not get root for ifconfig: configure passwordless sudo there or give the sudo password, then re-run"
        )
    } else {
        format!("Run `{command}` on {host} by hand to see the error")
    };
    Outcome::fail(format!("could not set {planned} on {iface}: {reason}")).with_hint(hint)
}

/// The planned subnet lies strictly inside another interface's network: the change is made,
/// and the user learns which addresses the cable now takes from that interface.
pub(crate) fn inside_warning(
    host: &str,
    iface: &str,
    address: Ipv4Addr,
    prefix: Prefix,
    enclosing: &Enclosing,
) -> Outcome {
    let subnet = subnet(address, prefix);
    let (other, network) = (enclosing.iface.as_str(), enclosing.network());
    Outcome::warn(format!(
        "{subnet} on {iface} lies inside {network} of {other} on {host}: traffic to {subnet} will take the cable, not {other}"
    ))
    .with_hint(format!(
        "The address is set anyway: the cable's subnet is the more specific route, so whatever {other} reached in {subnet} (VPN or LAN hosts) is now looked for over the cable. If any of it matters, pick a --node subnet outside {network}; a subnet that overlaps another network routes ordinary traffic over the cable"
    ))
}

/// The planned subnet holds the Mac's default gateway: the refusal, and why it matters.
pub(crate) fn holds_gateway(
    host: &str,
    iface: &str,
    address: Ipv4Addr,
    prefix: Prefix,
    gateway: &Gateway,
) -> Outcome {
    let subnet = subnet(address, prefix);
    let (router, netif) = (gateway.address, gateway.netif.as_str());
    let mut hint = format!(
        "With {subnet} on {iface}, {host} would look for its router {router} over the cable: ordinary traffic would go over the cable and Wi-Fi, the LAN and VPNs would break. Pick a --node subnet that does not contain {router} (10.254.0.x keeps clear of home and office LANs)"
    );
    if netif == iface || netif.starts_with("bridge") {
        hint.push_str(&format!(
            ". The default route already leaves through {netif}: a DHCP lease on a Thunderbolt Bridge does that; turn DHCP off for that service in System Settings > Network"
        ));
    }
    Outcome::fail(format!(
        "{subnet} contains {router}, the default gateway of {host} (via {netif}): not changing {iface}"
    ))
    .with_hint(hint)
}

/// `10.254.0.4/30`: the planned subnet, as routes name it.
fn subnet(address: Ipv4Addr, prefix: Prefix) -> String {
    format!("{}/{prefix}", prefix.network(address))
}
