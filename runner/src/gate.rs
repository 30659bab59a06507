//! A meeting point of the host threads: nobody goes on until every host has arrived, and
//! each learns what the others noted on arrival. The run uses three: before the first phase,
//! where hosts bring their answers to the shared reads (when a phase declared some); before
//! the cluster phases (pings), where hosts note that they took no part (unreachable, busy);
//! and at the end of a `--check`, where hosts note that they found failures.
//!
//! Unlike `std::sync::Barrier`, a host thread that panics still arrives (its [`Arrival`] is
//! dropped, with the gate's note for a crashed host), so one crashed host cannot leave the
//! others waiting forever.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use rdma_phase::HostId;

pub struct Gate<N> {
    state: Mutex<State<N>>,
    opened: Condvar,
    /// What a host whose thread crashed is taken to have noted.
    crashed: Option<N>,
}

struct State<N> {
    waiting_for: usize,
    notes: Vec<(HostId, N)>,
}

impl<N: Clone> Gate<N> {
    pub fn new(hosts: usize, crashed: Option<N>) -> Self {
        Self {
            state: Mutex::new(State {
                waiting_for: hosts,
                notes: Vec::new(),
            }),
            opened: Condvar::new(),
            crashed,
        }
    }

    /// One host's ticket: it arrives when used, or when dropped.
    pub fn arrival(&self, host: HostId) -> Arrival<'_, N> {
        Arrival {
            gate: self,
            host,
            arrived: false,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<N>> {
        // A panicking host thread leaves nothing half-updated behind this lock.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn arrive(&self, host: HostId, note: Option<N>) {
        let mut state = self.lock();
        if let Some(note) = note {
            state.notes.push((host, note));
        }
        state.waiting_for = state.waiting_for.saturating_sub(1);
        if state.waiting_for == 0 {
            state.notes.sort_by_key(|(host, _)| *host);
            self.opened.notify_all();
        }
    }

    fn wait(&self) -> Vec<(HostId, N)> {
        let mut state = self.lock();
        while state.waiting_for > 0 {
            state = self
                .opened
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        state.notes.clone()
    }
}

pub struct Arrival<'a, N: Clone> {
    gate: &'a Gate<N>,
    host: HostId,
    arrived: bool,
}

impl<'a, N: Clone> Arrival<'a, N> {
    /// Arrive with `note` (if any), wait until every host has, and learn every host's note,
    /// in host order.
    pub fn arrive_and_wait(self, note: Option<N>) -> Vec<(HostId, N)> {
        self.arrive(note).wait()
    }

    /// Arrive with `note` now and wait later: the host has more to do before it needs the
    /// others (its own lock to wait for), and the others must not wait for that.
    pub fn arrive(mut self, note: Option<N>) -> Waiting<'a, N> {
        self.arrived = true;
        self.gate.arrive(self.host, note);
        Waiting { gate: self.gate }
    }
}

/// A host that has arrived and may wait for the others.
pub struct Waiting<'a, N: Clone> {
    gate: &'a Gate<N>,
}

impl<N: Clone> Waiting<'_, N> {
    /// Wait until every host has arrived; every host's note, in host order.
    pub fn wait(self) -> Vec<(HostId, N)> {
        self.gate.wait()
    }
}

impl<N: Clone> Drop for Arrival<'_, N> {
    fn drop(&mut self) {
        if !self.arrived {
            self.gate.arrive(self.host, self.gate.crashed.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdma_phase::Absent;

    #[test]
    fn a_host_that_panics_still_opens_the_gate_with_the_crash_note() {
        let gate = Gate::new(3, Some(Absent::Unreachable));
        std::thread::scope(|scope| {
            let crashing = scope.spawn(|| {
                let _arrival = gate.arrival(HostId(0));
                panic!("a phase crashed");
            });
            let busy = scope.spawn(|| gate.arrival(HostId(2)).arrive_and_wait(Some(Absent::Busy)));
            let up = scope.spawn(|| gate.arrival(HostId(1)).arrive_and_wait(None));
            assert!(crashing.join().is_err());
            let absent = vec![(HostId(0), Absent::Unreachable), (HostId(2), Absent::Busy)];
            assert_eq!(up.join().expect("through the gate"), absent);
            assert_eq!(busy.join().expect("through the gate"), absent);
        });
    }
}
