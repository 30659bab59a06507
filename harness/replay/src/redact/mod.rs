//! `cargo xtask record --redact`: replace what identifies a cluster with stable placeholders
//! before a scenario is attached to a public bug report.
//!
//! Replaced, consistently across every host of one scenario (the same value always gets the
//! same placeholder, so port pairings across hosts still match):
//!
//! - host names of the command line, and the name each Mac reports in `uname`: `host-N`;
//!   the user of `user@host`: `user-N`;
//! - MAC addresses: `00:00:5e:00:53:NN` (RFC 7042 documentation range), padded or not as
//!   the original was;
//! - node GUIDs, in both spellings `8396a9d9edbaac05` and `8396:a9d9:edba:ac05` (one key
//!   space): `00005e0053000001`, `0000:5e00:5300:0001`;
//! - UUIDs: `00000000-0000-4000-8000-000000000001`, in the original's letter case;
//! - serial numbers and unique IDs (JSON values under keys naming a serial, a UDID or ending
//!   in `_uid_key`; `Serial Number ...:` lines): `SERIAL-N`, or hex of the same width for a
//!   `0x` value;
//! - IPv6 link-local addresses, which embed MAC and GUID bits: `fe80::N`.
//!
//! Addresses are NOT redacted: IPv4 addresses (the RDMA addresses and subnets the report is
//! about), IPv4-mapped GIDs (`::ffff:10.254.0.5`), other IPv6 addresses, and host names that
//! are IP addresses all stay as recorded. Every placeholder keeps the syntax of what it
//! replaces and everything else stays byte-identical, so the redacted scenario still replays
//! to the same report, names aside.
//!
//! Split by concept:
//! - here: the `Redactor` over a scenario (args, transcript keys, every text), the
//!   placeholder bookkeeping (`Numbering`, one per kind, shared by all hosts) and the choice
//!   between overlapping spans;
//! - `scan`: `Span`, `Kind` (the rules' priority) and the look-around scan the rules share;
//! - `names`: host names and users, learnt from the command line, the transcripts and
//!   `uname`;
//! - `mac`, `guid`, `uuid`, `serial`, `link_local`: one rule each: its patterns, where it
//!   matches and the placeholder it writes;
//! - `tests`: whole scenarios across hosts and the addresses that stay; `testing`: the
//!   builders the tests share.

mod guid;
mod link_local;
mod mac;
mod names;
mod scan;
mod serial;
#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;
mod uuid;

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};

use rdma_phase::CommandOutput;

use crate::{Entry, Failure, Scenario, Transcript};
use names::{transcript_order, Names};
use scan::{Kind, Span};

/// Numbers values in order of first appearance, from 1.
#[derive(Debug, Default)]
struct Numbering(HashMap<String, u64>);

impl Numbering {
    fn number(&mut self, key: String) -> u64 {
        let next = self.0.len() as u64 + 1;
        *self.0.entry(key).or_insert(next)
    }
}

/// Replaces identifying values with placeholders; one redactor per scenario keeps them
/// consistent across its hosts and the report printed alongside.
#[derive(Debug, Default)]
pub struct Redactor {
    /// Host and user names and their placeholders.
    names: Names,
    macs: Numbering,
    guids: Numbering,
    uuids: Numbering,
    link_locals: Numbering,
    serials: Numbering,
}

impl Redactor {
    /// Placeholders for the command line's hosts come first, in command-line order, then
    /// hosts that only have a transcript, then the names the Macs report in `uname`.
    pub fn for_scenario(scenario: &Scenario) -> Self {
        let mut redactor = Self::default();
        redactor.names.learn(scenario);
        redactor
    }

    /// The scenario with every identifying value replaced (args, keys, all texts).
    pub fn scenario(&mut self, scenario: &Scenario) -> Scenario {
        self.names.learn(scenario);
        let args = scenario.args.iter().map(|arg| self.text(arg)).collect();
        let mut transcripts = BTreeMap::new();
        for (host, transcript) in transcript_order(scenario) {
            let host = self.text(host);
            let transcript = self.transcript(transcript);
            transcripts.insert(host, transcript);
        }
        Scenario {
            description: self.text(&scenario.description),
            args,
            transcripts,
        }
    }

    /// Apply the same replacements to any other text recorded alongside (the recorder's
    /// printed report).
    pub fn text(&mut self, text: &str) -> String {
        let mut spans = self.spans(text);
        // Earliest first; at one start the longest, then the higher-priority rule.
        spans.sort_by_key(|span| (span.range.start, Reverse(span.range.end), span.kind));
        let mut out = String::with_capacity(text.len());
        let mut done = 0;
        for Span { range, kind } in spans {
            if range.start < done {
                continue;
            }
            let original = &text[range.clone()];
            out.push_str(&text[done..range.start]);
            match self.placeholder(kind, original) {
                Some(placeholder) => out.push_str(&placeholder),
                None => out.push_str(original),
            }
            done = range.end;
        }
        out.push_str(&text[done..]);
        out
    }

    fn transcript(&mut self, transcript: &Transcript) -> Transcript {
        Transcript {
            notes: transcript
                .notes
                .iter()
                .map(|note| self.text(note))
                .collect(),
            unreachable: transcript.unreachable.as_ref().map(|f| self.failure(f)),
            entries: transcript
                .entries
                .iter()
                .map(|entry| Entry {
                    command: self.text(&entry.command),
                    stdin: entry.stdin.as_ref().map(|stdin| self.text(stdin)),
                    output: match &entry.output {
                        Ok(output) => Ok(CommandOutput {
                            stdout: self.text(&output.stdout),
                            stderr: self.text(&output.stderr),
                            exit_code: output.exit_code,
                        }),
                        Err(failure) => Err(self.failure(failure)),
                    },
                })
                .collect(),
        }
    }

    fn failure(&mut self, failure: &Failure) -> Failure {
        Failure {
            kind: failure.kind,
            reason: self.text(&failure.reason),
            hint: self.text(&failure.hint),
        }
    }

    /// Every span some rule would replace, overlapping ones included.
    fn spans(&self, text: &str) -> Vec<Span> {
        let mut spans = Vec::new();
        uuid::find(&mut spans, text);
        mac::find(&mut spans, text);
        guid::find(&mut spans, text);
        link_local::find(&mut spans, text);
        serial::find(&mut spans, text);
        self.names.find(&mut spans, text);
        spans
    }

    /// The placeholder for one matched value, or `None` to keep it.
    fn placeholder(&mut self, kind: Kind, original: &str) -> Option<String> {
        match kind {
            Kind::Name => self.names.placeholder(original),
            Kind::Mac => mac::placeholder(&mut self.macs, original),
            Kind::ColonGuid | Kind::WordGuid => guid::placeholder(&mut self.guids, kind, original),
            Kind::Uuid => uuid::placeholder(&mut self.uuids, original),
            Kind::LinkLocal => link_local::placeholder(&mut self.link_locals, original),
            Kind::Serial => serial::placeholder(&mut self.serials, original),
        }
    }
}

/// `placeholder` in the letter case of `original`: all upper case if it has an upper-case
/// letter.
fn in_case_of(original: &str, placeholder: String) -> String {
    if original.bytes().any(|b| b.is_ascii_uppercase()) {
        placeholder.to_ascii_uppercase()
    } else {
        placeholder
    }
}
