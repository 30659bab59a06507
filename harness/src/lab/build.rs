//! Building a lab from a [`LabSpec`], step by step, recording each piece as it appears so a
//! failure half way still tears down everything.

use std::path::Path;

use super::clutter::assign_self_addresses;
use super::files::{mkdir, set_mode, write, write_bytes};
use super::instance::Lab;
use super::net::{self, addr, HIDDEN_NET, MGMT_NET};
use super::ports::{port_guid, port_mac};
use super::quirks::{Quirk, QuirkySpec};
use super::spec::{Fault, LabSpec, Misbehaviour, HIDDEN_IFACE, MGMT_IFACE};
use super::state::{HostState, PortState};
use super::{locate, naming, process, ssh, LabError};

/// The macOS commands the shim binary answers to (it dispatches on its name).
pub const SHIM_COMMANDS: &[&str] = &[
    "ifconfig",
    "rdma_ctl",
    "ibv_devices",
    "ibv_devinfo",
    "ping",
    "sudo",
    "sw_vers",
    "uname",
    "networksetup",
    "system_profiler",
    "netstat",
];

impl Lab {
    pub(super) fn build(&mut self, quirky: &QuirkySpec, shim: &Path) -> Result<(), LabError> {
        let spec = &quirky.spec;
        let paths = self.paths();
        self.install_shims(shim)?;
        self.make_host_dirs(spec)?;
        ssh::keygen(&paths.client_key(), "rdma-lab-controller")?;
        let client_pub = ssh::public_key(&paths.client_key())?;
        write(&paths.authorized_keys(), &format!("{client_pub}\n"), 0o600)?;

        // Namespaces first: every host's mount namespace copies /run/netns when its keeper
        // starts, and the shims look up peers there.
        let switch = self.state.switch_ns.clone();
        let controller = self.state.controller_ns.clone();
        net::add_ns(&switch)?;
        net::add_ns(&controller)?;
        self.state.hosts = spec
            .hosts
            .iter()
            .enumerate()
            .map(|(index, name)| self.host_record(quirky, index, name))
            .collect();
        assign_self_addresses(&mut self.state.hosts);
        for host in &self.state.hosts {
            net::add_ns(&host.ns)?;
        }
        self.state.save()?;

        net::add_bridge(&switch, net::MGMT_BRIDGE)?;
        net::attach(
            &switch,
            net::MGMT_BRIDGE,
            "c0",
            &controller,
            net::CONTROLLER_IFACE,
            addr(MGMT_NET, 1),
        )?;
        let hidden_needed = spec
            .faults
            .iter()
            .any(|fault| matches!(fault, Fault::BehindJump { .. }));
        if hidden_needed {
            net::add_bridge(&switch, net::HIDDEN_BRIDGE)?;
        }
        for (index, host) in self.state.hosts.iter().enumerate() {
            let bridge = if host.jump.is_some() {
                net::HIDDEN_BRIDGE
            } else {
                net::MGMT_BRIDGE
            };
            net::attach(
                &switch,
                bridge,
                &format!("h{index}"),
                &host.ns,
                MGMT_IFACE,
                host.ssh_ip,
            )?;
            let is_jump = self
                .state
                .hosts
                .iter()
                .any(|other| other.jump.as_deref() == Some(&host.name));
            if is_jump {
                net::attach(
                    &switch,
                    net::HIDDEN_BRIDGE,
                    &format!("j{index}"),
                    &host.ns,
                    HIDDEN_IFACE,
                    addr(HIDDEN_NET, 100 + host_octet(index)),
                )?;
            }
        }
        self.build_cables(spec)?;
        for host in &self.state.hosts {
            // macOS always has the Thunderbolt Bridge, listed after the ports; a fresh boot
            // leaves it empty here (the Bridged fault fills it).
            net::add_bridge(&host.ns, "bridge0")?;
        }
        for fault in &spec.faults {
            if let Fault::Bridged { host, port, bridge } = fault {
                let ns = &self.state.host(host)?.ns;
                net::bridge_port(ns, bridge, port)?;
                // A bridge member lists no IPv4 address: configd's moves off the port.
                if let Some(ip) = self.self_assigned(host, port) {
                    net::unassign(ns, port, ip)?;
                }
            }
        }
        self.apply_quirks(quirky)?;

        for host in &spec.hosts {
            let disabled = spec
                .faults
                .iter()
                .any(|fault| matches!(fault, Fault::RdmaDisabled { host: h } if h == host));
            self.set_rdma(host, !disabled)?;
            let password = spec.faults.iter().find_map(|fault| match fault {
                Fault::SudoPassword { host: h, password } if h == host => Some(password.as_str()),
                _ => None,
            });
            self.set_sudo_password(host, password)?;
            let misbehaviour = spec
                .faults
                .iter()
                .find_map(|fault| Misbehaviour::of(fault, host));
            self.set_misbehaviour(host, misbehaviour)?;
        }

        self.start_hosts(spec)?;
        for fault in &spec.faults {
            if let Fault::HostDown { host } = fault {
                self.power_off(host)?;
            }
        }
        self.write_client_files(spec)?;
        self.state.save()
    }

