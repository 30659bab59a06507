//! The lab as built, recorded in `<lab dir>/lab.json`.
//!
//! `lab down` finds everything to remove from this file alone, and the command shims inside
//! the simulated Macs read it to learn their ports and the peers across each cable.

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::LabError;

/// Where labs live unless `RDMA_LAB_BASE` says otherwise. Not under /tmp: every simulated
/// Mac mounts a private directory over /tmp, which would hide the lab from its own hosts.
pub const DEFAULT_BASE: &str = "/run/rdma-lab";

pub fn base_dir() -> PathBuf {
    std::env::var_os("RDMA_LAB_BASE").map_or_else(|| PathBuf::from(DEFAULT_BASE), PathBuf::from)
}

/// One Thunderbolt port of a host, and what its cable reaches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortState {
    pub name: String,
    pub mac: String,
    pub guid: u64,
    pub peer_host: String,
    pub peer_port: String,
    /// The 169.254 address configd gives the port while its cable has a link (unique in
    /// the lab); `None` in a lab from before this was simulated.
    #[serde(default)]
    pub self_assigned: Option<Ipv4Addr>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostState {
    pub name: String,
    /// Network namespace.
    pub ns: String,
    /// Address of `en0`: on the management network, or on the hidden network behind `jump`.
    pub ssh_ip: Ipv4Addr,
    pub jump: Option<String>,
    /// Holds the host's mount and UTS namespaces for its whole life (`sleep infinity`).
    pub keeper_pid: Option<u32>,
    pub sshd_pid: Option<u32>,
    /// The delaying TCP relay in front of sshd, if the host has a delay fault.
    pub relay_pid: Option<u32>,
    pub delay_ms: Option<u64>,
    pub ports: Vec<PortState>,
    /// A Mac in daily use (`lab up --busy`): its shims list `macos::busy`'s interfaces too.
    #[serde(default)]
    pub busy: bool,
    /// A Thunderbolt 4 Mac (`lab up --tb4`): no RDMA device, 40 Gb/s links.
    #[serde(default)]
    pub thunderbolt4: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabState {
    pub name: String,
    pub dir: PathBuf,
    pub switch_ns: String,
    pub controller_ns: String,
    /// The process whose `Lab` tears this down on drop; `None` once kept (`xtask lab up`).
    pub owner_pid: Option<u32>,
    /// Who brought the lab up (`None` in a lab from before this was recorded).
    #[serde(default)]
    pub started_by: Option<Starter>,
    /// When, in seconds since the Unix epoch.
    #[serde(default)]
    pub started_at: Option<u64>,
    /// What it was built from, as `lab up` would say it: `two-node --rdma-disabled hwstudio2`.
    #[serde(default)]
    pub scenario: Option<String>,
    pub hosts: Vec<HostState>,
}

/// A user who brought a lab up: the process's real user, and the user behind `sudo` when
/// there was one (labs need root, so `uid` alone would make every lab root's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Starter {
    pub uid: u32,
    pub user: String,
    #[serde(default)]
    pub sudo_uid: Option<u32>,
    #[serde(default)]
    pub sudo_user: Option<String>,
}

impl Starter {
    /// The same person: the same user, reached through sudo from the same user (or not).
    pub fn same_user(&self, other: &Self) -> bool {
        self.uid == other.uid && self.sudo_uid == other.sudo_uid
    }
}

impl std::fmt::Display for Starter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.user)?;
        match (&self.sudo_user, self.sudo_uid) {
            (Some(user), _) => write!(f, " (sudo from {user})"),
            (None, Some(uid)) => write!(f, " (sudo from uid {uid})"),
            (None, None) => Ok(()),
        }
    }
}

impl LabState {
    pub fn file(dir: &Path) -> PathBuf {
        dir.join("lab.json")
    }

    pub fn load(dir: &Path) -> Result<Self, LabError> {
        let path = Self::file(dir);
        let text = std::fs::read_to_string(&path).map_err(|err| LabError::State {
            path: path.clone(),
            reason: err.to_string(),
        })?;
        serde_json::from_str(&text).map_err(|err| LabError::State {
            path,
            reason: err.to_string(),
        })
    }

