use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex, MutexGuard};

use rdma_phase::host_lock::LOCK_SCRIPT_NAME;
use rdma_phase::plan::Host;
use rdma_phase::{CommandOutput, Connector, Prefix, RemoteCommand, Transport, TransportError};

use super::host::{RdmaSwitch, SimHost};
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

    fn far_end(&self, host: &str, port: &str) -> Option<(&str, &str)> {
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
        ["ifconfig", "-a"] => ok(&ifconfig_all(&hosts[index])),
        ["ifconfig", name] => match ifconfig_one(&hosts[index], name) {
            Some(block) => ok(&block),
            None => missing_interface(name),
        },
        ["ifconfig", name, address, "netmask", mask] => {
            set_address(&mut hosts[index], name, address, mask, root)
        }
        ["ifconfig", bridge, "deletem", port] => {
            delete_member(&mut hosts[index], bridge, port, root)
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
        ["ibv_devices"] => ok(&macos::ibv_devices(&devices(&hosts[index]))),
        ["ibv_devinfo", "-d", device, "-v"] => devinfo(hosts, index, cables, device),
        ["ping", "-c", "1", "-t", _, target] => ping(hosts, index, cables, target),
        ["printenv", "SSH_CONNECTION"] => ok(&format!(
            "192.0.2.1 52114 {} 22\n",
            hosts[index].ssh_address
        )),
        [program, ..] => fail("", &format!("sh: {program}: command not found\n"), 127),
        [] => fail("", "", 0),
    }
}

fn ok(stdout: &str) -> CommandOutput {
    CommandOutput::new(stdout, "", 0)
}

fn fail(stdout: &str, stderr: &str, exit_code: i32) -> CommandOutput {
    CommandOutput::new(stdout, stderr, exit_code)
}

fn missing_interface(name: &str) -> CommandOutput {
    let (stderr, exit_code) = macos::ifconfig_missing(name);
    fail("", &stderr, exit_code)
}

fn view(host: &SimHost, name: &str) -> Option<macos::InterfaceView> {
    let index = |name: &str| {
        let position = host.ports.iter().position(|port| port.name == name);
        // Interface indexes: lo0 is 1, ports follow, bridges after the ports.
        position.map_or(0, |p| u32::try_from(p).unwrap_or(0) + 4)
    };
    if let Some(members) = host.bridges.get(name) {
        let bridge_index = 20
            + host
                .bridges
                .keys()
                .position(|b| b == name)
                .map_or(0, |p| u32::try_from(p).unwrap_or(0));
        return Some(macos::InterfaceView {
            name: name.to_owned(),
            kind: macos::InterfaceKind::Bridge,
            flags: macos::IfFlags::ETHERNET_BASE
                .with(macos::IfFlags::UP)
                .with(macos::IfFlags::RUNNING),
            mtu: 1500,
            ether: Some(format!("82:30:ea:68:4c:{:02x}", bridge_index)),
            inet6: None,
            index: bridge_index,
            inet: Vec::new(),
            members: members
                .iter()
                .map(|member| macos::BridgeMember {
                    name: member.clone(),
                    port: index(member),
                })
                .collect(),
            active: true,
        });
    }
    host.port(name).map(|port| {
        let bridged = host.is_bridged(&port.name);
        let mut flags = macos::IfFlags::ETHERNET_BASE.with(macos::IfFlags::UP);
        if port.carrier {
            flags = flags.with(macos::IfFlags::RUNNING);
        }
        if bridged {
            flags = flags.with(macos::IfFlags::PROMISC);
        }
        macos::InterfaceView {
            name: port.name.clone(),
            kind: if port.thunderbolt {
                macos::InterfaceKind::Thunderbolt
            } else {
                macos::InterfaceKind::Ethernet
            },
            flags,
            mtu: 1500,
            ether: Some(port.ether.clone()),
            // A bridge member loses its IPv6 link-local address, as on macOS.
            inet6: (!bridged).then(|| link_local(&port.ether)),
            index: index(&port.name),
            inet: port.inet.into_iter().collect(),
            members: Vec::new(),
            active: port.carrier && !bridged,
        }
    })
}

/// A stable link-local address derived from the MAC address, like macOS's.
fn link_local(ether: &str) -> String {
    let bytes: Vec<&str> = ether.split(':').collect();
    match bytes[..] {
        [a, b, c, d, e, f] => format!("fe80::{a}{b}:{c}ff:fe{d}:{e}{f}"),
        _ => "fe80::1".to_owned(),
    }
}

fn ifconfig_one(host: &SimHost, name: &str) -> Option<String> {
    view(host, name).map(|view| macos::ifconfig_single(&view))
}

fn ifconfig_all(host: &SimHost) -> String {
    let mut names: Vec<&str> = host.ports.iter().map(|port| port.name.as_str()).collect();
    names.extend(host.bridges.keys().map(String::as_str));
    let views: Vec<_> = names
        .into_iter()
        .filter_map(|name| view(host, name))
        .collect();
    macos::ifconfig_all(&views)
}

