//! The macOS reads more than one phase (or a phase and the runner) make, built in one place
//! so that they are the same command everywhere (a read is answered once per host only if
//! it is spelled the same) and each says which part of the host's state it reads.

use crate::command::topic;
use crate::RemoteCommand;

/// `ifconfig -a`: every interface, its addresses and bridge members.
pub fn ifconfig_all() -> RemoteCommand {
    RemoteCommand::read(["ifconfig", "-a"]).about(topic::NETWORK)
}

/// `ifconfig IFACE`: one interface.
pub fn ifconfig(iface: &str) -> RemoteCommand {
    RemoteCommand::read(["ifconfig", iface]).about(topic::NETWORK)
}

/// `rdma_ctl status`: whether RDMA is enabled.
pub fn rdma_ctl_status() -> RemoteCommand {
    RemoteCommand::read(["rdma_ctl", "status"]).about(topic::RDMA)
}

/// `ibv_devices`: the RDMA devices.
pub fn ibv_devices() -> RemoteCommand {
    RemoteCommand::read(["ibv_devices"]).about(topic::RDMA)
}

/// `ibv_devinfo -d DEVICE -v`: a device's ports and GID table. The GIDs follow the
/// interface's addresses, so it is about the network.
pub fn ibv_devinfo(device: &str) -> RemoteCommand {
    RemoteCommand::read(["ibv_devinfo", "-d", device, "-v"]).about(topic::NETWORK)
}

/// `cat PATH`.
pub fn cat(path: &'static str) -> RemoteCommand {
    RemoteCommand::read(["cat", path]).about(path)
}

/// `printenv SSH_CONNECTION`: where the session comes from and arrives.
pub fn ssh_connection() -> RemoteCommand {
    RemoteCommand::read(["printenv", "SSH_CONNECTION"]).about(topic::SESSION)
}

/// `networksetup -listallhardwareports`: which `enN` is which "Thunderbolt N" receptacle.
/// About RDMA: like the device list, it is the Mac's hardware, which no change of ours
/// touches, so an answer holds for the whole run.
pub fn hardware_ports() -> RemoteCommand {
    RemoteCommand::read(["networksetup", "-listallhardwareports"]).about(topic::RDMA)
}

/// `system_profiler SPThunderboltDataType -json`: each Thunderbolt bus, its link speed and
/// the port at the other end of its cable. About RDMA for the same reason as
/// [`hardware_ports`]: cables move, but not because of anything this tool changes.
pub fn thunderbolt_buses() -> RemoteCommand {
    RemoteCommand::read(["system_profiler", "SPThunderboltDataType", "-json"]).about(topic::RDMA)
}

/// `netstat -rn -f inet`: the IPv4 routing table, read for where the default route leads.
/// About the default routes, not the network: setting a cable's address adds a route for
/// its subnet but never changes the defaults (see [`topic::DEFAULT_ROUTES`]).
pub fn netstat_routes() -> RemoteCommand {
    RemoteCommand::read(["netstat", "-rn", "-f", "inet"]).about(topic::DEFAULT_ROUTES)
}

/// Seconds `ping -t` waits overall (macOS: `-t` is the overall timeout; `-W` would be
/// milliseconds per reply).
pub const PING_TIMEOUT_SECONDS: &str = "2";

/// `ping -c 1 -t 2 [-b IFACE] ADDRESS`: one echo, two seconds overall. With `bound_to`, the
/// echo leaves through that port only (Apple's `-b boundif`), so a reply over another route
/// (the LAN, a VPN) cannot pass for a cable. Volatile: an address can start or stop
/// answering at any time, so no earlier reply stands in for it.
pub fn ping_once(bound_to: Option<&str>, address: std::net::Ipv4Addr) -> RemoteCommand {
    let mut words: Vec<String> = ["ping", "-c", "1", "-t", PING_TIMEOUT_SECONDS]
        .map(str::to_owned)
        .to_vec();
    if let Some(port) = bound_to {
        words.extend(["-b".to_owned(), port.to_owned()]);
    }
    words.push(address.to_string());
    RemoteCommand::read(words).volatile()
}
