//! Reads every host makes and every host's phases see: the answers that only make sense next
//! to the other hosts' (which port a cable's far end is, known from the far host's own
//! `system_profiler`).
//!
//! The runner sends a phase's [`crate::Phase::shared_reads`] with the host's first batch,
//! and every host waits until every other host has answered (or is known to be unreachable)
//! before its first phase runs. A phase then asks [`crate::Context::shared`].

use crate::{CommandOutput, HostId, RemoteCommand};

/// What each host answered to the shared reads. A host that could not be reached, or a read
/// that failed in transport, has no answer here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SharedReads {
    answers: Vec<(HostId, String, CommandOutput)>,
}

impl SharedReads {
    /// Gather the hosts' answers: for each host, its `(command line, output)` pairs.
    pub fn new(hosts: impl IntoIterator<Item = (HostId, Vec<(String, CommandOutput)>)>) -> Self {
        let answers = hosts
            .into_iter()
            .flat_map(|(host, answers)| {
                answers
                    .into_iter()
                    .map(move |(line, output)| (host, line, output))
            })
            .collect();
        Self { answers }
    }

    /// `host`'s answer to `command`, if it gave one.
    pub fn get(&self, host: HostId, command: &RemoteCommand) -> Option<&CommandOutput> {
        let line = command.shell_line();
        self.answers
            .iter()
            .find(|(answered, asked, _)| *answered == host && *asked == line)
            .map(|(_, _, output)| output)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reads;

    #[test]
    fn answers_are_found_by_host_and_command() {
        let profile = reads::thunderbolt_buses();
        let shared = SharedReads::new([
            (
                HostId(0),
                vec![(profile.shell_line(), CommandOutput::new("zero", "", 0))],
            ),
            (
                HostId(2),
                vec![(profile.shell_line(), CommandOutput::new("two", "", 0))],
            ),
        ]);
        assert_eq!(
            shared.get(HostId(2), &profile).map(|o| o.stdout.as_str()),
            Some("two")
        );
        assert_eq!(shared.get(HostId(1), &profile), None);
        assert_eq!(shared.get(HostId(0), &reads::hardware_ports()), None);
    }
}
