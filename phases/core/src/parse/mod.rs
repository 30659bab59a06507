//! Parsers for what macOS commands print (formats in `shared/reference/macos-commands.md`).
//!
//! Pure functions over text; they never panic on arbitrary input.

mod ibv_devices;
mod ibv_devinfo;
mod ifconfig;
mod interface;
mod netstat;
mod networksetup;
mod one_line;
mod ping;
mod rdma_ctl;
mod system_profiler;

pub use ibv_devices::parse_ibv_devices;
pub use ibv_devinfo::{find_device, parse_ibv_devinfo, DeviceInfo, PortInfo, PORT_ACTIVE};
pub use ifconfig::parse_ifconfig;
pub use interface::{bridges_containing, find_interface, InetAddress, Interface, LinkStatus};
pub use netstat::{default_gateways, parse_netstat_routes, Gateway, Route};
pub use networksetup::{find_hardware_port, parse_hardware_ports, HardwarePort};
pub use one_line::one_line;
pub use ping::{parse_ping, PingStats};
pub use rdma_ctl::{parse_rdma_ctl_status, RdmaState};
pub use system_profiler::{
    find_bus, parse_system_profiler_thunderbolt, LinkSpeed, ThunderboltBus, ThunderboltPeer,
    RDMA_PROTOCOL_ID, THUNDERBOLT_5_GBPS,
};
