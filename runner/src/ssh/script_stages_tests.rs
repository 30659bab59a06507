//! Staged batches (`build_staged`): a stage starts once every command before it has ended,
//! and only if all of them exited 0; otherwise it and every later stage are reported as not
//! run, and nothing of them runs.

use std::io::Write;
use std::path::Path;

use rdma_phase::command::join_quoted;

use super::super::exec::ExecError;
use super::super::frames::decode;
use super::tests::{leftovers, spawn, SHELLS};
use super::{build_staged, Command};

/// `argv` as a line of quoted words.
fn words(argv: &[&str]) -> String {
    join_quoted(argv)
}

fn command(line: &str) -> Command<'_> {
    Command {
        line,
        stdin: None,
        stdin_public: false,
        words: true,
    }
}

/// Run `lines` in stages under `shell`; each command's exit code, or `None` if not run.
fn exit_codes(shell: &[&str], lines: &[String], starts: &[usize], tmp: &Path) -> Vec<Option<i32>> {
    let commands: Vec<Command<'_>> = lines.iter().map(|line| command(line)).collect();
    let script = build_staged(&commands, starts);
    let mut child = spawn(shell, &script, tmp, std::process::Stdio::piped);
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(&script.payload).expect("payload");
    let output = child.wait_with_output().expect("wait");
    drop(stdin);
    assert_eq!(output.status.code(), Some(0), "{shell:?}: {output:?}");
    let decoded = decode(&output.stdout, lines.len());
    assert_eq!(decoded.problem, None);
    decoded
        .results
        .into_iter()
        .map(|result| match result {
            Some(Ok(output)) => Some(output.exit_code),
            Some(Err(ExecError::NotRun)) => None,
            other => panic!("{shell:?}: unexpected result {other:?}"),
        })
        .collect()
}

#[test]
fn a_stage_starts_once_the_one_before_it_has_ended() {
    for shell in SHELLS {
        let tmp = tempfile::tempdir().expect("tempdir");
        let marker = tmp.path().join("made").display().to_string();
        let lines = [
            words(&["sh", "-c", "sleep 0.3; touch \"$0\"", &marker]),
            words(&["true"]),
            words(&["test", "-e", &marker]),
            words(&["test", "-e", &marker]),
        ];
        let codes = exit_codes(shell, &lines, &[2], tmp.path());
        assert_eq!(codes, [Some(0), Some(0), Some(0), Some(0)], "{shell:?}");
        assert_eq!(leftovers(tmp.path()), 1, "only the marker is left");
    }
}

#[test]
fn a_failure_keeps_every_later_stage_from_running() {
    for shell in SHELLS {
        let tmp = tempfile::tempdir().expect("tempdir");
        let marker = tmp.path().join("ran").display().to_string();
        let touch = words(&["touch", &marker]);
        let lines = [
            words(&["true"]),
            words(&["sh", "-c", "exit 3"]),
            touch.clone(),
            words(&["true"]),
            touch,
        ];
        let codes = exit_codes(shell, &lines, &[2, 4], tmp.path());
        assert_eq!(codes, [Some(0), Some(3), None, None, None], "{shell:?}");
        assert!(
            !Path::new(&marker).exists(),
            "{shell:?}: a gated command ran"
        );

        // The middle stage fails: the first ran, the last does not.
        let lines = [words(&["true"]), words(&["false"]), words(&["true"])];
        let codes = exit_codes(shell, &lines, &[1, 2], tmp.path());
        assert_eq!(codes, [Some(0), Some(1), None], "{shell:?}");
        assert_eq!(leftovers(tmp.path()), 0);
    }
}

#[test]
fn starts_outside_the_batch_or_repeated_are_one_stage() {
    let lines: Vec<String> = (0..3).map(|_| words(&["true"])).collect();
    for shell in SHELLS {
        let tmp = tempfile::tempdir().expect("tempdir");
        let codes = exit_codes(shell, &lines, &[0, 2, 2, 3, 9], tmp.path());
        assert_eq!(codes, [Some(0), Some(0), Some(0)], "{shell:?}");
    }
}
