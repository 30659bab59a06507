//! Fuzz inputs shared by the parser fuzz tests (`phases/core/tests/fuzz.rs`) and the
//! transcript reader's (`harness/tests/fuzz_transcript.rs`, which includes this file by
//! path): noisy text, and mutations of real outputs.
//!
//! Random text alone rarely gets past a parser's first `strip_prefix`; mutating real
//! outputs (a byte inserted, a range deleted, the text cut short, a line duplicated or taken
//! from another sample) keeps most of the structure and reaches the deep branches: a `GID[`
//! line with its `]:` missing, a netmask cut after `0x`, a count of 2^32.

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{contextualize_config, Config};

/// The cases a fuzz test runs when `PROPTEST_CASES` is not set: few enough that the whole
/// suite stays fast in CI. Long local runs set the variable (see the fuzz test files).
const DEFAULT_CASES: u32 = 128;

/// The proptest configuration of the fuzz tests: [`DEFAULT_CASES`], unless the standard
/// `PROPTEST_CASES` variable says otherwise. `Config::with_cases` would ignore the variable.
pub fn config() -> Config {
    contextualize_config(Config {
        cases: DEFAULT_CASES,
        ..Config::default()
    })
}

/// Fragments the parsers and the transcript format look for, and values at their limits.
const TOKENS: &[&str] = &[
    "\n",
    "\r",
    "\r\n",
    "\t",
    " ",
    "\0",
    "\x1b[0m",
    "\u{85}",
    "\u{2028}",
    "\u{feff}",
    "\u{fffd}",
    ":",
    ",",
    "<",
    ">",
    "=",
    "/",
    "[",
    "]",
    "]:",
    "%",
    "0x",
    "0X",
    "::ffff:",
    "inet ",
    "netmask ",
    "member:",
    "status:",
    "flags=",
    "hca_id:",
    "port:",
    "state:",
    "GID[",
    "PORT_ACTIVE",
    "transmitted",
    "received",
    "packets",
    "round-trip",
    "rtt",
    "ms",
    "4294967295",
    "4294967296",
    "-1",
    "nan",
    "inf",
    "1e309",
    "255.255.255.255",
    "$ ",
    "| ",
    "! ",
    "< ",
    "= ",
    "@ ",
    "@ hint: ",
    "% no newline at end of stdout",
    "# ",
    "\\",
    "\\| ",
    "\\u{",
];

/// One change to a sample's bytes. Positions are fractions of the current length, so a
/// mutation applies whatever the earlier ones did.
#[derive(Debug, Clone)]
enum Mutation {
    InsertBytes(Index, Vec<u8>),
    InsertToken(Index, &'static str),
    Delete(Index, usize),
    Truncate(Index),
    DuplicateLine(Index),
    DeleteLine(Index),
    /// A line of another sample (by index into the corpus) put before a line of this one.
    SpliceLine(Index, Index, Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<Index>(), proptest::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(at, bytes)| Mutation::InsertBytes(at, bytes)),
        3 => (any::<Index>(), proptest::sample::select(TOKENS))
            .prop_map(|(at, token)| Mutation::InsertToken(at, token)),
        2 => (any::<Index>(), 1..32usize).prop_map(|(at, len)| Mutation::Delete(at, len)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        2 => any::<Index>().prop_map(Mutation::DuplicateLine),
        1 => any::<Index>().prop_map(Mutation::DeleteLine),
        2 => (any::<Index>(), any::<Index>(), any::<Index>())
            .prop_map(|(at, sample, line)| Mutation::SpliceLine(at, sample, line)),
    ]
}

/// A position in `0..=len`.
fn position(at: &Index, len: usize) -> usize {
    at.index(len + 1)
}

/// The byte ranges of `text`'s lines, each with its `\n`.
fn line_ranges(text: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    let mut start = 0;
    for (index, byte) in text.iter().enumerate() {
        if *byte == b'\n' {
            ranges.push(start..index + 1);
            start = index + 1;
        }
    }
    if start < text.len() {
        ranges.push(start..text.len());
    }
    ranges
}

fn pick_line(text: &[u8], at: &Index) -> Option<std::ops::Range<usize>> {
    let ranges = line_ranges(text);
    (!ranges.is_empty()).then(|| ranges[at.index(ranges.len())].clone())
}

fn apply(bytes: &mut Vec<u8>, mutation: &Mutation, corpus: &[String]) {
    match mutation {
        Mutation::InsertBytes(at, inserted) => {
            let at = position(at, bytes.len());
            bytes.splice(at..at, inserted.iter().copied());
        }
        Mutation::InsertToken(at, token) => {
            let at = position(at, bytes.len());
            bytes.splice(at..at, token.bytes());
        }
        Mutation::Delete(at, len) => {
            let at = position(at, bytes.len());
            let end = (at + len).min(bytes.len());
            bytes.drain(at..end);
        }
        Mutation::Truncate(at) => bytes.truncate(position(at, bytes.len())),
        Mutation::DuplicateLine(at) => {
            if let Some(line) = pick_line(bytes, at) {
                let copy = bytes[line.clone()].to_vec();
                bytes.splice(line.start..line.start, copy);
            }
        }
        Mutation::DeleteLine(at) => {
            if let Some(line) = pick_line(bytes, at) {
                bytes.drain(line);
            }
        }
        Mutation::SpliceLine(at, sample, line) => {
            if corpus.is_empty() {
                return;
            }
            let other = corpus[sample.index(corpus.len())].as_bytes();
            let Some(taken) = pick_line(other, line) else {
                return;
            };
            let mut taken = other[taken].to_vec();
            if taken.last() != Some(&b'\n') {
                taken.push(b'\n');
            }
            let at = pick_line(bytes, at).map_or(0, |line| line.start);
            bytes.splice(at..at, taken);
        }
    }
}

/// A sample of `corpus` with one to eight mutations, as text the way the SSH transport
/// makes it: invalid UTF-8 replaced lossily.
pub fn mutated(corpus: Vec<String>) -> impl Strategy<Value = String> {
    assert!(!corpus.is_empty(), "a fuzz corpus needs samples");
    let samples = corpus.len();
    (
        0..samples,
        proptest::collection::vec(mutation(), 1..8),
        Just(corpus),
    )
        .prop_map(|(sample, mutations, corpus)| {
            let mut bytes = corpus[sample].as_bytes().to_vec();
            for mutation in &mutations {
                apply(&mut bytes, mutation, &corpus);
            }
            String::from_utf8_lossy(&bytes).into_owned()
        })
}

/// Text with no structure at all: any characters, control characters above all, and bytes
/// that are not UTF-8 turned into a `String` lossily.
pub fn noise() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\\x00-\\x1f\\x7f-\\x9f\\u{2028}\\u{feff}a-z0-9 :.,<>=/\\[\\]%|$!#@\\\\-]{0,200}",
        proptest::collection::vec(any::<u8>(), 0..256)
            .prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
    ]
}
