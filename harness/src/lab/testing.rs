//! Starting labs from tests: fail loudly under CI, skip loudly elsewhere, and run the tool
//! under test in the controller namespace.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rdma_phase::host_lock::LOCK_PATH;
use rdma_phase::IBV_DEVICES_PATH;

use super::{files, locate, scenario, sys, Lab, LabError, OldDeviceFile, Quirk, QuirkySpec};

/// Build a lab for a test. `None` means "skip": the machine cannot host a lab and this is
/// not CI. Under `CI=true` that case panics instead, so a CI without root fails visibly.
/// Any other error panics: a lab that should work and does not is a failure.
pub fn lab_for_test(spec: impl Into<QuirkySpec>) -> Option<Lab> {
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

/// The two-node lab with the device files other tools leave: the Python predecessor's on
/// hwstudio1, one JACCL rejects on hwstudio2.
pub fn two_node_with_old_device_files() -> QuirkySpec {
    scenario::two_node()
        .quirk(Quirk::OldDeviceFile {
            host: "hwstudio1".into(),
            file: OldDeviceFile::Predecessor,
        })
        .quirk(Quirk::OldDeviceFile {
            host: "hwstudio2".into(),
            file: OldDeviceFile::Invalid,
        })
}

/// Run `command` on `host` over the lab's OpenSSH: stdout, stderr (lossy UTF-8) and the exit
/// code (-1 when ssh died of a signal). Panics when ssh cannot be started.
pub fn ssh_text(lab: &Lab, host: &str, command: &str) -> (String, String, i32) {
    let output = lab.ssh(host, command).expect("ssh runs");
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        output.status.code().unwrap_or(-1),
    )
}

/// stdout of a command that must succeed on `host`.
pub fn ssh_ok(lab: &Lab, host: &str, command: &str) -> String {
    let (out, err, code) = ssh_text(lab, host, command);
    assert_eq!(code, 0, "{host}: `{command}` failed\n{out}{err}");
    out
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

impl Lab {
    /// Remove what a run leaves in the host's `/tmp`, as a restart does: the device file and
    /// the host lock. One already gone is no error.
    pub fn remove_run_files(&self, host: &str) -> Result<(), LabError> {
        for tmp_path in [IBV_DEVICES_PATH, LOCK_PATH] {
            files::remove(&self.in_host_tmp(host, tmp_path))?;
        }
        Ok(())
    }
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

/// A [`ToolRun`] and the most memory the program held.
#[derive(Debug)]
pub struct MeasuredRun {
    pub run: ToolRun,
    /// The program's peak resident set (`VmHWM`), as last seen while it ran; `None` if it
    /// ended before it could be read once.
    pub peak_memory_kib: Option<u64>,
}

/// How often a running program's memory is looked at. `VmHWM` is a high-water mark, so a
/// look at any time after the peak finds it; only a peak in the last moment before exit
/// (when the process is already gone) could be missed.
const MEMORY_POLL: Duration = Duration::from_millis(5);

impl Lab {
    /// Run the `rdma-setup` binary in the controller namespace with `--ssh-config` set to
    /// the lab's, plus `args` and extra environment.
    pub fn run_tool(
        &self,
        binary: &Path,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Result<ToolRun, LabError> {
        self.run_tool_measured(binary, args, env)
            .map(|measured| measured.run)
    }

    /// [`Lab::run_tool`], watching the program's peak memory. `ip netns exec` replaces
    /// itself with the program, so the child's PID is the program's.
    pub fn run_tool_measured(
        &self,
        binary: &Path,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Result<MeasuredRun, LabError> {
        let mut command = self.controller_command(binary);
        command
            .arg("--ssh-config")
            .arg(self.ssh_config_path())
            .args(args);
        command.env("NO_COLOR", "1");
        for (key, value) in env {
            command.env(key, value);
        }
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        let started = Instant::now();
        let what = sys::describe(&command);
        let mut child = command
            .spawn()
            .map_err(LabError::io(format!("run {what}")))?;
        let stdout = drain(child.stdout.take());
        let stderr = drain(child.stderr.take());
        let mut peak_memory_kib: Option<u64> = None;
        let status = loop {
            if let Some(kib) = sys::proc_status_number(&child.id().to_string(), "VmHWM:", 0) {
                peak_memory_kib = Some(peak_memory_kib.map_or(kib, |peak| peak.max(kib)));
            }
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) => std::thread::sleep(MEMORY_POLL),
                Err(err) => return Err(LabError::io(format!("wait for {what}"))(err)),
            }
        };
        let elapsed = started.elapsed();
        Ok(MeasuredRun {
            run: ToolRun {
                stdout: String::from_utf8_lossy(&stdout.join().unwrap_or_default()).into_owned(),
                stderr: String::from_utf8_lossy(&stderr.join().unwrap_or_default()).into_owned(),
                code: status.code(),
                elapsed,
            },
            peak_memory_kib,
        })
    }
}

/// Read a child's pipe to its end on a thread of its own, so neither pipe fills up.
fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}
