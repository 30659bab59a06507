//! The macOS commands of a simulated Mac, as one multi-call program (`mac-shim`).
//!
//! Installed in the lab's `bin/` with a symlink per command, first on the PATH of every SSH
//! session. Each command reads and changes the real kernel state of the host's namespace
//! through `ip -j` and prints what macOS would. Privilege is the `RDMA_LAB_ROOT=1` marker
//! that only the `sudo` shim sets: sessions log in as root, so the shims refuse changes
//! without it to make a missing `sudo` fail as it would on a Mac.

mod context;
mod ibv;
mod ifconfig;
mod ifconfig_address;
pub mod kernel;
mod netstat;
mod networksetup;
mod ping;
mod rdma_ctl;
mod routes;
mod sudo;
mod sw_vers;
mod system_profiler;
mod uname;

use std::io::Write;

pub use context::HostContext;

/// The environment variable the sudo shim sets for the command it runs.
pub const ROOT_MARKER: &str = "RDMA_LAB_ROOT";

/// What a shim prints and how it exits.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Reply {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Reply {
    pub fn out(stdout: impl Into<String>) -> Self {
        Self {
            stdout: stdout.into(),
            ..Self::default()
        }
    }

    pub fn err(stderr: impl Into<String>, code: i32) -> Self {
        Self {
            stderr: stderr.into(),
            code,
            ..Self::default()
        }
    }
}

/// Entry point of the `mac-shim` binary; returns the exit code.
pub fn main() -> i32 {
    let args: Vec<String> = std::env::args().collect();
    let invoked = args
        .first()
        .map(|arg0| arg0.rsplit('/').next().unwrap_or(arg0).to_owned())
        .unwrap_or_default();
    let rest = args.get(1..).unwrap_or_default();
    let reply = if invoked == super::locate::SHIM_NAME {
        match rest.split_first() {
            Some((sub, args)) if sub == "lab-relay" => relay(args),
            Some((command, args)) => dispatch(command, args),
            None => Reply::err(
                "usage: mac-shim lab-relay LISTEN TARGET DELAY_MS | mac-shim COMMAND ARGS...\n",
                64,
            ),
        }
    } else {
        dispatch(&invoked, rest)
    };
    print(&reply)
}

fn print(reply: &Reply) -> i32 {
    let _ = std::io::stdout().write_all(reply.stdout.as_bytes());
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().write_all(reply.stderr.as_bytes());
    reply.code
}

fn dispatch(command: &str, args: &[String]) -> Reply {
    let context = match HostContext::load() {
        Ok(context) => context,
        Err(reason) => return Reply::err(format!("mac-shim: {reason}\n"), 70),
    };
    context.log(command, args);
    match command {
        "ifconfig" => ifconfig::run(&context, args),
        "rdma_ctl" => rdma_ctl::run(&context, args),
        "ibv_devices" => ibv::devices(&context),
        "ibv_devinfo" => ibv::devinfo(&context, args),
        "ping" => ping::run(args),
        "sw_vers" => sw_vers::run(args),
        "uname" => uname::run(&context, args),
        "networksetup" => networksetup::run(&context, args),
        "system_profiler" => system_profiler::run(&context, args),
        "netstat" => netstat::run(args),
        // Only returns when it could not exec the command.
        "sudo" => sudo::run(&context, args),
        other => Reply::err(format!("mac-shim: unknown command {other}\n"), 127),
    }
}

fn relay(args: &[String]) -> Reply {
    let [listen, target, delay] = args else {
        return Reply::err("usage: mac-shim lab-relay LISTEN TARGET DELAY_MS\n", 64);
    };
    let Ok(delay) = delay.parse::<u64>() else {
        return Reply::err(format!("lab-relay: bad delay '{delay}'\n"), 64);
    };
    match super::relay::serve(listen, target, std::time::Duration::from_millis(delay)) {
        Ok(()) => Reply::default(),
        Err(err) => Reply::err(format!("lab-relay: {err}\n"), 1),
    }
}
