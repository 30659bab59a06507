//! The cluster file: a small TOML file a person can read and edit, holding what the command
//! line would (hosts in rank order, cables, netmask, proxies, SSH settings, a hostfile path).
//!
//! [`parse`] reads one (errors name the file and the line), [`render`] writes one with
//! comments that explain every part, [`from_args`] turns a command line into one, and
//! [`ClusterFile::command_line`] gives back the `--node`/`--proxy`/`--netmask` strings, so
//! the planner checks a file exactly as it checks a command line. Files: `parse.rs`,
//! `render.rs`, `error.rs`; the example file and the round trip are in `tests.rs`.

mod error;
mod parse;
mod render;
#[cfg(test)]
mod tests;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use rdma_phase::plan::ProxySpec;
use rdma_phase::{ClusterPlan, NodeSpec, Prefix};

pub use error::{ClusterFileError, FromArgsError, Location, Problem};
pub use parse::{load, parse, parse_located, Located, SourceLines};
pub use render::render;

/// The netmask a file without one gets, as `--netmask` defaults to.
pub const DEFAULT_NETMASK: &str = "30";

/// A cluster, as the file describes it. Values are kept as written: the planner checks them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterFile {
    /// SSH hosts in JACCL rank order (rank 0 first).
    pub hosts: Vec<String>,
    /// Prefix length of every cable's subnet, as `--netmask` takes it.
    pub netmask: String,
    pub cables: Vec<Cable>,
    pub proxies: Vec<Proxy>,
    pub ssh: SshSettings,
    /// Where to write the MLX hostfile; relative to the cluster file's folder.
    pub hostfile: Option<String>,
}

/// One Thunderbolt cable and its two ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cable {
    pub a: CableEnd,
    pub b: CableEnd,
}

/// One end of a cable: one `--node HOST:PORT:ADDRESS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CableEnd {
    pub host: String,
    pub port: String,
    pub address: String,
}

impl CableEnd {
    /// The `--node` string for this end.
    pub fn node_spec(&self) -> String {
        format!("{}:{}:{}", self.host, self.port, self.address)
    }
}

/// One `--proxy VIA:TARGET`: `via` runs `ssh TARGET '<command>'`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proxy {
    pub via: String,
    pub target: String,
}

impl Proxy {
    /// The `--proxy` string.
    pub fn spec(&self) -> String {
        format!("{}:{}", self.via, self.target)
    }
}

/// The optional `[ssh]` table; `None` leaves the command line's default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SshSettings {
    /// `--ssh-config`; relative to the cluster file's folder.
    pub config: Option<String>,
    pub connect_timeout: Option<u64>,
    pub command_timeout: Option<u64>,
    pub lock_wait: Option<u64>,
}

/// Which end of which cable a `--node` string came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndRef {
    /// Index into [`ClusterFile::cables`].
    pub cable: usize,
    /// `false` for end `a`, `true` for end `b`.
    pub is_b: bool,
}

/// The file as command-line strings, for the planner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandLine {
    /// `--node` strings, ordered so that hosts first appear in rank order.
    pub nodes: Vec<String>,
    /// Where each of `nodes` came from.
    pub node_ends: Vec<EndRef>,
    pub proxies: Vec<String>,
    pub netmask: String,
}

impl ClusterFile {
    /// The `--node`/`--proxy`/`--netmask` strings. The planner ranks hosts by first
    /// appearance, so the ends come host by host in rank order (each host's in cable order);
    /// ends on a host missing from `hosts` (only in a file built in code) come last.
    pub fn command_line(&self) -> CommandLine {
        let ends = || {
            self.cables.iter().enumerate().flat_map(|(cable, c)| {
                [(false, &c.a), (true, &c.b)]
                    .into_iter()
                    .map(move |(is_b, end)| (EndRef { cable, is_b }, end))
            })
        };
        let mut order: Vec<(EndRef, &CableEnd)> = Vec::new();
        for host in &self.hosts {
            order.extend(ends().filter(|(_, end)| &end.host == host));
        }
        order.extend(ends().filter(|(_, end)| !self.hosts.contains(&end.host)));
        CommandLine {
            nodes: order.iter().map(|(_, end)| end.node_spec()).collect(),
            node_ends: order.iter().map(|(at, _)| *at).collect(),
            proxies: self.proxies.iter().map(Proxy::spec).collect(),
            netmask: self.netmask.clone(),
        }
    }

