//! The session against a scripted host: what is sent, what is answered from memory.

use rdma_phase::{CommandOutput, RemoteCommand, Transport};
use rdma_replay::{Entry, ReplayTransport};

use super::Session;

fn host(entries: &[(&str, &str)]) -> Session {
    let entries = entries
        .iter()
        .map(|(command, stdout)| Entry::ran(*command, None, CommandOutput::new(*stdout, "", 0)))
        .collect();
    Session::new(Box::new(ReplayTransport::new(
        "mac",
        "the test's script",
        entries,
    )))
}

fn lines(session: &mut Session) -> Vec<String> {
    session
        .take_sent()
        .into_iter()
        .map(|sent| sent.line)
        .collect()
}

fn read(argv: &[&str]) -> RemoteCommand {
    RemoteCommand::read(argv.iter().copied())
}

#[test]
fn a_read_is_sent_once_until_something_changes() {
    let mut session = host(&[
        ("ifconfig -a", "before"),
        ("sudo ifconfig en5 10.254.0.5 netmask 255.255.255.252", ""),
        ("ifconfig -a", "after"),
    ]);
    let all = read(&["ifconfig", "-a"]);
    assert_eq!(session.run(&all).map(|out| out.stdout), Ok("before".into()));
    assert_eq!(session.run(&all).map(|out| out.stdout), Ok("before".into()));
    let set = RemoteCommand::privileged([
        "ifconfig",
        "en5",
        "10.254.0.5",
        "netmask",
        "255.255.255.252",
    ]);
    assert!(session.run(&set).is_ok());
    assert_eq!(session.run(&all).map(|out| out.stdout), Ok("after".into()));
    assert_eq!(lines(&mut session).len(), 3);
    assert_eq!((session.round_trips, session.commands), (3, 3));
}

#[test]
fn volatile_reads_are_always_sent() {
    let mut session = host(&[("ping -c 1 10.254.0.6", "1"), ("ping -c 1 10.254.0.6", "2")]);
    let ping = read(&["ping", "-c", "1", "10.254.0.6"]).volatile();
    assert_eq!(session.run(&ping).map(|out| out.stdout), Ok("1".into()));
    assert_eq!(session.run(&ping).map(|out| out.stdout), Ok("2".into()));
}

#[test]
fn declared_reads_go_out_together_once_each() {
    let mut session = host(&[("ifconfig -a", "all"), ("rdma_ctl status", "enabled")]);
    let reads = [
        read(&["ifconfig", "-a"]),
        read(&["rdma_ctl", "status"]),
        read(&["ifconfig", "-a"]),
    ];
    session.prefetch(&reads);
    assert_eq!((session.round_trips, session.commands), (1, 2));
    assert_eq!(
        session.run(&reads[1]).map(|out| out.stdout),
        Ok("enabled".into())
    );
    assert_eq!(
        session.run(&reads[0]).map(|out| out.stdout),
        Ok("all".into())
    );
    assert_eq!(session.round_trips, 1, "answered from the batch");
}

#[test]
fn a_change_sent_in_a_batch_is_answered_once_not_sent_again() {
    let mut session = host(&[
        ("ifconfig -a", "before"),
        ("touch /tmp/x", ""),
        ("touch /tmp/x", "again"),
    ]);
    session.prefetch(&[read(&["ifconfig", "-a"])]);
    let touch = RemoteCommand::change(["touch", "/tmp/x"]);
    session.send_changes(std::slice::from_ref(&touch));
    assert_eq!(session.run(&touch).map(|out| out.stdout), Ok(String::new()));
    // Given out once: asking again sends it.
    assert_eq!(
        session.run(&touch).map(|out| out.stdout),
        Ok("again".into())
    );
    assert_eq!(session.round_trips, 3);
}

#[test]
fn run_many_mixes_remembered_and_fresh_answers_in_order() {
    let mut session = host(&[
        ("ifconfig -a", "all"),
        ("ibv_devices", "devices"),
        ("ping -c 1 a", "pong"),
    ]);
    session.prefetch(&[read(&["ifconfig", "-a"])]);
    let results = session.run_many(&[
        read(&["ibv_devices"]),
        read(&["ifconfig", "-a"]),
        read(&["ping", "-c", "1", "a"]).volatile(),
    ]);
    let stdouts: Vec<String> = results
        .into_iter()
        .map(|r| r.map(|o| o.stdout).unwrap_or_default())
        .collect();
    assert_eq!(stdouts, ["devices", "all", "pong"]);
    assert_eq!((session.round_trips, session.commands), (2, 3));
}

/// `ifconfig -a` (network), `ibv_devices` (RDMA) and an address change (network).
fn network_reads_and_a_change() -> (RemoteCommand, RemoteCommand, RemoteCommand) {
    use rdma_phase::command::topic;
    let set = RemoteCommand::privileged([
        "ifconfig",
        "en5",
        "10.254.0.5",
        "netmask",
        "255.255.255.252",
    ])
    .about(topic::NETWORK);
    (
        read(&["ifconfig", "-a"]).about(topic::NETWORK),
        read(&["ibv_devices"]).about(topic::RDMA),
        set,
    )
}

#[test]
fn a_change_forgets_only_what_it_is_about() {
    let mut session = host(&[
        ("ifconfig -a", "before"),
        ("ibv_devices", "devices"),
        ("sudo ifconfig en5 10.254.0.5 netmask 255.255.255.252", ""),
        ("ifconfig -a", "after"),
    ]);
    let (all, devices, set) = network_reads_and_a_change();
    session.prefetch(&[all.clone(), devices.clone()]);
    session.send_changes(std::slice::from_ref(&set));
    session.prefetch(&[all.clone(), devices.clone()]);
    assert_eq!(session.run(&all).map(|out| out.stdout), Ok("after".into()));
    assert_eq!(
        session.run(&devices).map(|out| out.stdout),
        Ok("devices".into())
    );
    assert_eq!(
        (session.round_trips, session.commands),
        (3, 4),
        "ibv_devices was read once"
    );
}

