//! Parsers for what macOS commands print (formats in `shared/reference/macos-commands.md`).
//!
//! Pure functions over text; they never panic on arbitrary input.

mod ibv_devices;
mod ibv_devinfo;
mod ifconfig;
mod interface;
mod one_line;
mod ping;
mod rdma_ctl;

pub use ibv_devices::parse_ibv_devices;
pub use ibv_devinfo::{find_device, parse_ibv_devinfo, DeviceInfo, PortInfo, PORT_ACTIVE};
pub use ifconfig::parse_ifconfig;
pub use interface::{bridges_containing, find_interface, InetAddress, Interface, LinkStatus};
pub use one_line::one_line;
pub use ping::{parse_ping, PingStats};
pub use rdma_ctl::{parse_rdma_ctl_status, RdmaState};
