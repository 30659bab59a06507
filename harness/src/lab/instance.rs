//! A running lab and everything a test or `cargo xtask lab` does with it.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use super::state::{base_dir, LabPaths, LabState};
use super::{
    build, locate, naming, net, preflight, process, ssh, sys, teardown, LabError, LabSpec,
};

/// A lab of simulated Macs. Dropping it tears everything down (unless [`Lab::keep`] was
/// called), also when a test panics.
#[derive(Debug)]
pub struct Lab {
    pub(super) state: LabState,
    /// Processes this process started, reaped on teardown.
    pub(super) children: Vec<Child>,
    kept: bool,
}

impl Lab {
    /// Build a lab. Fails loudly, naming what is missing, when the machine cannot host one.
    pub fn up(spec: LabSpec) -> Result<Self, LabError> {
        preflight::check()?;
        spec.validate()?;
        let shim = locate::shim()?;
        teardown::reap_orphans();
        // sshd's privilege-separation directory: systemd's tmpfiles makes it on a normal
        // boot, a container or CI machine fresh from `apt-get install` may not have it.
        build::mkdir(std::path::Path::new(preflight::PRIVSEP_DIR), 0o755)?;
        let base = base_dir();
        build::mkdir(&base, 0o755)?;
        let name = loop {
            let candidate = naming::fresh_name();
            if !base.join(&candidate).exists() {
                break candidate;
            }
        };
        let dir = base.join(&name);
        build::mkdir(&dir, 0o755)?;
        let mut lab = Self {
            state: LabState {
                switch_ns: naming::switch_ns(&name),
                controller_ns: naming::controller_ns(&name),
                name,
                dir,
                owner_pid: Some(std::process::id()),
                hosts: Vec::new(),
            },
            children: Vec::new(),
            kept: false,
        };
        lab.state.save()?;
        // On error `lab` drops here and takes whatever was built with it.
        lab.build(&spec, &shim)?;
        Ok(lab)
    }

    /// Use a lab started earlier (by `cargo xtask lab up`). Dropping it leaves it running.
    pub fn attach(name: &str) -> Result<Self, LabError> {
        let state = LabState::load(&base_dir().join(name))?;
        Ok(Self {
            state,
            children: Vec::new(),
            kept: true,
        })
    }

    /// Leave the lab running after this value is dropped; `Lab::down_by_name` removes it.
    pub fn keep(mut self) -> Result<LabState, LabError> {
        self.kept = true;
        self.state.owner_pid = None;
        self.state.save()?;
        Ok(self.state.clone())
    }

    /// Tear down now and report problems (dropping does the same, silently).
    pub fn down(mut self) -> Result<(), LabError> {
        self.kept = true;
        let result = teardown::teardown(&self.state.name);
        self.reap_children();
        result
    }

    /// Remove a lab by name; removing one that does not exist (any more) succeeds.
    pub fn down_by_name(name: &str) -> Result<(), LabError> {
        teardown::teardown(name)
    }

    /// Names of the labs recorded on this machine.
    pub fn list() -> Vec<String> {
        teardown::all_labs()
    }

    pub fn name(&self) -> &str {
        &self.state.name
    }

    pub fn dir(&self) -> &Path {
        &self.state.dir
    }

    pub fn state(&self) -> &LabState {
        &self.state
    }

    pub fn paths(&self) -> LabPaths {
        self.state.paths()
    }

    /// The ssh config for `ssh -F` and `rdma-setup --ssh-config`.
    pub fn ssh_config_path(&self) -> PathBuf {
        self.paths().ssh_config()
    }

    pub fn known_hosts_path(&self) -> PathBuf {
        self.paths().known_hosts()
    }

    pub fn controller_ns(&self) -> &str {
        &self.state.controller_ns
    }

    pub fn host_names(&self) -> Vec<String> {
        self.state
            .hosts
            .iter()
            .map(|host| host.name.clone())
            .collect()
    }

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

    /// The directory mounted over the host's /tmp, seen from outside.
    pub fn host_tmp(&self, host: &str) -> PathBuf {
        self.paths().host_tmp(host)
    }

