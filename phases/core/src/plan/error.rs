use std::net::Ipv4Addr;

use crate::names::NameError;

/// Why the command line does not describe a usable cluster. Shown as `ERROR: <message>`,
/// exit code 2; nothing has been sent to any host when one of these is raised.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("Invalid --node format: '{0}'  (expected ssh_host:interface:rdma_ip)")]
    NodeFormat(String),
    #[error("Invalid --node '{spec}': {reason}")]
    NodeName { spec: String, reason: NameError },
    #[error("Invalid --node '{spec}': '{address}' is not an IPv4 address like 10.254.0.5")]
    NodeAddress { spec: String, address: String },
    #[error("Invalid --proxy format: '{0}'  (expected proxy_host:target_host)")]
    ProxyFormat(String),
    #[error("Invalid --proxy '{spec}': {reason}")]
    ProxyName { spec: String, reason: NameError },
    #[error("Invalid --proxy '{0}': a host cannot be its own proxy")]
    ProxySelf(String),
    #[error("Invalid --proxy '{spec}': '{target}' is not the host of any --node")]
    ProxyUnknownTarget { spec: String, target: String },
    #[error("--proxy gives two routes to '{0}': keep one")]
    ProxyTwice(String),
    #[error("Invalid --netmask '{0}': give a prefix length from 1 to 32, such as 30")]
    Netmask(String),
    #[error("{address} is given twice ('{first}' and '{second}'): every end of every cable needs its own address")]
    DuplicateAddress {
        address: Ipv4Addr,
        first: String,
        second: String,
    },
    #[error("{host}:{iface} is given two addresses ('{first}' and '{second}'): give each interface one --node")]
    InterfaceTwice {
        host: String,
        iface: String,
        first: String,
        second: String,
    },
    #[error("'{spec}': {address} is the {what} address of {network}/{bits}; pick a host address inside the subnet")]
    ReservedAddress {
        spec: String,
        address: Ipv4Addr,
        what: &'static str,
        network: Ipv4Addr,
        bits: u8,
    },
    #[error("{network}/{bits} holds only '{spec}': a cable needs one --node at each end, in the same subnet (check the address and --netmask)")]
    LonelySubnet {
        network: Ipv4Addr,
        bits: u8,
        spec: String,
    },
    #[error("{network}/{bits} holds {count} --node specs ({specs}): each cable gets its own subnet of exactly two addresses")]
    CrowdedSubnet {
        network: Ipv4Addr,
        bits: u8,
        count: usize,
        specs: String,
    },
    #[error("'{first}' and '{second}' share {network}/{bits} but are on the same host: a cable joins two different Macs")]
    SameHostLink {
        first: String,
        second: String,
        network: Ipv4Addr,
        bits: u8,
    },
}
