use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use rdma_phase::Prefix;

/// `rdma_ctl status` on a simulated Mac.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RdmaSwitch {
    Enabled,
    Disabled,
    /// macOS older than 26.2: no `rdma_ctl` at all.
    Missing,
}

/// A network port of a simulated Mac.
#[derive(Debug, Clone, PartialEq)]
pub struct SimPort {
    pub name: String,
    pub ether: String,
    pub inet: Option<(Ipv4Addr, Prefix)>,
    /// Thunderbolt ports get an RDMA device (`rdma_<name>`); Ethernet and Wi-Fi do not.
    pub thunderbolt: bool,
    /// Cable plugged in and the far end up.
    pub carrier: bool,
    /// The RDMA device's node GUID.
    pub guid: u64,
    /// Whether the port's GID table gains `::ffff:a.b.c.d` once the port has an address.
    /// False models the field fault where the table is stuck (only a reboot helps).
    pub publishes_ipv4_gid: bool,
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
}

impl SimHost {
    /// A Mac Studio after a normal reboot: Ethernet `en0` carries the management address,
    /// `thunderbolt` ports exist with no address, nothing is bridged, RDMA is enabled.
    pub fn rebooted(name: &str, index: u8, thunderbolt: &[&str]) -> Self {
        let management = Ipv4Addr::new(192, 0, 2, 10 + index);
        let mut ports = vec![SimPort {
            name: "en0".to_owned(),
            ether: format!("36:4d:04:ea:{index:02x}:00"),
            inet: Prefix::new(24).ok().map(|prefix| (management, prefix)),
            thunderbolt: false,
            carrier: true,
            guid: 0,
            publishes_ipv4_gid: false,
        }];
        for (number, port) in thunderbolt.iter().enumerate() {
            let number = u8::try_from(number).unwrap_or(u8::MAX);
            ports.push(SimPort {
                name: (*port).to_owned(),
                ether: format!("36:4d:04:ea:{index:02x}:{:02x}", 0x40 + number),
                inet: None,
                thunderbolt: true,
                carrier: true,
                guid: 0x8096_a9d9_edba_ac00 | (u64::from(number) << 56) | u64::from(index),
                publishes_ipv4_gid: true,
            });
        }
        Self {
            name: name.to_owned(),
            ports,
            bridges: BTreeMap::new(),
            rdma: RdmaSwitch::Enabled,
            files: BTreeMap::new(),
            ssh_address: management,
        }
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
