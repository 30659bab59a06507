//! Phase `ping`: every cable with an end on this host carries traffic.
//!
//! Runs once per host after all host phases, so both ends have their addresses.

mod probes;

use rdma_phase::facts::address_state;
use rdma_phase::parse::parse_ping;
use rdma_phase::{
    reads, Absent, Context, Outcome, Phase, PhaseError, RemoteCommand, Scope, Status,
};

pub use probes::{probes_from, report, unanswered, Probe, Unsettled};

/// The `ping` phase.
pub struct PingPhase;

pub static PING: PingPhase = PingPhase;

inventory::submit! { rdma_phase::PhaseRegistration(&PING) }

impl Phase for PingPhase {
    fn name(&self) -> &'static str {
        "ping"
    }

    fn order(&self) -> u32 {
        60
    }

    fn description(&self) -> &'static str {
        "Ping the far end of every cable from each host and report the round-trip time"
    }

    fn scope(&self) -> Scope {
        Scope::Cluster
    }

    /// Pings are probes: [`Context::probe_many`] lists them in dry-run and sends nothing.
    fn dry_run(&self, cx: &mut Context<'_>) -> Result<Vec<Outcome>, PhaseError> {
        self.run(cx)
    }

    fn run(&self, cx: &mut Context<'_>) -> Result<Vec<Outcome>, PhaseError> {
        let probes = probes_from(cx.plan(), cx.host_id());
        // A host that took no part, or an end left alone, gets its row at once; the others
        // are pinged together.
        let untested: Vec<Option<String>> =
            probes.iter().map(|probe| untested(cx, probe)).collect();
        let commands: Vec<RemoteCommand> = probes
            .iter()
            .zip(&untested)
            .filter(|(_, why)| why.is_none())
            .map(|(probe, _)| ping(probe))
            .collect();
        let mut replies = cx.probe_many(&commands)?.into_iter();
        let mut outcomes = Vec::new();
        for (probe, why) in probes.iter().zip(untested) {
            let outcome = match why {
                // The host's own block already says why; a ping would only blame the cable.
                Some(why) => Outcome::skipped(format!("not tested: {why} (see above)")),
                None => match replies.next() {
                    Some(None) => Outcome::skipped("not sent (dry-run)"),
                    Some(Some(output)) => {
                        let row = report(probe, parse_ping(&output.stdout), &output);
                        if row.status == Status::Fail {
                            // A port without its address cannot answer for the cable yet,
                            // nor can a cable with an end still to be set up.
                            let node = cx.plan().node(probe.local).clone();
                            let unsettled = Unsettled {
                                local: cx.is_pending(probe.local),
                                peer: cx.is_pending(probe.peer),
                            };
                            let held = address_state(cx, &node)?;
                            unanswered(held, cx.mode(), unsettled, probe, row)
                        } else {
                            row
                        }
                    }
                    None => Outcome::fail("no ping result (a bug: please report it)"),
                },
            };
            outcomes.push(
                outcome
                    .with_subject(probe.subject.clone())
                    .with_node(probe.local),
            );
        }
        Ok(outcomes)
    }
}

/// Why the cable of `probe` is not pinged: its far host took no part, or a phase stopped
/// one of its ends (nothing was set up on that port).
fn untested(cx: &Context<'_>, probe: &Probe) -> Option<String> {
    if let Some(why) = cx.absent(cx.plan().host_of(probe.peer)) {
        let why = match why {
            Absent::Unreachable => "unreachable",
            Absent::Busy => "busy with another rdma-setup run",
        };
        return Some(format!("{} {why}", probe.peer_host));
    }
    let plan = cx.plan();
    [probe.local, probe.peer].into_iter().find_map(|node| {
        let by = cx.stopped_by(node)?;
        let host = &plan.host(plan.host_of(node)).name;
        Some(format!("{by} failed for {host} {}", plan.node(node).iface))
    })
}

/// `ping -c 1 -t 2 -b IFACE PEER`: bound to this end's port (see [`reads::ping_once`]).
fn ping(probe: &Probe) -> RemoteCommand {
    reads::ping_once(Some(&probe.iface), probe.peer_ip)
}

#[cfg(test)]
mod run_tests;
