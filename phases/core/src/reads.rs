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
