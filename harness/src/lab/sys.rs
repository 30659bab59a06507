//! Running the system tools the lab is made of (`ip`, `ssh-keygen`, `nsenter`, ...).

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use super::LabError;

/// Run a tool to completion; a non-zero exit is an error carrying its stderr.
pub fn run<I, S>(program: &str, args: I) -> Result<String, LabError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut command = Command::new(program);
    command.args(args).stdin(Stdio::null());
    let output = output(&mut command)?;
    checked(&command, output)
}

/// Spawn and wait, mapping a missing program to an error naming it.
pub fn output(command: &mut Command) -> Result<Output, LabError> {
    command
        .output()
        .map_err(LabError::io(format!("run {}", describe(command))))
}

/// Turn a finished command into its stdout, or an error if it failed.
pub fn checked(command: &Command, output: Output) -> Result<String, LabError> {
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(LabError::Command {
            command: describe(command),
            code: output
                .status
                .code()
                .map_or_else(|| "signal".to_owned(), |code| code.to_string()),
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        })
    }
}

/// `ip -n NS ...`: the command acts inside the namespace, never on the root one.
pub fn ip_in(ns: &str, args: &[&str]) -> Result<String, LabError> {
    let mut all = vec!["-n", ns];
    all.extend_from_slice(args);
    run("ip", all)
}

pub fn describe(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|arg| arg.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether an executable file exists at this path.
pub fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

/// Find a program on PATH (plus the sbin directories, which a non-root PATH may lack).
pub fn which(program: &str) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/bin", "/bin"].map(Into::into))
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
}

/// Whether a process is still alive (and not a zombie).
pub fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        // The state letter follows the parenthesised command name.
        stat.rsplit_once(')')
            .and_then(|(_, rest)| rest.trim_start().chars().next())
            .is_some_and(|state| state != 'Z' && state != 'X')
    })
}

/// Signal one process by PID (never by name).
pub fn kill(pid: u32, signal: &str) {
    // A process that already exited is fine: that is the goal.
    let _ = Command::new("kill")
        .args([format!("-{signal}"), pid.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// The effective UID, from /proc (no libc call needed).
pub fn effective_uid() -> Option<u32> {
    u32::try_from(proc_status_number("self", "Uid:", 1)?).ok()
}

/// The real UID, from /proc.
pub fn real_uid() -> Option<u32> {
    u32::try_from(proc_status_number("self", "Uid:", 0)?).ok()
}

/// The `column`th number (from 0) of the line starting with `key` in `/proc/PROCESS/status`,
/// where PROCESS is `self` or a PID.
pub fn proc_status_number(process: &str, key: &str, column: usize) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{process}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with(key))?;
    line.split_whitespace().nth(column + 1)?.parse().ok()
}
