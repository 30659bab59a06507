//! Where a connection's round trips go, over a real loopback sshd.
//!
//! The tests count what sshd saw (its debug log: one `userauth-request` line per request):
//! the right key offered first, no `none` request when a key is accepted.
//!
//! `measure_handshake_round_trips` (ignored: it measures, it does not judge) connects through
//! a relay that delays each direction by 25 ms, so every step's duration in the debug log,
//! divided by the 50 ms round trip, is its number of round trips;
//! `measure_command_round_trips` does the same for commands, one at a time and batched:
//! `cargo test -p rdma-setup --test ssh_handshake -- --ignored --nocapture`.

mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rdma_phase::{RemoteCommand, Transport};
use rdma_setup::ssh::SshConnector;
use support::agent::Agent;
use support::delay::{far_session, serve_far};
use support::{host, logs, sshd_available, Client, HostBlock, Key, Sshd, SshdSetup};

const ONE_WAY: Duration = Duration::from_millis(25);

/// How a client finds its key.
enum Keys {
    /// The identity file only (no agent).
    File,
    /// An agent holding two other keys before the right one, and the right key's file
    /// named by IdentityFile.
    AgentAndFile,
    /// An agent holding another key before the right one; no usable identity file.
    AgentOnly,
}

/// A `took=…` duration as tracing prints a `Duration` (`51.2ms`, `850µs`, `1.02s`).
fn parse_took(text: &str) -> Option<Duration> {
    let (number, unit) = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map(|at| text.split_at(at))?;
    let value: f64 = number.parse().ok()?;
    let seconds = match unit {
        "s" => value,
        "ms" => value / 1e3,
        "µs" => value / 1e6,
        "ns" => value / 1e9,
        _ => return None,
    };
    Some(Duration::from_secs_f64(seconds))
}

/// Connect once through the relay; the debug lines that carry a duration, as
/// (round trips, line).
fn connect_once(connector: &SshConnector, alias: &str) -> (Duration, Vec<(f64, String)>) {
    let logs = logs::global();
    let mark = logs.mark();
    let started = Instant::now();
    let session = connector.open(&host(alias)).expect("connect");
    let total = started.elapsed();
    drop(session);
    let round_trip = (ONE_WAY * 2).as_secs_f64();
    let steps = logs
        .since(mark)
        .lines()
        .filter_map(|line| {
            let took = line
                .split_whitespace()
                .find_map(|word| word.strip_prefix("took="))
                .and_then(parse_took)?;
            let text = line.split_once(" DEBUG ").map_or(line, |(_, rest)| rest);
            Some((took.as_secs_f64() / round_trip, text.to_owned()))
        })
        .collect();
    (total, steps)
}

#[test]
#[ignore = "a measurement: run with --ignored --nocapture"]
fn measure_handshake_round_trips() {
    if !sshd_available("measure_handshake") {
        return;
    }
    let _ = logs::global();
    for keys in [Keys::File, Keys::AgentAndFile, Keys::AgentOnly] {
        let client = Client::new();
        let (_sshd, relay) = serve_far(&client, SshdSetup::default(), ONE_WAY);
        let decoys: Vec<Key> = (1..=2)
            .map(|i| Key::generate(client.dir.path(), &format!("decoy{i}"), ""))
            .collect();
        let (name, agent, extra) = match keys {
            Keys::File => ("identity file, no agent", None, String::new()),
            Keys::AgentAndFile => {
                let agent = Agent::start(client.dir.path(), &[&decoys[0], &decoys[1], &client.key]);
                let extra = format!("  IdentityAgent {}\n", agent.socket.display());
                (
                    "agent [decoy, decoy, right] + IdentityFile right",
                    Some(agent),
                    extra,
                )
            }
            Keys::AgentOnly => {
                let agent = Agent::start(client.dir.path(), &[&decoys[0], &client.key]);
                let extra = format!(
                    "  IdentityAgent {}\n  IdentityFile /nonexistent/key\n",
                    agent.socket.display()
                );
                ("agent [decoy, right], no identity file", Some(agent), extra)
            }
        };
        let config = client.config(&[HostBlock {
            alias: "far",
            port: relay.port,
            extra: &extra,
        }]);
        if matches!(keys, Keys::AgentOnly) {
            // `Host *`'s IdentityFile names our key too: hide it (and its .pub) from the client.
            let hidden: PathBuf = client.path("hidden");
            std::fs::create_dir(&hidden).expect("mkdir");
            for file in [client.key.private.clone(), client.path("id_test.pub")] {
                let name = file.file_name().expect("file name").to_owned();
                std::fs::rename(&file, hidden.join(name)).expect("hide key");
            }
        }
        let connector = SshConnector::new(client.options(&config));
        // Once to warm up (sshd's first fork, the key files' page cache), then measured.
        let _ = connect_once(&connector, "far");
        let (total, steps) = connect_once(&connector, "far");
        let round_trip = ONE_WAY * 2;
        println!(
            "\n{name}: connected in {total:.0?} = {:.1} round trips of {round_trip:?}",
            total.as_secs_f64() / round_trip.as_secs_f64()
        );
        for (round_trips, line) in steps {
            println!("  {round_trips:>5.1} RT  {line}");
        }
        drop(agent);
    }
}

