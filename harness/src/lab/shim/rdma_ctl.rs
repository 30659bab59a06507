//! `rdma_ctl`: the NVRAM flag is a file the lab (and only the lab) writes.

use std::io::Write;
use std::time::Duration;

use super::{HostContext, Reply};
use crate::lab::spec::Misbehaviour;
use crate::macos::rdma_ctl;

/// How long a hanging `rdma_ctl status` sleeps: far past any `--command-timeout` a test
/// uses, and short enough that one the transport failed to end does not outlive the lab
/// for long (teardown stops it anyway).
const HANG: Duration = Duration::from_secs(600);

pub fn run(context: &HostContext, args: &[String]) -> Reply {
    match args.first().map(String::as_str) {
        Some("status") => match context.rdma_ctl_fault() {
            Some(Misbehaviour::Flood) => flood(context),
            Some(Misbehaviour::Hang) => hang(context),
            None => Reply::out(rdma_ctl::status(context.rdma_enabled(&context.host.name))),
        },
        Some("enable" | "disable") => {
            let (stderr, code) = rdma_ctl::needs_recovery();
            Reply::err(stderr, code)
        }
        _ => Reply::err("usage: rdma_ctl enable | disable | status\n", 64),
    }
}

/// The status line, again and again, until nobody reads (the write fails: Rust ignores
/// SIGPIPE) or a signal ends the process.
fn flood(context: &HostContext) -> Reply {
    let line = rdma_ctl::status(context.rdma_enabled(&context.host.name));
    let chunk = line.repeat(64 * 1024 / line.len());
    let mut stdout = std::io::stdout().lock();
    while stdout.write_all(chunk.as_bytes()).is_ok() {}
    Reply::err("", 141)
}

/// Record this process for the tests watching it, then never answer.
pub(super) fn hang(context: &HostContext) -> Reply {
    let path = context.paths.hung_pids(&context.host.name);
    if let Ok(mut file) = std::fs::File::options()
        .create(true)
        .append(true)
        .open(&path)
    {
        let _ = writeln!(file, "{}", std::process::id());
    }
    std::thread::sleep(HANG);
    Reply::out(rdma_ctl::status(context.rdma_enabled(&context.host.name)))
}
