//! Whether and how to put the planned address on the interface, decided from parsed state.

use std::net::{IpAddr, Ipv4Addr};

use rdma_phase::parse::{find_interface, Gateway, InetAddress, Interface};
use rdma_phase::{CommandOutput, Prefix};

/// Where the interface stands against the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assessment {
    NoSuchInterface,
    /// The planned address with the planned prefix is there: nothing to do.
    AlreadySet,
    /// Another interface of the Mac holds an address inside the planned subnet (or the
    /// planned subnet equals or contains its own): assigning would route traffic for it over
    /// the cable (or the cable's over the LAN).
    Clash {
        other_iface: String,
        held: InetAddress,
    },
    /// The address must be set.
    Assign {
        /// What the interface holds outside the planned subnet: if anything, the session
        /// guard must clear the change first.
        foreign: Vec<Ipv4Addr>,
        /// Self-assigned `169.254` addresses of the interface: never a reason to refuse,
        /// but the SSH session may have arrived on one, so the guard still looks.
        self_assigned: Vec<Ipv4Addr>,
        /// Broader networks of other interfaces the planned subnet lies strictly inside
        /// (a VPN's /16): the change is made, with a warning.
        inside: Vec<Enclosing>,
    },
}

/// Another interface's network that strictly contains the planned subnet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enclosing {
    pub iface: String,
    pub held: InetAddress,
}

impl Enclosing {
    /// `10.254.0.0/16`: the held address's network, as routes name it.
    pub fn network(&self) -> String {
        match self.held.prefix {
            Some(prefix) => format!("{}/{prefix}", prefix.network(self.held.address)),
            None => self.held.address.to_string(),
        }
    }
}

/// How an address held elsewhere on the Mac stands against the planned subnet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    Apart,
    /// The held address is inside the planned subnet (so its subnet equals, contains or
    /// is contained in the planned one): two interfaces would claim the same addresses.
    Clash,
    /// The held network strictly contains the planned subnet, without the held address in
    /// it: the cable's more specific route wins for the planned subnet only.
    Inside,
}

fn relation(held: &InetAddress, address: Ipv4Addr, prefix: Prefix) -> Relation {
    if prefix.network(held.address) == prefix.network(address) {
        return Relation::Clash;
    }
    match held.prefix {
        // An address without a readable mask covers only itself, which is outside.
        Some(own)
            if own.bits() < prefix.bits() && own.network(held.address) == own.network(address) =>
        {
            Relation::Inside
        }
        _ => Relation::Apart,
    }
}

pub fn assess(
    interfaces: &[Interface],
    iface: &str,
    address: Ipv4Addr,
    prefix: Prefix,
) -> Assessment {
    let Some(target) = find_interface(interfaces, iface) else {
        return Assessment::NoSuchInterface;
    };
    if target.holds(address, prefix) {
        return Assessment::AlreadySet;
    }
    // Loopback addresses never leave the Mac, and a self-assigned 169.254 comes and goes
    // on its own: neither can take the cable's traffic.
    let others = interfaces
        .iter()
        .filter(|other| other.name != iface && !other.is_loopback())
        .flat_map(|other| {
            other
                .inet
                .iter()
                .filter(|held| !held.is_self_assigned())
                .map(move |held| (other, *held, relation(held, address, prefix)))
        });
    let mut inside = Vec::new();
    for (other, held, relation) in others {
        match relation {
            Relation::Clash => {
                return Assessment::Clash {
                    other_iface: other.name.clone(),
                    held,
                }
            }
            Relation::Inside => inside.push(Enclosing {
                iface: other.name.clone(),
                held,
            }),
            Relation::Apart => {}
        }
    }
    let (self_assigned, own): (Vec<&InetAddress>, Vec<&InetAddress>) =
        target.inet.iter().partition(|held| held.is_self_assigned());
    let foreign = own
        .into_iter()
        .map(|held| held.address)
        .filter(|held| prefix.network(*held) != prefix.network(address))
        .collect();
    Assessment::Assign {
        foreign,
        self_assigned: self_assigned.into_iter().map(|held| held.address).collect(),
        inside,
    }
}

/// The default gateway the planned subnet would swallow, if any: with it on the port, the
/// Mac would look for its router over the cable.
pub fn gateway_inside(gateways: &[Gateway], address: Ipv4Addr, prefix: Prefix) -> Option<&Gateway> {
    gateways
        .iter()
        .find(|gateway| prefix.network(gateway.address) == prefix.network(address))
}

/// Whether the interface may be reconfigured, given `printenv SSH_CONNECTION`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionGuard {
    /// The session comes in on an address the interface does not hold.
    Clear,
    /// The session comes in on this address of the interface: hands off.
    CarriesSession(Ipv4Addr),
    /// No readable SSH_CONNECTION: without knowing, the interface is not touched.
    Unknown,
}

pub fn session_guard(printenv: &CommandOutput, target: &Interface) -> SessionGuard {
    if !printenv.success() {
        return SessionGuard::Unknown;
    }
    match session_server_address(&printenv.stdout) {
        None => SessionGuard::Unknown,
        Some(IpAddr::V4(address)) if target.holds_address(address) => {
            SessionGuard::CarriesSession(address)
        }
        // An IPv6 session is untouched by a change of the IPv4 address.
        Some(_) => SessionGuard::Clear,
    }
}

/// The third field of `SSH_CONNECTION` (`client port server port`): the address the session
/// reached this Mac on, with IPv4-mapped IPv6 unwrapped.
pub fn session_server_address(ssh_connection: &str) -> Option<IpAddr> {
    let fields: Vec<&str> = ssh_connection.split_whitespace().collect();
    let [_, _, server, _] = fields[..] else {
        return None;
    };
    let server = server.split('%').next().unwrap_or(server);
    match server.parse::<IpAddr>().ok()? {
        IpAddr::V6(v6) => Some(v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4)),
        v4 => Some(v4),
    }
}

/// How an interface's IPv4 addresses read in a message.
pub fn describe_addresses(interface: Option<&Interface>) -> String {
    match interface {
        Some(interface) if !interface.inet.is_empty() => interface
            .inet
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        _ => "no IPv4 address".to_owned(),
    }
}

#[cfg(test)]
#[path = "decide_tests.rs"]
mod tests;