    /// IPv4 addresses of an interface, as `10.254.0.5/30`, read from the kernel.
    pub fn ipv4_addrs(&self, host: &str, iface: &str) -> Result<Vec<String>, LabError> {
        let ns = &self.state.host(host)?.ns;
        let json = sys::ip_in(ns, &["-j", "addr", "show", "dev", iface])?;
        let links: serde_json::Value =
            serde_json::from_str(&json).map_err(|err| LabError::State {
                path: PathBuf::from(format!("ip -n {ns} -j addr")),
                reason: err.to_string(),
            })?;
        let mut out = Vec::new();
        for link in links.as_array().into_iter().flatten() {
            for info in link["addr_info"].as_array().into_iter().flatten() {
                if info["family"] == "inet" {
                    if let (Some(local), Some(len)) =
                        (info["local"].as_str(), info["prefixlen"].as_u64())
                    {
                        out.push(format!("{local}/{len}"));
                    }
                }
            }
        }
        Ok(out)
    }

    /// Every macOS command the host's shims ran, in order (`sudo -S -p  ifconfig ...`,
    /// `[root] ifconfig en5 ...`).
    pub fn commands(&self, host: &str) -> Vec<String> {
        std::fs::read_to_string(self.paths().command_log(host))
            .map(|text| text.lines().map(str::to_owned).collect())
            .unwrap_or_default()
    }

    /// The `sudo ...` invocations among [`Lab::commands`].
    pub fn sudo_invocations(&self, host: &str) -> Vec<String> {
        self.commands(host)
            .into_iter()
            .filter(|line| line.starts_with("sudo"))
            .collect()
    }

    /// Set what `rdma_ctl status` reports (the NVRAM flag only Recovery can change).
    pub fn set_rdma(&self, host: &str, enabled: bool) -> Result<(), LabError> {
        self.state.host(host)?;
        let word = if enabled { "enabled\n" } else { "disabled\n" };
        build::write(&self.paths().rdma_flag(host), word, 0o644)
    }

