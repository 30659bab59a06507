//! [`Transport::run_stages`] over SSH: the first round of every stage in one script
//! (`script::build_staged`), so that changes and the reads that verify them cost one round
//! trip, not two.
//!
//! Each stage keeps its own sudo rounds (`rounds`). A stage goes into the joint script while
//! the stages before it went whole: a stage whose first round holds only some of its
//! commands (sudo wants the password tried on one command first) ends the script there. The
//! script runs a stage only if every command before it exited 0; a stage it did not run
//! starts over, by itself, once the stages before it are done (a password `sudo -n` asked
//! for, say), and only if they all succeeded in the end.
//!
//! [`Transport::run_stages`]: rdma_phase::Transport::run_stages

use rdma_phase::{CommandOutput, RemoteCommand, Staged, TransportError};

use super::super::rounds::{Round, Rounds};
use super::super::sudo;
use super::{account, SshTransport};

type Answer = Result<CommandOutput, TransportError>;

impl SshTransport {
    pub(super) fn stages(&mut self, stages: &[&[RemoteCommand]]) -> Staged {
        self.commands += stages.iter().map(|stage| stage.len() as u64).sum::<u64>();
        let host = self.name.clone();
        let before = self.round_trips;
        let mut rounds: Vec<Rounds<'_>> = stages
            .iter()
            .map(|stage| Rounds::new(&host, stage))
            .collect();

        // The first rounds that go together.
        let mut together: Vec<Round> = Vec::new();
        for (stage, stage_rounds) in stages.iter().zip(&mut rounds) {
            let Some(round) = stage_rounds.next(&self.sudo) else {
                break;
            };
            let whole = round.outgoing.len() == stage.len();
            together.push(round);
            if !whole {
                break;
            }
        }
        let mut starts = Vec::new();
        let mut outgoing = Vec::new();
        for round in &together {
            starts.push(outgoing.len());
            outgoing.extend(round.outgoing.iter().cloned());
        }
        let mut answers = self.send_staged(&outgoing, &starts).into_iter();
        let mut ran = vec![false; stages.len()];
        for (index, round) in together.into_iter().enumerate() {
            let answers: Vec<Option<Answer>> =
                answers.by_ref().take(round.outgoing.len()).collect();
            match answers.into_iter().collect::<Option<Vec<Answer>>>() {
                Some(answers) => {
                    ran[index] = true;
                    self.absorb(&mut rounds[index], round, answers);
                }
                // Not run: this stage starts over once the ones before it are done.
                None => rounds[index] = Rounds::new(&host, stages[index]),
            }
        }

        let mut staged = Staged::default();
        let mut failed = false;
        for (index, mut stage_rounds) in rounds.into_iter().enumerate() {
            if failed && !ran[index] {
                staged
                    .results
                    .push(stages[index].iter().map(|_| None).collect());
                continue;
            }
            while let Some(round) = stage_rounds.next(&self.sudo) {
                let answers = self.send(&round.outgoing);
                self.absorb(&mut stage_rounds, round, answers);
            }
            let results = stage_rounds.finish();
            failed |= !results
                .iter()
                .all(|result| result.as_ref().is_ok_and(CommandOutput::success));
            staged.results.push(results.into_iter().map(Some).collect());
        }
        staged.requests = usize::try_from(self.round_trips - before).unwrap_or(usize::MAX);
        staged
    }

    /// Take in a round's answers, asking for the sudo password if they say it is needed.
    pub(super) fn absorb(&mut self, rounds: &mut Rounds<'_>, round: Round, answers: Vec<Answer>) {
        let account = account(&self.name, &self.established.host.user);
        let prompter = &self.prompter;
        rounds.absorb(round, answers, &mut self.sudo, &account, &mut || {
            sudo::obtain_password(prompter, &account)
        });
    }
}
