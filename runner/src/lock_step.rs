//! The host lock around one host's run (protocol in `rdma_phase::host_lock`).
//!
//! A run first looks at the lock with its reads ([`LockStep::look`]): another run changing
//! the host is waited for, a bounded time, and the reads made again once it is done. Only a
//! run with changes to make takes the lock, in the same request as its changes and gives it
//! back in the same request too, with the reads that verify them (`Transport::run_stages`):
//! the lock is held while one script runs on the Mac, never while this run waits for
//! anything else. A take refused there ([`LockStep::take`]) waits as the look does.
//! `--check` never takes it: when a check found failures it asks afterwards whether a run
//! was changing the host meanwhile, and if so those failures were half-made changes, not
//! faults.

use std::time::{Duration, Instant};

use rdma_phase::host_lock::{self, Holder, Liveness, LockReply, LOCK_PATH};
use rdma_phase::parse::one_line;
use rdma_phase::{CommandOutput, Outcome, RemoteCommand, Transport, TransportError};

/// How often a waiting run asks again.
const POLL: Duration = Duration::from_secs(1);

/// Who takes locks in this run, and how long to wait for another run's.
#[derive(Debug, Clone)]
pub struct Locking {
    /// `user@machine:pid`, shown to a run that finds the lock held.
    pub who: String,
    pub wait: Duration,
}

impl Locking {
    /// The identity of replays and generated fixtures: their recorded commands must match.
    pub fn recorded() -> Self {
        Self {
            who: "rdma-setup@replay:0".to_owned(),
            wait: Duration::ZERO,
        }
    }

    /// This user, on this machine, in this process.
    pub fn of_this_process(wait: Duration) -> Self {
        let user = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_else(|_| "someone".to_owned());
        let machine = rustix::system::uname()
            .nodename()
            .to_string_lossy()
            .into_owned();
        Self {
            who: format!("{}@{}:{}", word(&user), word(&machine), std::process::id()),
            wait,
        }
    }
}

/// `text` as one word the lock line can carry (it is split on spaces and shown to users).
fn word(text: &str) -> String {
    let kept: String = text
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .take(64)
        .collect();
    if kept.is_empty() {
        "unknown".to_owned()
    } else {
        kept
    }
}

/// What looking at the lock came to.
#[derive(Debug)]
pub enum Look {
    /// Nobody is changing the host; `waited` if another run was, at first: what was read
    /// then is not to be trusted.
    Free { waited: bool },
    /// Another run still is: this row says who; nothing may be changed on the host.
    Busy(Outcome),
}

/// What taking the lock came to.
#[derive(Debug)]
pub enum Taken {
    /// Ours.
    Ours,
    /// Another run has it: this row says who; nothing may be changed on the host.
    Busy(Outcome),
    /// It could not be taken for another reason (an odd `/tmp`): go on, with this warning.
    Unprotected(Outcome),
}

/// How long a poll waited, and whether it asked again.
#[derive(Clone, Copy)]
struct Waited {
    spent: Duration,
    asked_again: bool,
}

/// The lock step on one host's session.
pub struct LockStep<'a> {
    transport: &'a mut dyn Transport,
    host: String,
}

impl<'a> LockStep<'a> {
    pub fn new(transport: &'a mut dyn Transport, host: &str) -> Self {
        Self {
            transport,
            host: host.to_owned(),
        }
    }

    fn send(&mut self, command: &RemoteCommand) -> Result<CommandOutput, TransportError> {
        self.transport.run(command)
    }

    /// Take the lock, asking again every second while another live run holds it, for at
    /// most `locking.wait`. `first` is the answer to a first try sent earlier (in the
    /// request that would have made the changes), if there was one.
    pub fn take(
        &mut self,
        locking: &Locking,
        liveness: Liveness,
        first: Option<Result<CommandOutput, TransportError>>,
    ) -> Result<Taken, TransportError> {
        let command = host_lock::take(&locking.who, liveness);
        self.poll(
            &command,
            locking,
            first,
            |host, reply, output, waited| match reply {
                Some(LockReply::Acquired { .. }) => Taken::Ours,
                Some(LockReply::Held(holder)) => Taken::Busy(busy(host, &holder, waited.spent)),
                Some(LockReply::StaleKept(holder)) => Taken::Busy(stale_kept(host, &holder)),
                _ => Taken::Unprotected(unprotected(host, output)),
            },
        )
    }

