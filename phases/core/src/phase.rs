//! The `Phase` trait and the registry phase crates add themselves to.

use crate::{Context, Outcome, RemoteCommand, TransportError};

/// How often a phase runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Once per `--node` spec (an interface on a host).
    Node,
    /// Once per SSH host.
    Host,
    /// Once per host, after every host has finished its node and host phases; its rows are
    /// about links between hosts and are rendered in the connectivity section.
    Cluster,
}

/// Errors that stop a phase: the transport could not run a command. Anything the phase
/// could interpret is an [`Outcome`] instead.
pub type PhaseError = TransportError;

/// One step of the setup: read the state, decide, change only if needed, verify.
pub trait Phase: Sync {
    /// The name used by `--only`/`--skip`, e.g. `ibv-config`.
    fn name(&self) -> &'static str;

    /// Position in the run; phases run in ascending order, never in registration order.
    fn order(&self) -> u32;

    /// One line for `--list-phases`.
    fn description(&self) -> &'static str;

    fn scope(&self) -> Scope;

    fn run(&self, cx: &mut Context<'_>) -> Result<Vec<Outcome>, PhaseError>;

    /// The reads [`Phase::run`] will make before it changes anything, so the runner can
    /// send them all at once, for every phase of a host, before any phase runs: the phase's
    /// own reads are then answered from what came back. Declaring a read it then does not
    /// make costs nothing but the read; leaving one out costs a round trip.
    fn reads(&self, _cx: &Context<'_>) -> Vec<RemoteCommand> {
        Vec::new()
    }

    /// Reads made on every host, once per run, whose answers every host's run of this phase
    /// sees through [`Context::shared`]: for a check that needs both ends of a cable. They go
    /// out with each host's first batch, and no host starts its phases before every host has
    /// answered them (or is known to be unreachable), so declare them only when needed.
    fn shared_reads(&self) -> Vec<RemoteCommand> {
        Vec::new()
    }

    /// `--dry-run`: list, without sending anything, what [`Phase::run`] would send to a Mac
    /// just after a reboot (no bridge, no address, no device file): its reads with
    /// [`Context::would_read`], its changes with [`Context::change`] (not sent in dry-run),
    /// and a row for each change (pending) or check (skipped: only a real run can check).
    /// Nothing is simulated, so nothing is shown as right.
    fn dry_run(&self, _cx: &mut Context<'_>) -> Result<Vec<Outcome>, PhaseError> {
        Ok(vec![Outcome::skipped(format!(
            "{} not checked (dry-run)",
            self.name()
        ))])
    }
}

/// What a phase crate submits: `inventory::submit! { PhaseRegistration(&MyPhase) }`.
pub struct PhaseRegistration(pub &'static dyn Phase);

inventory::collect!(PhaseRegistration);

/// Every linked phase, in run order.
///
/// A phase crate that no code names is not linked and silently missing here; the runner
/// keeps an explicit list of phase crates and a test that counts them.
pub fn registered_phases() -> Vec<&'static dyn Phase> {
    let mut phases: Vec<&'static dyn Phase> = inventory::iter::<PhaseRegistration>
        .into_iter()
        .map(|registration| registration.0)
        .collect();
    phases.sort_by_key(|phase| (phase.order(), phase.name()));
    phases
}