    /// Written to a temporary name and renamed, so a shim never reads half a file.
    pub fn save(&self) -> Result<(), LabError> {
        let path = Self::file(&self.dir);
        let text = serde_json::to_string_pretty(self).map_err(|err| LabError::State {
            path: path.clone(),
            reason: err.to_string(),
        })?;
        let tmp = self.dir.join("lab.json.tmp");
        std::fs::write(&tmp, text).map_err(LabError::io(format!("write {}", tmp.display())))?;
        std::fs::rename(&tmp, &path).map_err(LabError::io(format!("rename {}", path.display())))
    }

    pub fn host(&self, name: &str) -> Result<&HostState, LabError> {
        self.hosts
            .iter()
            .find(|host| host.name == name)
            .ok_or_else(|| LabError::UnknownHost(name.to_owned()))
    }

    /// Where `name` stands among the hosts: the number its lab-wide names are built from.
    pub fn host_index(&self, name: &str) -> Result<usize, LabError> {
        self.hosts
            .iter()
            .position(|host| host.name == name)
            .ok_or_else(|| LabError::UnknownHost(name.to_owned()))
    }

    pub fn host_mut(&mut self, name: &str) -> Result<&mut HostState, LabError> {
        self.hosts
            .iter_mut()
            .find(|host| host.name == name)
            .ok_or_else(|| LabError::UnknownHost(name.to_owned()))
    }

    pub fn paths(&self) -> LabPaths {
        LabPaths::new(&self.dir)
    }
}

/// Every file of a lab, named in one place.
#[derive(Debug, Clone)]
pub struct LabPaths {
    pub dir: PathBuf,
}

impl LabPaths {
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
        }
    }

    pub fn bin(&self) -> PathBuf {
        self.dir.join("bin")
    }
    pub fn ssh_config(&self) -> PathBuf {
        self.dir.join("ssh_config")
    }
    pub fn known_hosts(&self) -> PathBuf {
        self.dir.join("known_hosts")
    }
    pub fn client_key(&self) -> PathBuf {
        self.dir.join("id_ed25519")
    }
    pub fn authorized_keys(&self) -> PathBuf {
        self.dir.join("authorized_keys")
    }
    pub fn host(&self, host: &str) -> PathBuf {
        self.dir.join("hosts").join(host)
    }
    /// Mounted over the host's /tmp.
    pub fn host_tmp(&self, host: &str) -> PathBuf {
        self.host(host).join("tmp")
    }
    /// Mounted over the host's /root (its ssh client config lives here).
    pub fn host_home(&self, host: &str) -> PathBuf {
        self.host(host).join("home")
    }
    pub fn host_key(&self, host: &str) -> PathBuf {
        self.host(host).join("ssh_host_ed25519_key")
    }
    pub fn sshd_config(&self, host: &str) -> PathBuf {
        self.host(host).join("sshd_config")
    }
    pub fn sshd_log(&self, host: &str) -> PathBuf {
        self.host(host).join("sshd.log")
    }
    /// `enabled` or `disabled`: the NVRAM setting `rdma_ctl` reports.
    pub fn rdma_flag(&self, host: &str) -> PathBuf {
        self.host(host).join("rdma")
    }
    /// Present when sudo needs a password; holds it.
    pub fn sudo_password(&self, host: &str) -> PathBuf {
        self.host(host).join("sudo_password")
    }
    /// Present when `rdma_ctl status` misbehaves: `flood` or `hang` (`Misbehaviour`).
    pub fn rdma_ctl_fault(&self, host: &str) -> PathBuf {
        self.host(host).join("rdma_ctl_fault")
    }
    /// Present when `sudo` hangs (a change stuck on the Mac, for tests of a run killed
    /// while it holds the host lock).
    pub fn sudo_hangs(&self, host: &str) -> PathBuf {
        self.host(host).join("sudo_hangs")
    }
    /// The PIDs of hanging `rdma_ctl status` and `sudo` shims, one a line, for tests to watch.
    pub fn hung_pids(&self, host: &str) -> PathBuf {
        self.host(host).join("hung.pids")
    }
    /// One line per shim invocation: `[root] ifconfig en5 ...`, `sudo -n ifconfig ...`.
    pub fn command_log(&self, host: &str) -> PathBuf {
        self.host(host).join("commands.log")
    }
}
