//! Commands sent as quoted words (`Command::words`, every line the transport sends): the
//! batch's own `sh` execs them, and they get what their line would get from the user's
//! shell. Public stdin, carried in the exec line. And the script's grouping: commands that
//! end together come back in one group.

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::process::{Command as Process, Stdio};

use rdma_phase::command::join_quoted;
use rdma_phase::CommandOutput;

use super::super::frames::decode;
use super::tests::{alone, each_as_alone, leftovers, run, start, SHELLS};
use super::{build, Command, Script, MAX_STDIN_IN_LINE};

fn words(argv: &[&str]) -> String {
    join_quoted(argv)
}

#[test]
fn words_get_what_their_line_would_get_from_the_users_shell() {
    let binary: &[u8] = b"\0\x01\xff%s\\'-\r\n0123\n\n";
    let cases: Vec<(String, Option<&[u8]>)> = vec![
        (words(&["sh", "-c", "echo out; echo err >&2; exit 3"]), None),
        (words(&["printf", "a\\000b\\r\\n\\000"]), None),
        (
            words(&["printf", "%s|", "it's", "$HOME `x` \"q\"", ""]),
            None,
        ),
        (words(&["cat"]), Some(binary)),
        (words(&["cat"]), None),
        (
            words(&["sh", "-c", "IFS= read -r pw; echo \"[$pw]\"; pwd"]),
            Some(b"correct horse\n"),
        ),
        (
            words(&["sh", "-c", "echo \"[$rs_n$rs_dir$rs_k$rs_x]\""]),
            None,
        ),
    ];
    let cases: Vec<(&str, Option<&[u8]>)> = cases
        .iter()
        .map(|(line, stdin)| (line.as_str(), *stdin))
        .collect();
    each_as_alone(&cases, true);
}

#[test]
fn a_missing_command_or_a_signal_gives_the_shells_status() {
    let missing = words(&["nonexistent-command-4711", "-a"]);
    let killed = words(&["sh", "-c", "kill -9 $$"]);
    let commands = [
        Command {
            line: &missing,
            stdin: None,
            stdin_public: false,
            words: true,
        },
        Command {
            line: &killed,
            stdin: None,
            stdin_public: false,
            words: true,
        },
    ];
    for shell in SHELLS {
        let results = run(shell, &commands);
        let codes: Vec<_> = results
            .iter()
            .map(|result| result.as_ref().map(|output| output.exit_code))
            .collect();
        assert_eq!(codes, [Ok(127), Ok(137)], "{shell:?}");
        let stderr = &results[0].as_ref().expect("answered").stderr;
        assert!(stderr.contains("nonexistent-command-4711"), "{stderr}");
    }
}

/// The user's shell starts for `words: false` only: a `$SHELL` that leaves a mark says so.
#[test]
fn words_skip_the_users_shell() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let marks = tmp.path().join("marks");
    let users_shell = tmp.path().join("users-shell");
    std::fs::write(
        &users_shell,
        format!(
            "#!/bin/sh\necho started >> {}\nexec /bin/sh \"$@\"\n",
            marks.display()
        ),
    )
    .expect("write");
    std::fs::set_permissions(
        &users_shell,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("chmod");
    let line = words(&["echo", "hi"]);
    for (words, expected_marks) in [(true, 0), (false, 1)] {
        let _ = std::fs::remove_file(&marks);
        let script = build(&[Command {
            line: &line,
            stdin: None,
            stdin_public: false,
            words,
        }]);
        let env = [
            ("SHELL", users_shell.clone().into_os_string()),
            ("TMPDIR", tmp.path().into()),
        ];
        let results = decode(&as_login_shell_runs(&script, &env), 1).results;
        assert_eq!(
            results[0]
                .as_ref()
                .map(|r| r.as_ref().map(|o| o.stdout.as_str())),
            Some(Ok("hi\n")),
            "words: {words}"
        );
        let started = std::fs::read_to_string(&marks).unwrap_or_default();
        assert_eq!(started.lines().count(), expected_marks, "words: {words}");
    }
}

/// Commands that end together cost the script one `wc` and one `cat`: one group.
#[test]
fn commands_that_end_together_come_back_in_one_group() {
    let lines: Vec<String> = (0..6).map(|n| words(&["echo", &n.to_string()])).collect();
    let commands: Vec<Command<'_>> = lines
        .iter()
        .map(|line| Command {
            line,
            stdin: None,
            stdin_public: false,
            words: true,
        })
        .collect();
    for shell in SHELLS {
        let tmp = tempfile::tempdir().expect("tempdir");
        let (child, mut stdin) = start(shell, &commands, tmp.path());
        stdin.flush().expect("flush");
        let output = child.wait_with_output().expect("wait");
        drop(stdin);
        let reply = String::from_utf8_lossy(&output.stdout);
        assert_eq!(reply.matches("\n= ").count(), 1, "{shell:?}: {reply}");
        assert!(reply.contains("\n= 6\n"), "{shell:?}: {reply}");
        let decoded = decode(&output.stdout, 6);
        for (n, result) in decoded.results.iter().enumerate() {
            let stdout = result.as_ref().and_then(|r| r.as_ref().ok());
            assert_eq!(stdout.map(|o| o.stdout.clone()), Some(format!("{n}\n")));
        }
        assert_eq!(leftovers(tmp.path()), 0);
    }
}

