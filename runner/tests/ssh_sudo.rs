//! Privileged commands over a real loopback sshd, with a `sudo` test double first on the
//! session's PATH that behaves like macOS sudo over a non-interactive channel
//! (`support::sudo`): one at a time, then in batches (`run_many`).

mod support;

use rdma_phase::{RemoteCommand, Transport, TransportError};
use rdma_setup::ssh::{SshConnector, SUDO_PASSWORD_ENV};
use support::commands::stdout_of;
use support::sudo::{env_lock, Rig, PASSWORD};
use support::{host, proxied, sshd_available, HostBlock};

fn privileged(word: &str) -> RemoteCommand {
    RemoteCommand::privileged(["echo", word])
}

fn run_ok(session: &mut Box<dyn Transport>, command: &RemoteCommand) -> String {
    let output = session.run(command).expect("run");
    assert!(output.success(), "{output:?}");
    output.stdout
}

#[test]
fn no_sudo_at_all_without_privileged_commands() {
    if !sshd_available("no_sudo_for_reads") {
        return;
    }
    let _env = env_lock(None);
    let rig = Rig::new(false);
    let (connector, prompt) = rig.connector(None);
    let mut session = connector.connect(&host("studio")).expect("connect");
    run_ok(&mut session, &RemoteCommand::read(["echo", "read"]));
    run_ok(&mut session, &RemoteCommand::change(["true"]));
    assert!(rig.sudo_log().is_empty(), "{:?}", rig.sudo_log());
    assert!(prompt.asked().is_empty());
}

#[test]
fn passwordless_sudo_is_found_by_the_first_command_and_used_with_n() {
    if !sshd_available("nopasswd_sudo") {
        return;
    }
    let _env = env_lock(None);
    let rig = Rig::new(true);
    let (connector, prompt) = rig.connector(None);
    let mut session = connector.connect(&host("studio")).expect("connect");
    assert_eq!(run_ok(&mut session, &privileged("one")), "one\n");
    assert_eq!(run_ok(&mut session, &privileged("two")), "two\n");
    // No probe of its own: the first command's `sudo -n` is it.
    assert_eq!(rig.sudo_log(), ["-n echo one", "-n echo two"]);
    assert!(prompt.asked().is_empty());
}

#[test]
fn password_from_the_environment_goes_through_stdin_only() {
    if !sshd_available("sudo_password_env") {
        return;
    }
    let _env = env_lock(Some(PASSWORD));
    let rig = Rig::new(false);
    let (connector, prompt) = rig.connector(None);
    let mut session = connector.connect(&host("studio")).expect("connect");
    assert_eq!(run_ok(&mut session, &privileged("one")), "one\n");
    assert_eq!(run_ok(&mut session, &privileged("two")), "two\n");
    assert_eq!(
        rig.sudo_log(),
        ["-n echo one", "-S -p  echo one", "-S -p  echo two"]
    );
    assert!(
        prompt.asked().is_empty(),
        "the environment wins over a prompt"
    );
    assert!(!rig.sshd.log().contains(PASSWORD));
    // The canonical form shown to users never carries the sudo options or the password.
    assert_eq!(
        session.describe(&privileged("one")),
        "ssh studio sudo echo one"
    );
}

#[test]
fn password_is_asked_once_per_host_on_the_terminal() {
    if !sshd_available("sudo_password_prompt") {
        return;
    }
    let _env = env_lock(None);
    let rig = Rig::new(false);
    let (connector, prompt) = rig.connector(Some(PASSWORD));
    let mut session = connector.connect(&host("studio")).expect("connect");
    for word in ["a", "b", "c"] {
        assert_eq!(run_ok(&mut session, &privileged(word)), format!("{word}\n"));
    }
    assert_eq!(prompt.asked(), ["[sudo] password for root@studio: "]);
}

#[test]
fn a_wrong_password_fails_once_and_is_not_retried() {
    if !sshd_available("sudo_wrong_password") {
        return;
    }
    let _env = env_lock(None);
    let rig = Rig::new(false);
    let (connector, prompt) = rig.connector(Some("not the password"));
    let mut session = connector.connect(&host("studio")).expect("connect");
    let error = session.run(&privileged("one")).expect_err("wrong password");
    let TransportError::Sudo { host, reason, hint } = &error else {
        panic!("expected a sudo error, got {error:?}");
    };
    assert_eq!(host, "studio");
    assert!(reason.contains("rejected the password"), "{reason}");
    assert!(hint.contains("will not retry"), "{hint}");
    assert!(!format!("{error:?}").contains("not the password"));
    let tries = rig.sudo_log().len();
    assert_eq!(
        tries,
        2,
        "sudo -n, then one try with the password: {:?}",
        rig.sudo_log()
    );

    // Later privileged commands fail the same way without running sudo again; reads work.
    let again = session.run(&privileged("two")).expect_err("still refused");
    assert_eq!(again, error);
    assert_eq!(rig.sudo_log().len(), tries);
    assert_eq!(prompt.asked().len(), 1);
    run_ok(&mut session, &RemoteCommand::read(["true"]));
}

