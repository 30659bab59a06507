//! The transcript format's tests: round trips and the errors of malformed files.

use rdma_phase::CommandOutput;

use super::*;

fn entry(command: &str, stdin: Option<&str>, stdout: &str, stderr: &str, exit_code: i32) -> Entry {
    Entry {
        command: command.to_owned(),
        stdin: stdin.map(str::to_owned),
        output: Ok(CommandOutput::new(stdout, stderr, exit_code)),
    }
}

#[test]
fn round_trips_byte_exact_output() {
    let transcript = Transcript {
        entries: vec![
            entry(
                "ifconfig en5",
                None,
                "en5: flags=8863<UP> mtu 1500\n\tinet 10.254.0.5 \n\n",
                "",
                0,
            ),
            entry(
                "ifconfig en9",
                None,
                "",
                "ifconfig: interface en9 does not exist\n",
                1,
            ),
            entry("sh -c x sh /tmp/f", Some("[[null]]\n"), "", "", 0),
            entry("printf x", None, "no newline", "", 0),
        ],
        ..Transcript::default()
    };
    let text = transcript.render();
    assert!(text.contains("| \tinet 10.254.0.5 \n|\n= 0"), "{text}");
    assert!(text.contains("% no newline at end of stdout"), "{text}");
    assert_eq!(Transcript::parse(&text), Ok(transcript));
}

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
fn notes_failures_and_escapes_round_trip() {
    let transcript = Transcript {
        notes: vec![
            "recorded by cargo xtask record".to_owned(),
            String::new(),
            "not sent: sudo ifconfig en5 10.254.0.5".to_owned(),
        ],
        unreachable: None,
        entries: vec![
            entry("rdma_ctl status", None, "enabled\n", "", 0),
            Entry {
                command: "ibv_devinfo -v".to_owned(),
                stdin: None,
                output: Err(Failure {
                    kind: FailureKind::Failed,
                    reason: "no result within 30 s".to_owned(),
                    hint: "two lines\nand a \\n that is not a newline".to_owned(),
                }),
            },
            Entry {
                command: "ping -c 1 -t 2 10.254.0.6".to_owned(),
                stdin: None,
                output: Err(Failure {
                    kind: FailureKind::Unreachable,
                    reason: "the session broke".to_owned(),
                    hint: "is it on?".to_owned(),
                }),
            },
        ],
    };
    let text = transcript.render();
    assert!(
        text.starts_with("# recorded by cargo xtask record\n#\n# not sent"),
        "{text}"
    );
    assert!(
        text.contains("$ ibv_devinfo -v\n@ failed: no result within 30 s\n@ hint: two lines\\nand a \\\\n that"),
        "{text}"
    );
    assert_eq!(Transcript::parse(&text), Ok(transcript));
}

#[test]
fn an_unreachable_host_round_trips_and_takes_no_commands() {
    let transcript = Transcript {
        notes: vec!["hwstudio2 did not answer".to_owned()],
        unreachable: Some(Failure {
            kind: FailureKind::Unreachable,
            reason: "connecting to 10.77.0.11:22 timed out after 2 s".to_owned(),
            hint: "is the Mac on and awake?".to_owned(),
        }),
        entries: Vec::new(),
    };
    let text = transcript.render();
    assert_eq!(
        text,
        "# hwstudio2 did not answer\n\n@ unreachable: connecting to 10.77.0.11:22 timed out after 2 s\n@ hint: is the Mac on and awake?\n"
    );
    assert_eq!(Transcript::parse(&text), Ok(transcript));

    let error = Transcript::parse(&format!("{text}\n$ ls\n= 0\n")).expect_err("commands");
    assert!(error.reason.contains("unreachable host"), "{error}");
    let error = Transcript::parse("$ ls\n= 0\n@ unreachable: x\n@ hint: y\n")
        .expect_err("late unreachable");
    assert_eq!(error.line, 3);
    let error =
        Transcript::parse("$ ls\n| out\n@ failed: x\n@ hint: y\n").expect_err("output and failure");
    assert_eq!(error.line, 3);
    let error = Transcript::parse("$ ls\n@ failed: x\n= 0\n").expect_err("no hint");
    assert_eq!(error.line, 3);
    let error = Transcript::parse("$ ls\n@ failed: x\n").expect_err("unterminated");
    assert!(error.reason.contains("'@ hint:'"), "{error}");
}

#[test]
fn only_the_leading_comments_are_notes() {
    let text = "# first\n#second\n\n$ true\n= 0\n\n# dropped\n$ false\n= 1\n";
    let transcript = Transcript::parse(text).expect("valid");
    assert_eq!(transcript.notes, ["first", "second"]);
    assert_eq!(transcript.entries.len(), 2);
}

#[test]
fn lines_that_would_not_survive_a_text_file_are_escaped() {
    let transcript = Transcript {
        notes: vec!["two\nlines".to_owned()],
        unreachable: None,
        entries: vec![
            entry(
                "printf 'a\\r\\n'",
                None,
                "a\r\nb\\c\r\n",
                "\x1b[31mred\x1b[0m\n",
                0,
            ),
            entry("cat", Some(""), "", "", 0),
            entry("cat", Some("\r"), "\0", "", 0),
            entry("line\nbreak", None, "", "", 0),
        ],
    };
    let text = transcript.render();
    assert_eq!(
        text,
        "\\# two\\nlines\n\n\
         $ printf 'a\\r\\n'\n\\| a\\r\n\\| b\\\\c\\r\n\\! \\u{1b}[31mred\\u{1b}[0m\n= 0\n\n\
         $ cat\n<\n% no newline at end of stdin\n= 0\n\n\
         $ cat\n\\< \\r\n% no newline at end of stdin\n\\| \\u{0}\n% no newline at end of stdout\n= 0\n\n\
         \\$ line\\nbreak\n= 0\n"
    );
    assert_eq!(Transcript::parse(&text), Ok(transcript));
}

