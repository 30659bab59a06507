//! Running the real binary as a child process with a time limit: a hang must show up as a
//! failed test, not as a CI time-out.

#![allow(dead_code)] // Each test binary uses a different part of this module.

use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// What a finished child printed.
#[derive(Debug)]
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Finished {
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    /// Both streams, for assertion messages.
    pub fn log(&self) -> String {
        format!(
            "exit {:?} after {:?}\n--- stdout ---\n{}--- stderr ---\n{}",
            self.status, self.elapsed, self.stdout, self.stderr
        )
    }
}

/// A started child whose streams go to files in `dir` (a chatty child cannot block on a
/// full pipe while we wait for it).
pub struct Running {
    child: Child,
    dir: tempfile::TempDir,
    started: Instant,
}

impl Running {
    pub fn start(mut command: Command) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = |name: &str| std::fs::File::create(dir.path().join(name)).expect("output file");
        let child = command
            .stdin(Stdio::null())
            .stdout(file("stdout"))
            .stderr(file("stderr"))
            .spawn()
            .expect("the binary starts");
        Self {
            child,
            dir,
            started: Instant::now(),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Send a signal to the child by its PID (`kill -INT PID`).
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.pid().to_string())
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{name} {}", self.pid());
    }

    /// Wait for the child; kill it (by its PID) and fail when it outlives `limit`.
    pub fn wait(mut self, limit: Duration) -> Finished {
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                let read = |name: &str| {
                    std::fs::read_to_string(self.dir.path().join(name)).expect("output file")
                };
                return Finished {
                    status,
                    stdout: read("stdout"),
                    stderr: read("stderr"),
                    elapsed: self.started.elapsed(),
                };
            }
            if self.started.elapsed() > limit {
                let _ = self.child.kill();
                let _ = self.child.wait();
                let partial =
                    std::fs::read_to_string(self.dir.path().join("stderr")).unwrap_or_default();
                panic!("the child did not end within {limit:?}; its stderr so far:\n{partial}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The `rdma-setup` binary under test.
pub fn binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_rdma-setup"))
}

/// The binary as the lab tests run it: in the lab's controller namespace, with the lab's
/// ssh config, `args` after it.
pub fn in_lab(lab: &rdma_harness::lab::Lab, args: &[impl AsRef<std::ffi::OsStr>]) -> Command {
    let mut command = lab.controller_command(binary());
    command
        .arg("--ssh-config")
        .arg(lab.ssh_config_path())
        .args(args);
    command
}

/// The binary as the lab tests run it in `folder` (where a cluster file may name the lab's
/// ssh config): in the lab's controller namespace, without colour, `args` after it.
pub fn in_lab_folder(lab: &rdma_harness::lab::Lab, folder: &Path, args: &[&str]) -> Command {
    let mut command = lab.controller_command(binary());
    command.args(args).current_dir(folder).env("NO_COLOR", "1");
    command
}

/// `rdma-setup discover FLAGS --ssh-config LAB HOSTS` as [`in_lab_folder`] runs it.
pub fn discover_in_lab(
    lab: &rdma_harness::lab::Lab,
    folder: &Path,
    flags: &[&str],
    hosts: &[&str],
) -> Command {
    let mut command = in_lab_folder(lab, folder, &["discover"]);
    command
        .args(flags)
        .arg("--ssh-config")
        .arg(lab.ssh_config_path())
        .args(hosts);
    command
}

/// The path of the recorded scenario `name` in `fixtures/`, as an argument.
pub fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(name)
        .display()
        .to_string()
}
