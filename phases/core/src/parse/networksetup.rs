//! `networksetup -listallhardwareports`: which BSD device (`en5`) is which hardware port
//! ("Thunderbolt 2"). The number in "Thunderbolt N" is the receptacle, not the `enN` name,
//! so it is the only way from an interface to its Thunderbolt bus in `system_profiler`.

use serde::Serialize;

/// One `Hardware Port:` block.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HardwarePort {
    /// `Thunderbolt 2`, `Wi-Fi`, `Thunderbolt Bridge`, ...
    pub name: String,
    /// `en6`, `bridge0`; `None` when the block has no `Device:` line.
    pub device: Option<String>,
    pub ethernet_address: Option<String>,
}

impl HardwarePort {
    /// N of a port named exactly `Thunderbolt N`: the receptacle, as `system_profiler`'s
    /// `receptacle_id_key` numbers it. Not for "Thunderbolt Bridge" or "Thunderbolt Ethernet
    /// Slot 1" (an Ethernet adapter).
    pub fn thunderbolt_receptacle(&self) -> Option<u32> {
        let number = self.name.strip_prefix("Thunderbolt ")?;
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        number.parse().ok()
    }
}

/// The hardware ports, in the order printed. Parsing stops at the `VLAN Configurations`
/// section, whose `Device (VLAN):` blocks are not hardware ports.
pub fn parse_hardware_ports(text: &str) -> Vec<HardwarePort> {
    let mut ports: Vec<HardwarePort> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with("VLAN Configurations") {
            break;
        }
        if let Some(name) = line.strip_prefix("Hardware Port:") {
            ports.push(HardwarePort {
                name: name.trim().to_owned(),
                ..HardwarePort::default()
            });
            continue;
        }
        let Some(port) = ports.last_mut() else {
            continue;
        };
        let value = |rest: &str| Some(rest.trim().to_owned()).filter(|value| !value.is_empty());
        if let Some(rest) = line.strip_prefix("Device:") {
            port.device = value(rest);
        } else if let Some(rest) = line.strip_prefix("Ethernet Address:") {
            port.ethernet_address = value(rest);
        }
    }
    ports
}

/// The port whose device is `device` (`en5`), matched whole.
pub fn find_hardware_port<'a>(ports: &'a [HardwarePort], device: &str) -> Option<&'a HardwarePort> {
    ports
        .iter()
        .find(|port| port.device.as_deref() == Some(device))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;

    /// The reference's sample: Thunderbolt 1 is `en1`, Thunderbolt 2 is `en6`.
    const LISTING: &str = "\nHardware Port: Thunderbolt Bridge\nDevice: bridge0\nEthernet Address: 02:00:00:00:00:01\n\nHardware Port: Wi-Fi\nDevice: en0\nEthernet Address: 02:00:00:00:00:05\n\nHardware Port: Thunderbolt 1\nDevice: en1\nEthernet Address: 02:00:00:00:00:01\n\nHardware Port: Thunderbolt 2\nDevice: en6\nEthernet Address: 02:00:00:00:00:02\n\nVLAN Configurations\n===================\n";

    #[test]
    fn the_reference_listing() {
        let ports = parse_hardware_ports(LISTING);
        let names: Vec<(&str, Option<&str>)> = ports
            .iter()
            .map(|port| (port.name.as_str(), port.device.as_deref()))
            .collect();
        assert_eq!(
            names,
            [
                ("Thunderbolt Bridge", Some("bridge0")),
                ("Wi-Fi", Some("en0")),
                ("Thunderbolt 1", Some("en1")),
                ("Thunderbolt 2", Some("en6")),
            ]
        );
        assert_eq!(
            ports[3].ethernet_address.as_deref(),
            Some("02:00:00:00:00:02")
        );
    }

    #[rstest]
    #[case("en6", Some(2))]
    #[case("en1", Some(1))]
    #[case("en0", None)]
    #[case("bridge0", None)]
    #[case("en2", None)]
    #[case("en", None)]
    fn receptacle_of_a_device(#[case] device: &str, #[case] receptacle: Option<u32>) {
        let ports = parse_hardware_ports(LISTING);
        assert_eq!(
            find_hardware_port(&ports, device).and_then(HardwarePort::thunderbolt_receptacle),
            receptacle
        );
    }

    #[rstest]
    #[case("Thunderbolt 4", Some(4))]
    #[case("Thunderbolt 12", Some(12))]
    #[case("Thunderbolt Bridge", None)]
    #[case("Thunderbolt Ethernet Slot 1", None)]
    #[case("Thunderbolt ", None)]
    #[case("Thunderbolt +1", None)]
    #[case("Thunderbolt 99999999999", None)]
    #[case("Ethernet", None)]
    fn receptacle_numbers(#[case] name: &str, #[case] receptacle: Option<u32>) {
        let port = HardwarePort {
            name: name.to_owned(),
            ..HardwarePort::default()
        };
        assert_eq!(port.thunderbolt_receptacle(), receptacle);
    }

    #[test]
    fn vlans_and_stray_lines_are_not_ports() {
        let text = "Device: en9\nHardware Port: Thunderbolt 3\r\nDevice: en7\r\n\r\nVLAN Configurations\n===================\nVLAN User Defined Name: v\nParent Device: en0\nDevice (VLAN): vlan0\nHardware Port: Thunderbolt 4\nDevice: en8\n";
        let ports = parse_hardware_ports(text);
        assert_eq!(ports.len(), 1);
        assert_eq!(ports[0].device.as_deref(), Some("en7"));
        assert_eq!(ports[0].thunderbolt_receptacle(), Some(3));
    }

    #[rstest]
    #[case("")]
    #[case("sh: networksetup: command not found\n")]
    #[case("** Error: The parameters were not valid.\n")]
    fn nothing_to_parse(#[case] text: &str) {
        assert_eq!(parse_hardware_ports(text), vec![]);
    }

    proptest! {
        #[test]
        fn never_panics(text in "\\PC*") {
            let ports = parse_hardware_ports(&text);
            for port in &ports {
                let _ = port.thunderbolt_receptacle();
            }
            let _ = find_hardware_port(&ports, "en5");
        }

        #[test]
        fn never_panics_on_listing_like_lines(
            lines in proptest::collection::vec(
                "(Hardware Port:[ \t]*(Thunderbolt )?[0-9a-zA-Z -]{0,12}|Device:[ \t]*[a-z0-9]{0,6}|Ethernet Address:[ 0-9a-f:]{0,17}|VLAN Configurations|)",
                0..20,
            )
        ) {
            let ports = parse_hardware_ports(&lines.join("\n"));
            for port in &ports {
                let _ = port.thunderbolt_receptacle();
            }
        }
    }
}
