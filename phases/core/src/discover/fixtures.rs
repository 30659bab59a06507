//! Test fixtures: a small lab of Macs and cables rendered as `system_profiler
//! SPThunderboltDataType -json` (Apple's `"key" : value` layout) and `networksetup
//! -listallhardwareports` text, then read back through the real parsers.

use std::collections::BTreeMap;

use super::cabling::HostThunderbolt;
use crate::parse::{parse_hardware_ports, parse_system_profiler_thunderbolt};
use crate::HostName;

/// What is at the other end of one receptacle.
#[derive(Clone)]
enum Far {
    /// A port of a lab host.
    Port { host: usize, receptacle: u32 },
    /// Something that is not a lab host: a Mac outside the cluster or a device.
    Device {
        name: &'static str,
        uuid: Option<&'static str>,
    },
}

#[derive(Clone)]
struct Attached {
    far: Far,
    speed: &'static str,
}

pub(crate) struct Lab {
    names: Vec<String>,
    /// Per host: receptacle -> device (`Thunderbolt N` -> `enX`).
    devices: Vec<Vec<(u32, String)>>,
    attached: Vec<BTreeMap<u32, Attached>>,
}

impl Lab {
    /// Hosts with receptacles 1..=`receptacles`, Thunderbolt N on `en(N+1)` as on a Mac Studio.
    pub(crate) fn new(names: &[&str], receptacles: u32) -> Self {
        let devices = (1..=receptacles)
            .map(|n| (n, format!("en{}", n + 1)))
            .collect();
        Self {
            names: names.iter().map(|name| (*name).to_owned()).collect(),
            devices: vec![devices; names.len()],
            attached: vec![BTreeMap::new(); names.len()],
        }
    }

    /// Rename host `host`'s device for receptacle `receptacle`.
    pub(crate) fn device(mut self, host: usize, receptacle: u32, device: &str) -> Self {
        for (n, name) in &mut self.devices[host] {
            if *n == receptacle {
                *name = device.to_owned();
            }
        }
        self
    }

    /// A Thunderbolt 5 cable seen from both ends.
    pub(crate) fn cable(self, a: (usize, u32), b: (usize, u32)) -> Self {
        self.cable_at(a, b, "80 Gb/s")
    }

    pub(crate) fn cable_at(
        mut self,
        a: (usize, u32),
        b: (usize, u32),
        speed: &'static str,
    ) -> Self {
        let far = |(host, receptacle)| Far::Port { host, receptacle };
        self.attached[a.0].insert(a.1, Attached { far: far(b), speed });
        self.attached[b.0].insert(b.1, Attached { far: far(a), speed });
        self
    }

    /// A cable only `a` reports: `b`'s bus shows a link but names no peer.
    pub(crate) fn one_sided(mut self, a: (usize, u32), b: (usize, u32)) -> Self {
        let far = Far::Port {
            host: b.0,
            receptacle: b.1,
        };
        self.attached[a.0].insert(
            a.1,
            Attached {
                far,
                speed: "80 Gb/s",
            },
        );
        self
    }

    pub(crate) fn foreign(
        mut self,
        at: (usize, u32),
        name: &'static str,
        uuid: Option<&'static str>,
        speed: &'static str,
    ) -> Self {
        let far = Far::Device { name, uuid };
        self.attached[at.0].insert(at.1, Attached { far, speed });
        self
    }

    pub(crate) fn uuid(host: usize, receptacle: u32) -> String {
        format!("{host:08X}-0000-4000-8000-{receptacle:012X}")
    }

    pub(crate) fn profiler(&self, host: usize) -> String {
        let buses: Vec<String> = self.devices[host]
            .iter()
            .map(|(receptacle, _)| self.bus(host, *receptacle))
            .collect();
        format!(
            "{{\n  \"SPThunderboltDataType\" : [\n{}\n  ]\n}}\n",
            buses.join(",\n")
        )
    }

    fn bus(&self, host: usize, receptacle: u32) -> String {
        let attached = self.attached[host].get(&receptacle);
        let (speed, status) = match attached {
            Some(attached) => (attached.speed, "receptacle_connected"),
            None => ("Up to 120 Gb/s", "receptacle_no_devices_connected"),
        };
        let item = attached.map(|attached| match &attached.far {
            Far::Port { host, receptacle } => format!(
                "{{\n          \"_name\" : \"Mac Studio\",\n          \"domain_uuid_key\" : \"{}\",\n          \"vendor_name_key\" : \"Apple Inc.\"\n        }}",
                Self::uuid(*host, *receptacle)
            ),
            Far::Device { name, uuid } => match uuid {
                Some(uuid) => format!(
                    "{{\n          \"_name\" : \"{name}\",\n          \"domain_uuid_key\" : \"{uuid}\"\n        }}"
                ),
                None => format!("{{\n          \"_name\" : \"{name}\"\n        }}"),
            },
        });
        let items = item.map_or(String::new(), |item| {
            format!(",\n      \"_items\" : [\n        {item}\n      ]")
        });
        format!(
            "    {{\n      \"_name\" : \"thunderboltusb5_bus_{}\",\n      \"domain_uuid_key\" : \"{}\",\n      \"receptacle_1_tag\" : {{\n        \"current_speed_key\" : \"{speed}\",\n        \"receptacle_id_key\" : \"{receptacle}\",\n        \"receptacle_status_key\" : \"{status}\"\n      }}{items}\n    }}",
            receptacle - 1,
            Self::uuid(host, receptacle)
        )
    }

    pub(crate) fn networksetup(&self, host: usize) -> String {
        let mut text = String::from("\nHardware Port: Ethernet\nDevice: en0\nEthernet Address: 02:00:00:00:00:00\n\nHardware Port: Thunderbolt Bridge\nDevice: bridge0\nEthernet Address: 02:00:00:00:00:01\n");
        for (receptacle, device) in &self.devices[host] {
            text.push_str(&format!(
                "\nHardware Port: Thunderbolt {receptacle}\nDevice: {device}\nEthernet Address: 36:00:00:00:00:{receptacle:02x}\n"
            ));
        }
        text.push_str("\nVLAN Configurations\n===================\n");
        text
    }

    /// Every host's facts, read back through the parsers.
    pub(crate) fn hosts(&self) -> Vec<HostThunderbolt> {
        (0..self.names.len())
            .map(|host| HostThunderbolt {
                host: HostName::parse(&self.names[host]).expect("a host name"),
                buses: parse_system_profiler_thunderbolt(&self.profiler(host))
                    .expect("a Thunderbolt document"),
                ports: parse_hardware_ports(&self.networksetup(host)),
            })
            .collect()
    }
}
