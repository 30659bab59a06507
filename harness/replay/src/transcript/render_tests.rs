//! The transcript format's tests of writing: the exact text `render` gives for hand-picked
//! transcripts (escapes, notes, failures), and that parsing it gives the same transcript
//! back, for those and for any content.

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
