//! One host's run, on its own thread: connect, look at the host lock (when changes may
//! follow) together with every read the phases declared, hand the shared reads' answers to
//! the other hosts and learn theirs, the node and host phases (which take the lock in the
//! request that makes their changes and give it back in it: `local_steps`), meet the other
//! hosts, the cluster phases. Each step is sent to the calling thread as an [`Event`] the
//! moment it finishes.

use std::time::Instant;

use rdma_phase::host_lock::{self, Liveness};
use rdma_phase::{
    Absent, ClusterPlan, CommandOutput, Connector, HostId, Mode, NodeId, Outcome, Phase,
    RemoteCommand, Scope, SharedReads,
};
use tracing::{debug, info};

use crate::gate::Gate;
use crate::local_steps::{Ended, Place, Steps, Taking};
use crate::lock_step::{LockStep, Locking, Look};
use crate::report::{Event, PhaseRun, LOCK_STEP};
use crate::session::Session;

/// What a host tells the others before the cluster phases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrived {
    /// Why it took no part, if it did not.
    pub absent: Option<Absent>,
    /// Its nodes that still have a change to make (`--check`).
    pub pending: Vec<NodeId>,
    /// Its nodes a phase stopped, and that phase.
    pub stopped: Vec<(NodeId, &'static str)>,
}

impl Arrived {
    /// What a host whose thread crashed is taken to have said.
    pub fn crashed() -> Self {
        Self {
            absent: Some(Absent::Unreachable),
            pending: Vec::new(),
            stopped: Vec::new(),
        }
    }
}

/// A host's answers to the shared reads: command line and output.
pub type SharedAnswers = Vec<(String, CommandOutput)>;

/// Where the host threads wait for each other.
pub struct Meeting {
    /// Before the first phase, when a phase declared shared reads; notes are the answers.
    pub before_phases: Gate<SharedAnswers>,
    /// Before the cluster phases; notes say which hosts took no part and which nodes still
    /// have a change to make.
    pub before_pings: Gate<Arrived>,
    /// At the end of a `--check`; notes say which hosts found failures.
    pub at_the_end: Gate<()>,
}

/// What a host does after the cluster phases.
pub struct After<'a> {
    /// Every host but rank 0 runs it and reports the answer (`--hostfile`).
    pub rank0_ping: Option<&'a RemoteCommand>,
}

#[allow(clippy::too_many_arguments)] // One call site; a struct would only rename them.
pub fn run_host(
    plan: &ClusterPlan,
    phases: &[&'static dyn Phase],
    mode: Mode,
    connector: &dyn Connector,
    locking: &Locking,
    host: HostId,
    meeting: &Meeting,
    after: &After<'_>,
    send: &dyn Fn(Event),
) {
    // Arrive at the gates even if a phase panics, so no other host waits forever.
    let before_phases = meeting.before_phases.arrival(host);
    let before_pings = meeting.before_pings.arrival(host);
    let at_the_end = meeting.at_the_end.arrival(host);
    let name = plan.host(host).name.as_str();
    let started = Instant::now();
    let session = match connector.connect(plan.host(host)) {
        Ok(transport) => {
            debug!(host = %name, elapsed = ?started.elapsed(), "connected");
            send(Event::Connected(host));
            Some(Session::new(transport))
        }
        Err(error) => {
            info!(host = %name, %error, "cannot connect");
            send(Event::Lost(host, error));
            None
        }
    };
    let mut steps = Steps::new(Place::new(plan, host, mode), send, session);

    let (local, cluster): (Vec<_>, Vec<_>) = phases
        .iter()
        .copied()
        .partition(|phase| phase.scope() != Scope::Cluster);
    let shared_reads = shared_reads_of(&local, mode);
    let mut reads = steps.declared_reads(&local);
    reads.extend(shared_reads.iter().cloned());
    // The answers are handed over as soon as they are in, before any wait for the lock: a
    // host waiting for another run must not hold up the hosts that already hold theirs.
    let hand_over = |steps: &Steps<'_>| {
        let answers = steps
            .session()
            .map(|session| answers(session, &shared_reads));
        before_phases.arrive(answers)
    };
    let (lock, waiting) = match mode {
        Mode::Apply => {
            let mut waiting = None;
            let lock = look_at_lock(&mut steps, locking, &reads, |steps| {
                waiting = Some(hand_over(steps));
            });
            (lock, waiting)
        }
        Mode::Check => {
            steps.prefetch(&reads);
            (Lock::NotNeeded, Some(hand_over(&steps)))
        }
        Mode::DryRun => (Lock::NotNeeded, Some(hand_over(&steps))),
    };
    if let (false, Some(waiting)) = (shared_reads.is_empty(), waiting) {
        steps.shared = SharedReads::new(waiting.wait());
    }
    let taking = Taking {
        locking,
        liveness: liveness(&steps),
    };
    let taking = matches!(lock, Lock::Free).then_some(&taking);
    // The lock, if taken, is given back by now: a run that held one host's lock while
    // waiting for another's could wait for a second run doing the same the other way round.
    // The pings that follow change nothing.
    let busy = matches!(lock, Lock::Busy) || steps.run_local(&local, &reads, taking) == Ended::Busy;
    send(Event::LocalDone(host));
    // Pings must see every host configured, so they wait for the slowest host.
    let absent = match (steps.connected(), busy) {
        (false, _) => Some(Absent::Unreachable),
        (true, true) => Some(Absent::Busy),
        (true, false) => None,
    };
    let note = Arrived {
        absent,
        pending: steps.pending.clone(),
        stopped: steps.stopped.clone(),
    };
    let noted = (note.absent.is_some() || !note.pending.is_empty() || !note.stopped.is_empty())
        .then_some(note);
    let all = before_pings.arrive_and_wait(noted);
    steps.absent = all
        .iter()
        .filter_map(|(host, note)| Some((*host, note.absent?)))
        .collect();
    steps.stopped = all
        .iter()
        .flat_map(|(_, note)| note.stopped.clone())
        .collect();
    steps.pending = all.into_iter().flat_map(|(_, note)| note.pending).collect();
    // Rank 0 is the plan's first host; the others ping its address on the sessions they have
    // (a new connection each would cost a handshake), with the pings of their cables.
    let rank0_ping = after.rank0_ping.filter(|_| host.0 > 0 && !busy);
    if let (Some(ping), Some(session)) = (rank0_ping, steps.session_mut()) {
        session.ride_along(ping.clone());
    }
    if !busy {
        steps.run_plain(&cluster);
    }
    if let (Some(ping), Some(session)) = (rank0_ping, steps.session_mut()) {
        send(Event::Rank0Ping(host, session.ridden(ping)));
    }
    if mode == Mode::Check {
        // Failures anywhere (a ping towards this host, say) may be another run's half-made
        // changes here: every host asks, once one found a failure.
        let failures = at_the_end.arrive_and_wait(steps.failed.then_some(()));
        if !failures.is_empty() {
            check_interference(&mut steps, started);
        }
    }
    if let Some(session) = steps.session() {
        debug!(
            host = %name,
            round_trips = session.round_trips,
            commands = session.commands,
            elapsed = ?started.elapsed(),
            "done"
        );
    }
    send(Event::Finished(host));
}

