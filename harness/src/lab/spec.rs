//! What to build: hosts, cables and the faults to start with.

use std::collections::BTreeSet;
use std::time::Duration;

use rdma_phase::IfaceName;

use super::LabError;

/// One end of a cable: a host and its Thunderbolt port name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PortRef {
    pub host: String,
    pub port: String,
}

impl PortRef {
    pub fn new(host: &str, port: &str) -> Self {
        Self {
            host: host.to_owned(),
            port: port.to_owned(),
        }
    }
}

/// A Thunderbolt cable between two ports of two hosts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Cable {
    pub a: PortRef,
    pub b: PortRef,
}

impl Cable {
    pub fn new(a_host: &str, a_port: &str, b_host: &str, b_port: &str) -> Self {
        Self {
            a: PortRef::new(a_host, a_port),
            b: PortRef::new(b_host, b_port),
        }
    }
}

/// How the controller's `known_hosts` should misdescribe a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostKeyFault {
    /// No entry at all ("unknown host key").
    Unknown,
    /// An entry with some other key ("REMOTE HOST IDENTIFICATION HAS CHANGED").
    Changed,
}

/// A departure from a freshly rebooted, correctly installed cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// The port starts as a member of `bridge` (as after a macOS reinstall).
    Bridged {
        host: String,
        port: String,
        bridge: String,
    },
    /// `rdma_ctl status` says disabled: no RDMA devices on this host.
    RdmaDisabled { host: String },
    /// sudo asks for this password (no NOPASSWD).
    SudoPassword { host: String, password: String },
    /// The cable at this port is unplugged: no carrier at either end.
    Unplugged { host: String, port: String },
    /// The host's sshd is only reachable from `jump` (for `--proxy` and `ProxyJump`).
    BehindJump { host: String, jump: String },
    /// Every SSH round trip to the host is delayed by this much in each direction.
    Delay { host: String, delay: Duration },
    /// No sshd runs on the host: connections are refused.
    SshdDown { host: String },
    /// The host is powered off: its management link is down, nothing answers at all.
    HostDown { host: String },
    /// The controller's known_hosts is wrong about this host.
    HostKey { host: String, kind: HostKeyFault },
    /// `rdma_ctl status` prints without end (a command stuck printing).
    Flood { host: String },
    /// `rdma_ctl status` never answers: it sleeps far past any command timeout.
    Hang { host: String },
}

impl Fault {
    fn host(&self) -> &str {
        match self {
            Self::Bridged { host, .. }
            | Self::RdmaDisabled { host }
            | Self::SudoPassword { host, .. }
            | Self::Unplugged { host, .. }
            | Self::BehindJump { host, .. }
            | Self::Delay { host, .. }
            | Self::SshdDown { host }
            | Self::HostDown { host }
            | Self::HostKey { host, .. }
            | Self::Flood { host }
            | Self::Hang { host } => host,
        }
    }
}

/// How a host's `rdma_ctl status` misbehaves ([`Fault::Flood`], [`Fault::Hang`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Misbehaviour {
    Flood,
    Hang,
}

impl Misbehaviour {
    /// The word in the host's `rdma_ctl_fault` file.
    pub fn word(self) -> &'static str {
        match self {
            Self::Flood => "flood",
            Self::Hang => "hang",
        }
    }

    pub fn from_word(word: &str) -> Option<Self> {
        [Self::Flood, Self::Hang]
            .into_iter()
            .find(|how| how.word() == word.trim())
    }

    /// The misbehaviour a fault asks of `host`, if it is one.
    pub fn of(fault: &Fault, host: &str) -> Option<Self> {
        match fault {
            Fault::Flood { host: h } if h == host => Some(Self::Flood),
            Fault::Hang { host: h } if h == host => Some(Self::Hang),
            _ => None,
        }
    }
}

/// The whole lab to build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabSpec {
    /// Host names in order; also their hostnames and ssh config aliases.
    pub hosts: Vec<String>,
    pub cables: Vec<Cable>,
    pub faults: Vec<Fault>,
}

/// Interface names the lab itself uses on every host; cables may not take them.
pub const MGMT_IFACE: &str = "en0";
/// The jump host's leg on the network only it reaches.
pub const HIDDEN_IFACE: &str = "en9";

