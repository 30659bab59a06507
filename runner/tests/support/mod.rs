//! Real OpenSSH servers on 127.0.0.1 for the libssh2 transport's tests.
//!
//! Each [`Sshd`] runs `/usr/sbin/sshd -D` with its own temporary config, host key and
//! authorized_keys on a free loopback port, and is stopped by its PID when dropped. Nothing
//! here talks to any other address.
//!
//! The sessions get `SHLVL=8`: bash, run by sshd with a level below 2, sources the user's
//! ~/.bashrc even for a command (Debian's build does), and a slow one (pyenv init takes
//! ~150 ms) would then weigh on every remote command of every test. A Mac's zsh reads only
//! ~/.zshenv for a command; the tests measure the transport, not this machine's dotfiles.

#![allow(dead_code)] // Each test binary uses a different part of this module.

pub mod agent;
pub mod commands;
pub mod delay;
pub mod logs;
pub mod procs;
pub mod serve;
pub mod sudo;

use std::fs;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rdma_phase::plan::Host;
use rdma_phase::HostName;
use rdma_setup::ssh::{PromptError, Secret, SecretPrompt, SshOptions};
use tempfile::TempDir;

pub use serve::serve;

pub const SSHD: &str = "/usr/sbin/sshd";

/// Whether these tests can run here: sshd installed and we are root. Under `CI=true` a
/// missing prerequisite is a failure, elsewhere a loud skip.
pub fn sshd_available(test: &str) -> bool {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false);
    let sshd = Path::new(SSHD).is_file();
    let ssh_keygen = Command::new("ssh-keygen")
        .arg("-?")
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if root && sshd && ssh_keygen {
        return true;
    }
    let why = format!(
        "{test}: needs root ({root}), {SSHD} ({sshd}) and ssh-keygen ({ssh_keygen}) to start a \
         loopback sshd"
    );
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{why}: missing in CI"
    );
    eprintln!("SKIPPED {why}");
    false
}

