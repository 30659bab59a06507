//! `cargo xtask lab up | run | sh | ssh | down | list`.

use std::path::PathBuf;
use std::process::{Command, ExitCode};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use rdma_harness::lab::roster::{self, DefaultDown};
use rdma_harness::lab::state::base_dir;
use rdma_harness::lab::{Lab, LabError};

use crate::build::{cargo_build, target_dir};

mod up_args;

use up_args::UpArgs;

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
    let spec = args.spec()?;
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

fn status(cmd: &mut Command) -> Result<ExitCode> {
    let status = cmd.status().context("starting the command")?;
    Ok(ExitCode::from(
        status
            .code()
            .and_then(|code| u8::try_from(code).ok())
            .unwrap_or(1),
    ))
}
