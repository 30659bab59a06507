//! Builders the redactor's tests share: command lines, scripted transcripts, scenarios.

use rdma_phase::CommandOutput;

use super::Redactor;
use crate::{Entry, Scenario, Transcript};

pub(super) fn args(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_owned).collect()
}

pub(super) fn ran(command: &str, stdout: &str) -> Entry {
    Entry::ran(command, None, CommandOutput::new(stdout, "", 0))
}

pub(super) fn scenario(line: &str, hosts: Vec<(&str, Vec<Entry>)>) -> Scenario {
    Scenario {
        description: String::new(),
        args: args(line),
        transcripts: hosts
            .into_iter()
            .map(|(host, entries)| {
                let transcript = Transcript {
                    entries,
                    ..Transcript::default()
                };
                (host.to_owned(), transcript)
            })
            .collect(),
    }
}

pub(super) fn stdout<'a>(scenario: &'a Scenario, host: &str, index: usize) -> &'a str {
    let entry = &scenario.transcripts[host].entries[index];
    &entry.output.as_ref().expect("ran").stdout
}

pub(super) fn bare() -> Redactor {
    Redactor::for_scenario(&scenario("--check", vec![]))
}
