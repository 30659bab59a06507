//! `run_many` over a real loopback sshd: commands at once (one script on one channel, at most
//! eight running at a time on the host), in order, with every property of one command at a
//! time (output, stdin, the cap, the timeout, `--proxy`, a broken session), and the
//! round-trip counter. Batches with sudo are in `ssh_sudo.rs`, with the output cap and the
//! timeout in `ssh_limits.rs`; the framing of the reply in `ssh_framing.rs`, what a batch
//! costs in round trips in `ssh_round_trips.rs`.

mod support;

use std::time::{Duration, Instant};

use rdma_phase::{RemoteCommand, Transport, TransportError};
use rdma_setup::ssh::{SshConnector, SshTransport};
use support::commands::{sh, stdout_of};
use support::serve::{session, session_behind_proxy};
use support::{host, logs, serve, sshd_available, Client, Sshd, SshdSetup};

/// A client, a loopback sshd with `sshd_config` lines added, and a session to it.
fn open(sshd_config: &str, timeout: Duration) -> (Client, Sshd, SshTransport) {
    let client = Client::new();
    let setup = SshdSetup {
        config: sshd_config,
        ..SshdSetup::default()
    };
    let (sshd, session) = session(&client, setup, timeout);
    (client, sshd, session)
}

#[test]
fn eight_sleeping_commands_run_at_once_and_come_back_in_order() {
    if !sshd_available("eight_at_once") {
        return;
    }
    let (_client, _sshd, mut session) = open("", Duration::from_secs(20));
    let commands: Vec<RemoteCommand> = (0..8).map(|i| sh(&format!("sleep 1; echo {i}"))).collect();
    let started = Instant::now();
    let results = session.run_many(&commands);
    let elapsed = started.elapsed();
    let expected: Vec<String> = (0..8).map(|i| format!("{i}\n")).collect();
    assert_eq!(stdout_of(results), expected);
    // One after another they take 8 s; at once, one second and the round trips.
    eprintln!("8 x `sleep 1` in one batch: {elapsed:?}");
    assert!(elapsed < Duration::from_millis(1700), "took {elapsed:?}");
    assert_eq!((session.round_trips(), session.commands()), (1, 8));
}

#[test]
fn more_commands_than_channels_all_run_in_order_at_most_eight_at_once() {
    if !sshd_available("twenty_commands") {
        return;
    }
    let (client, _sshd, mut session) = open("", Duration::from_secs(30));
    // Each command counts the markers of the commands running with it, itself included.
    let dir = client.path("running");
    std::fs::create_dir(&dir).expect("mkdir");
    let commands: Vec<RemoteCommand> = (0..20)
        .map(|i| {
            sh(&format!(
                "d={dir}; touch $d/$$; n=$(ls $d | wc -l); sleep 0.3; rm $d/$$; echo {i} $n",
                dir = dir.display()
            ))
        })
        .collect();
    let outputs = stdout_of(session.run_many(&commands));
    let mut most = 0;
    for (i, output) in outputs.iter().enumerate() {
        let (index, together) = output.trim().split_once(' ').expect("two words");
        assert_eq!(index, i.to_string(), "{outputs:?}");
        most = most.max(together.parse::<usize>().expect("count"));
    }
    eprintln!("20 commands, at most {most} seen running together");
    assert!((2..=8).contains(&most), "{outputs:?}");
    assert_eq!((session.round_trips(), session.commands()), (1, 20));
}

#[test]
fn a_server_allowing_fewer_channels_gets_fewer_and_every_command_runs() {
    if !sshd_available("max_sessions_2") {
        return;
    }
    let (_client, _sshd, mut session) = open("MaxSessions 2\n", Duration::from_secs(30));
    let commands: Vec<RemoteCommand> = (0..6)
        .map(|i| sh(&format!("sleep 0.2; echo {i}")))
        .collect();
    let expected: Vec<String> = (0..6).map(|i| format!("{i}\n")).collect();
    assert_eq!(stdout_of(session.run_many(&commands)), expected);
    // And again: a batch takes one channel, so any MaxSessions above 0 serves it.
    assert_eq!(stdout_of(session.run_many(&commands)), expected);
}