#[test]
fn no_password_and_no_terminal_is_a_clear_sudo_error() {
    if !sshd_available("sudo_no_terminal") {
        return;
    }
    let _env = env_lock(None);
    let rig = Rig::new(false);
    let (connector, _prompt) = rig.connector(None);
    let mut session = connector.connect(&host("studio")).expect("connect");
    let error = session.run(&privileged("one")).expect_err("no password");
    let TransportError::Sudo { reason, hint, .. } = &error else {
        panic!("expected a sudo error, got {error:?}");
    };
    assert!(reason.contains("no terminal"), "{reason}");
    assert!(hint.contains(SUDO_PASSWORD_ENV), "{hint}");
    assert!(hint.contains("NOPASSWD"), "{hint}");
    assert_eq!(rig.sudo_log(), ["-n echo one"]);
}

#[test]
fn sudo_password_reaches_a_target_behind_a_proxy() {
    if !sshd_available("sudo_through_proxy") {
        return;
    }
    let _env = env_lock(Some(PASSWORD));
    let rig = Rig::new(false);
    let proxy = support::proxy_host_for(&rig.client, &rig.sshd, "studio2");
    let config = rig.client.config(&[HostBlock {
        alias: "proxybox",
        port: proxy.port,
        extra: "",
    }]);
    let connector = SshConnector::new(rig.client.options(&config));
    let mut session = connector
        .connect(&proxied("proxybox", "studio2"))
        .expect("connect");
    assert_eq!(run_ok(&mut session, &privileged("behind")), "behind\n");
    assert_eq!(rig.sudo_log(), ["-n echo behind", "-S -p  echo behind"]);
}

#[test]
fn privileged_commands_in_a_batch_ask_the_password_once_and_try_it_once() {
    if !sshd_available("batch_sudo_password") {
        return;
    }
    let _env = env_lock(None);
    let rig = Rig::new(false);
    let (connector, prompt) = rig.connector(Some(PASSWORD));
    let mut session = connector.open(&host("studio")).expect("connect");
    let privileged = |word: &str| RemoteCommand::privileged(["echo", word]);
    let commands = [
        privileged("a"),
        RemoteCommand::read(["echo", "plain"]),
        privileged("b"),
        privileged("c"),
    ];
    let outputs = stdout_of(session.run_many(&commands));
    assert_eq!(outputs, ["a\n", "plain\n", "b\n", "c\n"]);
    assert_eq!(prompt.asked(), ["[sudo] password for root@studio: "]);
    let mut log = rig.sudo_log();
    // Every privileged command went first with `sudo -n` (the probe), beside the plain one;
    // the password then went with one command, and once sudo took it, with the others.
    log[..3].sort();
    assert_eq!(log[..3], ["-n echo a", "-n echo b", "-n echo c"]);
    assert_eq!(log[3], "-S -p  echo a");
    log[4..].sort();
    assert_eq!(log[4..], ["-S -p  echo b", "-S -p  echo c"]);
    assert_eq!((session.round_trips(), session.commands()), (3, 4));

    // Known now: a batch of privileged commands is one round trip.
    let outputs = stdout_of(session.run_many(&[privileged("d"), privileged("e")]));
    assert_eq!(outputs, ["d\n", "e\n"]);
    assert_eq!(session.round_trips(), 4);
    assert_eq!(prompt.asked().len(), 1);
}

#[test]
fn a_wrong_password_in_a_batch_is_tried_once_and_fails_every_privileged_command() {
    if !sshd_available("batch_sudo_wrong") {
        return;
    }
    let _env = env_lock(Some("not the password"));
    let rig = Rig::new(false);
    let (connector, prompt) = rig.connector(None);
    let mut session = connector.open(&host("studio")).expect("connect");
    let commands = [
        RemoteCommand::privileged(["echo", "a"]),
        RemoteCommand::privileged(["echo", "b"]),
        RemoteCommand::read(["echo", "plain"]),
    ];
    let results = session.run_many(&commands);
    let error = match &results[0] {
        Err(error @ TransportError::Sudo { reason, .. }) => {
            assert!(reason.contains("rejected the password"), "{reason}");
            error.clone()
        }
        other => panic!("expected a sudo error, got {other:?}"),
    };
    assert_eq!(results[1].as_ref().expect_err("b fails too"), &error);
    assert_eq!(results[2].as_ref().expect("plain").stdout, "plain\n");
    let mut log = rig.sudo_log();
    log[..2].sort();
    assert_eq!(log, ["-n echo a", "-n echo b", "-S -p  echo a"]);
    assert!(prompt.asked().is_empty());
    assert!(!format!("{results:?}").contains("not the password"));
}

