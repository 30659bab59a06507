//! Privileged commands over a real loopback sshd, with a `sudo` test double first on the
//! session's PATH that behaves like macOS sudo over a non-interactive channel.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rdma_phase::{RemoteCommand, Transport, TransportError};
use rdma_setup::ssh::{SshConnector, SUDO_PASSWORD_ENV};
use support::{host, proxied, sshd_available, Client, HostBlock, ScriptedPrompt, Sshd, SshdSetup};

const PASSWORD: &str = "correct horse battery";

/// Tests here change the process environment (RDMA_SETUP_SUDO_PASSWORD): one at a time.
static ENV: Mutex<()> = Mutex::new(());

fn env_lock(password: Option<&str>) -> MutexGuard<'static, ()> {
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

struct Rig {
    client: Client,
    sshd: Sshd,
    config: PathBuf,
}

impl Rig {
    fn new(nopasswd: bool) -> Self {
        let client = Client::new();
        let marker = client.path("nopasswd");
        if nopasswd {
            fs::write(&marker, "").expect("marker");
        }
        let sudo = fake_sudo(&client.path("sudo.log"), &marker);
        let sshd = Sshd::start(&SshdSetup {
            authorized: vec![&client.key],
            bin: vec![("sudo", sudo)],
        });
        client.trust(&sshd);
        let config = client.config(&[HostBlock {
            alias: "studio",
            port: sshd.port,
            extra: "",
        }]);
        Self {
            client,
            sshd,
            config,
        }
    }

    fn connector(&self, prompt: Option<&str>) -> (SshConnector, std::sync::Arc<ScriptedPrompt>) {
        let prompt = ScriptedPrompt::new(prompt);
        let connector =
            SshConnector::new(self.client.options(&self.config)).with_prompt(prompt.clone());
        (connector, prompt)
    }

