//! Starting labs from tests: fail loudly under CI, skip loudly elsewhere, and run the tool
//! under test in the controller namespace.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{locate, Lab, LabError, LabSpec};

/// Build a lab for a test. `None` means "skip": the machine cannot host a lab and this is
/// not CI. Under `CI=true` that case panics instead, so a CI without root fails visibly.
/// Any other error panics: a lab that should work and does not is a failure.
pub fn lab_for_test(spec: LabSpec) -> Option<Lab> {
    ensure_shim();
    match Lab::up(spec) {
        Ok(lab) => Some(lab),
        Err(err @ LabError::Unavailable { .. }) => {
            if std::env::var("CI").is_ok_and(|value| value == "true") {
                panic!("CI=true and the lab is unavailable: {err}");
            }
            eprintln!("SKIPPING lab test: {err}");
            None
        }
        Err(err) => panic!("the lab failed to start: {err}"),
    }
}

/// Build `mac-shim` when a test binary of another package cannot find it next to itself
/// (`cargo test -p rdma-setup` does not build the harness's binaries).
fn ensure_shim() {
    static BUILT: Mutex<bool> = Mutex::new(false);
    let mut built = BUILT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if *built || locate::shim().is_ok() {
        return;
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let status = Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "--bin",
            locate::SHIM_NAME,
            "--manifest-path",
        ])
        .arg(manifest)
        .stdin(Stdio::null())
        .status();
    *built = status.is_ok_and(|status| status.success());
}

/// What one run of a program in the controller namespace did.
#[derive(Debug)]
pub struct ToolRun {
    pub stdout: String,
    pub stderr: String,
    pub code: Option<i32>,
    pub elapsed: Duration,
}

impl ToolRun {
    /// Both streams, for assertion messages.
    pub fn transcript(&self) -> String {
        format!(
            "exit {:?} after {:?}\n--- stdout ---\n{}--- stderr ---\n{}",
            self.code, self.elapsed, self.stdout, self.stderr
        )
    }
}

impl Lab {
    /// Run the `rdma-setup` binary in the controller namespace with `--ssh-config` set to
    /// the lab's, plus `args` and extra environment.
    pub fn run_tool(
        &self,
        binary: &Path,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Result<ToolRun, LabError> {
        let mut command = self.controller_command(binary);
        command
            .arg("--ssh-config")
            .arg(self.ssh_config_path())
            .args(args);
        command.env("NO_COLOR", "1");
        for (key, value) in env {
            command.env(key, value);
        }
        let started = Instant::now();
        let output = super::sys::output(&mut command)?;
        Ok(ToolRun {
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            code: output.status.code(),
            elapsed: started.elapsed(),
        })
    }
}
