//! `networksetup -listallhardwareports`.
//!
//! Every block starts with a blank line, and the VLAN section ends the listing, as in
//! captures of macOS 26 (the reference file's sample omits the leading blank line; a
//! captured Mac Studio's output has it). On a Mac Studio (M3 Ultra) the ports are listed
//! Ethernet, Thunderbolt Bridge, Wi-Fi, then Thunderbolt 1..6; callers pass them in that
//! order.

use std::fmt::Write as _;

/// One hardware port block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HardwarePort {
    /// `Ethernet`, `Wi-Fi`, `Thunderbolt 1`, `Thunderbolt Bridge`.
    pub port: String,
    /// The BSD name: `en0`, `bridge0`.
    pub device: String,
    pub ether: String,
}

impl HardwarePort {
    pub fn new(
        port: impl Into<String>,
        device: impl Into<String>,
        ether: impl Into<String>,
    ) -> Self {
        Self {
            port: port.into(),
            device: device.into(),
            ether: ether.into(),
        }
    }
}

/// The whole listing.
pub fn list_all_hardware_ports(ports: &[HardwarePort]) -> String {
    let mut out = String::new();
    for port in ports {
        let _ = write!(
            out,
            "\nHardware Port: {}\nDevice: {}\nEthernet Address: {}\n",
            port.port, port.device, port.ether
        );
    }
    out.push_str("\nVLAN Configurations\n===================\n");
    out
}

/// N of "Thunderbolt N" for a Thunderbolt interface of a Mac Studio (M3 Ultra), where
/// Thunderbolt 1..6 are `en2`..`en7`. `None` for a name that is not a Thunderbolt port there.
/// Other Macs number their ports differently ("Thunderbolt 2" can be `en6`): this mapping is
/// the lab's hardware, not a rule.
pub fn mac_studio_receptacle(device: &str) -> Option<u32> {
    let number: u32 = device.strip_prefix("en")?.parse().ok()?;
    (2..=7).contains(&number).then(|| number - 1)
}

/// The "Thunderbolt N" blocks of a Mac Studio's ports, given as `(device, ether)`, in
/// receptacle order; a device that is no Thunderbolt port there ([`mac_studio_receptacle`])
/// has none.
pub fn mac_studio_thunderbolt_ports<'a>(
    ports: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Vec<HardwarePort> {
    let mut blocks: Vec<(u32, HardwarePort)> = ports
        .into_iter()
        .filter_map(|(device, ether)| {
            let receptacle = mac_studio_receptacle(device)?;
            Some((
                receptacle,
                HardwarePort::new(format!("Thunderbolt {receptacle}"), device, ether),
            ))
        })
        .collect();
    blocks.sort_by_key(|(receptacle, _)| *receptacle);
    blocks.into_iter().map(|(_, block)| block).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_then_vlans() {
        let ports = [
            HardwarePort::new("Ethernet", "en0", "36:4d:04:01:00:40"),
            HardwarePort::new("Thunderbolt 4", "en5", "36:4d:04:01:05:44"),
        ];
        assert_eq!(
            list_all_hardware_ports(&ports),
            "\nHardware Port: Ethernet\nDevice: en0\nEthernet Address: 36:4d:04:01:00:40\n\
             \nHardware Port: Thunderbolt 4\nDevice: en5\nEthernet Address: 36:4d:04:01:05:44\n\
             \nVLAN Configurations\n===================\n"
        );
        assert_eq!(
            list_all_hardware_ports(&[]),
            "\nVLAN Configurations\n===================\n"
        );
    }

    #[test]
    fn mac_studio_ports() {
        assert_eq!(mac_studio_receptacle("en2"), Some(1));
        assert_eq!(mac_studio_receptacle("en5"), Some(4));
        assert_eq!(mac_studio_receptacle("en7"), Some(6));
        assert_eq!(mac_studio_receptacle("en1"), None);
        assert_eq!(mac_studio_receptacle("en8"), None);
        assert_eq!(mac_studio_receptacle("bridge0"), None);
    }
}
