//! The cluster file `discover` writes: the hosts in rank order, one `[[cable]]` per planned
//! cable, the proxies and SSH settings of the command line; and what an existing file at the
//! same path holds (its addresses are kept for cables that did not change, its hostfile and
//! SSH settings carry over unless the command line sets them).

use std::net::Ipv4Addr;
use std::path::Path;

use rdma_phase::discover::{AddressedCable, KeptAddresses};
use rdma_phase::{HostName, IfaceName};

use crate::cluster_file::{self, CableEnd, ClusterFile, SshSettings};

use super::request::Request;

/// What is at the output path before `discover` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Existing {
    Absent,
    /// A cluster file, and its text.
    File {
        file: Box<ClusterFile>,
        text: String,
    },
    /// Text that is not a cluster file this version reads (the reason).
    Unreadable {
        text: String,
        reason: String,
    },
}

impl Existing {
    /// Read `path`; an error other than "not found" (permissions, a folder) is returned.
    pub fn read(path: &Path) -> Result<Self, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Self::Absent),
            Err(error) => {
                return Err(format!(
                    "{}: cannot read it: {error}; choose another path with --cluster",
                    path.display()
                ))
            }
        };
        Ok(match cluster_file::parse(&text, path) {
            Ok(file) => Self::File {
                file: Box::new(file),
                text,
            },
            Err(error) => Self::Unreadable {
                text,
                reason: error.to_string(),
            },
        })
    }

    pub fn file(&self) -> Option<&ClusterFile> {
        match self {
            Self::File { file, .. } => Some(file),
            _ => None,
        }
    }

    pub fn text(&self) -> Option<&str> {
        match self {
            Self::Absent => None,
            Self::File { text, .. } | Self::Unreadable { text, .. } => Some(text),
        }
    }
}

/// The addresses `file` gives each cable, for the planner to keep; ends that do not read as
/// a host, a port and an address are left out (the planner then plans that cable anew).
pub fn kept_addresses(file: &ClusterFile) -> Vec<KeptAddresses> {
    file.cables
        .iter()
        .filter_map(|cable| {
            Some(KeptAddresses {
                host: HostName::parse(&cable.a.host).ok()?,
                port: IfaceName::parse(&cable.a.port).ok()?,
                peer_host: HostName::parse(&cable.b.host).ok()?,
                peer_port: IfaceName::parse(&cable.b.port).ok()?,
                address: cable.a.address.parse::<Ipv4Addr>().ok()?,
                peer_address: cable.b.address.parse::<Ipv4Addr>().ok()?,
            })
        })
        .collect()
}

/// The file for the planned cables. Settings the command line does not give come from
/// `existing`: its hostfile, its lock wait, and its SSH config and timeouts.
pub fn build(
    request: &Request,
    planned: &[AddressedCable],
    existing: Option<&ClusterFile>,
) -> Result<ClusterFile, String> {
    let names = request.names();
    let host = |id: rdma_phase::HostId| names.get(id.0).map_or("?", HostName::as_str);
    let end = |port: &rdma_phase::discover::PortRef, address: Ipv4Addr| CableEnd {
        host: host(port.host).to_owned(),
        port: port.port.to_string(),
        address: address.to_string(),
    };
    let old_ssh = existing.map(|file| file.ssh.clone()).unwrap_or_default();
    let ssh_config = match &request.ssh.ssh_config {
        Some(path) => Some(utf8(path)?),
        None => old_ssh.config,
    };
    Ok(ClusterFile {
        hosts: names.iter().map(ToString::to_string).collect(),
        netmask: cluster_file::DEFAULT_NETMASK.to_owned(),
        cables: planned
            .iter()
            .map(|planned| cluster_file::Cable {
                a: end(&planned.cable.a, planned.address_a),
                b: end(&planned.cable.b, planned.address_b),
            })
            .collect(),
        proxies: cluster_file::proxies_of(&request.hosts),
        ssh: SshSettings {
            config: ssh_config,
            connect_timeout: request.connect_timeout.or(old_ssh.connect_timeout),
            command_timeout: request.command_timeout.or(old_ssh.command_timeout),
            lock_wait: old_ssh.lock_wait,
        },
        hostfile: existing.and_then(|file| file.hostfile.clone()),
    })
}

fn utf8(path: &Path) -> Result<String, String> {
    path.to_str().map(str::to_owned).ok_or_else(|| {
        format!(
            "--ssh-config {}: the path is not UTF-8, so a cluster file cannot hold it",
            path.display()
        )
    })
}

/// Whether the file reads back as a cluster the planner accepts, as a bare `rdma-setup`
/// would read it.
pub fn check(text: &str, path: &Path) -> Result<(), String> {
    let file = cluster_file::parse(text, path).map_err(|error| error.to_string())?;
    let line = file.command_line();
    cluster_file::from_args(
        &line.nodes,
        &line.proxies,
        &line.netmask,
        cluster_file::Extras::default(),
    )
    .map(drop)
    .map_err(|error| format!("{}: {error}", path.display()))
}
