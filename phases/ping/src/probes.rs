//! Which pings a host sends and how their results read.

use std::net::Ipv4Addr;

use rdma_phase::facts::AddressState;
use rdma_phase::parse::{one_line, PingStats};
use rdma_phase::{ClusterPlan, CommandOutput, HostId, Mode, NodeId, Outcome};

/// One ping over one cable, from this host's end to the other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// This host's end of the cable.
    pub local: NodeId,
    pub peer_ip: Ipv4Addr,
    /// `hwstudio1 -> hwstudio2`, with ` (en3)` when two cables join the same pair.
    pub subject: String,
    pub host: String,
    pub peer_host: String,
    /// The far end of the cable.
    pub peer: NodeId,
    pub iface: String,
    pub peer_iface: String,
}

/// The probes `host` sends, one per cable with an end on it, in link order.
pub fn probes_from(plan: &ClusterPlan, host: HostId) -> Vec<Probe> {
    let ends: Vec<(NodeId, NodeId)> = plan
        .links
        .iter()
        .filter_map(|link| {
            if plan.host_of(link.a) == host {
                Some((link.a, link.b))
            } else if plan.host_of(link.b) == host {
                Some((link.b, link.a))
            } else {
                None
            }
        })
        .collect();
    ends.iter()
        .map(|&(local, peer)| {
            let peer_host = plan.host_of(peer);
            let shared = ends
                .iter()
                .filter(|(_, other)| plan.host_of(*other) == peer_host)
                .count();
            let host_name = plan.host(host).name.to_string();
            let peer_name = plan.host(peer_host).name.to_string();
            let iface = plan.node(local).iface.to_string();
            let subject = if shared > 1 {
                format!("{host_name} -> {peer_name} ({iface})")
            } else {
                format!("{host_name} -> {peer_name}")
            };
            Probe {
                local,
                peer_ip: plan.node(peer).ip,
                subject,
                host: host_name,
                peer_host: peer_name,
                peer,
                iface,
                peer_iface: plan.node(peer).iface.to_string(),
            }
        })
        .collect()
}

/// The row for one ping that was sent.
pub fn report(probe: &Probe, stats: Option<PingStats>, output: &CommandOutput) -> Outcome {
    match stats {
        Some(stats) if stats.replied() => match stats.avg_rtt_ms {
            // The value is the round trip for machine-readable reports.
            Some(ms) => Outcome::ok(format!("{ms:.2}ms")).with_value(ms.to_string()),
            None => Outcome::ok("reply"),
        },
        _ => {
            let said = one_line(&output.stderr);
            let said = if said.is_empty() {
                String::new()
            } else {
                format!(" (ping said: {said})")
            };
            Outcome::fail("no response").with_hint(format!(
                "{} got no reply from {} at {} over {}{said}. Check that the Thunderbolt 5 cable is seated at both ends, check the addresses with `ifconfig` on both Macs (see the Static IP lines), and make sure both ends are in the same subnet (--netmask)",
                probe.host, probe.peer_host, probe.peer_ip, probe.iface
            ))
        }
    }
}

/// Which ends of a cable still have a change to make, as the node phases of every host
/// found them (known in `--check`; see `Context::is_pending`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unsettled {
    pub local: bool,
    pub peer: bool,
}

/// A ping that got no reply, once we know whether this end holds its address and which
/// ends still have a change to make. In `--check`, a cable with an end still to be set up
/// cannot answer yet: that is the change a run would make (pending, from either end), not
/// a fault of the cable. A cable whose ends are both set up and still does not answer
/// stays a failure.
pub fn unanswered(
    held: AddressState,
    mode: Mode,
    unsettled: Unsettled,
    probe: &Probe,
    row: Outcome,
) -> Outcome {
    match (held, mode) {
        (AddressState::Missing, Mode::Check) => {
            let message = format!("not tested: {} has no address yet", probe.iface);
            // Without this run's node phases (`--only ping`) no run of them is coming.
            if unsettled.local {
                Outcome::pending(message)
            } else {
                Outcome::skipped(message)
            }
        }
        (AddressState::Missing | AddressState::NoInterface, _) => {
            Outcome::fail(format!("no response ({} has no address)", probe.iface)).with_hint(
                format!(
                    "{} on {} does not hold its address: see the Static IP line for {}",
                    probe.iface, probe.host, probe.host
                ),
            )
        }
        (AddressState::Held, Mode::Check) if unsettled.local => Outcome::pending(format!(
            "not tested yet: {} is not set up yet",
            probe.iface
        ))
        .with_hint(format!(
            "{} on {} still has a change to make (see its rows above); a run without --check makes it, then pings",
            probe.iface, probe.host
        )),
        (AddressState::Held, Mode::Check) if unsettled.peer => Outcome::pending(format!(
            "not tested yet: {}'s {} is not set up yet",
            probe.peer_host, probe.peer_iface
        ))
        .with_hint(format!(
            "{} on {} still has a change to make (after a reboot, its address: see its rows above); a run without --check makes it, then pings",
            probe.peer_iface, probe.peer_host
        )),
        (AddressState::Held, _) => row,
    }
}

#[cfg(test)]
#[path = "probes_tests.rs"]
mod tests;
