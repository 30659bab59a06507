use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use rdma_phase::{Prefix, IBV_DEVICES_PATH};

use crate::macos::identity::{self_assigned_address, self_assigned_prefix};
use crate::macos::{busy_mac, AddressCacheEntry, Generation, InterfaceView};

/// `rdma_ctl status` on a simulated Mac.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RdmaSwitch {
    Enabled,
    Disabled,
    /// macOS older than 26.2: no `rdma_ctl` at all.
    Missing,
}

/// What configd does with a port's self-assigned 169.254 address once `ifconfig PORT A
/// netmask M` (no `alias`) replaced it, being the port's first address. Real Macs do all
/// three: the address stays away for minutes, or comes back, listed either way round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Configd {
    /// It stays away: the port lists the static address only.
    Withdrawn,
    /// It comes back at once, listed after the static address (the order the lab's kernel
    /// gives too). A re-run replaces the static address by itself: nothing moves.
    #[default]
    BackAfter,
    /// It comes back at once, listed first. A re-run's assignment replaces it again, and it
    /// comes back again: the port keeps listing both, the self-assigned one first.
    BackBefore,
}

/// A network port of a simulated Mac.
#[derive(Debug, Clone, PartialEq)]
pub struct SimPort {
    pub name: String,
    pub ether: String,
    /// IPv4 addresses in the order `ifconfig` lists them. A Thunderbolt port starts with the
    /// 169.254 address configd gives it; that one is listed only while the port has carrier
    /// and is in no bridge (a bridge member lists no IPv4 address).
    pub inet: Vec<(Ipv4Addr, Prefix)>,
    /// Thunderbolt ports get an RDMA device (`rdma_<name>`); Ethernet and Wi-Fi do not.
    pub thunderbolt: bool,
    /// Cable plugged in and the far end up.
    pub carrier: bool,
    /// The RDMA device's node GUID.
    pub guid: u64,
    /// Whether the port's GID table gains `::ffff:a.b.c.d` once the port has an address.
    /// False models the field fault where the table is stuck (only a reboot helps).
    pub publishes_ipv4_gid: bool,
    pub configd: Configd,
}

/// One simulated Mac: its ports, bridges, RDMA switch and files.
#[derive(Debug, Clone, PartialEq)]
pub struct SimHost {
    pub name: String,
    pub ports: Vec<SimPort>,
    /// Bridge name -> member port names.
    pub bridges: BTreeMap<String, Vec<String>>,
    pub rdma: RdmaSwitch,
    pub files: BTreeMap<String, String>,
    /// The address the SSH session arrives on (`SSH_CONNECTION`'s third field).
    pub ssh_address: Ipv4Addr,
    /// Addresses on `lo0` after 127.0.0.1.
    pub loopback_aliases: Vec<(Ipv4Addr, Prefix)>,
    /// Interfaces `ifconfig` lists that nothing here changes (`gif0`, `utun4`, ...), shown
    /// as given, each with its own interface index.
    pub others: Vec<InterfaceView>,
    /// A bridge's own IPv4 addresses (a virtual machine bridge's gateway address).
    pub bridge_inet: BTreeMap<String, Vec<(Ipv4Addr, Prefix)>>,
    /// What `ifconfig BRIDGE` lists under `Address cache:`.
    pub address_cache: BTreeMap<String, Vec<AddressCacheEntry>>,
    /// Thunderbolt 5 (RDMA) or 4 (no RDMA device, 40 Gb/s links).
    pub generation: Generation,
    /// Another run (`user@machine:pid`) that takes the host lock right after the first look
    /// at it finds it free: a run that got in between this one's look and its take.
    pub another_run_after_the_look: Option<String>,
    /// How many more takes that run's lock refuses before it is given back; `None`: it is
    /// held for good.
    pub another_run_refuses_takes: Option<u32>,
}

