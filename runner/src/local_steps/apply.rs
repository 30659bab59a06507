//! Apply mode's two passes (see the parent module), and the host lock around the changes.
//!
//! The lock is taken in the request that makes the changes and given back in it too, with
//! the reads that verify them: stages of one script (`Session::send_changes_then_reads`),
//! each only if everything before it succeeded. So a run holds a host's lock only while
//! that script runs there, and a host with nothing to change never takes it. When the take
//! is refused there (another run got in since this one looked), nothing was changed: the
//! take waits as `LockStep::take` does, and once the lock is ours the host is read and
//! decided afresh.

use rdma_phase::host_lock::{self, Liveness};
use rdma_phase::{Mode, Outcome, Phase, RemoteCommand, Transport, TransportError};
use tracing::debug;

use super::{Ran, Steps, CHANGES_STEP, READS_STEP};
use crate::lock_step::{LockStep, Locking, Taken};
use crate::report::{Event, LOCK_STEP};

/// How this run takes host locks.
pub struct Taking<'a> {
    pub locking: &'a Locking,
    pub liveness: Liveness,
}

/// How a host's local phases ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    Done,
    /// Another run holds the host's lock: nothing was changed, no phase is reported.
    Busy,
}

/// The lock commands around one batch of changes.
#[derive(Clone, Copy)]
struct Around<'c> {
    take: Option<&'c RemoteCommand>,
    release: Option<&'c RemoteCommand>,
}

enum Applied {
    Done,
    TakeRefused(Result<rdma_phase::CommandOutput, TransportError>, Vec<Ran>),
}

