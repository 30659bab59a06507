//! Phase `ping`: every cable with an end on this host carries traffic.
//!
//! Runs once per host after all host phases, so both ends have their addresses.

mod probes;

use rdma_phase::facts::address_state;
use rdma_phase::parse::parse_ping;
use rdma_phase::{Absent, Context, Outcome, Phase, PhaseError, RemoteCommand, Scope, Status};

pub use probes::{probes_from, report, unanswered, Probe};

/// Seconds `ping -t` waits overall (macOS: `-t` is the overall timeout; `-W` would be
/// milliseconds per reply).
const TIMEOUT_SECONDS: &str = "2";

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

    /// Pings are probes: [`Context::probe`] lists them in dry-run and sends nothing.
    fn dry_run(&self, cx: &mut Context<'_>) -> Result<Vec<Outcome>, PhaseError> {
        self.run(cx)
    }

    fn run(&self, cx: &mut Context<'_>) -> Result<Vec<Outcome>, PhaseError> {
        let mut outcomes = Vec::new();
        for probe in probes_from(cx.plan(), cx.host_id()) {
            if let Some(absent) = cx.absent(probe.peer_host_id) {
                // The host's own block already says why; a ping would only blame the cable.
                let why = match absent {
                    Absent::Unreachable => "unreachable",
                    Absent::Busy => "busy with another rdma-setup run",
                };
                let row =
                    Outcome::skipped(format!("not tested: {} {why} (see above)", probe.peer_host));
                outcomes.push(
                    row.with_subject(probe.subject.clone())
                        .with_node(probe.local),
                );
                continue;
            }
            let command = RemoteCommand::read([
                "ping".to_owned(),
                "-c".to_owned(),
                "1".to_owned(),
                "-t".to_owned(),
                TIMEOUT_SECONDS.to_owned(),
                probe.peer_ip.to_string(),
            ]);
            let outcome = match cx.probe(&command)? {
                None => Outcome::skipped("not sent (dry-run)"),
                Some(output) => {
                    let row = report(&probe, parse_ping(&output.stdout), &output);
                    if row.status == Status::Fail {
                        // A port without its address cannot answer for the cable yet.
                        let node = cx.plan().node(probe.local).clone();
                        unanswered(address_state(cx, &node)?, cx.mode(), &probe, row)
                    } else {
                        row
                    }
                }
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
