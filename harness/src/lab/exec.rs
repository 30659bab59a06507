//! Running commands in a lab: in the controller namespace (the user's laptop), over OpenSSH
//! from there, and straight inside a simulated Mac.

use std::ffi::OsStr;
use std::process::{Command, Output, Stdio};

use super::instance::Lab;
use super::state::LabState;
use super::{process, ssh, sys, LabError};

impl Lab {
    /// A command that runs in the controller namespace (the user's laptop). The caller's
    /// ssh-agent is not passed in: the lab's key must be the only one on offer.
    pub fn controller_command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut command = Command::new("ip");
        command.args(["netns", "exec", &self.state.controller_ns]);
        command.arg(program);
        command.env_remove("SSH_AUTH_SOCK").stdin(Stdio::null());
        command
    }

    /// Run argv in the controller namespace and collect its output.
    pub fn run_in_controller(&self, argv: &[&str]) -> Result<Output, LabError> {
        let (program, args) = argv
            .split_first()
            .ok_or_else(|| LabError::Spec("empty controller command".into()))?;
        let mut command = self.controller_command(program);
        command.args(args);
        sys::output(&mut command)
    }

    /// OpenSSH from the controller to a lab host, non-interactive.
    pub fn ssh(&self, host: &str, remote_command: &str) -> Result<Output, LabError> {
        let config = self.ssh_config_path();
        let mut command = self.controller_command("ssh");
        command.arg("-F").arg(config);
        command.args([
            "-o",
            "BatchMode=yes",
            "-o",
            "ConnectTimeout=5",
            host,
            remote_command,
        ]);
        sys::output(&mut command)
    }

    /// A command inside a simulated Mac (its network, mount and UTS namespaces), with the
    /// macOS shims first on PATH, as in an SSH session there.
    pub fn host_command(
        &self,
        host: &str,
        program: impl AsRef<OsStr>,
    ) -> Result<Command, LabError> {
        let state = self.state.host(host)?;
        let keeper = state.keeper_pid.ok_or_else(|| LabError::State {
            path: LabState::file(&self.state.dir),
            reason: format!("{host} has no running namespace keeper"),
        })?;
        let mut command = process::in_host(keeper);
        command
            .arg("env")
            .arg(format!("PATH={}", ssh::host_path(&self.paths())));
        command.args(["HOME=/root"]).arg(program);
        command.stdin(Stdio::null());
        Ok(command)
    }

    /// `sh -c SCRIPT` inside a simulated Mac.
    pub fn sh(&self, host: &str, script: &str) -> Result<Output, LabError> {
        let mut command = self.host_command(host, "sh")?;
        command.arg("-c").arg(script);
        sys::output(&mut command)
    }
}