    /// Look at the lock, asking again every second while another live run holds it, for at
    /// most `locking.wait`. `first` is the answer to a first look sent with the host's reads.
    /// An answer that is not the script's counts as free: the take will say what is wrong.
    pub fn look(
        &mut self,
        locking: &Locking,
        first: Option<Result<CommandOutput, TransportError>>,
    ) -> Result<Look, TransportError> {
        self.poll(
            &host_lock::peek(),
            locking,
            first,
            |host, reply, _, waited| match reply {
                Some(LockReply::Held(holder)) => Look::Busy(busy(host, &holder, waited.spent)),
                _ => Look::Free {
                    waited: waited.asked_again,
                },
            },
        )
    }

    /// Send `command` (or take `first` as its answer) until the lock is not held by another
    /// live run or `locking.wait` is up, asking again every [`POLL`]; `settle` says what the
    /// last answer means.
    fn poll<T>(
        &mut self,
        command: &RemoteCommand,
        locking: &Locking,
        first: Option<Result<CommandOutput, TransportError>>,
        settle: impl FnOnce(&str, Option<LockReply>, &CommandOutput, Waited) -> T,
    ) -> Result<T, TransportError> {
        let started = Instant::now();
        let mut first = first;
        let mut asked_again = false;
        loop {
            let output = match first.take() {
                Some(answer) => answer?,
                None => self.send(command)?,
            };
            let reply = host_lock::parse_reply(&output.stdout);
            if let Some(LockReply::Held(holder)) = &reply {
                if started.elapsed() + POLL <= locking.wait {
                    tracing::info!(host = %self.host, by = %holder.by, "waiting for another run's lock");
                    std::thread::sleep(POLL);
                    asked_again = true;
                    continue;
                }
            }
            let waited = Waited {
                spent: started.elapsed(),
                asked_again,
            };
            return Ok(settle(&self.host, reply, &output, waited));
        }
    }

    /// Give the lock back. A failure only leaves a lock the next run finds stale.
    pub fn release(&mut self, who: &str) {
        if let Err(error) = self.send(&host_lock::release(who)) {
            tracing::debug!(host = %self.host, %error, "could not give the lock back");
        }
    }

    /// After a `--check` that found failures: was another run changing the host while this
    /// one read it (`read_for`)? Then the row that says so; the failures were its half-made
    /// changes. A host that cannot tell (no answer) keeps its verdicts.
    pub fn interfered(&mut self, read_for: Duration) -> Option<Outcome> {
        let output = self.send(&host_lock::peek()).ok()?;
        let host = &self.host;
        match host_lock::parse_reply(&output.stdout)? {
            LockReply::Held(holder) => Some(Outcome::pending(format!(
                "another rdma-setup run ({}, started {} s ago) is changing {host} right now: the rows marked → may show it half-way",
                holder.by, holder.age_secs
            ))),
            // A second of slack each way: the Mac's clock counts whole seconds.
            LockReply::Free {
                finished_at: Some(done),
                now,
            } if done + read_for.as_secs() + 2 >= now => Some(Outcome::pending(format!(
                "another rdma-setup run finished changing {host} while this check read it: the rows marked → may show it half-way"
            ))),
            _ => None,
        }
        .map(|row| row.with_hint("check again: the next check reads the finished state"))
    }
}

fn busy(host: &str, holder: &Holder, waited: Duration) -> Outcome {
    Outcome::fail(format!(
        "another rdma-setup run ({}, started {} s ago) is changing {host}: nothing was changed here",
        holder.by, holder.age_secs
    ))
    .with_hint(format!(
        "Waited {} s for it (--lock-wait SECS waits longer). Run again once it is done. If no such run exists, remove its lock: `ssh {host} rm -f {LOCK_PATH}`",
        waited.as_secs()
    ))
}

fn stale_kept(host: &str, holder: &Holder) -> Outcome {
    Outcome::fail(format!(
        "{LOCK_PATH} on {host} is left over from a run that is gone ({}, {} s ago) and belongs to another user",
        holder.by, holder.age_secs
    ))
    .with_hint(format!(
        "Remove it and run again: `ssh {host} sudo rm -f {LOCK_PATH}`"
    ))
}

fn unprotected(host: &str, output: &CommandOutput) -> Outcome {
    Outcome::warn(format!(
        "could not take {LOCK_PATH} ({}): going on without protection from a concurrent run",
        one_line(&output.combined_trimmed())
    ))
    .with_hint(format!(
        "Check that /tmp on {host} is writable and that `sh`, `ps` and `date` work there"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_identity_is_one_plain_word() {
        assert_eq!(word("alice smith\x1b[2J"), "alicesmith2J");
        assert_eq!(word(""), "unknown");
        let who = Locking::of_this_process(Duration::ZERO).who;
        assert!(
            !who.contains(' ') && who.contains('@') && who.contains(':'),
            "{who}"
        );
    }
}