#[test]
fn changes_then_only_the_reads_they_made_wrong_in_stages() {
    let mut session = host(&[
        ("ifconfig -a", "before"),
        ("ibv_devices", "devices"),
        ("sudo ifconfig en5 10.254.0.5 netmask 255.255.255.252", ""),
        ("release", "released"),
        ("ifconfig -a", "after"),
    ]);
    let (all, devices, set) = network_reads_and_a_change();
    session.prefetch(&[all.clone(), devices.clone()]);
    let first = [read(&["release"])];
    let answers = session.send_changes_then_reads(
        None,
        std::slice::from_ref(&set),
        &first,
        &[all.clone(), devices.clone()],
    );
    assert_eq!(answers.first, [Ok(CommandOutput::new("released", "", 0))]);
    assert_eq!(
        lines(&mut session)[2..],
        [
            "ssh mac sudo ifconfig en5 10.254.0.5 netmask 255.255.255.252",
            "ssh mac release",
            "ssh mac ifconfig -a",
        ]
    );
    // Remembered, and the change given out once: nothing more is sent.
    assert_eq!(session.run(&all).map(|out| out.stdout), Ok("after".into()));
    assert_eq!(
        session.run(&devices).map(|out| out.stdout),
        Ok("devices".into())
    );
    assert!(session.run(&set).is_ok());
    assert!(lines(&mut session).is_empty());
}

#[test]
fn after_a_failed_change_the_reads_go_by_themselves() {
    let mut session = Session::new(Box::new(ReplayTransport::new(
        "mac",
        "the test's script",
        vec![
            Entry::ran("touch /x", None, CommandOutput::new("", "denied", 1)),
            Entry::ran("ls /", None, CommandOutput::new("x", "", 0)),
        ],
    )));
    let touch = RemoteCommand::change(["touch", "/x"]);
    let answers = session.send_changes_then_reads(
        None,
        std::slice::from_ref(&touch),
        &[],
        &[read(&["ls", "/"])],
    );
    assert!(answers.first.is_empty());
    assert_eq!(session.round_trips, 2);
    assert_eq!(
        session.run(&read(&["ls", "/"])).map(|out| out.stdout),
        Ok("x".into())
    );
    assert_eq!(lines(&mut session), ["ssh mac touch /x", "ssh mac ls /"]);
}

#[test]
fn a_refused_take_keeps_the_changes_and_the_reads_from_going() {
    let session_with = |answer: CommandOutput| {
        Session::new(Box::new(ReplayTransport::new(
            "mac",
            "the test's script",
            vec![
                Entry::ran("take", None, answer),
                Entry::ran("touch /x", None, CommandOutput::new("", "", 0)),
                Entry::ran("release", None, CommandOutput::new("released", "", 0)),
                Entry::ran("ls /", None, CommandOutput::new("x", "", 0)),
            ],
        )))
    };
    let (take, touch) = (read(&["take"]), RemoteCommand::change(["touch", "/x"]));
    let (release, ls) = (read(&["release"]), read(&["ls", "/"]));
    let mut refused = session_with(CommandOutput::new("held", "", 75));
    let sent = refused.send_changes_then_reads(
        Some(&take),
        std::slice::from_ref(&touch),
        std::slice::from_ref(&release),
        std::slice::from_ref(&ls),
    );
    assert_eq!(
        sent.before.map(|answer| answer.map(|out| out.exit_code)),
        Some(Ok(75))
    );
    assert!(sent.first.is_empty());
    assert_eq!(lines(&mut refused), ["ssh mac take"]);

    let mut taken = session_with(CommandOutput::new("acquired", "", 0));
    let sent = taken.send_changes_then_reads(
        Some(&take),
        std::slice::from_ref(&touch),
        std::slice::from_ref(&release),
        std::slice::from_ref(&ls),
    );
    assert_eq!(sent.first, [Ok(CommandOutput::new("released", "", 0))]);
    assert_eq!(
        lines(&mut taken),
        [
            "ssh mac take",
            "ssh mac touch /x",
            "ssh mac release",
            "ssh mac ls /"
        ]
    );
}

#[test]
fn a_rider_goes_with_the_next_request_and_is_answered_once() {
    let mut session = host(&[
        ("ping -c 1 10.254.0.6", "cable"),
        ("ping -c 1 192.0.2.11", "rank 0"),
        ("ping -c 1 192.0.2.11", "alone"),
    ]);
    let rank0 = read(&["ping", "-c", "1", "192.0.2.11"]).volatile();
    session.ride_along(rank0.clone());
    let cable = read(&["ping", "-c", "1", "10.254.0.6"]).volatile();
    assert_eq!(
        session.run(&cable).map(|out| out.stdout),
        Ok("cable".into())
    );
    assert_eq!(session.round_trips, 1);
    assert_eq!(
        session.ridden(&rank0).map(|out| out.stdout),
        Ok("rank 0".into())
    );
    // Answered once: asked again with no request to ride on, it goes by itself.
    session.ride_along(rank0.clone());
    assert_eq!(
        session.ridden(&rank0).map(|out| out.stdout),
        Ok("alone".into())
    );
    assert_eq!((session.round_trips, session.commands), (2, 3));
}