#[test]
fn a_line_without_control_characters_stays_as_it_is() {
    let transcript = Transcript {
        entries: vec![entry("echo '\\'", None, "a\\nb\\\\ \t\n", "", 0)],
        ..Transcript::default()
    };
    assert_eq!(transcript.render(), "$ echo '\\'\n| a\\nb\\\\ \t\n= 0\n");
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
fn reasons_and_hints_take_the_same_escapes() {
    let failure = Failure {
        kind: FailureKind::Sudo,
        reason: "sudo: 3 incorrect password attempts\r".to_owned(),
        hint: "\x1b]0;title\x07 C:\\dir".to_owned(),
    };
    let transcript = Transcript {
        entries: vec![Entry {
            command: "sudo true".to_owned(),
            stdin: None,
            output: Err(failure),
        }],
        ..Transcript::default()
    };
    let text = transcript.render();
    assert!(
        text.contains("@ sudo failed: sudo: 3 incorrect password attempts\\r\n@ hint: \\u{1b}]0;title\\u{7} C:\\\\dir\n"),
        "{text}"
    );
    assert_eq!(Transcript::parse(&text), Ok(transcript));
    // Written by hand, a lone backslash is just a backslash, as it always was.
    let parsed = Transcript::parse("$ ls\n@ failed: x\n@ hint: see C:\\dir\n").expect("valid");
    assert_eq!(
        parsed.entries[0]
            .output
            .as_ref()
            .map_err(|f| f.hint.as_str()),
        Err("see C:\\dir")
    );
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

mod round_trip {
    //! Write then parse is the identity for any content: outputs are recorded byte for byte.

    use proptest::prelude::*;

    use super::*;

    /// Pieces that are rare in arbitrary strings but are what breaks a line-based format:
    /// line ends, the format's own markers and escapes, terminal control sequences.
    const TRICKY: &[&str] = &[
        "\r",
        "\n",
        "\r\n",
        "\n\r",
        "\\",
        "\\n",
        "\\r",
        "\\\\",
        "\\u{41}",
        "\\u{",
        "\0",
        "\x1b[31m",
        "\x07",
        "\x7f",
        "\u{85}",
        "\u{2028}",
        "\u{feff}",
        "\t",
        " ",
        "$ ",
        "| ",
        "! ",
        "< ",
        "= 0",
        "@ hint: x",
        "@ failed: x",
        "% no newline at end of stdout",
        "# ",
        "\\| ",
        "é",
    ];

    fn text() -> impl Strategy<Value = String> {
        let tricky = proptest::collection::vec(
            prop_oneof![
                3 => proptest::sample::select(TRICKY).prop_map(str::to_owned),
                1 => any::<char>().prop_map(String::from),
                1 => "[a-z ]{0,6}",
            ],
            0..12,
        )
        .prop_map(|pieces| pieces.concat());
        prop_oneof![any::<String>(), tricky]
    }

    fn failure(kind: FailureKind) -> impl Strategy<Value = Failure> {
        (text(), text()).prop_map(move |(reason, hint)| Failure { kind, reason, hint })
    }

    fn entry() -> impl Strategy<Value = Entry> {
        let kind = proptest::sample::select(
            &[
                FailureKind::Unreachable,
                FailureKind::Failed,
                FailureKind::Sudo,
            ][..],
        );
        let output = prop_oneof![
            3 => (text(), text(), any::<i32>())
                .prop_map(|(stdout, stderr, code)| Ok(CommandOutput::new(stdout, stderr, code))),
            1 => kind.prop_flat_map(failure).prop_map(Err),
        ];
        (text(), proptest::option::of(text()), output).prop_map(|(command, stdin, output)| Entry {
            command,
            stdin,
            output,
        })
    }

    fn transcript() -> impl Strategy<Value = Transcript> {
        let notes = || proptest::collection::vec(text(), 0..3);
        prop_oneof![
            (notes(), proptest::collection::vec(entry(), 0..4)).prop_map(|(notes, entries)| {
                Transcript {
                    notes,
                    unreachable: None,
                    entries,
                }
            }),
            (notes(), failure(FailureKind::Unreachable)).prop_map(|(notes, failure)| Transcript {
                notes,
                unreachable: Some(failure),
                entries: Vec::new(),
            }),
        ]
    }

    proptest! {
        #[test]
        fn any_output_round_trips(
            stdout in text(),
            stderr in text(),
            stdin in proptest::option::of(text()),
            exit_code in any::<i32>(),
        ) {
            let transcript = Transcript {
                entries: vec![Entry {
                    command: "ifconfig -a".to_owned(),
                    stdin,
                    output: Ok(CommandOutput::new(stdout, stderr, exit_code)),
                }],
                ..Transcript::default()
            };
            let text = transcript.render();
            prop_assert_eq!(Transcript::parse(&text), Ok(transcript), "{:?}", text);
        }

        #[test]
        fn any_transcript_round_trips(transcript in transcript()) {
            let text = transcript.render();
            prop_assert_eq!(Transcript::parse(&text), Ok(transcript), "{:?}", text);
        }
    }
}
