//! The point where every host's node and host phases are done and the cluster phases (pings)
//! may start. It also tells the cluster phases which hosts could not be reached.
//!
//! Unlike `std::sync::Barrier`, a host thread that panics still arrives (its [`Arrival`] is
//! dropped), so one crashed host cannot leave the others waiting forever.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use rdma_phase::HostId;

pub struct Gate {
    state: Mutex<State>,
    opened: Condvar,
}

struct State {
    waiting_for: usize,
    unreachable: Vec<HostId>,
}

impl Gate {
    pub fn new(hosts: usize) -> Self {
        Self {
            state: Mutex::new(State {
                waiting_for: hosts,
                unreachable: Vec::new(),
            }),
            opened: Condvar::new(),
        }
    }

    /// One host's ticket: it arrives when used, or when dropped (then as unreachable).
    pub fn arrival(&self, host: HostId) -> Arrival<'_> {
        Arrival {
            gate: self,
            host,
            arrived: false,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking host thread leaves nothing half-updated behind this lock.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn arrive(&self, host: HostId, reachable: bool) {
        let mut state = self.lock();
        if !reachable {
            state.unreachable.push(host);
        }
        state.waiting_for = state.waiting_for.saturating_sub(1);
        if state.waiting_for == 0 {
            state.unreachable.sort();
            self.opened.notify_all();
        }
    }

    fn wait(&self) -> Vec<HostId> {
        let mut state = self.lock();
        while state.waiting_for > 0 {
            state = self
                .opened
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        state.unreachable.clone()
    }
}

pub struct Arrival<'a> {
    gate: &'a Gate,
    host: HostId,
    arrived: bool,
}

impl Arrival<'_> {
    /// Arrive, wait until every host has, and learn which hosts could not be reached.
    pub fn arrive_and_wait(mut self, reachable: bool) -> Vec<HostId> {
        self.arrived = true;
        self.gate.arrive(self.host, reachable);
        self.gate.wait()
    }
}

impl Drop for Arrival<'_> {
    fn drop(&mut self) {
        if !self.arrived {
            self.gate.arrive(self.host, false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_that_panics_still_opens_the_gate_and_counts_as_unreachable() {
        let gate = Gate::new(3);
        std::thread::scope(|scope| {
            let crashing = scope.spawn(|| {
                let _arrival = gate.arrival(HostId(0));
                panic!("a phase crashed");
            });
            let down = scope.spawn(|| gate.arrival(HostId(2)).arrive_and_wait(false));
            let up = scope.spawn(|| gate.arrival(HostId(1)).arrive_and_wait(true));
            assert!(crashing.join().is_err());
            let unreachable = vec![HostId(0), HostId(2)];
            assert_eq!(up.join().expect("through the gate"), unreachable);
            assert_eq!(down.join().expect("through the gate"), unreachable);
        });
    }
}