    /// sudo's argument lines, one per invocation.
    fn sudo_log(&self) -> Vec<String> {
        fs::read_to_string(self.client.path("sudo.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

fn privileged(word: &str) -> RemoteCommand {
    RemoteCommand::privileged(["echo", word])
}

fn run_ok(session: &mut Box<dyn Transport>, command: &RemoteCommand) -> String {
    let output = session.run(command).expect("run");
    assert!(output.success(), "{output:?}");
    output.stdout
}

#[test]
fn no_sudo_at_all_without_privileged_commands() {
    if !sshd_available("no_sudo_for_reads") {
        return;
    }
    let _env = env_lock(None);
    let rig = Rig::new(false);
    let (connector, prompt) = rig.connector(None);
    let mut session = connector.connect(&host("studio")).expect("connect");
    run_ok(&mut session, &RemoteCommand::read(["echo", "read"]));
    run_ok(&mut session, &RemoteCommand::change(["true"]));
    assert!(rig.sudo_log().is_empty(), "{:?}", rig.sudo_log());
    assert!(prompt.asked().is_empty());
}

#[test]
fn passwordless_sudo_is_probed_once_and_used_with_n() {
    if !sshd_available("nopasswd_sudo") {
        return;
    }
    let _env = env_lock(None);
    let rig = Rig::new(true);
    let (connector, prompt) = rig.connector(None);
    let mut session = connector.connect(&host("studio")).expect("connect");
    assert_eq!(run_ok(&mut session, &privileged("one")), "one\n");
    assert_eq!(run_ok(&mut session, &privileged("two")), "two\n");
    assert_eq!(rig.sudo_log(), ["-n true", "-n echo one", "-n echo two"]);
    assert!(prompt.asked().is_empty());
}

#[test]
fn password_from_the_environment_goes_through_stdin_only() {
    if !sshd_available("sudo_password_env") {
        return;
    }
    let _env = env_lock(Some(PASSWORD));
    let rig = Rig::new(false);
    let (connector, prompt) = rig.connector(None);
    let mut session = connector.connect(&host("studio")).expect("connect");
    assert_eq!(run_ok(&mut session, &privileged("one")), "one\n");
    assert_eq!(run_ok(&mut session, &privileged("two")), "two\n");
    assert_eq!(
        rig.sudo_log(),
        ["-n true", "-S -p  echo one", "-S -p  echo two"]
    );
    assert!(
        prompt.asked().is_empty(),
        "the environment wins over a prompt"
    );
    assert!(!rig.sshd.log().contains(PASSWORD));
    // The canonical form shown to users never carries the sudo options or the password.
    assert_eq!(
        session.describe(&privileged("one")),
        "ssh studio sudo echo one"
    );
}

#[test]
fn password_is_asked_once_per_host_on_the_terminal() {
    if !sshd_available("sudo_password_prompt") {
        return;
    }
    let _env = env_lock(None);
    let rig = Rig::new(false);
    let (connector, prompt) = rig.connector(Some(PASSWORD));
    let mut session = connector.connect(&host("studio")).expect("connect");
    for word in ["a", "b", "c"] {
        assert_eq!(run_ok(&mut session, &privileged(word)), format!("{word}\n"));
    }
    assert_eq!(prompt.asked(), ["[sudo] password for root@studio: "]);
}

#[test]
fn a_wrong_password_fails_once_and_is_not_retried() {
    if !sshd_available("sudo_wrong_password") {
        return;
    }
    let _env = env_lock(None);
    let rig = Rig::new(false);
    let (connector, prompt) = rig.connector(Some("not the password"));
    let mut session = connector.connect(&host("studio")).expect("connect");
    let error = session.run(&privileged("one")).expect_err("wrong password");
    let TransportError::Sudo { host, reason, hint } = &error else {
        panic!("expected a sudo error, got {error:?}");
    };
    assert_eq!(host, "studio");
    assert!(reason.contains("rejected the password"), "{reason}");
    assert!(hint.contains("will not retry"), "{hint}");
    assert!(!format!("{error:?}").contains("not the password"));
    let tries = rig.sudo_log().len();
    assert_eq!(tries, 2, "probe + one attempt: {:?}", rig.sudo_log());

    // Later privileged commands fail the same way without running sudo again; reads work.
    let again = session.run(&privileged("two")).expect_err("still refused");
    assert_eq!(again, error);
    assert_eq!(rig.sudo_log().len(), tries);
    assert_eq!(prompt.asked().len(), 1);
    run_ok(&mut session, &RemoteCommand::read(["true"]));
}

#[test]
fn no_password_and_no_terminal_is_a_clear_sudo_error() {
    if !sshd_available("sudo_no_terminal") {
        return;
    }
    let _env = env_lock(None);
    let rig = Rig::new(false);
    let (connector, _prompt) = rig.connector(None);
    let mut session = connector.connect(&host("studio")).expect("connect");
    let error = session.run(&privileged("one")).expect_err("no password");
    let TransportError::Sudo { reason, hint, .. } = &error else {
        panic!("expected a sudo error, got {error:?}");
    };
    assert!(reason.contains("no terminal"), "{reason}");
    assert!(hint.contains(SUDO_PASSWORD_ENV), "{hint}");
    assert!(hint.contains("NOPASSWD"), "{hint}");
    assert_eq!(rig.sudo_log(), ["-n true"]);
}

#[test]
fn sudo_password_reaches_a_target_behind_a_proxy() {
    if !sshd_available("sudo_through_proxy") {
        return;
    }
    let _env = env_lock(Some(PASSWORD));
    let rig = Rig::new(false);
    let proxy = support::proxy_host_for(&rig.client, &rig.sshd, "studio2");
    let config = rig.client.config(&[HostBlock {
        alias: "proxybox",
        port: proxy.port,
        extra: "",
    }]);
    let connector = SshConnector::new(rig.client.options(&config));
    let mut session = connector
        .connect(&proxied("proxybox", "studio2"))
        .expect("connect");
    assert_eq!(run_ok(&mut session, &privileged("behind")), "behind\n");
    assert_eq!(rig.sudo_log(), ["-n true", "-S -p  echo behind"]);
}
