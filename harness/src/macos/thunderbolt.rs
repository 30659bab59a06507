//! `system_profiler SPThunderboltDataType -json` of a Mac Studio (M3 Ultra).
//!
//! Field names, values and key order follow a published capture of a macOS 26 Mac Studio
//! cabled to another Mac over Thunderbolt 5: one entry per bus, highest bus first; bus k is
//! receptacle k+1 ("Thunderbolt k+1"); keys sorted; a cabled Mac appears as the first entry
//! of the bus's `_items`, carrying the domain UUID of the bus it is plugged into at the
//! other end. A Mac peer has no `switch_uid_key` of its own (the buses have one each) and no
//! serial number. Its `services_title` lists the IP service and, when RDMA is enabled on
//! it, the XDomain service with protocol id 64087. Left out as unknown or meaningless here:
//! the RDMA service's `service_key_key` (an opaque string) and every field a bus without
//! a Mac peer would show for docks and drives.

use serde::Serialize;

use super::apple_json::to_apple_json;

/// The machine whose buses these are (`device_name_key` of each bus).
pub const HOST_MODEL_NAME: &str = "Mac Studio";
/// How a cabled Mac Studio (M3 Ultra) describes itself to its peer.
pub const PEER_MODEL_NAME: &str = "Mac Studio";
pub const PEER_MODEL_ID: &str = "Mac15,14";
pub const APPLE: &str = "Apple Inc.";
/// The XDomain protocol id of the RDMA service an RDMA-enabled Mac advertises.
pub const RDMA_PROTOCOL_ID: u32 = 64087;

/// One Thunderbolt bus (one receptacle) of the Mac.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThunderboltBusView {
    /// k of `thunderboltusb4_bus_<k>`.
    pub bus: u32,
    /// N of "Thunderbolt N" (`receptacle_id_key`).
    pub receptacle: u32,
    pub domain_uuid: String,
    pub switch_uid: String,
    /// The Mac at the other end of a cable with a link; `None` for an idle receptacle.
    pub peer: Option<ThunderboltPeerView>,
}

/// A Mac at the other end of a Thunderbolt 5 cable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThunderboltPeerView {
    /// The domain UUID of the peer's own bus this cable is plugged into.
    pub domain_uuid: String,
    pub ip_service_uuid: String,
    /// Present when the peer has RDMA enabled.
    pub rdma_service_uuid: Option<String>,
}

#[derive(Serialize)]
struct Document<'a> {
    #[serde(rename = "SPThunderboltDataType")]
    buses: Vec<Bus<'a>>,
}

// Field order is key order in the output: sorted, as Apple writes them.
#[derive(Serialize)]
struct Bus<'a> {
    #[serde(rename = "_items", skip_serializing_if = "Vec::is_empty")]
    items: Vec<Peer<'a>>,
    #[serde(rename = "_name")]
    name: String,
    device_name_key: &'static str,
    domain_uuid_key: &'a str,
    receptacle_1_tag: Receptacle,
    route_string_key: &'static str,
    switch_uid_key: &'a str,
    vendor_name_key: &'static str,
}

#[derive(Serialize)]
struct Receptacle {
    current_speed_key: &'static str,
    link_status_key: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    micro_version_key: Option<&'static str>,
    receptacle_id_key: String,
    receptacle_status_key: &'static str,
}

#[derive(Serialize)]
struct Peer<'a> {
    #[serde(rename = "_name")]
    name: &'static str,
    device_id_key: &'static str,
    device_name_key: &'static str,
    domain_uuid_key: &'a str,
    services_title: Vec<Service<'a>>,
    vendor_id_key: &'static str,
    vendor_name_key: &'static str,
}

#[derive(Serialize)]
struct Service<'a> {
    #[serde(rename = "_name")]
    name: &'static str,
    protocol_id_key: u32,
    protocol_revision_key: u32,
    protocol_version_key: u32,
    service_uuid_key: &'a str,
}

