//! The transcript format's tests of reading: files written by hand (comments, CRLF line
//! ends), what is refused and on which line, the fixtures read back byte for byte, and the
//! size and UTF-8 limits of reading a transcript file.

use rdma_phase::CommandOutput;

use super::*;

#[test]
fn errors_point_at_the_line() {
    let error = Transcript::parse("$ ls\n| a\nbogus\n= 0\n").expect_err("bad marker");
    assert_eq!(error.line, 3);
    let error = Transcript::parse("| a\n").expect_err("no entry");
    assert_eq!(error.line, 1);
    let error = Transcript::parse("$ ls\n| a\n").expect_err("unterminated");
    assert!(error.reason.contains("no '= EXIT'"));
    let error = Transcript::parse("$ ls\n= x\n").expect_err("exit code");
    assert_eq!(error.line, 2);
}

#[test]
fn comments_and_blank_lines_between_entries() {
    let text = "# recorded on hwstudio1\n\n$ rdma_ctl status\n| enabled\n= 0\n\n$ true\n= 0\n";
    let transcript = Transcript::parse(text).expect("valid");
    assert_eq!(transcript.entries.len(), 2);
    assert_eq!(
        transcript.entries[0].output,
        Ok(CommandOutput::new("enabled\n", "", 0))
    );
}

#[test]
fn only_the_leading_comments_are_notes() {
    let text = "# first\n#second\n\n$ true\n= 0\n\n# dropped\n$ false\n= 1\n";
    let transcript = Transcript::parse(text).expect("valid");
    assert_eq!(transcript.notes, ["first", "second"]);
    assert_eq!(transcript.entries.len(), 2);
}

#[test]
fn crlf_line_ends_in_the_file_are_still_line_ends() {
    // A checkout with `core.autocrlf` turns every line end into `\r\n`; a `\r` of the
    // output itself is always escaped, so dropping the file's is safe.
    let text = "# note\r\n\r\n$ ls\r\n| a\r\n\\| b\\r\r\n= 0\r\n";
    let transcript = Transcript::parse(text).expect("valid");
    assert_eq!(transcript.notes, ["note"]);
    assert_eq!(
        transcript.entries[0].output,
        Ok(CommandOutput::new("a\nb\r\n", "", 0))
    );
}

#[test]
fn only_free_form_lines_may_be_escaped() {
    for line in [
        "\\= 0",
        "\\@ hint: x",
        "\\% no newline at end of stdout",
        "\\",
        "\\x",
    ] {
        let error = Transcript::parse(&format!("$ ls\n{line}\n= 0\n")).expect_err(line);
        assert_eq!(error.line, 2, "{line}");
    }
}

#[test]
fn the_fixtures_read_and_write_back_byte_for_byte() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut checked = 0;
    for scenario in std::fs::read_dir(&fixtures).expect("fixtures/") {
        let hosts = scenario.expect("listing").path().join("hosts");
        let Ok(listing) = std::fs::read_dir(&hosts) else {
            continue;
        };
        for file in listing {
            let path = file.expect("listing").path();
            let text = std::fs::read_to_string(&path).expect("readable");
            let transcript = Transcript::parse(&text).expect("valid");
            assert_eq!(transcript.render(), text, "{}", path.display());
            checked += 1;
        }
    }
    assert!(
        checked >= 20,
        "only {checked} transcripts under {}",
        fixtures.display()
    );
}

/// A file of `len` bytes (sparse: nothing is written) as the only host of a scenario.
fn scenario_with_transcript(name: &str, contents: &[u8], len: u64) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("rdma-transcript-{}-{name}", std::process::id()));
    std::fs::create_dir_all(dir.join("hosts")).expect("temp dir");
    std::fs::write(dir.join("command"), "--node h1:en5:10.254.0.5\n").expect("command");
    let path = dir.join("hosts/h1.transcript");
    std::fs::write(&path, contents).expect("transcript");
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .expect("open");
    file.set_len(len.max(contents.len() as u64))
        .expect("set_len");
    dir
}

#[test]
fn an_absurdly_large_transcript_is_refused_by_name() {
    let dir = scenario_with_transcript("large", b"", read::MAX_FILE_BYTES + 1);
    let error = crate::Scenario::load(&dir).expect_err("too large");
    let message = error.to_string();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(message.contains("h1.transcript"), "{message}");
    assert!(message.contains("larger than 16 MiB"), "{message}");
}

#[test]
fn a_transcript_that_is_not_utf8_is_refused_by_name() {
    let dir = scenario_with_transcript("binary", b"$ ls\n| \xff\xfe\n= 0\n", 0);
    let error = crate::Scenario::load(&dir).expect_err("not UTF-8");
    let message = error.to_string();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(message.contains("h1.transcript"), "{message}");
    assert!(message.contains("not UTF-8 text (byte 7"), "{message}");
}