    /// Make sudo ask for a password (`Some`) or not (`None`, NOPASSWD).
    pub fn set_sudo_password(&self, host: &str, password: Option<&str>) -> Result<(), LabError> {
        self.state.host(host)?;
        let path = self.paths().sudo_password(host);
        match password {
            Some(password) => build::write(&path, password, 0o600),
            None => match std::fs::remove_file(&path) {
                Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                    Err(LabError::io(format!("remove {}", path.display()))(err))
                }
                _ => Ok(()),
            },
        }
    }

    /// Start the host's sshd (and its delay relay), waiting until it listens.
    pub fn start_sshd(&mut self, host: &str) -> Result<(), LabError> {
        let paths = self.paths();
        let state = self.state.host(host)?.clone();
        let keeper = state
            .keeper_pid
            .ok_or_else(|| LabError::UnknownHost(host.to_owned()))?;
        let listen = if state.delay_ms.is_some() {
            std::net::Ipv4Addr::LOCALHOST
        } else {
            state.ssh_ip
        };
        build::write(
            &paths.sshd_config(host),
            &ssh::sshd_config(&paths, host, listen),
            0o644,
        )?;
        let sshd = process::start_sshd(keeper, &paths.sshd_config(host), &paths.sshd_log(host))?;
        let sshd_pid = sshd.id();
        self.children.push(sshd);
        let mut relay_pid = None;
        if let Some(delay) = state.delay_ms {
            let relay = process::start_relay(
                keeper,
                &paths.bin().join(locate::SHIM_NAME),
                &format!("{}:22", state.ssh_ip),
                "127.0.0.1:22",
                delay,
                &paths.host(host).join("relay.log"),
            )?;
            relay_pid = Some(relay.id());
            self.children.push(relay);
        }
        let record = self.state.host_mut(host)?;
        record.sshd_pid = Some(sshd_pid);
        record.relay_pid = relay_pid;
        self.state.save()
    }

    /// Stop the host's sshd listener: new connections are refused (open sessions live on).
    pub fn stop_sshd(&mut self, host: &str) -> Result<(), LabError> {
        let record = self.state.host_mut(host)?;
        let pids: Vec<u32> = [record.sshd_pid.take(), record.relay_pid.take()]
            .into_iter()
            .flatten()
            .collect();
        process::stop(&pids);
        self.reap_children();
        self.state.save()
    }

    /// Take the host off the management network (its `en0` goes down): connections to
    /// it get no answer at all, as when the Mac is powered off.
    pub fn power_off(&self, host: &str) -> Result<(), LabError> {
        let ns = &self.state.host(host)?.ns;
        sys::ip_in(ns, &["link", "set", crate::lab::MGMT_IFACE, "down"])?;
        Ok(())
    }

    /// Undo [`Lab::power_off`].
    pub fn power_on(&self, host: &str) -> Result<(), LabError> {
        let ns = &self.state.host(host)?.ns;
        sys::ip_in(ns, &["link", "set", crate::lab::MGMT_IFACE, "up"])?;
        Ok(())
    }

    /// Connect the cable at this port (as a fresh veth pair: like a real hotplug, the ports
    /// come back without addresses).
    pub fn plug(&mut self, host: &str, port: &str) -> Result<(), LabError> {
        let (mine, theirs) = self.cable_ends(host, port)?;
        net::remove_port(&mine.0, &mine.1)?;
        net::remove_port(&theirs.0, &theirs.1)?;
        net::cable(
            (&mine.0, &mine.1, &mine.2),
            (&theirs.0, &theirs.1, &theirs.2),
        )
    }

    /// Pull the cable at this port: both ports stay, up, without carrier.
    pub fn unplug(&mut self, host: &str, port: &str) -> Result<(), LabError> {
        let (mine, theirs) = self.cable_ends(host, port)?;
        net::remove_port(&mine.0, &mine.1)?;
        net::remove_port(&theirs.0, &theirs.1)?;
        let switch = self.state.switch_ns.clone();
        for (ns, port_name, mac, stub) in [
            (&mine.0, &mine.1, &mine.2, &mine.3),
            (&theirs.0, &theirs.1, &theirs.2, &theirs.3),
        ] {
            net::dangling_port(ns, port_name, mac, &switch, stub)?;
        }
        Ok(())
    }

    /// (namespace, port, mac, stub name) of both ends of the cable at `host:port`.
    #[allow(clippy::type_complexity)]
    fn cable_ends(
        &self,
        host: &str,
        port: &str,
    ) -> Result<
        (
            (String, String, String, String),
            (String, String, String, String),
        ),
        LabError,
    > {
        let end = |host: &str, port: &str| -> Result<_, LabError> {
            let index = self
                .state
                .hosts
                .iter()
                .position(|h| h.name == host)
                .ok_or_else(|| LabError::UnknownHost(host.to_owned()))?;
            let record = &self.state.hosts[index];
            let port_state = record
                .ports
                .iter()
                .find(|p| p.name == port)
                .ok_or_else(|| LabError::Spec(format!("{host}:{port} has no cable")))?;
            Ok((
                record.ns.clone(),
                port.to_owned(),
                port_state.mac.clone(),
                format!("u{index}{port}"),
            ))
        };
        let mine = end(host, port)?;
        let peer = self
            .state
            .host(host)?
            .ports
            .iter()
            .find(|p| p.name == port)
            .map(|p| (p.peer_host.clone(), p.peer_port.clone()))
            .ok_or_else(|| LabError::Spec(format!("{host}:{port} has no cable")))?;
        let theirs = end(&peer.0, &peer.1)?;
        Ok((mine, theirs))
    }

    fn reap_children(&mut self) {
        for child in &mut self.children {
            if !sys::alive(child.id()) {
                let _ = child.wait();
            }
        }
        self.children
            .retain_mut(|child| matches!(child.try_wait(), Ok(None)));
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        if self.kept {
            return;
        }
        if let Err(err) = teardown::teardown(&self.state.name) {
            eprintln!("rdma lab {}: teardown problem: {err}", self.state.name);
        }
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