#[test]
fn passwordless_sudo_in_a_batch_is_one_round() {
    if !sshd_available("batch_sudo_nopasswd") {
        return;
    }
    let _env = env_lock(None);
    let rig = Rig::new(true);
    let (connector, prompt) = rig.connector(None);
    let mut session = connector.open(&host("studio")).expect("connect");
    let commands = [
        RemoteCommand::privileged(["echo", "a"]),
        RemoteCommand::privileged(["echo", "b"]),
    ];
    assert_eq!(stdout_of(session.run_many(&commands)), ["a\n", "b\n"]);
    let mut log = rig.sudo_log();
    log.sort();
    assert_eq!(log, ["-n echo a", "-n echo b"]);
    assert!(prompt.asked().is_empty());
    assert_eq!(
        session.round_trips(),
        1,
        "sudo -n is the probe: no round of its own"
    );
}

/// The password goes on the batch's stdin, never into an argv on the Mac (the exec line,
/// which carries a command's public stdin, is one): each command lists the argv of every
/// process while the other runs, and the fake sudo checks the password it read.
#[test]
fn a_sudo_password_in_a_batch_never_reaches_an_argv() {
    if !sshd_available("batch_sudo_not_argv") {
        return;
    }
    let _env = env_lock(Some(PASSWORD));
    let rig = Rig::new(false);
    let (connector, _prompt) = rig.connector(None);
    let mut session = connector.open(&host("studio")).expect("connect");
    // Confirmed first, so that both commands below go with it in one batch.
    assert_eq!(
        stdout_of(session.run_many(&[privileged("first")])),
        ["first\n"]
    );
    let look = "sleep 0.3; for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline; echo; done";
    let commands = [
        RemoteCommand::privileged(["sh", "-c", look]),
        RemoteCommand::privileged(["sh", "-c", look]).with_stdin("ignored: privileged"),
        RemoteCommand::read(["sh", "-c", look]),
    ];
    let rounds = session.round_trips();
    let argvs = stdout_of(session.run_many(&commands)).concat();
    assert_eq!(session.round_trips(), rounds + 1, "one batch");
    assert!(
        argvs.contains("rdma-setup-batch"),
        "the batch script was not seen: {argvs}"
    );
    assert!(argvs.contains("sudo -S -p"), "{argvs}");
    assert!(!argvs.contains(PASSWORD), "the password is in an argv");
}

/// Stages in one request while sudo asks nothing; when the first `sudo -n` finds that a
/// password is needed, the later stage waits for the password's round and then goes by
/// itself. A stage that failed keeps the later ones from running at all.
#[test]
fn stages_wait_for_the_password_and_a_failure_stops_them() {
    if !sshd_available("stages_sudo") {
        return;
    }
    let _env = env_lock(Some(PASSWORD));
    let rig = Rig::new(false);
    let (connector, _prompt) = rig.connector(None);
    let mut session = connector.open(&host("studio")).expect("connect");
    let first = [privileged("a"), RemoteCommand::read(["echo", "plain"])];
    let then = [RemoteCommand::read(["echo", "after"])];
    let staged = session.run_stages(&[&first, &then]);
    let outputs: Vec<Vec<String>> = staged
        .results
        .into_iter()
        .map(|stage| {
            let results = stage
                .into_iter()
                .map(|result| result.expect("ran"))
                .collect();
            stdout_of(results)
        })
        .collect();
    assert_eq!(outputs, [vec!["a\n", "plain\n"], vec!["after\n"]]);
    // The probe with the stages, `a` again with the password, then the later stage.
    assert_eq!(staged.requests, 3);
    assert_eq!(rig.sudo_log(), ["-n echo a", "-S -p  echo a"]);

    // Known now: one request. And a failure in the first stage stops the second.
    let staged = session.run_stages(&[&first, &then]);
    assert_eq!(staged.requests, 1);
    assert!(staged.results.iter().flatten().all(Option::is_some));
    let failing = [RemoteCommand::read(["false"]), privileged("b")];
    let staged = session.run_stages(&[&failing, &then]);
    assert_eq!(staged.requests, 1);
    assert!(staged.results[0].iter().all(Option::is_some));
    assert!(staged.results[1].iter().all(Option::is_none));
}