    fn host_record(&self, quirky: &QuirkySpec, index: usize, name: &str) -> HostState {
        let spec = &quirky.spec;
        let jump = spec.faults.iter().find_map(|fault| match fault {
            Fault::BehindJump { host, jump } if host == name => Some(jump.clone()),
            _ => None,
        });
        let delay_ms = spec.faults.iter().find_map(|fault| match fault {
            Fault::Delay { host, delay } if host == name => {
                Some(u64::try_from(delay.as_millis()).unwrap_or(u64::MAX))
            }
            _ => None,
        });
        let net = if jump.is_some() { HIDDEN_NET } else { MGMT_NET };
        let host_index = index + 1;
        let ports = spec
            .cables
            .iter()
            .filter_map(|cable| {
                let (mine, theirs) = if cable.a.host == name {
                    (&cable.a, &cable.b)
                } else if cable.b.host == name {
                    (&cable.b, &cable.a)
                } else {
                    return None;
                };
                Some(PortState {
                    name: mine.port.clone(),
                    mac: port_mac(host_index, &mine.port),
                    guid: port_guid(host_index, &mine.port),
                    peer_host: theirs.host.clone(),
                    peer_port: theirs.port.clone(),
                    self_assigned: None,
                })
            })
            .collect();
        HostState {
            name: name.to_owned(),
            ns: naming::host_ns(&self.state.name, name),
            ssh_ip: addr(net, 10 + host_octet(index)),
            jump,
            keeper_pid: None,
            sshd_pid: None,
            relay_pid: None,
            delay_ms,
            ports,
            busy: quirky.is(name, |quirk| matches!(quirk, Quirk::Busy { .. })),
            thunderbolt4: quirky.is(name, |quirk| matches!(quirk, Quirk::Thunderbolt4 { .. })),
        }
    }

    fn build_cables(&mut self, spec: &LabSpec) -> Result<(), LabError> {
        for cable in &spec.cables {
            let unplugged = spec.faults.iter().any(|fault| {
                matches!(fault, Fault::Unplugged { host, port }
                    if (host == &cable.a.host && port == &cable.a.port)
                        || (host == &cable.b.host && port == &cable.b.port))
            });
            if unplugged {
                self.unplug(&cable.a.host, &cable.a.port)?;
            } else {
                self.plug(&cable.a.host, &cable.a.port)?;
            }
        }
        Ok(())
    }

    fn install_shims(&self, shim: &Path) -> Result<(), LabError> {
        let bin = self.paths().bin();
        mkdir(&bin, 0o755)?;
        let installed = bin.join(locate::SHIM_NAME);
        // A copy, not a link: rebuilding the workspace must not change a running lab, and
        // the shim finds the lab from its own location.
        std::fs::copy(shim, &installed).map_err(LabError::io(format!(
            "copy {} to {}",
            shim.display(),
            installed.display()
        )))?;
        set_mode(&installed, 0o755)?;
        for command in SHIM_COMMANDS {
            let link = bin.join(command);
            std::os::unix::fs::symlink(locate::SHIM_NAME, &link)
                .map_err(LabError::io(format!("link {}", link.display())))?;
        }
        Ok(())
    }

    fn make_host_dirs(&self, spec: &LabSpec) -> Result<(), LabError> {
        let paths = self.paths();
        for host in &spec.hosts {
            mkdir(&paths.host(host), 0o755)?;
            // World-writable with the sticky bit, like the /tmp it stands in for.
            mkdir(&paths.host_tmp(host), 0o1777)?;
            mkdir(&paths.host_home(host).join(".ssh"), 0o700)?;
            set_mode(&paths.host_home(host), 0o700)?;
            ssh::keygen(&paths.host_key(host), host)?;
        }
        Ok(())
    }

    fn start_hosts(&mut self, spec: &LabSpec) -> Result<(), LabError> {
        let paths = self.paths();
        for index in 0..self.state.hosts.len() {
            let name = self.state.hosts[index].name.clone();
            let ns = self.state.hosts[index].ns.clone();
            let keeper = process::start_keeper(
                &ns,
                &name,
                &paths.host_tmp(&name),
                &paths.host_home(&name),
                &paths.host(&name).join("keeper.log"),
            )?;
            self.state.hosts[index].keeper_pid = Some(keeper.id());
            self.children.push(keeper);
            self.state.save()?;
            let down = spec
                .faults
                .iter()
                .any(|fault| matches!(fault, Fault::SshdDown { host } if host == &name));
            if !down {
                self.start_sshd(&name)?;
            }
        }
        Ok(())
    }

    fn write_client_files(&self, spec: &LabSpec) -> Result<(), LabError> {
        let paths = self.paths();
        let hosts = &self.state.hosts;
        write(
            &paths.ssh_config(),
            &ssh::client_config(&paths, hosts),
            0o644,
        )?;
        let known = ssh::known_hosts(&paths, hosts, |name| {
            spec.faults.iter().find_map(|fault| match fault {
                Fault::HostKey { host, kind } if host == name => Some(*kind),
                _ => None,
            })
        })?;
        write(&paths.known_hosts(), &known, 0o644)?;
        for jump in hosts {
            let hidden: Vec<&HostState> = hosts
                .iter()
                .filter(|host| host.jump.as_deref() == Some(jump.name.as_str()))
                .collect();
            if hidden.is_empty() {
                continue;
            }
            let dot_ssh = paths.host_home(&jump.name).join(".ssh");
            write(
                &dot_ssh.join("config"),
                &ssh::jump_client_config(&hidden),
                0o600,
            )?;
            let key = std::fs::read(paths.client_key()).map_err(LabError::io("read client key"))?;
            write_bytes(&dot_ssh.join("id_ed25519"), &key, 0o600)?;
            let mut known = String::new();
            for host in &hidden {
                known.push_str(&ssh::known_hosts_line(
                    host,
                    &ssh::public_key(&paths.host_key(&host.name))?,
                ));
            }
            write(&dot_ssh.join("known_hosts"), &known, 0o600)?;
        }
        Ok(())
    }
}

/// Host i (from 0) gets the last octet 11, 12, ...
fn host_octet(index: usize) -> u8 {
    u8::try_from(index + 1).unwrap_or(u8::MAX).min(80)
}