/// The whole document, buses from the highest number down as macOS lists them.
pub fn sp_thunderbolt_json(buses: &[ThunderboltBusView]) -> Result<String, serde_json::Error> {
    let mut sorted: Vec<&ThunderboltBusView> = buses.iter().collect();
    sorted.sort_by_key(|view| std::cmp::Reverse(view.bus));
    let document = Document {
        buses: sorted.into_iter().map(bus).collect(),
    };
    to_apple_json(&document)
}

fn bus(view: &ThunderboltBusView) -> Bus<'_> {
    let receptacle = if view.peer.is_some() {
        Receptacle {
            current_speed_key: "80 Gb/s",
            link_status_key: "0x2",
            micro_version_key: Some("0.0.0"),
            receptacle_id_key: view.receptacle.to_string(),
            receptacle_status_key: "receptacle_connected",
        }
    } else {
        Receptacle {
            current_speed_key: "Up to 120 Gb/s",
            link_status_key: "0x100",
            micro_version_key: None,
            receptacle_id_key: view.receptacle.to_string(),
            receptacle_status_key: "receptacle_no_devices_connected",
        }
    };
    Bus {
        items: view.peer.iter().map(peer).collect(),
        name: format!("thunderboltusb4_bus_{}", view.bus),
        device_name_key: HOST_MODEL_NAME,
        domain_uuid_key: &view.domain_uuid,
        receptacle_1_tag: receptacle,
        route_string_key: "0",
        switch_uid_key: &view.switch_uid,
        vendor_name_key: APPLE,
    }
}

fn peer(view: &ThunderboltPeerView) -> Peer<'_> {
    let mut services = vec![Service {
        name: "service_ip",
        protocol_id_key: 1,
        protocol_revision_key: 1,
        protocol_version_key: 1,
        service_uuid_key: &view.ip_service_uuid,
    }];
    if let Some(uuid) = &view.rdma_service_uuid {
        services.push(Service {
            name: "unknown_xd_service",
            protocol_id_key: RDMA_PROTOCOL_ID,
            protocol_revision_key: 0,
            protocol_version_key: 1,
            service_uuid_key: uuid,
        });
    }
    Peer {
        name: PEER_MODEL_NAME,
        device_id_key: "0xA",
        device_name_key: PEER_MODEL_ID,
        domain_uuid_key: &view.domain_uuid,
        services_title: services,
        vendor_id_key: "0x0A27",
        vendor_name_key: APPLE,
    }
}

