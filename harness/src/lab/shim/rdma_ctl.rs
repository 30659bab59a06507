//! `rdma_ctl`: the NVRAM flag is a file the lab (and only the lab) writes.

use super::{HostContext, Reply};
use crate::macos::rdma_ctl;

pub fn run(context: &HostContext, args: &[String]) -> Reply {
    match args.first().map(String::as_str) {
        Some("status") => Reply::out(rdma_ctl::status(context.rdma_enabled(&context.host.name))),
        Some("enable" | "disable") => {
            let (stderr, code) = rdma_ctl::needs_recovery();
            Reply::err(stderr, code)
        }
        _ => Reply::err("usage: rdma_ctl enable | disable | status\n", 64),
    }
}
