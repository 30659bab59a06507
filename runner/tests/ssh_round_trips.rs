//! What a batch costs in round trips, through a relay that delays each direction by 50 ms:
//! a loopback sshd as far away as a slow network, so a batch's duration divided by the
//! 100 ms round trip is (about) its number of round trips. The rest is the host's own work,
//! a few ms here.
//!
//! A batch of any size is one script on one channel: two round trips (the open, then the exec
//! and its reply) without stdin, three with (sshd grants a channel no window before it
//! started the command). A channel per command cost N+1: 9.4 for a batch of 8.

mod support;

use std::time::{Duration, Instant};

use rdma_phase::{RemoteCommand, Transport};
use rdma_setup::ssh::{SshConnector, SshTransport};
use support::delay::DelayRelay;
use support::{host, sshd_available, Client, HostBlock, Sshd, SshdSetup};

const ONE_WAY: Duration = Duration::from_millis(50);

/// The median of three runs of `batch`, in round trips; each run must count as one.
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
    runs[1]
}

#[test]
fn a_batch_costs_two_round_trips_whatever_its_size() {
    if !sshd_available("batch_round_trips") {
        return;
    }
    let client = Client::new();
    let sshd = Sshd::start(&SshdSetup {
        authorized: vec![&client.key],
        ..SshdSetup::default()
    });
    let relay = DelayRelay::start(sshd.port, ONE_WAY);
    // known_hosts names the relay's port: that is where the client connects.
    std::fs::write(
        client.known_hosts(),
        format!("[127.0.0.1]:{} {}\n", relay.port, sshd.host_key),
    )
    .expect("known_hosts");
    let config = client.config(&[HostBlock {
        alias: "far",
        port: relay.port,
        extra: "",
    }]);
    let mut session = SshConnector::new(client.options(&config))
        .open(&host("far"))
        .expect("connect");
    let trues = |n: usize| -> Vec<RemoteCommand> {
        (0..n).map(|_| RemoteCommand::read(["true"])).collect()
    };
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
    println!(
        "\nround trips of {:?}: 1 command {alone:.1}, batches of 2 {two:.1}, of 8 {eight:.1}, \
         of 20 {twenty:.1}, of 8 with stdin {eight_with_stdin:.1}",
        ONE_WAY * 2
    );
    for (what, measured) in [("1", alone), ("2", two), ("8", eight), ("20", twenty)] {
        assert!(
            (1.9..3.0).contains(&measured),
            "a batch of {what} took {measured:.1} round trips"
        );
    }
    assert!(
        (2.9..4.0).contains(&eight_with_stdin),
        "a batch of 8 with stdin took {eight_with_stdin:.1} round trips"
    );
}