impl LabSpec {
    #[must_use]
    pub fn with(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }

    pub fn validate(&self) -> Result<(), LabError> {
        let mut names = BTreeSet::new();
        for host in &self.hosts {
            let ok = !host.is_empty()
                && host.len() <= 63
                && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !host.starts_with('-');
            if !ok {
                return Err(LabError::Spec(format!(
                    "host name '{host}' must be letters, digits and '-' (it becomes a hostname)"
                )));
            }
            if !names.insert(host.as_str()) {
                return Err(LabError::Spec(format!("host '{host}' is listed twice")));
            }
        }
        let mut ports = BTreeSet::new();
        for cable in &self.cables {
            for end in [&cable.a, &cable.b] {
                self.check_port(end)?;
                if !ports.insert((end.host.as_str(), end.port.as_str())) {
                    return Err(LabError::Spec(format!(
                        "{}:{} has two cables",
                        end.host, end.port
                    )));
                }
            }
            if cable.a.host == cable.b.host {
                return Err(LabError::Spec(format!(
                    "a cable connects {} to itself",
                    cable.a.host
                )));
            }
        }
        for fault in &self.faults {
            if !names.contains(fault.host()) {
                return Err(LabError::Spec(format!(
                    "fault {fault:?} names an unknown host"
                )));
            }
            match fault {
                Fault::Bridged { host, port, bridge } => {
                    if !ports.contains(&(host.as_str(), port.as_str())) {
                        return Err(LabError::Spec(format!("{host}:{port} has no cable")));
                    }
                    let unit = bridge.strip_prefix("bridge").unwrap_or("");
                    if unit.is_empty() || !unit.bytes().all(|b| b.is_ascii_digit()) {
                        return Err(LabError::Spec(format!(
                            "'{bridge}' is not a bridge name like bridge0"
                        )));
                    }
                }
                Fault::Unplugged { host, port }
                    if !ports.contains(&(host.as_str(), port.as_str())) =>
                {
                    return Err(LabError::Spec(format!("{host}:{port} has no cable")));
                }
                Fault::BehindJump { host, jump }
                    if !names.contains(jump.as_str()) || jump == host =>
                {
                    return Err(LabError::Spec(format!(
                        "{host} cannot hide behind '{jump}'"
                    )));
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn check_port(&self, end: &PortRef) -> Result<(), LabError> {
        if !self.hosts.contains(&end.host) {
            return Err(LabError::Spec(format!(
                "a cable names unknown host '{}'",
                end.host
            )));
        }
        let valid = IfaceName::parse(&end.port).is_ok()
            && end.port.starts_with("en")
            && end.port != MGMT_IFACE
            && end.port != HIDDEN_IFACE;
        if !valid {
            return Err(LabError::Spec(format!(
                "port '{}' must be an enN name other than {MGMT_IFACE} and {HIDDEN_IFACE}",
                end.port
            )));
        }
        Ok(())
    }

    /// The peer of a port, if it has a cable.
    pub fn peer_of(&self, host: &str, port: &str) -> Option<&PortRef> {
        self.cables.iter().find_map(|cable| {
            if cable.a.host == host && cable.a.port == port {
                Some(&cable.b)
            } else if cable.b.host == host && cable.b.port == port {
                Some(&cable.a)
            } else {
                None
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two() -> LabSpec {
        LabSpec {
            hosts: vec!["a".into(), "b".into()],
            cables: vec![Cable::new("a", "en5", "b", "en5")],
            faults: Vec::new(),
        }
    }

    #[test]
    fn accepts_a_plain_spec() {
        assert!(two().validate().is_ok());
        assert_eq!(two().peer_of("b", "en5"), Some(&PortRef::new("a", "en5")));
    }

    #[test]
    fn refuses_management_port_names_and_unknown_hosts() {
        let mut spec = two();
        spec.cables.push(Cable::new("a", "en0", "b", "en3"));
        assert!(spec.validate().is_err());
        let spec = two().with(Fault::SshdDown { host: "c".into() });
        assert!(spec.validate().is_err());
        let spec = two().with(Fault::Bridged {
            host: "a".into(),
            port: "en5".into(),
            bridge: "br0".into(),
        });
        assert!(spec.validate().is_err());
    }
}