#[test]
fn refused_channels_fail_their_own_commands_only() {
    if !sshd_available("max_sessions_0") {
        return;
    }
    // No session channel at all: each command is refused on its own; the session lives.
    let (_client, _sshd, mut session) = open("MaxSessions 0\n", Duration::from_secs(10));
    let commands = [sh("echo a"), sh("echo b"), sh("echo c")];
    let results = session.run_many(&commands);
    assert_eq!(results.len(), 3);
    for (result, command) in results.iter().zip(&commands) {
        match result {
            Err(
                error @ TransportError::Command {
                    command: shown,
                    reason,
                    ..
                },
            ) => {
                assert_eq!(shown, &command.shell_line());
                assert!(reason.contains("refused"), "{reason}");
                assert!(!error.is_fatal_for_host());
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
}

#[test]
fn outputs_stdin_and_exit_codes_are_the_same_as_one_at_a_time() {
    if !sshd_available("batch_like_run") {
        return;
    }
    let (_client, _sshd, mut session) = open("", Duration::from_secs(30));
    let big = "x".repeat(3 * 1024 * 1024 + 17);
    let commands = vec![
        sh("echo out; echo err >&2; exit 3"),
        RemoteCommand::change(["cat"]).with_stdin("hello\nworld\n"),
        RemoteCommand::read(["cat"]),
        RemoteCommand::change(["wc", "-c"]).with_stdin(big),
        // stderr first, past a channel window: a reader draining stdout first would hang.
        sh("head -c 1048576 /dev/zero | tr '\\0' e >&2; head -c 300000 /dev/zero | tr '\\0' o"),
        sh("printf 'no newline'; exit 0"),
        RemoteCommand::read(["false"]),
    ];
    let one_at_a_time: Vec<_> = commands
        .iter()
        .map(|command| session.run(command))
        .collect();
    let batched = session.run_many(&commands);
    assert_eq!(batched.len(), commands.len());
    for (i, (single, batch)) in one_at_a_time.iter().zip(&batched).enumerate() {
        let single = single.as_ref().expect("one at a time");
        let batch = batch.as_ref().expect("batched");
        assert_eq!(single, batch, "command {i}");
    }
    let first = batched[0].as_ref().expect("first");
    assert_eq!(
        (
            first.stdout.as_str(),
            first.stderr.as_str(),
            first.exit_code
        ),
        ("out\n", "err\n", 3)
    );
    assert_eq!(batched[1].as_ref().expect("cat").stdout, "hello\nworld\n");
    assert_eq!(
        batched[3].as_ref().expect("wc").stdout.trim(),
        (3 * 1024 * 1024 + 17).to_string()
    );
    assert_eq!(batched[6].as_ref().expect("false").exit_code, 1);
    assert_eq!((session.round_trips(), session.commands()), (8, 14));
}

#[test]
fn a_batch_runs_behind_a_proxy() {
    if !sshd_available("batch_proxy") {
        return;
    }
    let client = Client::new();
    let (target, _proxy, mut session) =
        session_behind_proxy(&client, SshdSetup::default(), Duration::from_secs(20));
    let commands: Vec<RemoteCommand> = (0..4)
        .map(|i| sh(&format!("sleep 0.5; echo {i} $SSH_CONNECTION")))
        .collect();
    let started = Instant::now();
    let outputs = stdout_of(session.run_many(&commands));
    let elapsed = started.elapsed();
    for (i, output) in outputs.iter().enumerate() {
        // The target's sshd answered (its port in SSH_CONNECTION), not the proxy's.
        assert!(output.starts_with(&format!("{i} ")), "{output}");
        assert!(
            output.trim_end().ends_with(&format!(" {}", target.port)),
            "{output}"
        );
    }
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
}

#[test]
fn a_session_broken_mid_batch_fails_every_unfinished_command() {
    if !sshd_available("batch_broken") {
        return;
    }
    let (_client, _sshd, mut session) = open("", Duration::from_secs(20));
    // The parent of the session's leader is this connection's sshd process: killing it drops
    // the connection the way a rebooting host or a crashed sshd does.
    let killer = sh("sleep 0.5; read -r _ _ _ _ _ sid _ < /proc/$$/stat; \
         read -r _ _ _ sshd _ < /proc/$sid/stat; kill -9 $sshd; sleep 5");
    let commands = [sh("sleep 5; echo a"), killer, sh("sleep 5; echo b")];
    let started = Instant::now();
    let results = session.run_many(&commands);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    for (result, command) in results.iter().zip(&commands) {
        match result {
            Err(
                error @ TransportError::Broken {
                    during,
                    earlier: false,
                    ..
                },
            ) => {
                assert_eq!(during, &command.shell_line());
                assert!(error.is_fatal_for_host());
            }
            other => panic!("expected a broken session, got {other:?}"),
        }
    }
    let started = Instant::now();
    let later = session.run_many(&[sh("true"), sh("true")]);
    assert!(started.elapsed() < Duration::from_secs(1));
    for error in later {
        assert!(
            matches!(&error, Err(TransportError::Broken { during, earlier: true, .. })
                if *during == commands[0].shell_line()),
            "{error:?}"
        );
    }
    assert_eq!(
        session.round_trips(),
        1,
        "nothing is sent on a broken session"
    );
}

#[test]
fn the_round_trip_counter_is_logged_when_the_session_ends() {
    if !sshd_available("round_trip_log") {
        return;
    }
    let logs = logs::global();
    let client = Client::new();
    // A host name of its own, to find this session's lines among other tests'.
    let (_sshd, config) = serve(&client, "counted", SshdSetup::default());
    let mut session = SshConnector::new(client.options(&config))
        .open(&host("counted"))
        .expect("connect");
    session.run(&sh("echo one")).expect("run");
    for result in session.run_many(&[sh("echo two"), sh("echo three"), sh("echo four")]) {
        result.expect("run_many");
    }
    assert!(session.run_many(&[]).is_empty());
    assert_eq!((session.round_trips(), session.commands()), (2, 4));
    assert!(logs
        .lines_with("round trips=")
        .iter()
        .all(|line| !line.contains("host=counted")));
    drop(session);
    let lines: Vec<String> = logs
        .lines_with("round trips=")
        .into_iter()
        .filter(|line| line.contains("host=counted"))
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("DEBUG"), "{lines:?}");
    assert!(lines[0].contains("round trips=2 commands=4"), "{lines:?}");
}
