//! An ssh-agent of our own for authentication tests, on a socket in a test directory.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::Key;

/// An ssh-agent of our own, stopped by its PID.
pub struct Agent {
    child: Child,
    pub socket: PathBuf,
}

impl Agent {
    /// An agent listening in `dir`, holding `keys` in this order.
    pub fn start(dir: &Path, keys: &[&Key]) -> Self {
        let socket = dir.join("agent.sock");
        let child = Command::new("ssh-agent")
            .arg("-D")
            .arg("-a")
            .arg(&socket)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("ssh-agent");
        let deadline = Instant::now() + Duration::from_secs(5);
        while !socket.exists() {
            assert!(Instant::now() < deadline, "ssh-agent did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        let agent = Self { child, socket };
        for key in keys {
            let status = Command::new("ssh-add")
                .arg(&key.private)
                .env("SSH_AUTH_SOCK", &agent.socket)
                .stderr(Stdio::null())
                .status()
                .expect("ssh-add");
            assert!(status.success());
        }
        agent
    }

    /// `ssh-add -l`: the keys in the order the agent offers them.
    pub fn listed(&self) -> String {
        let output = Command::new("ssh-add")
            .arg("-l")
            .env("SSH_AUTH_SOCK", &self.socket)
            .output()
            .expect("ssh-add -l");
        String::from_utf8_lossy(&output.stdout).into_owned()
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