impl SimHost {
    /// A Mac Studio after a normal reboot: Ethernet `en0` carries the management address,
    /// the `thunderbolt` ports exist with only their self-assigned 169.254 address, the
    /// Thunderbolt Bridge `bridge0` is there with no member (as in the lab), RDMA is enabled.
    pub fn rebooted(name: &str, index: u8, thunderbolt: &[&str]) -> Self {
        let management = Ipv4Addr::new(192, 0, 2, 10 + index);
        let mut ports = vec![SimPort {
            name: "en0".to_owned(),
            ether: format!("36:4d:04:ea:{index:02x}:00"),
            inet: Prefix::new(24)
                .ok()
                .map(|prefix| (management, prefix))
                .into_iter()
                .collect(),
            thunderbolt: false,
            carrier: true,
            guid: 0,
            publishes_ipv4_gid: false,
            configd: Configd::default(),
        }];
        for (number, port) in thunderbolt.iter().enumerate() {
            let number = u8::try_from(number).unwrap_or(u8::MAX);
            ports.push(SimPort {
                name: (*port).to_owned(),
                ether: format!("36:4d:04:ea:{index:02x}:{:02x}", 0x40 + number),
                inet: vec![(self_assigned_address(name, port, 0), self_assigned_prefix())],
                thunderbolt: true,
                carrier: true,
                guid: 0x8096_a9d9_edba_ac00 | (u64::from(number) << 56) | u64::from(index),
                publishes_ipv4_gid: true,
                configd: Configd::default(),
            });
        }
        Self {
            name: name.to_owned(),
            ports,
            bridges: BTreeMap::from([("bridge0".to_owned(), Vec::new())]),
            rdma: RdmaSwitch::Enabled,
            files: BTreeMap::new(),
            ssh_address: management,
            loopback_aliases: Vec::new(),
            others: Vec::new(),
            bridge_inet: BTreeMap::new(),
            address_cache: BTreeMap::new(),
            generation: Generation::Thunderbolt5,
            another_run_after_the_look: None,
            another_run_refuses_takes: None,
        }
    }

    /// A Mac in daily use (`macos::busy`): a loopback alias, Apple's other interfaces, VPN
    /// tunnels (one whose /16 is 10.254.0.0/16), and VM bridges `bridge100`/`bridge101`
    /// with `vmenet0`/`vmenet1` as members, which a test can check are never changed.
    #[must_use]
    pub fn busy(mut self) -> Self {
        let busy = busy_mac(&self.name);
        self.loopback_aliases.extend(busy.loopback_aliases);
        self.others.extend(busy.others);
        for vm in busy.vm_bridges {
            self.ports.push(SimPort {
                name: vm.member.clone(),
                ether: vm.member_ether,
                inet: Vec::new(),
                thunderbolt: false,
                carrier: true,
                guid: 0,
                publishes_ipv4_gid: false,
                configd: Configd::default(),
            });
            self.bridge(&vm.name, &vm.member);
            self.bridge_inet.insert(vm.name.clone(), vec![vm.inet]);
            self.address_cache.insert(vm.name, vm.cache);
        }
        self
    }

    /// A Thunderbolt 4 Mac (an M4 Mac mini): `rdma_ctl status` says enabled, yet no RDMA
    /// device is listed, and its links run at 40 Gb/s.
    #[must_use]
    pub fn thunderbolt4(mut self) -> Self {
        self.generation = Generation::Thunderbolt4;
        self
    }

    /// Another run, `who`, takes the host lock just after this run looked at it.
    #[must_use]
    pub fn another_run_takes_the_lock_after_the_look(mut self, who: &str) -> Self {
        self.another_run_after_the_look = Some(who.to_owned());
        self
    }

    /// That other run gives the lock back once it has refused `takes` takes.
    #[must_use]
    pub fn and_gives_it_back_after(mut self, takes: u32) -> Self {
        self.another_run_refuses_takes = Some(takes);
        self
    }

    /// A file left on the Mac, such as `/tmp/mlx_ibv_devices.json` from another tool.
    #[must_use]
    pub fn with_file(mut self, path: &str, content: &str) -> Self {
        self.files.insert(path.to_owned(), content.to_owned());
        self
    }

    /// The device file someone else left (`macos::predecessor_device_file`,
    /// `macos::INVALID_DEVICE_FILE`).
    #[must_use]
    pub fn with_device_file(self, content: &str) -> Self {
        self.with_file(IBV_DEVICES_PATH, content)
    }

    /// What configd does on `port` once a static address replaces its 169.254 one.
    #[must_use]
    pub fn with_configd(mut self, port: &str, configd: Configd) -> Self {
        if let Some(port) = self.port_mut(port) {
            port.configd = configd;
        }
        self
    }

    pub fn port(&self, name: &str) -> Option<&SimPort> {
        self.ports.iter().find(|port| port.name == name)
    }

    pub fn port_mut(&mut self, name: &str) -> Option<&mut SimPort> {
        self.ports.iter_mut().find(|port| port.name == name)
    }

    /// Put a port into a bridge, creating the bridge if needed (what a reinstall does).
    pub fn bridge(&mut self, bridge: &str, port: &str) {
        self.bridges
            .entry(bridge.to_owned())
            .or_default()
            .push(port.to_owned());
    }

    pub fn is_bridged(&self, port: &str) -> bool {
        self.bridges
            .values()
            .any(|members| members.iter().any(|member| member == port))
    }
}
