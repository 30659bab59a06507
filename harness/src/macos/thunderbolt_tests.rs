//! The Thunderbolt document byte for byte, and the identities it is built from.

use super::*;

fn bus(bus: u32, peer: Option<ThunderboltPeerView>) -> ThunderboltBusView {
    ThunderboltBusView {
        bus,
        receptacle: bus + 1,
        domain_uuid: format!("0000000{bus}-0000-4000-8000-000000000000"),
        switch_uid: format!("0x05AC00000000000{bus}"),
        generation: Generation::Thunderbolt5,
        peer,
    }
}

#[test]
fn idle_and_cabled_buses() {
    let peer = ThunderboltPeerView {
        domain_uuid: "88F10ACA-5CAA-4F5D-8361-03EED54ACB5A".into(),
        ip_service_uuid: "066216C9-46DB-48B5-A472-768F7EA51471".into(),
        rdma_service_uuid: Some("270E648C-7F7E-46CD-B5C6-D5063D93530F".into()),
        generation: Generation::Thunderbolt5,
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
        generation: Generation::Thunderbolt5,
    };
    let json = sp_thunderbolt_json(&[bus(4, Some(peer))]).expect("json");
    assert!(json.contains("\"service_ip\""));
    assert!(!json.contains("unknown_xd_service"));
}

#[test]
fn a_thunderbolt_4_end_makes_the_link_40_gbps() {
    let tb4_peer = ThunderboltPeerView {
        domain_uuid: "A".into(),
        ip_service_uuid: "B".into(),
        rdma_service_uuid: None,
        generation: Generation::Thunderbolt4,
    };
    let json = sp_thunderbolt_json(&[bus(3, Some(tb4_peer))]).expect("json");
    assert!(
        json.contains("\"current_speed_key\" : \"40 Gb/s\""),
        "{json}"
    );
    assert!(json.contains("\"_name\" : \"Mac mini\""), "{json}");
    assert!(
        json.contains("\"device_name_key\" : \"Mac16,10\""),
        "{json}"
    );

    let mut mini = bus(0, None);
    mini.generation = Generation::Thunderbolt4;
    let json = sp_thunderbolt_json(&[mini]).expect("json");
    assert!(
        json.contains("\"current_speed_key\" : \"Up to 40 Gb/s\""),
        "{json}"
    );
    assert!(
        json.contains("\"device_name_key\" : \"Mac mini\""),
        "{json}"
    );
    assert_eq!(
        Generation::Thunderbolt4.link_speed(Generation::Thunderbolt5),
        "40 Gb/s"
    );
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
