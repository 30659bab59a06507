//! Running commands over a real loopback sshd: output, exit codes, stdin, large output on
//! both streams, and the timeouts.

mod support;

use std::net::TcpListener;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rdma_phase::{RemoteCommand, Transport, TransportError};
use rdma_setup::ssh::SshConnector;
use support::serve::session;
use support::{host, serve, sshd_available, Client, HostBlock, Sshd, SshdSetup};

fn setup() -> (Client, Sshd, SshConnector) {
    let client = Client::new();
    let (sshd, config) = serve(&client, "studio", SshdSetup::default());
    let connector = SshConnector::new(client.options(&config));
    (client, sshd, connector)
}

#[test]
fn runs_a_command_and_returns_output_and_exit_code() {
    if !sshd_available("runs_a_command") {
        return;
    }
    let (_client, _sshd, connector) = setup();
    let mut session = connector.connect(&host("studio")).expect("connect");
    assert_eq!(session.host(), "studio");
    let command = RemoteCommand::read(["sh", "-c", "echo out; echo err >&2; exit 3"]);
    assert_eq!(
        session.describe(&command),
        "ssh studio sh -c 'echo out; echo err >&2; exit 3'"
    );
    let output = session.run(&command).expect("run");
    assert_eq!(output.stdout, "out\n");
    assert_eq!(output.stderr, "err\n");
    assert_eq!(output.exit_code, 3);

    // The same session serves the next commands.
    for i in 0..5 {
        let output = session
            .run(&RemoteCommand::read(["echo", &format!("again {i}")]))
            .expect("run again");
        assert_eq!(output.stdout, format!("again {i}\n"));
        assert!(output.success());
    }
}

#[test]
fn delivers_stdin_then_eof() {
    if !sshd_available("delivers_stdin") {
        return;
    }
    let (_client, _sshd, connector) = setup();
    let mut session = connector.connect(&host("studio")).expect("connect");
    let output = session
        .run(&RemoteCommand::change(["cat"]).with_stdin("hello\nworld\n"))
        .expect("run");
    assert_eq!(output.stdout, "hello\nworld\n");

    // Larger than a channel window, so writing and reading must interleave.
    let big = "x".repeat(3 * 1024 * 1024 + 17);
    let output = session
        .run(&RemoteCommand::change(["wc", "-c"]).with_stdin(big.clone()))
        .expect("run wc");
    assert_eq!(output.stdout.trim(), big.len().to_string());

    // No stdin: the command sees EOF at once instead of hanging.
    let output = session.run(&RemoteCommand::read(["cat"])).expect("run cat");
    assert_eq!(output.stdout, "");
}

#[test]
fn megabytes_on_stderr_and_stdout_do_not_deadlock() {
    if !sshd_available("no_deadlock") {
        return;
    }
    let (_client, _sshd, connector) = setup();
    let mut session = connector.connect(&host("studio")).expect("connect");
    // stderr first: a reader that drains stdout to EOF first would hang here.
    let script = "head -c 1048576 /dev/zero | tr '\\0' e >&2; \
                  head -c 1048576 /dev/zero | tr '\\0' o; \
                  head -c 65536 /dev/zero | tr '\\0' E >&2";
    let started = Instant::now();
    let output = session
        .run(&RemoteCommand::read(["sh", "-c", script]))
        .expect("run");
    assert_eq!(output.stdout.len(), 1_048_576);
    assert!(output.stdout.bytes().all(|b| b == b'o'));
    assert_eq!(output.stderr.len(), 1_048_576 + 65_536);
    assert!(started.elapsed() < Duration::from_secs(15));
}

#[test]
fn a_hung_command_costs_at_most_the_command_timeout() {
    if !sshd_available("command_timeout") {
        return;
    }
    let client = Client::new();
    let (_sshd, mut session) = session(&client, SshdSetup::default(), Duration::from_secs(2));

    let started = Instant::now();
    let error = session
        .run(&RemoteCommand::read(["sleep", "30"]))
        .expect_err("must time out");
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
    match &error {
        TransportError::Command {
            host,
            command,
            reason,
            hint,
        } => {
            assert_eq!(host, "studio");
            assert_eq!(command, "sleep 30");
            assert!(reason.contains("2 s"), "{reason}");
            assert!(hint.contains("--command-timeout"), "{hint}");
        }
        other => panic!("expected a command error, got {other:?}"),
    }
    assert!(!error.is_fatal_for_host());

    // The session survives the abandoned command.
    let output = session
        .run(&RemoteCommand::read(["echo", "still here"]))
        .expect("session still usable");
    assert_eq!(output.stdout, "still here\n");
}

