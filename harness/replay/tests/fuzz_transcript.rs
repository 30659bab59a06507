//! Fuzzing the transcript reader: a shared recording is untrusted data, so reading one must
//! never panic, and whatever it accepts must write back to a transcript that reads the same.
//!
//! The inputs are the fixtures' transcripts mutated byte by byte and line by line (the
//! mutations are the parser fuzz tests', `phases/core/tests/mutate`), and plain noise.
//! CI runs 128 cases per test; for a long run set `PROPTEST_CASES`, in release mode:
//!
//! ```text
//! PROPTEST_CASES=1000000 cargo test -p rdma-harness --release --test fuzz_transcript
//! ```

// One file of fuzz inputs for both crates' fuzz tests; a crate of its own is not worth it.
#[path = "../../../phases/core/tests/mutate/mod.rs"]
mod mutate;

use proptest::prelude::*;
use rdma_replay::Transcript;

/// Every kind of line the format has: notes, stdin, stdout, stderr, `%`, exit codes, a
/// top-level `@ unreachable:` with its hint.
const TRANSCRIPTS: &[&str] = &[
    include_str!("../../../fixtures/lab-recorded-host-down/hosts/host-1.transcript"),
    include_str!("../../../fixtures/lab-recorded-host-down/hosts/host-2.transcript"),
    include_str!("../../../fixtures/wrong-interface/hosts/hwstudio1.transcript"),
    include_str!("../../../fixtures/two-node-reinstall/hosts/hwstudio1.transcript"),
    // The lines the fixtures do not show: escapes, `@ failed:`, an empty stdin.
    "# a note\n\\# an escaped\\nnote\n\n\
     $ ping -c 1 -t 2 10.254.0.6\n@ failed: no result within 30 s\\r\n@ hint: \\u{1b}[1m\\\\\n\n\
     $ cat\n<\n% no newline at end of stdin\n\\| a\\r\n! b\n% no newline at end of stderr\n= 0\n\n\
     \\$ sh -c 'a\\nb'\n@ sudo failed: x\n@ hint: y\n",
];

fn corpus() -> Vec<String> {
    TRANSCRIPTS.iter().map(|text| (*text).to_owned()).collect()
}

/// Whatever the reader accepts, it accepts again once written out, unchanged.
fn check(text: &str) -> Result<(), TestCaseError> {
    if let Ok(transcript) = Transcript::parse(text) {
        let written = transcript.render();
        prop_assert_eq!(Transcript::parse(&written), Ok(transcript), "{:?}", written);
    }
    Ok(())
}

#[test]
fn the_seeds_are_valid_transcripts() {
    for text in TRANSCRIPTS {
        assert!(Transcript::parse(text).is_ok(), "{text}");
    }
}

proptest! {
    #![proptest_config(mutate::config())]

    #[test]
    fn fuzz_transcript_reader_on_mutated_transcripts(text in mutate::mutated(corpus())) {
        check(&text)?;
    }

    #[test]
    fn fuzz_transcript_reader_on_noise(text in mutate::noise()) {
        check(&text)?;
    }
}
