//! What the macOS commands `rdma-setup` runs print, rendered from plain values.
//!
//! Pure functions, byte for byte as in `reference/macos-commands.md`: the lab's command shims
//! print through them and the dry-run simulator reuses them, so every consumer sees the same
//! text a real Mac would produce.

pub mod apple_json;
pub mod busy;
pub mod device_file;
pub mod flags;
pub mod ibv;
pub mod identity;
pub mod ifconfig;
pub mod ifconfig_args;
pub mod interface;
pub mod netstat;
pub mod networksetup;
pub mod ping;
pub mod rdma_ctl;
pub mod sudo;
pub mod sw_vers;
pub mod thunderbolt;
pub mod uname;

pub use busy::{busy_mac, BusyMac, VmBridge};
pub use device_file::{predecessor_device_file, INVALID_DEVICE_FILE};
pub use flags::{IfFlags, IfOptions};
pub use ibv::{
    gid_table, ibv_devices, ibv_devinfo, ibv_devinfo_missing, ibv_no_devices, IbvDeviceView,
};
pub use ifconfig::{ifconfig_all, ifconfig_block, ifconfig_missing, ifconfig_single};
pub use ifconfig_args::{parse_address_args, AddressChange, AddressCommand, ADDRESS_NOT_HELD};
pub use interface::{AddressCacheEntry, BridgeMember, InterfaceKind, InterfaceView};
pub use netstat::{netstat_rn_inet, RouteFlags, RouteGateway, RouteView, NETSTAT_USAGE};
pub use networksetup::{
    list_all_hardware_ports, mac_studio_receptacle, mac_studio_thunderbolt_ports, HardwarePort,
};
pub use ping::{ping_no_reply, ping_reply, ping_report};
pub use sw_vers::{sw_vers, sw_vers_field, SwVersField, SW_VERS_USAGE};
pub use thunderbolt::{sp_thunderbolt_json, Generation, ThunderboltBusView, ThunderboltPeerView};
pub use uname::{darwin_nodename, uname, uname_illegal_option, UnameFields, UNAME_USAGE};