#[test]
fn connecting_to_a_closed_port_fails_fast_and_clearly() {
    if !sshd_available("closed_port") {
        return;
    }
    let client = Client::new();
    let config = client.config(&[HostBlock {
        alias: "nobody-home",
        port: support::free_port(),
        extra: "",
    }]);
    let connector = SshConnector::new(client.options(&config));
    let started = Instant::now();
    let error = connector
        .connect(&host("nobody-home"))
        .err()
        .expect("must fail");
    assert!(started.elapsed() < Duration::from_secs(3));
    let TransportError::Connect { host, reason, hint } = &error else {
        panic!("expected a connect error, got {error:?}");
    };
    assert_eq!(host, "nobody-home");
    assert!(reason.contains("127.0.0.1"), "{reason}");
    assert!(hint.contains("ssh nobody-home true"), "{hint}");
    assert!(error.is_fatal_for_host());
}

#[test]
fn a_silent_server_costs_at_most_the_connect_timeout() {
    if !sshd_available("silent_server") {
        return;
    }
    // Accepts TCP (the kernel completes the handshake) but never speaks SSH.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let client = Client::new();
    let config = client.config(&[HostBlock {
        alias: "mute",
        port,
        extra: "",
    }]);
    let mut options = client.options(&config);
    options.connect_timeout = Duration::from_secs(1);
    let connector = SshConnector::new(options);
    let started = Instant::now();
    let error = connector.connect(&host("mute")).err().expect("must fail");
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(4), "took {elapsed:?}");
    let TransportError::Connect { reason, .. } = &error else {
        panic!("expected a connect error, got {error:?}");
    };
    assert!(reason.contains("handshake"), "{reason}");
    drop(listener);
}

#[test]
fn one_session_runs_many_commands_without_idle_waits() {
    if !sshd_available("many_commands") {
        return;
    }
    let (_client, _sshd, connector) = setup();
    let mut session = connector.connect(&host("studio")).expect("connect");
    // The remote prints its clock when the command starts; what follows until `run`
    // returns is our share (exit, EOF, close): a loop that sleeps instead of waking on data
    // shows up here, whatever the remote shell's own start-up costs.
    let mut tails = Vec::new();
    for _ in 0..20 {
        let output = session
            .run(&RemoteCommand::read(["date", "+%s%3N"]))
            .expect("run");
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .as_millis();
        let remote: u128 = output.stdout.trim().parse().expect("milliseconds");
        tails.push(now.saturating_sub(remote));
    }
    tails.sort_unstable();
    let median = tails[tails.len() / 2];
    eprintln!("command end to result: median {median} ms, all {tails:?}");
    assert!(median < 40, "median {median} ms: {tails:?}");
}

#[test]
fn a_broken_session_says_during_which_command_and_fails_fast_afterwards() {
    if !sshd_available("lost_connection") {
        return;
    }
    let (_client, _sshd, connector) = setup();
    let mut session = connector.connect(&host("studio")).expect("connect");
    // The parent of the session's leader is this connection's sshd process: killing it drops
    // the connection the way a rebooting host or a crashed sshd does.
    let killer = RemoteCommand::read([
        "sh",
        "-c",
        "read -r _ _ _ _ _ sid _ < /proc/$$/stat; read -r _ _ _ sshd _ < /proc/$sid/stat; \
         kill -9 $sshd; sleep 5",
    ]);
    let during = killer.shell_line();
    let error = session.run(&killer).expect_err("the session broke");
    let TransportError::Broken {
        host,
        during: broke_during,
        earlier: false,
        hint,
        ..
    } = &error
    else {
        panic!("expected a broken session, got {error:?}");
    };
    assert_eq!(host, "studio");
    assert_eq!(broke_during, &during);
    assert!(hint.contains("ssh studio true"), "{hint}");
    assert!(
        error
            .to_string()
            .starts_with(&format!("SSH session to studio broke during `{during}`: ")),
        "{error}"
    );
    assert!(error.is_fatal_for_host());

    let started = Instant::now();
    let error = session
        .run(&RemoteCommand::read(["true"]))
        .expect_err("the session is gone");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(
        matches!(&error, TransportError::Broken { during: d, earlier: true, .. } if *d == during),
        "{error:?}"
    );
    assert!(
        error
            .detail()
            .starts_with(&format!("SSH session broke earlier, during `{during}`: ")),
        "{error}"
    );
    assert!(error.is_fatal_for_host());
}
