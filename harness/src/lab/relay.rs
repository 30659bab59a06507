//! A TCP relay that delays every chunk by a fixed time in each direction.
//!
//! Stands in for `tc qdisc ... netem delay`, which not every kernel has (this CI's has not):
//! the relay listens on the host's management address in front of sshd, so every SSH round
//! trip to that host pays twice the delay, whatever the kernel.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// Serve forever. Prints `relay listening` once accepting, which the lab waits for.
pub fn serve(listen: &str, target: &str, delay: Duration) -> std::io::Result<()> {
    let listener = TcpListener::bind(listen)?;
    println!("relay listening on {listen} -> {target}, delay {delay:?}");
    for client in listener.incoming() {
        let client = client?;
        let target = target.to_owned();
        thread::spawn(move || {
            if let Ok(server) = TcpStream::connect(&target) {
                let _ = client.set_nodelay(true);
                let _ = server.set_nodelay(true);
                pipe(&client, &server, delay);
                pipe(&server, &client, delay);
            }
        });
    }
    Ok(())
}

/// Copy `from` to `to`, each chunk held back until `delay` after it arrived.
fn pipe(from: &TcpStream, to: &TcpStream, delay: Duration) {
    let (Ok(mut reader), Ok(mut writer)) = (from.try_clone(), to.try_clone()) else {
        return;
    };
    let (sender, receiver) = mpsc::channel::<(Instant, Vec<u8>)>();
    thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match reader.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if sender
                        .send((Instant::now() + delay, buf[..n].to_vec()))
                        .is_err()
                    {
                        break;
                    }
                }
            }
        }
        // Dropping the sender tells the writer the stream ended.
    });
    thread::spawn(move || {
        for (due, chunk) in receiver {
            let now = Instant::now();
            if due > now {
                thread::sleep(due - now);
            }
            if writer.write_all(&chunk).is_err() {
                break;
            }
        }
        let _ = writer.shutdown(Shutdown::Write);
    });
}
