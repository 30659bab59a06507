//! What a batch costs in round trips, through a relay that delays each direction by 50 ms:
//! a loopback sshd as far away as a slow network, so a batch's duration divided by the
//! 100 ms round trip is (about) its number of round trips. The rest is the host's own work,
//! a few ms here.
//!
//! A batch of any size is one script on one channel, the spare channel opened while the
//! previous round ran: one round trip (the exec and its reply), stdin included when it is a
//! command's own and small (it travels in the exec line); two when it goes on the channel (a
//! sudo password, or over 16 KiB: sshd grants a channel no window before it started the
//! command). Without the spare, the open
//! cost one more each round; a channel per command cost N+1: 9.4 for a batch of 8. A server
//! that allows two channels refuses the spare now and then (it frees the last round's
//! channel a moment after our close): that round opens its own, two round trips as before.
//!
//! Time is only a proxy for round trips, and a busy machine adds to it, never takes away: so
//! each figure is the fastest of three runs, and the tests take turns rather than share the
//! two cores.

mod support;

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use rdma_phase::{RemoteCommand, Transport};
use rdma_setup::ssh::SshTransport;
use support::delay::{far_session, DelayRelay};
use support::{sshd_available, Client, Sshd, SshdSetup};

const ONE_WAY: Duration = Duration::from_millis(50);

/// One measuring test at a time: three sshds and relays at once make each other slow.
static SERIAL: Mutex<()> = Mutex::new(());

fn take_turn() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The fastest of three runs of `batch`, in round trips; each run must count as one.
fn round_trips(session: &mut SshTransport, batch: &[RemoteCommand]) -> f64 {
    let mut runs: Vec<f64> = (0..3)
        .map(|_| {
            let before = session.round_trips();
            let started = Instant::now();
            for result in session.run_many(batch) {
                let output = result.expect("command result");
                assert!(output.success(), "{output:?}");
            }
            assert_eq!(session.round_trips(), before + 1);
            started.elapsed().as_secs_f64() / (ONE_WAY * 2).as_secs_f64()
        })
        .collect();
    runs.sort_by(f64::total_cmp);
    runs[0]
}

/// A session to a loopback sshd (`config` first in its sshd_config) behind the relay.
fn far(config: &str) -> (Client, Sshd, DelayRelay, SshTransport) {
    let client = Client::new();
    let setup = SshdSetup {
        config,
        ..SshdSetup::default()
    };
    let (sshd, relay, session) = far_session(&client, setup, ONE_WAY);
    (client, sshd, relay, session)
}

fn trues(n: usize) -> Vec<RemoteCommand> {
    (0..n).map(|_| RemoteCommand::read(["true"])).collect()
}

#[test]
fn a_batch_costs_one_round_trip_whatever_its_size() {
    if !sshd_available("batch_round_trips") {
        return;
    }
    let _turn = take_turn();
    let (_client, _sshd, _relay, mut session) = far("");
    // The first command pays for sshd's first session; measure after it.
    session.run(&trues(1)[0]).expect("warm up");

    let alone = round_trips(&mut session, &trues(1));
    let two = round_trips(&mut session, &trues(2));
    let eight = round_trips(&mut session, &trues(8));
    let twenty = round_trips(&mut session, &trues(20));
    let with_stdin: Vec<RemoteCommand> = (0..8)
        .map(|i| RemoteCommand::read(["cat"]).with_stdin(format!("input {i}\n")))
        .collect();
    let eight_with_stdin = round_trips(&mut session, &with_stdin);
    let one_with_stdin = round_trips(&mut session, &with_stdin[..1]);
    let big_stdin: Vec<RemoteCommand> = (0..2)
        .map(|_| RemoteCommand::read(["wc", "-c"]).with_stdin("x".repeat(20_000)))
        .collect();
    let two_with_big_stdin = round_trips(&mut session, &big_stdin);
    println!(
        "\nround trips of {:?}: 1 command {alone:.1}, batches of 2 {two:.1}, of 8 {eight:.1}, \
         of 20 {twenty:.1}, of 8 with stdin {eight_with_stdin:.1}, 1 with stdin \
         {one_with_stdin:.1}, 2 with 20 kB of stdin {two_with_big_stdin:.1}",
        ONE_WAY * 2
    );
    // The scripts of 8 and 20 commands take the host some ms of its own; without the
    // spare's open running ahead, each would take at least two round trips.
    for (what, measured, most) in [
        ("1", alone, 1.6),
        ("2", two, 1.6),
        ("8", eight, 2.0),
        ("20", twenty, 2.0),
        ("8 with stdin", eight_with_stdin, 2.0),
        ("1 with stdin", one_with_stdin, 2.0),
    ] {
        assert!(
            (0.9..most).contains(&measured),
            "a batch of {what} took {measured:.1} round trips"
        );
    }
    assert!(
        (1.9..2.9).contains(&two_with_big_stdin),
        "a batch of 2 with 20 kB of stdin each took {two_with_big_stdin:.1} round trips"
    );
}