/// 128 stable bits from a seed: two FNV-1a passes with different offsets. Stable across
/// Rust releases, unlike `DefaultHasher`, so a simulated Mac keeps its UUIDs.
fn fingerprint(seed: &str) -> u128 {
    let fnv = |offset: u64| {
        seed.bytes().fold(offset, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    (u128::from(fnv(0xcbf2_9ce4_8422_2325)) << 64) | u128::from(fnv(0x6c62_272e_07bb_0142))
}

/// A random-looking but stable version-4 UUID, uppercase as macOS prints them.
pub fn stable_uuid(seed: &str) -> String {
    let bits = fingerprint(seed);
    // Version 4, RFC 4122 variant: the form of the UUIDs in captures.
    let bits = (bits & !(0xf << 76)) | (0x4 << 76);
    let bits = (bits & !(0x3 << 62)) | (0x2 << 62);
    let hex = format!("{bits:032X}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// A bus's `switch_uid_key`: Apple's vendor id 0x05AC, 44 bits stable per Mac, then the bus
/// number in the last hex digit, as captures show (`0x05AC714E4ABE9810` .. `..9815`).
pub fn switch_uid(host_seed: &str, bus: u32) -> String {
    let host = (fingerprint(host_seed) >> 84) & 0xfff_ffff_ffff;
    format!("0x05AC{host:011X}{:X}", bus & 0xf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bus(bus: u32, peer: Option<ThunderboltPeerView>) -> ThunderboltBusView {
        ThunderboltBusView {
            bus,
            receptacle: bus + 1,
            domain_uuid: format!("0000000{bus}-0000-4000-8000-000000000000"),
            switch_uid: format!("0x05AC00000000000{bus}"),
            peer,
        }
    }

    #[test]
    fn idle_and_cabled_buses() {
        let peer = ThunderboltPeerView {
            domain_uuid: "88F10ACA-5CAA-4F5D-8361-03EED54ACB5A".into(),
            ip_service_uuid: "066216C9-46DB-48B5-A472-768F7EA51471".into(),
            rdma_service_uuid: Some("270E648C-7F7E-46CD-B5C6-D5063D93530F".into()),
        };
        let json = sp_thunderbolt_json(&[bus(0, None), bus(3, Some(peer))]).expect("json");
        assert_eq!(
            json,
            r#"{
  "SPThunderboltDataType" : [
    {
      "_items" : [
        {
          "_name" : "Mac Studio",
          "device_id_key" : "0xA",
          "device_name_key" : "Mac15,14",
          "domain_uuid_key" : "88F10ACA-5CAA-4F5D-8361-03EED54ACB5A",
          "services_title" : [
            {
              "_name" : "service_ip",
              "protocol_id_key" : 1,
              "protocol_revision_key" : 1,
              "protocol_version_key" : 1,
              "service_uuid_key" : "066216C9-46DB-48B5-A472-768F7EA51471"
            },
            {
              "_name" : "unknown_xd_service",
              "protocol_id_key" : 64087,
              "protocol_revision_key" : 0,
              "protocol_version_key" : 1,
              "service_uuid_key" : "270E648C-7F7E-46CD-B5C6-D5063D93530F"
            }
          ],
          "vendor_id_key" : "0x0A27",
          "vendor_name_key" : "Apple Inc."
        }
      ],
      "_name" : "thunderboltusb4_bus_3",
      "device_name_key" : "Mac Studio",
      "domain_uuid_key" : "00000003-0000-4000-8000-000000000000",
      "receptacle_1_tag" : {
        "current_speed_key" : "80 Gb/s",
        "link_status_key" : "0x2",
        "micro_version_key" : "0.0.0",
        "receptacle_id_key" : "4",
        "receptacle_status_key" : "receptacle_connected"
      },
      "route_string_key" : "0",
      "switch_uid_key" : "0x05AC000000000003",
      "vendor_name_key" : "Apple Inc."
    },
    {
      "_name" : "thunderboltusb4_bus_0",
      "device_name_key" : "Mac Studio",
      "domain_uuid_key" : "00000000-0000-4000-8000-000000000000",
      "receptacle_1_tag" : {
        "current_speed_key" : "Up to 120 Gb/s",
        "link_status_key" : "0x100",
        "receptacle_id_key" : "1",
        "receptacle_status_key" : "receptacle_no_devices_connected"
      },
      "route_string_key" : "0",
      "switch_uid_key" : "0x05AC000000000000",
      "vendor_name_key" : "Apple Inc."
    }
  ]
}
"#
        );
    }

    #[test]
    fn a_peer_without_rdma_offers_only_ip() {
        let peer = ThunderboltPeerView {
            domain_uuid: "A".into(),
            ip_service_uuid: "B".into(),
            rdma_service_uuid: None,
        };
        let json = sp_thunderbolt_json(&[bus(4, Some(peer))]).expect("json");
        assert!(json.contains("\"service_ip\""));
        assert!(!json.contains("unknown_xd_service"));
    }

    #[test]
    fn uuids_are_stable_well_formed_and_distinct() {
        let a = stable_uuid("hwstudio1/en5");
        assert_eq!(a, stable_uuid("hwstudio1/en5"));
        assert_ne!(a, stable_uuid("hwstudio2/en5"));
        let groups: Vec<usize> = a.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12]);
        assert!(a
            .chars()
            .all(|c| c == '-' || c.is_ascii_digit() || c.is_ascii_uppercase()));
        assert_eq!(a.as_bytes()[14], b'4');
        assert!(matches!(a.as_bytes()[19], b'8' | b'9' | b'A' | b'B'));
    }

    #[test]
    fn switch_uids_share_the_host_part() {
        let bus0 = switch_uid("hwstudio1", 0);
        let bus5 = switch_uid("hwstudio1", 5);
        assert_eq!(bus0.len(), 18);
        assert!(bus0.starts_with("0x05AC"));
        assert_eq!(bus0[..17], bus5[..17]);
        assert!(bus5.ends_with('5'));
        assert_ne!(switch_uid("hwstudio2", 0), bus0);
    }
}
