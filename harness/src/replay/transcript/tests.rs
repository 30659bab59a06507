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