#[test]
fn the_second_round_rides_the_spare_opened_during_the_first() {
    if !sshd_available("spare_round_trips") {
        return;
    }
    let _turn = take_turn();
    let (_client, _sshd, _relay, mut session) = far("");
    // Right after the connection the spare's open is in flight: the first round waits for it
    // (at most the open's round trip more), the second finds the one opened meanwhile.
    let started = Instant::now();
    session.run(&trues(1)[0]).expect("first round");
    let first = started.elapsed().as_secs_f64() / (ONE_WAY * 2).as_secs_f64();
    let started = Instant::now();
    let second = session.run_many(&trues(3));
    let second_took = started.elapsed().as_secs_f64() / (ONE_WAY * 2).as_secs_f64();
    assert!(second.iter().all(Result::is_ok), "{second:?}");
    assert_eq!(session.round_trips(), 2);
    println!("\nfirst round {first:.1} round trips, second {second_took:.1}");
    assert!(
        (0.9..2.9).contains(&first),
        "the first round took {first:.1}"
    );
    assert!(
        (0.9..1.6).contains(&second_took),
        "the second round took {second_took:.1} round trips"
    );
}

#[test]
fn a_server_refusing_the_spare_costs_the_open_as_before() {
    if !sshd_available("spare_refused") {
        return;
    }
    // Two channels: the spare, asked for while a round's channel is open and the last one's
    // not yet freed, is refused; the round after opens its own and the session is none the
    // worse.
    let _turn = take_turn();
    let (_client, _sshd, _relay, mut session) = far("MaxSessions 2\n");
    session.run(&trues(1)[0]).expect("warm up");
    let alone = round_trips(&mut session, &trues(1));
    let eight = round_trips(&mut session, &trues(8));
    println!("\ntwo channels at a time: 1 command {alone:.1}, a batch of 8 {eight:.1}");
    for (what, measured) in [("1", alone), ("8", eight)] {
        assert!(
            (0.9..3.0).contains(&measured),
            "a batch of {what} took {measured:.1} round trips"
        );
    }
}

/// Changes and the reads that verify them go as two stages of one script: one round trip.
#[test]
fn two_stages_cost_one_round_trip() {
    if !sshd_available("staged_round_trips") {
        return;
    }
    let _turn = take_turn();
    let (_client, _sshd, _relay, mut session) = far("");
    session.run(&trues(1)[0]).expect("warm up");
    let (changes, reads) = (trues(3), trues(4));
    let fastest = (0..3)
        .map(|_| {
            let started = Instant::now();
            let staged = session.run_stages(&[&changes, &reads]);
            assert_eq!(staged.requests, 1);
            assert!(staged.results.iter().flatten().all(Option::is_some));
            started.elapsed().as_secs_f64() / (ONE_WAY * 2).as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min);
    println!("\nround trips of two stages: {fastest:.1}");
    assert!(
        (0.9..2.0).contains(&fastest),
        "two stages took {fastest:.1} round trips"
    );
}
