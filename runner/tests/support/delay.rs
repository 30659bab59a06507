//! A TCP relay on loopback that holds every chunk for a fixed time in each direction, so a
//! loopback sshd answers as if it were far away: a step's duration divided by the round
//! trip time is how many round trips it costs.
//!
//! Threads only (no process): one accepting, two per connection and direction (a reader
//! stamping chunks, a writer releasing them on time). They end when their sockets close;
//! the accepting one lives as long as the test binary.

use std::fs;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use rdma_setup::ssh::{SshConnector, SshTransport};

use super::{host, Client, HostBlock, Sshd, SshdSetup};

pub struct DelayRelay {
    pub port: u16,
}

impl DelayRelay {
    /// Relay connections to `127.0.0.1:target`, each byte delivered `one_way` after it
    /// arrived (so a round trip takes twice that).
    pub fn start(target: u16, one_way: Duration) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind relay");
        let port = listener.local_addr().expect("relay addr").port();
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = TcpStream::connect(("127.0.0.1", target)) else {
                    continue;
                };
                for stream in [&client, &server] {
                    let _ = stream.set_nodelay(true);
                }
                let (Ok(client_out), Ok(server_out)) = (client.try_clone(), server.try_clone())
                else {
                    continue;
                };
                thread::spawn(move || pipe(client, server_out, one_way));
                thread::spawn(move || pipe(server, client_out, one_way));
            }
        });
        Self { port }
    }

    /// A relay to `sshd` (as [`Self::start`]), with `client`'s known_hosts naming the
    /// relay's port: that is where the client connects.
    pub fn trusted(client: &Client, sshd: &Sshd, one_way: Duration) -> Self {
        let relay = Self::start(sshd.port, one_way);
        fs::write(
            client.known_hosts(),
            format!("[127.0.0.1]:{} {}\n", relay.port, sshd.host_key),
        )
        .expect("known_hosts");
        relay
    }
}

/// An sshd started with `setup` that also lets `client`'s key in, and a relay to it
/// ([`DelayRelay::trusted`]): the sshd and the relay.
pub fn serve_far<'a>(
    client: &'a Client,
    mut setup: SshdSetup<'a>,
    one_way: Duration,
) -> (Sshd, DelayRelay) {
    setup.authorized.push(&client.key);
    let sshd = Sshd::start(&setup);
    let relay = DelayRelay::trusted(client, &sshd, one_way);
    (sshd, relay)
}

/// [`serve_far`], named `far` in the client's config, and a session to it through the
/// relay: the sshd, the relay and the session.
pub fn far_session<'a>(
    client: &'a Client,
    setup: SshdSetup<'a>,
    one_way: Duration,
) -> (Sshd, DelayRelay, SshTransport) {
    let (sshd, relay) = serve_far(client, setup, one_way);
    let config = client.config(&[HostBlock {
        alias: "far",
        port: relay.port,
        extra: "",
    }]);
    let session = SshConnector::new(client.options(&config))
        .open(&host("far"))
        .expect("connect");
    (sshd, relay, session)
}

/// Copy `from` to `to`, each chunk `delay` late, then pass the end on.
fn pipe(mut from: TcpStream, mut to: TcpStream, delay: Duration) {
    let (chunks, due) = mpsc::channel::<(Instant, Vec<u8>)>();
    let writer = thread::spawn(move || {
        for (at, chunk) in due {
            thread::sleep(at.saturating_duration_since(Instant::now()));
            if chunk.is_empty() || to.write_all(&chunk).is_err() {
                break;
            }
        }
        let _ = to.shutdown(Shutdown::Write);
    });
    let mut buf = vec![0_u8; 64 * 1024];
    loop {
        let n = from.read(&mut buf).unwrap_or(0);
        // An empty chunk is the end, delivered in order after the data.
        if chunks
            .send((Instant::now() + delay, buf[..n].to_vec()))
            .is_err()
            || n == 0
        {
            break;
        }
    }
    let _ = writer.join();
}
