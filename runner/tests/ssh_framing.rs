//! A batch's framed reply over a real loopback sshd: each command of a batch (one script on
//! one channel) gets exactly the `CommandOutput` it gets when run alone on a channel of its
//! own, whatever its output looks like, and the script leaves nothing behind on the host.

mod support;

use std::time::Duration;

use rdma_phase::{CommandOutput, RemoteCommand, Transport, TransportError};
use rdma_setup::ssh::SshTransport;
use support::commands::sh;
use support::serve::{session, session_behind_proxy};
use support::{sshd_available, Client, Sshd, SshdSetup};

/// A session to a loopback sshd whose sessions put temporary files in `tmp`.
fn open(tmp: &std::path::Path) -> (Client, Sshd, SshTransport) {
    let client = Client::new();
    let env = format!("TMPDIR={}", tmp.display());
    let setup = SshdSetup {
        env: &env,
        ..SshdSetup::default()
    };
    let (sshd, session) = session(&client, setup, Duration::from_secs(30));
    (client, sshd, session)
}

/// What the host printed, for a message: short, escaped.
fn brief(result: &Result<CommandOutput, TransportError>) -> String {
    let text = format!("{result:?}");
    text.chars().take(300).collect()
}

#[test]
fn every_command_of_a_batch_gets_what_it_gets_alone() {
    if !sshd_available("framing_equivalence") {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let (_client, _sshd, mut session) = open(tmp.path());
    let megabyte = "y".repeat(1024 * 1024 + 5);
    let commands = vec![
        sh("printf 'trailing\\n\\n\\n'"),
        sh("printf 'no newline'"),
        RemoteCommand::read(["true"]),
        sh("printf 'a\\000b\\000\\000'; printf 'e\\000' >&2"),
        sh("printf 'crlf\\r\\n\\r\\n'; printf 'err\\r\\n' >&2"),
        sh("printf '\\377\\376 not utf-8\\n'"),
        sh("head -c 3000000 /dev/zero | tr '\\0' x; head -c 1000000 /dev/zero | tr '\\0' e >&2"),
        sh("head -c 4194304 /dev/zero | tr '\\0' o"),
        sh("echo only stderr >&2"),
        sh("echo out; echo err >&2; exit 3"),
        sh("exit 255"),
        RemoteCommand::read(["nonexistent-command-4711"]),
        sh("kill -9 $$"),
        RemoteCommand::read(["cat"]).with_stdin("line one\nline 'two'\n\n\n"),
        RemoteCommand::read(["cat"]).with_stdin("no newline %s %d \\n \\ -n"),
        RemoteCommand::read(["cat"]).with_stdin("-n"),
        RemoteCommand::read(["cat"]).with_stdin("crlf\r\nünïcödé ✓\r\n"),
        RemoteCommand::read(["wc", "-c"]).with_stdin(megabyte.clone()),
        RemoteCommand::read(["head", "-c", "3"]).with_stdin(megabyte.clone()),
        RemoteCommand::read(["true"]).with_stdin(megabyte),
        sh("sleep 0.2; echo ignored its stdin").with_stdin("unread\n"),
        RemoteCommand::read(["cat"]),
        sh("tty; echo \"[$rs_n$rs_dir$rs_k]\"; pwd; umask"),
    ];
    let alone: Vec<_> = commands
        .iter()
        .map(|command| session.run(command))
        .collect();
    let batched = session.run_many(&commands);
    assert_eq!(batched.len(), commands.len());
    for ((command, alone), batched) in commands.iter().zip(&alone).zip(&batched) {
        assert!(alone.is_ok(), "{}: {}", command.shell_line(), brief(alone));
        assert!(
            alone == batched,
            "{}:\n alone:   {}\n batched: {}",
            command.shell_line(),
            brief(alone),
            brief(batched)
        );
    }
    let exit = |index: usize| batched[index].as_ref().map(|output| output.exit_code);
    assert_eq!(
        (exit(9), exit(10), exit(11), exit(12)),
        (Ok(3), Ok(255), Ok(127), Ok(137))
    );
    let nul = batched[3].as_ref().expect("NUL bytes");
    assert_eq!(
        (nul.stdout.as_str(), nul.stderr.as_str()),
        ("a\0b\0\0", "e\0")
    );
    assert_eq!(
        batched[7].as_ref().expect("the cap").stdout.len(),
        4 * 1024 * 1024
    );
    let count = commands.len() as u64;
    assert_eq!(
        (session.round_trips(), session.commands()),
        (count + 1, 2 * count)
    );
    assert_eq!(leftovers(tmp.path()), Vec::<String>::new());
}

/// dash reports a foreground child's death by a signal ("Killed") on its own stderr. The
/// batch must not let the shell that waits for a command write that into the command's
/// captured stderr (sshd, running a command bare, reports none). The background `sleep`
/// keeps the command's outputs open, so the batch's shell always sees the death before its
/// readers end: a race the big equivalence test above loses only now and then, under load.
/// Compared with what it should be, not with a run alone: the `lifeline` wrapper of a
/// command alone has the same kind of race of its own, on the channel's stderr.
#[test]
fn a_command_killed_by_a_signal_gets_no_report_of_its_death_in_a_batch() {
    if !sshd_available("framing_signal_report") {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let (_client, _sshd, mut session) = open(tmp.path());
    let commands = [
        sh("sleep 0.3 & kill -9 $$"),
        sh("sleep 0.3 & kill -TERM $$").with_stdin("on a pipe\n"),
        RemoteCommand::read(["true"]),
    ];
    let batched = session.run_many(&commands);
    let died = |exit_code| CommandOutput::new("", "", exit_code);
    assert_eq!(
        batched,
        [Ok(died(137)), Ok(died(143)), Ok(died(0))],
        "{}",
        batched.iter().map(brief).collect::<Vec<_>>().join("\n")
    );
    assert_eq!(leftovers(tmp.path()), Vec::<String>::new());
}

/// A command's frame goes when its shell ends; a background child still holding its stdout
/// is not waited for (sshd would hold the channel open for it), and leaves nothing behind.
#[test]
fn a_background_child_holding_stdout_does_not_hold_the_batch() {
    if !sshd_available("framing_background_child") {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let (_client, _sshd, mut session) = open(tmp.path());
    let commands = [
        sh("(sleep 3; echo late) & echo now"),
        RemoteCommand::read(["true"]),
    ];
    let started = std::time::Instant::now();
    let batched = session.run_many(&commands);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "the batch waited for the child"
    );
    assert_eq!(
        batched,
        [
            Ok(CommandOutput::new("now\n", "", 0)),
            Ok(CommandOutput::new("", "", 0))
        ]
    );
    assert_eq!(leftovers(tmp.path()), Vec::<String>::new());
}

#[test]
fn through_a_proxy_the_batch_runs_on_the_target_and_is_ended_there() {
    if !sshd_available("framing_proxy") {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let client = Client::new();
    let env = format!("TMPDIR={}", tmp.path().display());
    let setup = SshdSetup {
        env: &env,
        ..SshdSetup::default()
    };
    let (target, _proxy, mut session) =
        session_behind_proxy(&client, setup, Duration::from_secs(3));
    let sleeper = ["sleep", "120.7373"];
    let commands = [
        RemoteCommand::read(["cat"]).with_stdin("through the proxy\n"),
        sh("echo $SSH_CONNECTION"),
        RemoteCommand::read(sleeper),
    ];
    let (results, pids) = std::thread::scope(|scope| {
        let watcher = scope.spawn(|| support::procs::wait_for(&sleeper, Duration::from_secs(5)));
        let results = session.run_many(&commands);
        (results, watcher.join().expect("watcher"))
    });
    assert_eq!(
        results[0].as_ref().expect("cat").stdout,
        "through the proxy\n"
    );
    let connection = &results[1].as_ref().expect("echo").stdout;
    // The target's sshd answered (its port in SSH_CONNECTION), not the proxy's.
    assert!(
        connection
            .trim_end()
            .ends_with(&format!(" {}", target.port)),
        "{connection}"
    );
    assert!(
        matches!(&results[2], Err(TransportError::Command { reason, .. }) if reason.contains("3 s")),
        "{:?}",
        results[2]
    );
    assert!(!pids.is_empty(), "`sleep 120.7373` was never seen running");
    let gone = support::procs::gone_within(&pids, Duration::from_secs(5));
    assert!(
        gone.is_some(),
        "`sleep 120.7373` outlived the batch's timeout"
    );
    assert_eq!(leftovers(tmp.path()), Vec::<String>::new());
}

/// What is left in `tmp` once the batch's directory had a moment to go.
fn leftovers(tmp: &std::path::Path) -> Vec<String> {
    let list = || -> Vec<String> {
        std::fs::read_dir(tmp)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|entry| entry.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    for _ in 0..100 {
        if list().is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    list()
}
