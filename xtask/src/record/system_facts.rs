//! The commands a bug report needs beyond the phases' own reads, run on every host at the
//! end of a recording through the same session.

use rdma_phase::{Context, Outcome, Phase, PhaseError, RemoteCommand, Scope};

/// Read-only commands whose output explains a Mac's setup: OS build, kernel, which `enN` is
/// which Thunderbolt port, what is plugged into each port, every interface, the routes.
pub const SYSTEM_FACTS: &[&[&str]] = &[
    &["sw_vers"],
    &["uname", "-a"],
    &["networksetup", "-listallhardwareports"],
    &["system_profiler", "SPThunderboltDataType", "-json"],
    &["ifconfig", "-a"],
    &["netstat", "-rn", "-f", "inet"],
];

/// Runs [`SYSTEM_FACTS`] on each host. Not registered with the tool: only the recorder adds
/// it, last, and drops its rows from the report so the report stays the tool's own.
pub struct SystemFactsPhase;

pub static SYSTEM_FACTS_PHASE: SystemFactsPhase = SystemFactsPhase;

impl Phase for SystemFactsPhase {
    fn name(&self) -> &'static str {
        "system-facts"
    }

    fn order(&self) -> u32 {
        u32::MAX
    }

    fn description(&self) -> &'static str {
        "capture sw_vers, uname, networksetup, system_profiler, ifconfig and netstat for a bug report"
    }

    // Cluster scope runs once per host after every host has finished, so these reads come
    // after the pings and never delay them.
    fn scope(&self) -> Scope {
        Scope::Cluster
    }

    fn run(&self, cx: &mut Context<'_>) -> Result<Vec<Outcome>, PhaseError> {
        for argv in SYSTEM_FACTS {
            // A missing command (an older macOS) is recorded like any other answer.
            cx.read(&RemoteCommand::read(argv.iter().copied()))?;
        }
        Ok(Vec::new())
    }
}
