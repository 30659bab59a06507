//! A `sudo` test double that behaves like macOS sudo over a non-interactive channel, and a
//! loopback sshd with it first on the sessions' PATH.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rdma_setup::ssh::{SshConnector, SUDO_PASSWORD_ENV};

use super::{serve, Client, ScriptedPrompt, Sshd, SshdSetup};

pub const PASSWORD: &str = "correct horse battery";

/// Tests here change the process environment (RDMA_SETUP_SUDO_PASSWORD): one at a time.
static ENV: Mutex<()> = Mutex::new(());

pub fn env_lock(password: Option<&str>) -> MutexGuard<'static, ()> {
    let guard = ENV
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match password {
        Some(password) => std::env::set_var(SUDO_PASSWORD_ENV, password),
        None => std::env::remove_var(SUDO_PASSWORD_ENV),
    }
    guard
}

/// `-n`: run only if NOPASSWD (a marker file) else "a password is required";
/// `-S -p ''`: read one password line from stdin.
fn fake_sudo(log: &Path, nopasswd: &Path) -> String {
    format!(
        r#"#!/bin/sh
# Test double for sudo. Logs its arguments (never stdin).
echo "$*" >> {log}
nonint=0; stdin=0
while [ $# -gt 0 ]; do
  case "$1" in
    -n) nonint=1; shift;;
    -S) stdin=1; shift;;
    -p) shift 2;;
    --) shift; break;;
    -*) echo "sudo: unsupported option $1" >&2; exit 2;;
    *) break;;
  esac
done
if [ -e {nopasswd} ]; then exec "$@"; fi
if [ $nonint = 1 ]; then echo "sudo: a password is required" >&2; exit 1; fi
if [ $stdin = 0 ]; then
  echo "sudo: a terminal is required to read the password; either use the -S option to read from standard input or configure an askpass helper" >&2
  echo "sudo: a password is required" >&2
  exit 1
fi
IFS= read -r password || password=""
if [ "$password" = "{PASSWORD}" ]; then exec "$@" </dev/null; fi
echo "Sorry, try again." >&2
echo "sudo: 1 incorrect password attempt" >&2
exit 1
"#,
        log = log.display(),
        nopasswd = nopasswd.display(),
    )
}

pub struct Rig {
    pub client: Client,
    pub sshd: Sshd,
    pub config: PathBuf,
}

impl Rig {
    pub fn new(nopasswd: bool) -> Self {
        let client = Client::new();
        let marker = client.path("nopasswd");
        if nopasswd {
            fs::write(&marker, "").expect("marker");
        }
        let sudo = fake_sudo(&client.path("sudo.log"), &marker);
        let (sshd, config) = serve(
            &client,
            "studio",
            SshdSetup {
                bin: vec![("sudo", sudo)],
                ..SshdSetup::default()
            },
        );
        Self {
            client,
            sshd,
            config,
        }
    }

    pub fn connector(
        &self,
        prompt: Option<&str>,
    ) -> (SshConnector, std::sync::Arc<ScriptedPrompt>) {
        let prompt = ScriptedPrompt::new(prompt);
        let connector =
            SshConnector::new(self.client.options(&self.config)).with_prompt(prompt.clone());
        (connector, prompt)
    }

    /// sudo's argument lines, one per invocation.
    pub fn sudo_log(&self) -> Vec<String> {
        fs::read_to_string(self.client.path("sudo.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }
}