/// Public stdin goes in the exec line (no payload, so no stdin round trip), a secret one and
/// one too long for the line in the payload; every command gets exactly its bytes.
#[test]
fn public_stdin_travels_in_the_line_and_secrets_never_do() {
    let json: &[u8] = b"[[null,\"rdma_en5\"],[\"rdma_en5\",null]]\n%s\\'\0\xff-1";
    let long = vec![b'j'; MAX_STDIN_IN_LINE + 1];
    let cat = words(&["cat"]);
    let command = |stdin: &'static [u8], stdin_public| Command {
        line: &cat,
        stdin: Some(stdin),
        stdin_public,
        words: true,
    };
    let public = build(&[command(json, true)]);
    assert!(public.payload.is_empty());
    assert!(public.line.contains("rdma_en5"), "{}", public.line);
    let secret = build(&[command(b"hunter2\n", false)]);
    assert!(!secret.line.contains("hunter2"));
    assert!(!secret.payload.is_empty());
    let long: &'static [u8] = long.leak();
    assert!(!build(&[command(long, true)]).payload.is_empty());

    let commands = [
        command(json, true),
        command(b"hunter2\n", false),
        command(long, true),
    ];
    for shell in SHELLS {
        let results = run(shell, &commands);
        for (command, result) in commands.iter().zip(results) {
            let stdin = command.stdin.unwrap_or_default();
            let expected = alone(&cat, Some(stdin));
            assert_eq!(result.as_ref(), Ok(&expected), "{shell:?}");
        }
    }
}

#[test]
fn the_exec_line_carries_the_script_and_stdin_goes_on_stdin() {
    let commands = [
        Command {
            line: "sudo -S -p '' sh -c 'cat; echo \"$0\"'",
            stdin: Some(b"hunter2\n"),
            stdin_public: false,
            words: false,
        },
        Command {
            line: "echo hi",
            stdin: None,
            stdin_public: false,
            words: false,
        },
    ];
    let script = build(&commands);
    assert!(
        script.line.starts_with("exec /bin/sh -c '"),
        "{}",
        script.line
    );
    assert!(script
        .line
        .ends_with(&format!(" rdma-setup-batch {}", script.payload.len())));
    assert!(!script.line.contains("hunter2"));
    let payload = String::from_utf8(script.payload.to_vec()).expect("the payload is text");
    assert!(payload.contains("hunter2"));
    assert!(payload.starts_with('{') && payload.ends_with("rs_ok=1\n}\n"));
    // No stdin: no payload, nothing to wait for before the commands start.
    assert!(build(&commands[1..]).payload.is_empty());

    // The line as a login shell runs it (sudo stands in: the rest of the line is the test).
    let tmp = tempfile::tempdir().expect("tempdir");
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).expect("mkdir");
    let sudo = bin.join("sudo");
    std::fs::write(&sudo, "#!/bin/sh\nshift 3\nexec \"$@\"\n").expect("write");
    std::fs::set_permissions(&sudo, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    let env = [
        ("SHELL", "/bin/sh".into()),
        ("TMPDIR", tmp.path().into()),
        ("PATH", format!("{}:/usr/bin:/bin", bin.display()).into()),
    ];
    let results = decode(&as_login_shell_runs(&script, &env), 2).results;
    assert_eq!(
        results[0],
        Some(Ok(CommandOutput::new("hunter2\nsh\n", "", 0)))
    );
    assert_eq!(results[1], Some(Ok(CommandOutput::new("hi\n", "", 0))));
}

/// `script`'s exec line run as a login shell runs it (`/bin/sh -c LINE`, with `env`), its
/// payload on stdin and stdin held open until it ends; what it printed.
fn as_login_shell_runs(script: &Script, env: &[(&str, std::ffi::OsString)]) -> Vec<u8> {
    let mut child = Process::new("/bin/sh")
        .arg("-c")
        .arg(&script.line)
        .envs(env.iter().map(|(name, value)| (*name, value)))
        .process_group(0)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(&script.payload).expect("write");
    let output = child.wait_with_output().expect("wait");
    drop(stdin);
    output.stdout
}