impl Steps<'_> {
    /// The node and host phases, their changes made together in apply mode, under the host
    /// lock when `taking` says how (see the module doc).
    pub fn run_local(
        &mut self,
        phases: &[&'static dyn Phase],
        reads: &[RemoteCommand],
        taking: Option<&Taking<'_>>,
    ) -> Ended {
        if self.place.mode != Mode::Apply {
            self.run_plain(phases);
            return Ended::Done;
        }
        let Some((planned, changes)) = self.plan_changes(phases) else {
            return Ended::Done;
        };
        let Some(taking) = taking else {
            self.apply(phases, reads, planned, &changes, Around::none());
            return Ended::Done;
        };
        let take = host_lock::take(&taking.locking.who, taking.liveness);
        let release = host_lock::release(&taking.locking.who);
        let around = Around {
            take: Some(&take),
            release: Some(&release),
        };
        match self.apply(phases, reads, planned, &changes, around) {
            Applied::Done => Ended::Done,
            Applied::TakeRefused(answer, planned) => {
                self.after_refused_take(phases, reads, taking, answer, planned, &changes)
            }
        }
    }

    /// The first pass: its runs, and the changes they would make; `None` when there are none
    /// to make (the runs are reported then: what they saw is the answer).
    fn plan_changes(
        &mut self,
        phases: &[&'static dyn Phase],
    ) -> Option<(Vec<Ran>, Vec<RemoteCommand>)> {
        let planned = self.run_all(phases, Mode::Check);
        let changes: Vec<RemoteCommand> = planned.iter().flat_map(|ran| ran.held.clone()).collect();
        if changes.is_empty() || planned.iter().any(|ran| ran.lost.is_some()) {
            self.report_all(planned.into_iter().map(|ran| (ran, None)).collect());
            return None;
        }
        Some((planned, changes))
    }

    /// Make `changes` (with the lock commands of `around`), read again what they may have
    /// made wrong, and run the second pass.
    fn apply(
        &mut self,
        phases: &[&'static dyn Phase],
        reads: &[RemoteCommand],
        planned: Vec<Ran>,
        changes: &[RemoteCommand],
        around: Around<'_>,
    ) -> Applied {
        debug!(host = %self.name(), changes = changes.len(), "making the changes together");
        if around.take.is_some() {
            (self.send)(Event::PhaseStarted(self.place.host, LOCK_STEP));
        }
        let first: Vec<RemoteCommand> = around.release.into_iter().cloned().collect();
        let Some(session) = self.session.as_mut() else {
            return Applied::Done;
        };
        let sent = session.send_changes_then_reads(around.take, changes, &first, reads);
        // The session logged what it sent in order: the take, the changes, the rest.
        let mut issued = self.take_sent();
        let mut changes_issued =
            issued.split_off(usize::from(around.take.is_some()).min(issued.len()));
        let reads_issued = changes_issued.split_off(changes.len().min(changes_issued.len()));
        if around.take.is_some() {
            self.finish_step_issued(LOCK_STEP, Vec::new(), issued);
        }
        if let Some(answer) = sent.before {
            if !answer
                .as_ref()
                .is_ok_and(rdma_phase::CommandOutput::success)
            {
                return Applied::TakeRefused(answer, planned);
            }
        }
        self.finish_step_issued(CHANGES_STEP, Vec::new(), changes_issued);
        self.finish_step_issued(READS_STEP, Vec::new(), reads_issued);
        let verified = self.run_all(phases, Mode::Apply);
        let pairs = verified
            .into_iter()
            .zip(planned)
            .map(|(verified, planned)| (verified, Some(planned.run.outcomes)))
            .collect();
        self.report_all(pairs);
        Applied::Done
    }

    /// The take in the changes' request was refused: wait for the lock as a first take
    /// would, then make the changes (decided again if another run made some meanwhile).
    fn after_refused_take(
        &mut self,
        phases: &[&'static dyn Phase],
        reads: &[RemoteCommand],
        taking: &Taking<'_>,
        answer: Result<rdma_phase::CommandOutput, TransportError>,
        planned: Vec<Ran>,
        changes: &[RemoteCommand],
    ) -> Ended {
        let name = self.name();
        let Some(session) = self.session.as_mut() else {
            return Ended::Done;
        };
        let taken =
            LockStep::new(session, &name).take(taking.locking, taking.liveness, Some(answer));
        let release = host_lock::release(&taking.locking.who);
        match taken {
            Ok(Taken::Ours) => {
                // What was read before may be another run's work half done.
                if let Some(session) = self.session.as_mut() {
                    session.forget();
                }
                self.finish_step(LOCK_STEP, Vec::new());
                self.prefetch(reads);
                let around = Around {
                    take: None,
                    release: Some(&release),
                };
                match self.plan_changes(phases) {
                    Some((planned, changes)) => {
                        self.apply(phases, reads, planned, &changes, around);
                    }
                    None => self.release_alone(&release),
                }
                Ended::Done
            }
            Ok(Taken::Busy(row)) => {
                if let Some(session) = self.session.as_mut() {
                    session.forget();
                }
                self.finish_step(LOCK_STEP, vec![row]);
                Ended::Busy
            }
            Ok(Taken::Unprotected(row)) => {
                self.finish_step(LOCK_STEP, vec![row]);
                self.apply(phases, reads, planned, changes, Around::none());
                Ended::Done
            }
            Err(error) if error.is_fatal_for_host() => {
                let row = Outcome::fail(error.detail()).with_hint(error.hint());
                self.lose(error);
                self.finish_step(LOCK_STEP, vec![row]);
                Ended::Done
            }
            // Refused (a read-only recording): the run goes on unprotected, and says so.
            Err(error) => {
                let row = Outcome::warn(format!(
                    "could not take the host lock: {}: going on without protection from a concurrent run",
                    error.detail()
                ))
                .with_hint(error.hint());
                self.finish_step(LOCK_STEP, vec![row]);
                self.apply(phases, reads, planned, changes, Around::none());
                Ended::Done
            }
        }
    }

    fn release_alone(&mut self, release: &RemoteCommand) {
        if let Some(session) = self.session.as_mut() {
            if let Err(error) = session.run(release) {
                debug!(host = %self.name(), %error, "could not give the lock back");
            }
        }
        self.finish_step(LOCK_STEP, Vec::new());
    }
}

impl Around<'_> {
    fn none() -> Self {
        Self {
            take: None,
            release: None,
        }
    }
}