enum Lock {
    NotNeeded,
    /// Nobody else is changing the host: the changes take the lock when they are made.
    Free,
    Busy,
}

/// Every shared read the phases declare, each once; none in a dry-run, which sends nothing.
fn shared_reads_of(phases: &[&'static dyn Phase], mode: Mode) -> Vec<RemoteCommand> {
    let mut reads: Vec<RemoteCommand> = Vec::new();
    if mode == Mode::DryRun {
        return reads;
    }
    for read in phases.iter().flat_map(|phase| phase.shared_reads()) {
        if !reads
            .iter()
            .any(|known| known.shell_line() == read.shell_line())
        {
            reads.push(read);
        }
    }
    reads
}

/// What the session already knows of the shared reads (a failed read has no answer).
fn answers(session: &Session, reads: &[RemoteCommand]) -> SharedAnswers {
    reads
        .iter()
        .filter_map(|read| Some((read.shell_line(), session.remembered(read)?.clone())))
        .collect()
}

/// How the lock's holder is known to be alive, for this host.
fn liveness(steps: &Steps<'_>) -> Liveness {
    let place = steps.place();
    if place.plan.host(place.host).via.is_some() {
        // Through --proxy every command is its own SSH connection: no session to watch.
        Liveness::Age
    } else {
        Liveness::Session
    }
}

/// Look at the lock with the first look sent together with the phases' reads: one round
/// trip for both. When another run is changing the host, wait for it (reading the host
/// again once it is done) or say it is busy. `first_answered` is called once, as soon as
/// that round trip is over (or when there is no session to send it on).
fn look_at_lock(
    steps: &mut Steps<'_>,
    locking: &Locking,
    reads: &[RemoteCommand],
    first_answered: impl FnOnce(&Steps<'_>),
) -> Lock {
    let place = steps.place();
    let name = place.plan.host(place.host).name.to_string();
    (steps.send)(Event::PhaseStarted(place.host, LOCK_STEP));
    let Some(session) = steps.session_mut() else {
        first_answered(steps);
        return Lock::NotNeeded;
    };
    let first = session
        .send_with_reads(std::slice::from_ref(&host_lock::peek()), reads)
        .pop();
    first_answered(steps);
    let Some(session) = steps.session_mut() else {
        return Lock::NotNeeded;
    };
    let looked = LockStep::new(session, &name).look(locking, first);
    let (lock, rows) = match looked {
        Ok(Look::Free { waited }) => {
            if waited {
                // Read while another run was changing the host: read it again.
                session.forget();
                session.prefetch(reads);
            }
            (Lock::Free, Vec::new())
        }
        Ok(Look::Busy(row)) => {
            // Read while another run was changing the host: not to be trusted.
            session.forget();
            (Lock::Busy, vec![row])
        }
        Err(error) if error.is_fatal_for_host() => {
            let row = Outcome::fail(error.detail()).with_hint(error.hint());
            steps.lose(error);
            (Lock::NotNeeded, vec![row])
        }
        // The take, with the changes, says what is wrong with the lock, if anything is.
        Err(error) => {
            debug!(host = %name, %error, "could not look at the host lock");
            (Lock::Free, Vec::new())
        }
    };
    steps.finish_step(LOCK_STEP, rows);
    lock
}

fn check_interference(steps: &mut Steps<'_>, started: Instant) {
    let name = steps.name();
    let Some(session) = steps.session_mut() else {
        return;
    };
    let row = LockStep::new(session, &name).interfered(started.elapsed());
    let place = steps.place();
    let run = PhaseRun {
        phase: LOCK_STEP,
        scope: Scope::Host,
        node: None,
        outcomes: row.into_iter().collect(),
        issued: steps.take_sent(),
    };
    (steps.send)(Event::Interfered(place.host, run));
}