fn run(command: &mut Command) {
    let output = command.output().expect("run helper command");
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A client key pair.
pub struct Key {
    pub private: PathBuf,
    pub public_line: String,
}

impl Key {
    pub fn generate(dir: &Path, name: &str, passphrase: &str) -> Self {
        let private = dir.join(name);
        run(Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", passphrase, "-C", name, "-f"])
            .arg(&private));
        let public_line = fs::read_to_string(private.with_extension("pub"))
            .or_else(|_| fs::read_to_string(format!("{}.pub", private.display())))
            .expect("public key");
        Self {
            private,
            public_line: public_line.trim().to_owned(),
        }
    }
}

/// What an sshd should allow and provide.
#[derive(Default)]
pub struct SshdSetup<'a> {
    pub authorized: Vec<&'a Key>,
    /// Scripts placed first on the sessions' PATH (name, contents).
    pub bin: Vec<(&'a str, String)>,
    /// More sshd_config lines (`MaxSessions 2\n`), put first: sshd takes a keyword's
    /// first value, so these override the defaults below (`LogLevel DEBUG1\n`).
    pub config: &'a str,
    /// More `NAME=value` words for the sessions' environment (`TMPDIR=/some/dir`).
    pub env: &'a str,
}

pub struct Sshd {
    pub dir: TempDir,
    pub port: u16,
    child: Child,
    /// `ssh-ed25519 AAAA...` of the host key.
    pub host_key: String,
}

impl Sshd {
    pub fn start(setup: &SshdSetup<'_>) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let base = dir.path();
        let host_key = base.join("ssh_host_ed25519_key");
        run(Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(&host_key));
        let host_pub = fs::read_to_string(base.join("ssh_host_ed25519_key.pub")).expect("pub");
        let host_pub = host_pub
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");

        let authorized: String = setup
            .authorized
            .iter()
            .map(|key| format!("{}\n", key.public_line))
            .collect();
        fs::write(base.join("authorized_keys"), authorized).expect("authorized_keys");

        let bin = base.join("bin");
        fs::create_dir(&bin).expect("bin");
        for (name, script) in &setup.bin {
            let path = bin.join(name);
            fs::write(&path, script).expect("script");
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        if !Path::new("/run/sshd").exists() {
            // Debian's sshd wants its privilege-separation directory.
            fs::create_dir_all("/run/sshd").expect("/run/sshd");
        }

        let mut last_log = String::new();
        for _attempt in 0..5 {
            let port = free_port();
            let config = base.join("sshd_config");
            fs::write(
                &config,
                format!(
                    "{extra}\
                     Port {port}\n\
                     ListenAddress 127.0.0.1\n\
                     HostKey {host_key}\n\
                     PidFile none\n\
                     AuthorizedKeysFile {base}/authorized_keys\n\
                     PermitRootLogin prohibit-password\n\
                     PubkeyAuthentication yes\n\
                     PasswordAuthentication no\n\
                     KbdInteractiveAuthentication no\n\
                     UsePAM no\n\
                     StrictModes no\n\
                     AllowTcpForwarding yes\n\
                     MaxAuthTries 10\n\
                     LogLevel VERBOSE\n\
                     SetEnv PATH={bin}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin SHLVL=8 {env}\n",
                    extra = setup.config,
                    host_key = host_key.display(),
                    base = base.display(),
                    bin = bin.display(),
                    env = setup.env,
                ),
            )
            .expect("sshd_config");
            let log = base.join("sshd.log");
            let mut child = Command::new(SSHD)
                .arg("-D")
                .arg("-f")
                .arg(&config)
                .arg("-E")
                .arg(&log)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start sshd");
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Self {
                        dir,
                        port,
                        child,
                        host_key: host_pub,
                    };
                }
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
            last_log = fs::read_to_string(&log).unwrap_or_default();
        }
        panic!("sshd did not start:\n{last_log}");
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The known_hosts line for this server.
    pub fn known_hosts_line(&self) -> String {
        format!("[127.0.0.1]:{} {}\n", self.port, self.host_key)
    }

    pub fn log(&self) -> String {
        fs::read_to_string(self.path("sshd.log")).unwrap_or_default()
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        // Our own child, by its PID.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// A client-side workspace: keys, an ssh_config, a known_hosts file.
pub struct Client {
    pub dir: TempDir,
    pub key: Key,
}

/// One `Host` block of the client's ssh_config.
pub struct HostBlock<'a> {
    pub alias: &'a str,
    pub port: u16,
    pub extra: &'a str,
}

impl Client {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let key = Key::generate(dir.path(), "id_test", "");
        fs::write(dir.path().join("known_hosts"), "").expect("known_hosts");
        Self { dir, key }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn known_hosts(&self) -> PathBuf {
        self.path("known_hosts")
    }

    pub fn trust(&self, sshd: &Sshd) {
        let mut file = fs::OpenOptions::new()
            .append(true)
            .open(self.known_hosts())
            .expect("known_hosts");
        file.write_all(sshd.known_hosts_line().as_bytes())
            .expect("append");
    }

    /// Write `ssh_config` with these hosts: loopback, root, our key, our known_hosts, no
    /// agent unless a block says otherwise (blocks' `extra` lines come first, so they win).
    pub fn config(&self, hosts: &[HostBlock<'_>]) -> PathBuf {
        let mut text = String::new();
        for host in hosts {
            text.push_str(&format!(
                "Host {alias}\n{extra}  HostName 127.0.0.1\n  Port {port}\n  User root\n",
                alias = host.alias,
                extra = host.extra,
                port = host.port,
            ));
        }
        text.push_str(&format!(
            "Host *\n  IdentityFile {key}\n  IdentityAgent none\n  UserKnownHostsFile {kh}\n  \
             GlobalKnownHostsFile /dev/null\n  BatchMode yes\n",
            key = self.key.private.display(),
            kh = self.known_hosts().display(),
        ));
        let path = self.path("ssh_config");
        fs::write(&path, text).expect("ssh_config");
        path
    }

    pub fn options(&self, config: &Path) -> SshOptions {
        SshOptions {
            ssh_config: Some(config.to_owned()),
            connect_timeout: Duration::from_secs(5),
            command_timeout: Duration::from_secs(20),
            accept_new_host_keys: false,
        }
    }
}

/// An sshd acting as a `--proxy` host whose own ssh reaches `target` as `target_alias`
/// (its config, key and known_hosts live in the client's workspace, used through an `ssh`
/// wrapper first on the sessions' PATH).
pub fn proxy_host_for(client: &Client, target: &Sshd, target_alias: &str) -> Sshd {
    let inner_known = client.path("proxy_known_hosts");
    fs::write(&inner_known, target.known_hosts_line()).expect("write");
    let inner_config = client.path("proxy_ssh_config");
    fs::write(
        &inner_config,
        format!(
            "Host {target_alias}\n  HostName 127.0.0.1\n  Port {}\n  User root\n  IdentityFile {}\n  \
             IdentityAgent none\n  UserKnownHostsFile {}\n  GlobalKnownHostsFile /dev/null\n",
            target.port,
            client.key.private.display(),
            inner_known.display()
        ),
    )
    .expect("write");
    let wrapper = format!(
        "#!/bin/sh\n# The proxy host's ssh, with its own config.\nexec /usr/bin/ssh -F {} \"$@\"\n",
        inner_config.display()
    );
    let proxy = Sshd::start(&SshdSetup {
        authorized: vec![&client.key],
        bin: vec![("ssh", wrapper)],
        ..SshdSetup::default()
    });
    client.trust(&proxy);
    proxy
}

pub fn host(name: &str) -> Host {
    Host {
        name: HostName::parse(name).expect("valid host name"),
        via: None,
        nodes: Vec::new(),
    }
}

pub fn proxied(proxy: &str, target: &str) -> Host {
    Host {
        via: Some(HostName::parse(proxy).expect("valid proxy name")),
        ..host(target)
    }
}

/// A prompt with a scripted answer that remembers what it was asked.
pub struct ScriptedPrompt {
    answer: Option<String>,
    pub asked: std::sync::Mutex<Vec<String>>,
}

impl ScriptedPrompt {
    /// `None`: behave like a run without a terminal.
    pub fn new(answer: Option<&str>) -> Arc<Self> {
        Arc::new(Self {
            answer: answer.map(str::to_owned),
            asked: std::sync::Mutex::new(Vec::new()),
        })
    }

    pub fn asked(&self) -> Vec<String> {
        self.asked.lock().expect("lock").clone()
    }
}

impl SecretPrompt for ScriptedPrompt {
    fn ask(&self, prompt: &str) -> Result<Secret, PromptError> {
        self.asked.lock().expect("lock").push(prompt.to_owned());
        self.answer
            .as_deref()
            .map(Secret::new)
            .ok_or(PromptError::NoTerminal)
    }
}
