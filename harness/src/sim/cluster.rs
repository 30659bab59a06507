use std::sync::{Arc, Mutex, MutexGuard};

use rdma_phase::host_lock::LOCK_SCRIPT_NAME;
use rdma_phase::plan::Host;
use rdma_phase::{CommandOutput, Connector, RemoteCommand, Transport, TransportError};

use super::host::{RdmaSwitch, SimHost};
use super::{ifconfig, netstat, ping, rdma};
use crate::macos;

/// A Thunderbolt cable between two simulated ports.
#[derive(Debug, Clone, PartialEq)]
pub struct Cable {
    pub a: (String, String),
    pub b: (String, String),
    /// What `ping` reports across this cable.
    pub rtt_ms: f64,
}

impl Cable {
    pub fn new(a: (&str, &str), b: (&str, &str), rtt_ms: f64) -> Self {
        Self {
            a: (a.0.to_owned(), a.1.to_owned()),
            b: (b.0.to_owned(), b.1.to_owned()),
            rtt_ms,
        }
    }

    pub(super) fn far_end(&self, host: &str, port: &str) -> Option<(&str, &str)> {
        if self.a.0 == host && self.a.1 == port {
            Some((&self.b.0, &self.b.1))
        } else if self.b.0 == host && self.b.1 == port {
            Some((&self.a.0, &self.a.1))
        } else {
            None
        }
    }
}

/// Simulated Macs and the cables between them. Shared by every session of a run, so a
/// change on one host is seen by its peers (port state, ping).
#[derive(Debug)]
pub struct SimCluster {
    hosts: Mutex<Vec<SimHost>>,
    cables: Vec<Cable>,
}

impl SimCluster {
    pub fn new(hosts: Vec<SimHost>, cables: Vec<Cable>) -> Arc<Self> {
        Arc::new(Self {
            hosts: Mutex::new(hosts),
            cables,
        })
    }

    fn hosts(&self) -> MutexGuard<'_, Vec<SimHost>> {
        // A panic while holding the lock leaves plain data behind; keep using it.
        self.hosts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A copy of one host's current state (for tests and fixture checks).
    pub fn host(&self, name: &str) -> Option<SimHost> {
        self.hosts().iter().find(|host| host.name == name).cloned()
    }
}

/// Opens sessions to simulated hosts; a host the cluster does not have is unreachable.
#[derive(Clone)]
pub struct SimConnector(pub Arc<SimCluster>);

impl Connector for SimConnector {
    fn connect(&self, host: &Host) -> Result<Box<dyn Transport>, TransportError> {
        let name = host.name.as_str();
        if self.0.host(name).is_none() {
            return Err(TransportError::Connect {
                host: name.to_owned(),
                reason: "no route to host (simulated)".to_owned(),
                hint: format!("check that {name} is powered on and reachable: ssh {name} true"),
            });
        }
        Ok(Box::new(SimTransport {
            host: name.to_owned(),
            cluster: Arc::clone(&self.0),
        }))
    }
}

struct SimTransport {
    host: String,
    cluster: Arc<SimCluster>,
}

impl Transport for SimTransport {
    fn host(&self) -> &str {
        &self.host
    }

    fn run(&mut self, command: &RemoteCommand) -> Result<CommandOutput, TransportError> {
        let argv: Vec<&str> = command.argv().iter().map(String::as_str).collect();
        let mut hosts = self.cluster.hosts();
        let Some(index) = hosts.iter().position(|host| host.name == self.host) else {
            return Ok(fail("", "lost\n", 255));
        };
        Ok(answer(
            &mut hosts,
            index,
            &self.cluster.cables,
            &argv,
            command,
        ))
    }
}

fn answer(
    hosts: &mut [SimHost],
    index: usize,
    cables: &[Cable],
    argv: &[&str],
    command: &RemoteCommand,
) -> CommandOutput {
    let root = command.needs_root();
    match argv {
        ["ifconfig", "-a"] => ok(&ifconfig::all(&hosts[index])),
        ["ifconfig", name] => match ifconfig::one(&hosts[index], name) {
            Some(block) => ok(&block),
            None => missing_interface(name),
        },
        ["ifconfig", bridge, "deletem", port] => {
            ifconfig::delete_member(&mut hosts[index], bridge, port, root)
        }
        ["ifconfig", name, words @ ..] => {
            ifconfig::change_address(&mut hosts[index], name, words, root)
        }
        ["cat", path] => match hosts[index].files.get(*path) {
            Some(content) => ok(content),
            None => fail("", &format!("cat: {path}: No such file or directory\n"), 1),
        },
        ["sh", "-c", _, LOCK_SCRIPT_NAME, args @ ..] => {
            super::lock::answer(&mut hosts[index], args)
        }
        ["sh", "-c", _, "sh", path] => {
            let content = command.stdin().unwrap_or_default().to_owned();
            hosts[index].files.insert((*path).to_owned(), content);
            ok("")
        }
        ["rdma_ctl", "status"] => match hosts[index].rdma {
            RdmaSwitch::Enabled => ok(macos::rdma_ctl::status(true)),
            RdmaSwitch::Disabled => ok(macos::rdma_ctl::status(false)),
            RdmaSwitch::Missing => fail("", "sh: rdma_ctl: command not found\n", 127),
        },
        ["ibv_devices"] => ok(&macos::ibv_devices(&rdma::devices(&hosts[index]))),
        ["ibv_devinfo", "-d", device, "-v"] => rdma::devinfo(hosts, index, cables, device),
        ["netstat", "-rn", "-f", "inet"] => netstat::routes(&hosts[index]),
        ["networksetup", "-listallhardwareports"] => super::hardware_ports::listing(&hosts[index]),
        ["system_profiler", "SPThunderboltDataType", "-json"] => {
            rdma::thunderbolt_json(hosts, index, cables)
        }
        ["ping", "-c", "1", "-t", _, target] => ping::ping(hosts, index, cables, None, target),
        ["ping", "-c", "1", "-t", _, "-b", iface, target] => {
            ping::ping(hosts, index, cables, Some(iface), target)
        }
        ["printenv", "SSH_CONNECTION"] => ok(&format!(
            "192.0.2.1 52114 {} 22\n",
            hosts[index].ssh_address
        )),
        [program, ..] => fail("", &format!("sh: {program}: command not found\n"), 127),
        [] => fail("", "", 0),
    }
}

pub(super) fn ok(stdout: &str) -> CommandOutput {
    CommandOutput::new(stdout, "", 0)
}

pub(super) fn fail(stdout: &str, stderr: &str, exit_code: i32) -> CommandOutput {
    CommandOutput::new(stdout, stderr, exit_code)
}

pub(super) fn missing_interface(name: &str) -> CommandOutput {
    let (stderr, exit_code) = macos::ifconfig_missing(name);
    fail("", &stderr, exit_code)
}