/// sshd's `userauth-request` lines for `method` (at LogLevel DEBUG1).
fn requests(sshd: &Sshd, method: &str) -> usize {
    let needle = format!("service ssh-connection method {method}");
    sshd.log()
        .lines()
        .filter(|line| line.contains("userauth-request") && line.contains(&needle))
        .count()
}

#[test]
fn the_named_key_goes_first_and_no_none_request_is_sent() {
    if !sshd_available("named_key_first") {
        return;
    }
    let client = Client::new();
    let sshd = Sshd::start(&SshdSetup {
        authorized: vec![&client.key],
        config: "LogLevel DEBUG1\n",
        ..SshdSetup::default()
    });
    client.trust(&sshd);
    let decoys: Vec<Key> = (1..=2)
        .map(|i| Key::generate(client.dir.path(), &format!("decoy{i}"), ""))
        .collect();
    // The agent offers both decoys before the right key; the config names the right one.
    let agent = Agent::start(client.dir.path(), &[&decoys[0], &decoys[1], &client.key]);
    let with_agent = format!("  IdentityAgent {}\n", agent.socket.display());
    for (extra, what) in [("", "identity file"), (with_agent.as_str(), "agent")] {
        let config = client.config(&[HostBlock {
            alias: "studio",
            port: sshd.port,
            extra,
        }]);
        let before = (requests(&sshd, "publickey"), requests(&sshd, "none"));
        let session = SshConnector::new(client.options(&config))
            .open(&host("studio"))
            .expect("connect");
        drop(session);
        let after = (requests(&sshd, "publickey"), requests(&sshd, "none"));
        // One key: asked about, then signed. Nothing else.
        assert_eq!(after.0 - before.0, 2, "{what}:\n{}", sshd.log());
        assert_eq!(after.1, before.1, "{what}: a `none` request was sent");
    }
    assert!(!sshd.log().contains("Failed publickey"), "{}", sshd.log());
}

#[test]
#[ignore = "a measurement: run with --ignored --nocapture"]
fn measure_command_round_trips() {
    if !sshd_available("measure_commands") {
        return;
    }
    let client = Client::new();
    let (_sshd, _relay, mut session) = far_session(&client, SshdSetup::default(), ONE_WAY);
    let round_trip = (ONE_WAY * 2).as_secs_f64();
    let commands: Vec<RemoteCommand> = (0..8).map(|_| RemoteCommand::read(["true"])).collect();
    // The first command pays for sshd's first session; measure after it.
    session.run(&commands[0]).expect("warm up");
    let started = Instant::now();
    for command in &commands {
        session.run(command).expect("run");
    }
    let one_by_one = started.elapsed().as_secs_f64() / round_trip;
    let started = Instant::now();
    for result in session.run_many(&commands) {
        result.expect("run_many");
    }
    let batched = started.elapsed().as_secs_f64() / round_trip;
    println!(
        "\n8 x `true`: one at a time {one_by_one:.1} round trips, batched {batched:.1} \
         (round trip {:?})",
        ONE_WAY * 2
    );
}
