//! `cargo xtask lab up | run | sh | ssh | down | list`.

use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use rdma_harness::lab::roster::{self, DefaultDown};
use rdma_harness::lab::state::base_dir;
use rdma_harness::lab::{scenario, Fault, HostKeyFault, Lab, LabError, LabSpec};

use crate::workspace_root;

#[derive(Args)]
pub struct LabArgs {
    #[command(subcommand)]
    command: LabCommand,
}

#[derive(Subcommand)]
enum LabCommand {
    /// Build a lab and leave it running; prints its ssh config.
    // Boxed: its many fault lists make it far larger than the other commands.
    Up(Box<UpArgs>),
    /// Run rdma-setup in the lab's controller namespace with --ssh-config added.
    Run {
        #[arg(long)]
        lab: Option<String>,
        /// Arguments for rdma-setup (after `--`).
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// Run `cargo xtask record` in the lab's controller namespace with --ssh-config added.
    Record {
        #[arg(long)]
        lab: Option<String>,
        /// Arguments for `cargo xtask record` (after `--`).
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// Run a shell command inside a simulated Mac (its namespaces, the macOS shims first).
    Sh {
        #[arg(long)]
        lab: Option<String>,
        host: String,
        #[arg(last = true, required = true)]
        command: Vec<String>,
    },
    /// Run a command on a simulated Mac through OpenSSH from the controller namespace.
    Ssh {
        #[arg(long)]
        lab: Option<String>,
        host: String,
        #[arg(last = true, required = true)]
        command: Vec<String>,
    },
    /// Remove a lab; safe to run twice. Without --lab, the one lab you started, if that is
    /// clear (else it lists the labs and exits 2).
    Down {
        /// The lab to remove (`cargo xtask lab list` shows them).
        #[arg(long, conflicts_with = "all")]
        lab: Option<String>,
        /// Remove every lab on this machine.
        #[arg(long)]
        all: bool,
    },
    /// List the labs on this machine.
    List,
}

#[derive(Args)]
struct UpArgs {
    /// two-node, three-node or four-node.
    #[arg(long, default_value = "two-node")]
    scenario: String,
    /// HOST:PORT[:BRIDGE] starts as a member of BRIDGE (default bridge0).
    #[arg(long, value_name = "HOST:PORT[:BRIDGE]")]
    bridged: Vec<String>,
    /// HOST has RDMA disabled.
    #[arg(long, value_name = "HOST")]
    rdma_disabled: Vec<String>,
    /// HOST:PASSWORD: sudo on HOST asks for PASSWORD.
    #[arg(long, value_name = "HOST:PASSWORD")]
    sudo_password: Vec<String>,
    /// HOST:PORT has its cable unplugged.
    #[arg(long, value_name = "HOST:PORT")]
    unplugged: Vec<String>,
    /// HOST:JUMP: HOST's sshd is reachable only from JUMP.
    #[arg(long, value_name = "HOST:JUMP")]
    behind: Vec<String>,
    /// HOST:MS: every SSH packet to and from HOST waits MS milliseconds.
    #[arg(long, value_name = "HOST:MS")]
    delay: Vec<String>,
    /// HOST runs no sshd.
    #[arg(long, value_name = "HOST")]
    sshd_down: Vec<String>,
    /// HOST is powered off: nothing answers on its management address.
    #[arg(long, value_name = "HOST")]
    host_down: Vec<String>,
    /// HOST is missing from the controller's known_hosts.
    #[arg(long, value_name = "HOST")]
    unknown_host_key: Vec<String>,
    /// HOST has a wrong key in the controller's known_hosts.
    #[arg(long, value_name = "HOST")]
    changed_host_key: Vec<String>,
    /// HOST's `rdma_ctl status` prints without end.
    #[arg(long, value_name = "HOST")]
    flood: Vec<String>,
    /// HOST's `rdma_ctl status` never answers (sleeps 10 minutes).
    #[arg(long, value_name = "HOST")]
    hang: Vec<String>,
}

pub fn run(args: LabArgs) -> Result<ExitCode> {
    match args.command {
        LabCommand::Up(up_args) => up(*up_args),
        LabCommand::Run { lab, args } => run_tool(lab, &args),
        LabCommand::Record { lab, args } => record(lab, &args),
        LabCommand::Sh { lab, host, command } => {
            let lab = attach(lab)?;
            let mut cmd = lab.host_command(&host, "sh")?;
            cmd.arg("-c").arg(command.join(" "));
            status(cmd.stdin(std::process::Stdio::inherit()))
        }
        LabCommand::Ssh { lab, host, command } => {
            let lab = attach(lab)?;
            let mut cmd = lab.controller_command("ssh");
            cmd.arg("-F").arg(lab.ssh_config_path());
            cmd.args(["-o", "BatchMode=yes", &host]).args(command);
            status(cmd.stdin(std::process::Stdio::inherit()))
        }
        LabCommand::Down { lab, all } => down(lab, all),
        LabCommand::List => {
            let current = current_lab();
            for name in Lab::list() {
                let mark = if current.as_deref() == Some(name.as_str()) {
                    " (current)"
                } else {
                    ""
                };
                println!("{name}{mark}\t{}", base_dir().join(&name).display());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn up(args: UpArgs) -> Result<ExitCode> {
    let mut spec = scenario::scenario(&args.scenario)?;
    add_faults(&mut spec, &args)?;
    cargo_build(&["-p", "rdma-harness", "--bin", "mac-shim"])?;
    std::env::set_var("RDMA_LAB_SHIM", target_dir().join("debug").join("mac-shim"));
    let lab = Lab::up(spec).context("building the lab")?;
    let state = lab.keep()?;
    std::fs::write(current_file(), &state.name).context("recording the current lab")?;
    let config = state.dir.join("ssh_config");
    println!("lab {} is up ({} hosts)", state.name, state.hosts.len());
    for host in &state.hosts {
        let ports: Vec<String> = host
            .ports
            .iter()
            .map(|p| format!("{}->{}:{}", p.name, p.peer_host, p.peer_port))
            .collect();
        let via = host
            .jump
            .as_deref()
            .map(|jump| format!(" (behind {jump})"))
            .unwrap_or_default();
        println!("  {} {}{via}  {}", host.name, host.ssh_ip, ports.join(" "));
    }
    println!("ssh config: {}", config.display());
    println!("controller namespace: {}", state.controller_ns);
    println!(
        "try: cargo xtask lab ssh {} -- ifconfig -a",
        state.hosts.first().map_or("HOST", |h| h.name.as_str())
    );
    println!(
        "     cargo xtask lab run -- --node ... ; cargo xtask lab down --lab {}",
        state.name
    );
    Ok(ExitCode::SUCCESS)
}

fn add_faults(spec: &mut LabSpec, args: &UpArgs) -> Result<()> {
    let pair = |text: &str, what: &str| -> Result<(String, String)> {
        text.split_once(':')
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .with_context(|| format!("'{text}' is not {what}"))
    };
    for item in &args.bridged {
        let (host, rest) = pair(item, "HOST:PORT[:BRIDGE]")?;
        let (port, bridge) = rest
            .split_once(':')
            .map_or((rest.clone(), "bridge0".to_owned()), |(p, b)| {
                (p.to_owned(), b.to_owned())
            });
        spec.faults.push(Fault::Bridged { host, port, bridge });
    }
    for host in &args.rdma_disabled {
        spec.faults.push(Fault::RdmaDisabled { host: host.clone() });
    }
    for item in &args.sudo_password {
        let (host, password) = pair(item, "HOST:PASSWORD")?;
        spec.faults.push(Fault::SudoPassword { host, password });
    }
    for item in &args.unplugged {
        let (host, port) = pair(item, "HOST:PORT")?;
        spec.faults.push(Fault::Unplugged { host, port });
    }
    for item in &args.behind {
        let (host, jump) = pair(item, "HOST:JUMP")?;
        spec.faults.push(Fault::BehindJump { host, jump });
    }
    for item in &args.delay {
        let (host, ms) = pair(item, "HOST:MS")?;
        let ms: u64 = ms
            .parse()
            .with_context(|| format!("'{ms}' is not milliseconds"))?;
        spec.faults.push(Fault::Delay {
            host,
            delay: Duration::from_millis(ms),
        });
    }
    for host in &args.sshd_down {
        spec.faults.push(Fault::SshdDown { host: host.clone() });
    }
    for host in &args.host_down {
        spec.faults.push(Fault::HostDown { host: host.clone() });
    }
    for host in &args.unknown_host_key {
        spec.faults.push(Fault::HostKey {
            host: host.clone(),
            kind: HostKeyFault::Unknown,
        });
    }
    for host in &args.changed_host_key {
        spec.faults.push(Fault::HostKey {
            host: host.clone(),
            kind: HostKeyFault::Changed,
        });
    }
    for host in &args.flood {
        spec.faults.push(Fault::Flood { host: host.clone() });
    }
    for host in &args.hang {
        spec.faults.push(Fault::Hang { host: host.clone() });
    }
    Ok(())
}

fn run_tool(lab: Option<String>, args: &[String]) -> Result<ExitCode> {
    let lab = attach(lab)?;
    cargo_build(&["-p", "rdma-setup", "--bin", "rdma-setup"])?;
    let binary = target_dir().join("debug").join("rdma-setup");
    let mut cmd = lab.controller_command(&binary);
    cmd.arg("--ssh-config")
        .arg(lab.ssh_config_path())
        .args(args);
    status(cmd.stdin(std::process::Stdio::inherit()))
}

/// The recorder is this very program: run it again, inside the controller namespace.
fn record(lab: Option<String>, args: &[String]) -> Result<ExitCode> {
    let lab = attach(lab)?;
    let xtask = std::env::current_exe().context("finding the xtask binary")?;
    let mut cmd = lab.controller_command(&xtask);
    cmd.arg("record")
        .arg("--ssh-config")
        .arg(lab.ssh_config_path())
        .args(args);
    status(cmd.stdin(std::process::Stdio::inherit()))
}

fn down(lab: Option<String>, all: bool) -> Result<ExitCode> {
    if all {
        for name in Lab::list() {
            remove(&name)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(name) = lab {
        return match Lab::exists(&name) {
            Ok(true) => remove(&name),
            Ok(false) => {
                println!("no lab {name} to remove");
                Ok(ExitCode::SUCCESS)
            }
            Err(err @ LabError::NotALabName(_)) => {
                eprintln!("xtask: {err}");
                Ok(ExitCode::from(2))
            }
            Err(err) => Err(err.into()),
        };
    }
    // Without a name, only a lab that is clearly this user's: the "current" lab may be
    // another shell's, and tests on this machine have labs of their own.
    let labs = roster::labs();
    match roster::default_down(&labs, &roster::whoami()) {
        DefaultDown::NoLab => {
            println!("no lab to remove");
            Ok(ExitCode::SUCCESS)
        }
        DefaultDown::Remove(name) => remove(&name),
        DefaultDown::Refuse(why) => {
            eprintln!("xtask: not removing a lab without --lab: {why}. Running labs:");
            eprint!("{}", roster::table(&labs));
            eprintln!("Name the lab to remove: cargo xtask lab down --lab NAME");
            Ok(ExitCode::from(2))
        }
    }
}

fn remove(name: &str) -> Result<ExitCode> {
    Lab::down_by_name(name).with_context(|| format!("removing lab {name}"))?;
    println!("lab {name} removed");
    let current = std::fs::read_to_string(current_file()).unwrap_or_default();
    if current.trim() == name {
        let _ = std::fs::remove_file(current_file());
    }
    Ok(ExitCode::SUCCESS)
}

fn attach(lab: Option<String>) -> Result<Lab> {
    let Some(name) = lab.or_else(current_lab) else {
        bail!("no lab is running: start one with `cargo xtask lab up`");
    };
    Lab::attach(&name).with_context(|| format!("lab {name} (is it up? `cargo xtask lab list`)"))
}

fn current_file() -> PathBuf {
    base_dir().join("current")
}

fn current_lab() -> Option<String> {
    let name = std::fs::read_to_string(current_file()).ok()?;
    let name = name.trim().to_owned();
    base_dir().join(&name).exists().then_some(name)
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace_root().join("target"), PathBuf::from)
}

fn cargo_build(args: &[&str]) -> Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let ok = Command::new(cargo)
        .arg("build")
        .arg("--quiet")
        .args(args)
        .current_dir(workspace_root())
        .status()
        .context("running cargo build")?
        .success();
    if !ok {
        bail!("cargo build {} failed", args.join(" "));
    }
    Ok(())
}

fn status(cmd: &mut Command) -> Result<ExitCode> {
    let status = cmd.status().context("starting the command")?;
    Ok(ExitCode::from(
        status
            .code()
            .and_then(|code| u8::try_from(code).ok())
            .unwrap_or(1),
    ))
}
