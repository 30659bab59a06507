//! The batch script run locally, by dash and by bash in POSIX mode (macOS's `/bin/sh` is
//! bash 3.2 in POSIX mode), each batch in a process group of its own as sshd would give it
//! (never the test runner's: the lifeline signals its whole group), with its stdin held open
//! as the channel holds it. Over real sshd, see `runner/tests/ssh_batch.rs`.

use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, ChildStdin, Command as Process, Stdio};
use std::time::{Duration, Instant};

use rdma_phase::CommandOutput;

use super::super::exec::{ExecError, Stream, MAX_OUTPUT};
use super::super::frames::decode;
use super::{build, Command, Script};

/// The shells the script must work under: argv before `-c`.
pub(super) const SHELLS: [&[&str]; 2] = [&["dash"], &["bash", "--posix"]];

/// `script` run by `shell` as the exec line runs it, in a process group of its own.
pub(super) fn spawn(shell: &[&str], script: &Script, tmp: &Path, output: fn() -> Stdio) -> Child {
    Process::new(shell[0])
        .args(&shell[1..])
        .arg("-c")
        .arg(&script.text)
        .arg("rdma-setup-batch")
        .arg(script.payload.len().to_string())
        .env("SHELL", "/bin/sh")
        .env("TMPDIR", tmp)
        .process_group(0)
        .stdin(Stdio::piped())
        .stdout(output())
        .stderr(output())
        .spawn()
        .expect("spawn the shell")
}

/// A batch started, with its stdin payload written and stdin still open.
pub(super) fn start(shell: &[&str], commands: &[Command<'_>], tmp: &Path) -> (Child, ChildStdin) {
    let script = build(commands);
    let mut child = spawn(shell, &script, tmp, Stdio::piped);
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(&script.payload).expect("write the payload");
    (child, stdin)
}

/// Run `commands` as one batch; the reply split into results, and the script's stderr.
pub(super) fn run(
    shell: &[&str],
    commands: &[Command<'_>],
) -> Vec<Result<CommandOutput, ExecError>> {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (child, stdin) = start(shell, commands, tmp.path());
    let output = child.wait_with_output().expect("wait");
    drop(stdin);
    assert_eq!(output.status.code(), Some(0), "{shell:?}: {output:?}");
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        leftovers(tmp.path()),
        0,
        "the batch left its directory behind"
    );
    let decoded = decode(&output.stdout, commands.len());
    assert_eq!(decoded.problem, None);
    decoded
        .results
        .into_iter()
        .map(|result| result.expect("every command answered"))
        .collect()
}

pub(super) fn leftovers(tmp: &Path) -> usize {
    std::fs::read_dir(tmp).map_or(0, Iterator::count)
}

/// `line` run alone by the same shell, `stdin` on a pipe (or /dev/null).
pub(super) fn alone(line: &str, stdin: Option<&[u8]>) -> CommandOutput {
    let mut child = Process::new("/bin/sh")
        .arg("-c")
        .arg(line)
        .env("SHELL", "/bin/sh")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    if let (Some(bytes), Some(mut pipe)) = (stdin, child.stdin.take()) {
        // A command that does not read its stdin closes the pipe early: not an error.
        let _ = pipe.write_all(bytes);
    }
    let output = child.wait_with_output().expect("wait");
    CommandOutput {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        exit_code: output.status.code().expect("an exit code"),
    }
}

#[test]
fn every_command_gets_what_it_would_get_alone() {
    let binary: &[u8] = b"\0\x01\xff%s\\'-\r\n0123\n\n";
    let megabyte = vec![b'x'; 1024 * 1024 + 3];
    let cases: Vec<(&str, Option<&[u8]>)> = vec![
        ("echo out; echo err >&2; exit 3", None),
        ("printf 'no newline'", None),
        ("printf ''", None),
        ("printf 'a\\000b\\r\\n\\000'", None),
        ("printf 'trailing\\n\\n\\n'", None),
        ("echo only stderr >&2", None),
        ("exit 127", None),
        ("nonexistent-command-4711", None),
        ("cat", Some(b"hello\nworld\n\n\n")),
        ("cat", Some(binary)),
        ("cat", Some(b"-n not an option")),
        ("cat", Some(b"%d %s \\n \\\\ 1\\0012 '")),
        ("cat", None),
        ("wc -c", Some(&megabyte)),
        ("head -c 5", Some(&megabyte)),
        ("true", Some(&megabyte)),
        ("IFS= read -r pw; echo \"[$pw]\"", Some(b"correct horse\n")),
        ("echo \"[$rs_n$rs_dir$rs_k]\"; pwd", None),
    ];
    each_as_alone(&cases, false);
}

/// Every one of `cases` (a line and its stdin) gets in one batch, under every shell, what
/// it gets alone; `words` as [`Command::words`].
pub(super) fn each_as_alone(cases: &[(&str, Option<&[u8]>)], words: bool) {
    let commands: Vec<Command<'_>> = cases
        .iter()
        .map(|&(line, stdin)| Command {
            line,
            stdin,
            stdin_public: false,
            words,
        })
        .collect();
    for shell in SHELLS {
        let results = run(shell, &commands);
        for ((line, stdin), result) in cases.iter().zip(results) {
            let batched = result.unwrap_or_else(|error| panic!("{line}: {error:?}"));
            assert_eq!(batched, alone(line, *stdin), "{shell:?}: {line}");
        }
    }
}

#[test]
fn a_command_killed_by_a_signal_reports_the_shells_status() {
    for shell in SHELLS {
        let results = run(
            shell,
            &[Command {
                line: "kill -9 $$",
                stdin: None,
                stdin_public: false,
                words: false,
            }],
        );
        assert_eq!(results[0].as_ref().map(|output| output.exit_code), Ok(137));
    }
}

#[test]
fn output_is_capped_at_the_source_and_the_others_succeed() {
    let commands = [
        Command {
            line: "echo before",
            stdin: None,
            stdin_public: false,
            words: false,
        },
        Command {
            line: "yes rdma-flood",
            stdin: None,
            stdin_public: false,
            words: false,
        },
        Command {
            line: "head -c 52428800 /dev/zero >&2",
            stdin: None,
            stdin_public: false,
            words: false,
        },
        Command {
            line: "head -c 4194304 /dev/zero; head -c 4194304 /dev/zero >&2",
            stdin: None,
            stdin_public: false,
            words: false,
        },
    ];
    for shell in SHELLS {
        let results = run(shell, &commands);
        assert_eq!(results[0], Ok(CommandOutput::new("before\n", "", 0)));
        assert_eq!(results[1], Err(ExecError::TooMuchOutput(Stream::Stdout)));
        assert_eq!(results[2], Err(ExecError::TooMuchOutput(Stream::Stderr)));
        let full = results[3].as_ref().expect("exactly the cap is fine");
        assert_eq!(
            (full.stdout.len(), full.stderr.len()),
            (MAX_OUTPUT, MAX_OUTPUT)
        );
    }
}

#[test]
fn commands_run_at_once_and_answer_in_the_order_they_end() {
    // The quick command's frame goes at the script's first tick (1 s), in a group before
    // the slow ones'; both slow ones run together (not one after the other).
    let commands = [
        Command {
            line: "sleep 2; echo slow",
            stdin: None,
            stdin_public: false,
            words: false,
        },
        Command {
            line: "sleep 2; echo slow too",
            stdin: None,
            stdin_public: false,
            words: false,
        },
        Command {
            line: "echo quick",
            stdin: None,
            stdin_public: false,
            words: false,
        },
    ];
    for shell in SHELLS {
        let tmp = tempfile::tempdir().expect("tempdir");
        let started = Instant::now();
        let (child, stdin) = start(shell, &commands, tmp.path());
        let output = child.wait_with_output().expect("wait");
        drop(stdin);
        assert!(
            started.elapsed() < Duration::from_millis(3500),
            "{:?}",
            started.elapsed()
        );
        let reply = String::from_utf8_lossy(&output.stdout);
        assert!(reply.find("quick").unwrap_or(usize::MAX) < reply.find("slow").unwrap_or(0));
        assert!(reply.matches("\n= ").count() >= 2, "{reply}");
        assert!(decode(&output.stdout, 3)
            .results
            .iter()
            .all(Option::is_some));
    }
}

/// Whether `pid` is a live process (a zombie waiting for its reaper is not).
fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X")
    })
}