fn set_address(
    host: &mut SimHost,
    name: &str,
    address: &str,
    mask: &str,
    root: bool,
) -> CommandOutput {
    if !root {
        return fail("", "ifconfig: ioctl (SIOCAIFADDR): permission denied\n", 1);
    }
    let parsed = address.parse::<Ipv4Addr>().ok().zip(
        mask.parse::<Ipv4Addr>()
            .ok()
            .and_then(|m| Prefix::from_mask(u32::from(m))),
    );
    let Some(port) = host.port_mut(name) else {
        return missing_interface(name);
    };
    match parsed {
        Some(inet) => {
            port.inet = Some(inet);
            ok("")
        }
        None => fail("", &format!("ifconfig: {address}: bad value\n"), 1),
    }
}

fn delete_member(host: &mut SimHost, bridge: &str, port: &str, root: bool) -> CommandOutput {
    if !root {
        return fail(
            "",
            &format!("ifconfig: BRDGDEL {port}: Operation not permitted\n"),
            1,
        );
    }
    let Some(members) = host.bridges.get_mut(bridge) else {
        return missing_interface(bridge);
    };
    match members.iter().position(|member| member == port) {
        Some(position) => {
            members.remove(position);
            ok("")
        }
        None => fail(
            "",
            &format!("ifconfig: BRDGDEL {port}: No such file or directory\n"),
            1,
        ),
    }
}

fn devices(host: &SimHost) -> Vec<(String, u64)> {
    if host.rdma != RdmaSwitch::Enabled {
        return Vec::new();
    }
    host.ports
        .iter()
        .filter(|port| port.thunderbolt)
        .map(|port| (format!("rdma_{}", port.name), port.guid))
        .collect()
}

/// A port is active when the Macs at both ends have RDMA on and neither end is bridged.
fn port_active(hosts: &[SimHost], index: usize, cables: &[Cable], port: &str) -> bool {
    let host = &hosts[index];
    let healthy = |host: &SimHost, port: &str| {
        host.rdma == RdmaSwitch::Enabled
            && !host.is_bridged(port)
            && host.port(port).is_some_and(|p| p.carrier)
    };
    healthy(host, port)
        && cables.iter().any(|cable| {
            cable
                .far_end(&host.name, port)
                .is_some_and(|(peer, peer_port)| {
                    hosts
                        .iter()
                        .find(|h| h.name == peer)
                        .is_some_and(|peer| healthy(peer, peer_port))
                })
        })
}

fn devinfo(hosts: &[SimHost], index: usize, cables: &[Cable], device: &str) -> CommandOutput {
    let host = &hosts[index];
    let port = device.strip_prefix("rdma_").unwrap_or_default();
    let all = devices(host);
    let known = all.iter().find(|(name, _)| name == device);
    let (Some((_, guid)), Some(sim_port)) = (known, host.port(port)) else {
        let (stderr, exit_code) = macos::ibv_devinfo_missing(device);
        return fail("", &stderr, exit_code);
    };
    let mut gids = vec![link_local(&sim_port.ether)];
    if let Some((address, _)) = sim_port.inet.filter(|_| sim_port.publishes_ipv4_gid) {
        gids.push(format!("::ffff:{address}"));
    }
    let view = macos::IbvDeviceView {
        name: device.to_owned(),
        node_guid: *guid,
        sys_image_guid: all.first().map_or(*guid, |(_, first)| *first),
        port_active: port_active(hosts, index, cables, port),
        gids,
    };
    ok(&macos::ibv_devinfo(&view, true))
}

fn ping(hosts: &[SimHost], index: usize, cables: &[Cable], target: &str) -> CommandOutput {
    let Ok(target) = target.parse::<Ipv4Addr>() else {
        return fail(
            "",
            &format!("ping: cannot resolve {target}: Unknown host\n"),
            68,
        );
    };
    let host = &hosts[index];
    let reachable = host.ports.iter().find_map(|port| {
        let (address, prefix) = port.inet?;
        let usable =
            |h: &SimHost, p: &str| !h.is_bridged(p) && h.port(p).is_some_and(|p| p.carrier);
        if prefix.network(address) != prefix.network(target) || !usable(host, &port.name) {
            return None;
        }
        cables.iter().find_map(|cable| {
            let (peer, peer_port) = cable.far_end(&host.name, &port.name)?;
            let peer = hosts.iter().find(|h| h.name == peer)?;
            let holds = peer.port(peer_port)?.inet.is_some_and(|(a, _)| a == target);
            (holds && usable(peer, peer_port)).then_some(cable.rtt_ms)
        })
    });
    match reachable {
        Some(rtt) => ok(&macos::ping_reply(target, rtt)),
        None => CommandOutput::new(macos::ping_no_reply(target), "", 2),
    }
}
