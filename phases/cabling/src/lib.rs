//! Phase `cabling`: every planned cable still joins the two planned ports.
//!
//! Interface names follow the port a cable is plugged into, so a cable moved to another port
//! or another Mac silently turns a plan into nonsense: the address meant for a cable to
//! hwstudio2 lands on a port cabled to hwstudio3. Each host's `system_profiler` names the
//! Thunderbolt domain at the far end of each of its ports; read on every host (a shared
//! read) and paired across hosts, it says where each planned port really leads. A port that
//! leads elsewhere fails here, and the node's later phases do not run, so no address is set
//! on it.

mod facts;
mod verdict;

#[cfg(test)]
mod run_tests;

use rdma_phase::{reads, Context, Outcome, Phase, PhaseError, RemoteCommand, Scope};

pub use facts::{gather, Gathered};
pub use verdict::{verdict, Planned};

/// The `cabling` phase.
pub struct CablingPhase;

pub static CABLING: CablingPhase = CablingPhase;

inventory::submit! { rdma_phase::PhaseRegistration(&CABLING) }

impl Phase for CablingPhase {
    fn name(&self) -> &'static str {
        "cabling"
    }

    fn order(&self) -> u32 {
        5
    }

    fn description(&self) -> &'static str {
        "Check that the node's port is cabled to the port the plan pairs it with (system_profiler on both Macs)"
    }

    fn scope(&self) -> Scope {
        Scope::Node
    }

    fn shared_reads(&self) -> Vec<RemoteCommand> {
        vec![reads::thunderbolt_buses(), reads::hardware_ports()]
    }

    fn dry_run(&self, cx: &mut Context<'_>) -> Result<Vec<Outcome>, PhaseError> {
        cx.would_read(&reads::thunderbolt_buses());
        cx.would_read(&reads::hardware_ports());
        Ok(vec![Outcome::skipped(
            "cabling not checked (dry-run): a real run reads system_profiler on every host",
        )])
    }

    fn run(&self, cx: &mut Context<'_>) -> Result<Vec<Outcome>, PhaseError> {
        let Some(node) = cx.node_id() else {
            return Ok(vec![Outcome::fail(
                "cabling runs once per --node but was given none",
            )
            .with_hint("This is a bug in rdma-setup: please report it")]);
        };
        let plan = cx.plan();
        let Some(peer) = plan.link_of(node).and_then(|link| link.peer_of(node)) else {
            return Ok(vec![Outcome::fail("the plan gives this port no cable")
                .with_hint("This is a bug in rdma-setup: please report it")]);
        };
        let gathered = gather(plan, |host, command| cx.shared(host, command));
        let planned = Planned::new(plan, node, peer);
        Ok(vec![verdict(&gathered, &planned)])
    }
}