fn wait_for_pid(file: &Path) -> u32 {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(pid) = std::fs::read_to_string(file)
            .ok()
            .and_then(|text| text.trim().parse().ok())
        {
            return pid;
        }
        assert!(Instant::now() < deadline, "the command did not start");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn closing_stdin_ends_every_command_and_removes_the_directory() {
    for shell in SHELLS {
        let tmp = tempfile::tempdir().expect("tempdir");
        let pid_file = tmp.path().join("pid");
        let line = format!("sleep 60 & echo $! > {}; wait", pid_file.display());
        let commands = [
            Command {
                line: &line,
                stdin: None,
                stdin_public: false,
                words: false,
            },
            Command {
                line: "sleep 60",
                stdin: Some(b"pw\n"),
                stdin_public: false,
                words: false,
            },
            Command {
                line: "echo quick",
                stdin: None,
                stdin_public: false,
                words: false,
            },
        ];
        let (mut child, stdin) = start(shell, &commands, tmp.path());
        let pid = wait_for_pid(&pid_file);
        std::fs::remove_file(&pid_file).expect("rm pid file");
        // The quick command's frame comes while the others run.
        let mut reply = vec![0_u8; 256];
        let mut stdout = child.stdout.take().expect("stdout");
        let mut got = 0;
        while !String::from_utf8_lossy(&reply[..got]).contains("quick") {
            let n = stdout.read(&mut reply[got..]).expect("read");
            assert!(n > 0, "the reply ended early");
            got += n;
        }
        let closed = Instant::now();
        drop(stdin);
        let status = child.wait().expect("wait");
        assert!(!status.success());
        while running(pid) && closed.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(!running(pid), "{shell:?}: sleep {pid} outlived the channel");
        assert!(
            closed.elapsed() < Duration::from_secs(1),
            "{:?}",
            closed.elapsed()
        );
        while leftovers(tmp.path()) > 0 && closed.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(
            leftovers(tmp.path()),
            0,
            "{shell:?}: the directory is left behind"
        );
    }
}

#[test]
fn a_payload_cut_short_runs_nothing() {
    for shell in SHELLS {
        let tmp = tempfile::tempdir().expect("tempdir");
        let marker = tmp.path().join("ran");
        let line = format!("touch {}", marker.display());
        let commands = [
            Command {
                line: &line,
                stdin: None,
                stdin_public: false,
                words: false,
            },
            Command {
                line: &line,
                stdin: Some(b"x"),
                stdin_public: false,
                words: false,
            },
        ];
        let script = build(&commands);
        for cut in [0, 1, script.payload.len() / 2, script.payload.len() - 3] {
            let mut child = spawn(shell, &script, tmp.path(), Stdio::null);
            let mut stdin = child.stdin.take().expect("stdin");
            stdin.write_all(&script.payload[..cut]).expect("write");
            drop(stdin);
            child.wait().expect("wait");
            assert!(
                !marker.exists(),
                "{shell:?}: a payload cut at {cut} ran a command"
            );
            assert_eq!(leftovers(tmp.path()), 0);
        }
    }
}