    /// The flags a run from this file takes (no program name, no mode flags). `dir` is the
    /// cluster file's folder, which relative paths are taken from.
    pub fn argv(&self, dir: &Path) -> Vec<OsString> {
        let line = self.command_line();
        let mut argv: Vec<OsString> = Vec::new();
        let mut flag = |name: &str, value: OsString| {
            argv.push(name.into());
            argv.push(value);
        };
        for node in line.nodes {
            flag("--node", node.into());
        }
        for proxy in line.proxies {
            flag("--proxy", proxy.into());
        }
        flag("--netmask", line.netmask.into());
        if let Some(config) = self.ssh_config_path(dir) {
            flag("--ssh-config", config.into());
        }
        let timeouts = [
            ("--connect-timeout", self.ssh.connect_timeout),
            ("--command-timeout", self.ssh.command_timeout),
            ("--lock-wait", self.ssh.lock_wait),
        ];
        for (name, value) in timeouts {
            if let Some(value) = value {
                flag(name, value.to_string().into());
            }
        }
        argv
    }

    /// `[ssh] config`, taken from `dir` (the cluster file's folder) when relative.
    pub fn ssh_config_path(&self, dir: &Path) -> Option<PathBuf> {
        self.ssh.config.as_deref().map(|path| dir.join(path))
    }

    /// `hostfile`, taken from `dir` (the cluster file's folder) when relative.
    pub fn hostfile_path(&self, dir: &Path) -> Option<PathBuf> {
        self.hostfile.as_deref().map(|path| dir.join(path))
    }
}

/// The optional settings a command line carries besides nodes, proxies and netmask.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extras {
    pub ssh_config: Option<PathBuf>,
    pub connect_timeout: Option<u64>,
    pub command_timeout: Option<u64>,
    pub lock_wait: Option<u64>,
    pub hostfile: Option<PathBuf>,
}

/// A command line as a cluster file: planned first, so only a valid cluster is written; each
/// cable is the pair of `--node` the planner joined, in command-line order.
pub fn from_args(
    nodes: &[String],
    proxies: &[String],
    netmask: &str,
    extras: Extras,
) -> Result<ClusterFile, FromArgsError> {
    let nodes = nodes
        .iter()
        .map(|spec| NodeSpec::parse(spec))
        .collect::<Result<Vec<_>, _>>()?;
    let proxies = proxies
        .iter()
        .map(|spec| ProxySpec::parse(spec))
        .collect::<Result<Vec<_>, _>>()?;
    let plan = ClusterPlan::build(nodes, proxies, Prefix::parse(netmask)?)?;
    from_plan(&plan, extras)
}

/// A plan as a cluster file (proxies in the rank order of their targets).
pub fn from_plan(plan: &ClusterPlan, extras: Extras) -> Result<ClusterFile, FromArgsError> {
    let end = |id| {
        let node: &NodeSpec = plan.node(id);
        CableEnd {
            host: node.host.to_string(),
            port: node.iface.to_string(),
            address: node.ip.to_string(),
        }
    };
    Ok(ClusterFile {
        hosts: plan
            .hosts
            .iter()
            .map(|host| host.name.to_string())
            .collect(),
        netmask: plan.prefix.bits().to_string(),
        cables: plan
            .links
            .iter()
            .map(|link| Cable {
                a: end(link.a),
                b: end(link.b),
            })
            .collect(),
        proxies: proxies_of(&plan.hosts),
        ssh: SshSettings {
            config: utf8(extras.ssh_config)?,
            connect_timeout: extras.connect_timeout,
            command_timeout: extras.command_timeout,
            lock_wait: extras.lock_wait,
        },
        hostfile: utf8(extras.hostfile)?,
    })
}

fn utf8(path: Option<PathBuf>) -> Result<Option<String>, FromArgsError> {
    path.map(|path| {
        path.to_str()
            .map(str::to_owned)
            .ok_or_else(|| FromArgsError::NotUtf8(path.clone()))
    })
    .transpose()
}

/// The `[[proxy]]` entries of hosts reached through another (`--proxy VIA:TARGET`).
pub fn proxies_of(hosts: &[rdma_phase::plan::Host]) -> Vec<Proxy> {
    hosts
        .iter()
        .filter_map(|host| {
            host.via.as_ref().map(|via| Proxy {
                via: via.to_string(),
                target: host.name.to_string(),
            })
        })
        .collect()
}
