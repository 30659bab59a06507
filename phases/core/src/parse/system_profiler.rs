//! `system_profiler SPThunderboltDataType -json`: one entry per Thunderbolt bus (one bus per
//! receptacle), what its link runs at and which port is at the other end of its cable.
//!
//! Apple writes `"key" : value` (a space before the colon); it is JSON all the same, so it
//! is read with `serde_json` and then walked leniently: a field of an unexpected type is
//! treated as absent, never as an error, because nothing here may panic on a host's output.

use serde::Serialize;
use serde_json::{Map, Value};

/// The XDomain protocol id of the RDMA service an RDMA-enabled Mac advertises to its peer.
pub const RDMA_PROTOCOL_ID: u64 = 64087;

/// One bus: one Thunderbolt receptacle of the Mac.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ThunderboltBus {
    /// `_name`: `thunderboltusb4_bus_1`.
    pub name: String,
    /// `domain_uuid_key`: this port, as the Mac at the other end sees it.
    pub domain_uuid: Option<String>,
    /// `receptacle_1_tag.receptacle_id_key`: N of "Thunderbolt N" in `networksetup`.
    pub receptacle: Option<u32>,
    /// `receptacle_1_tag.current_speed_key` as printed: `80 Gb/s`, `Up to 120 Gb/s`.
    pub current_speed: Option<String>,
    /// `receptacle_1_tag.receptacle_status_key`: `receptacle_connected`, ...
    pub receptacle_status: Option<String>,
    /// The port at the other end of the cable: the first `_items` entry with a domain UUID
    /// (docks and enclosures have none).
    pub peer: Option<ThunderboltPeer>,
}

/// The port at the other end of a bus's cable.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ThunderboltPeer {
    /// `_name`: `Mac Studio`.
    pub name: Option<String>,
    /// `domain_uuid_key`: the peer's bus this cable is plugged into.
    pub domain_uuid: String,
    /// Whether it advertises the RDMA XDomain service (protocol id [`RDMA_PROTOCOL_ID`]).
    pub offers_rdma: bool,
}

/// What a bus's `current_speed_key` says about its link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum LinkSpeed {
    /// A link at this many Gb/s: `80 Gb/s` on Thunderbolt 5, `40 Gb/s` on Thunderbolt 4.
    Linked { gbps: u32 },
    /// Nothing linked: `Up to 120 Gb/s` is what the port could do.
    Idle,
    /// No speed, or one in a form not known here.
    Unknown,
}

/// The lowest link speed of Thunderbolt 5, which RDMA over Thunderbolt needs.
pub const THUNDERBOLT_5_GBPS: u32 = 80;

impl ThunderboltBus {
    pub fn link_speed(&self) -> LinkSpeed {
        let Some(speed) = self.current_speed.as_deref().map(str::trim) else {
            return LinkSpeed::Unknown;
        };
        if speed.starts_with("Up to") {
            return LinkSpeed::Idle;
        }
        speed
            .strip_suffix("Gb/s")
            .and_then(|number| number.trim().parse().ok())
            .map_or(LinkSpeed::Unknown, |gbps| LinkSpeed::Linked { gbps })
    }
}

/// The buses, in the order printed; `None` when the text is not JSON or has no
/// `SPThunderboltDataType` array (an error message, an older macOS's other layout).
pub fn parse_system_profiler_thunderbolt(text: &str) -> Option<Vec<ThunderboltBus>> {
    let document: Value = serde_json::from_str(text).ok()?;
    let buses = document.get("SPThunderboltDataType")?.as_array()?;
    Some(buses.iter().filter_map(Value::as_object).map(bus).collect())
}

/// The bus of receptacle N ("Thunderbolt N").
pub fn find_bus(buses: &[ThunderboltBus], receptacle: u32) -> Option<&ThunderboltBus> {
    buses.iter().find(|bus| bus.receptacle == Some(receptacle))
}

fn bus(object: &Map<String, Value>) -> ThunderboltBus {
    let tag = object.get("receptacle_1_tag").and_then(Value::as_object);
    let tag_text = |key: &str| tag.and_then(|tag| text(tag, key));
    ThunderboltBus {
        name: text(object, "_name").unwrap_or_default(),
        domain_uuid: text(object, "domain_uuid_key"),
        receptacle: tag.and_then(|tag| number(tag.get("receptacle_id_key"))),
        current_speed: tag_text("current_speed_key"),
        receptacle_status: tag_text("receptacle_status_key"),
        peer: object
            .get("_items")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
            .find_map(peer),
    }
}

fn peer(object: &Map<String, Value>) -> Option<ThunderboltPeer> {
    let domain_uuid = text(object, "domain_uuid_key")?;
    let offers_rdma = object
        .get("services_title")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|service| number(service.get("protocol_id_key")) == Some(RDMA_PROTOCOL_ID));
    Some(ThunderboltPeer {
        name: text(object, "_name"),
        domain_uuid,
        offers_rdma,
    })
}

fn text(object: &Map<String, Value>, key: &str) -> Option<String> {
    object.get(key)?.as_str().map(str::to_owned)
}

/// A number Apple may print as a JSON number or as a string (`"4"`).
fn number<T: TryFrom<u64>>(value: Option<&Value>) -> Option<T> {
    let value = match value? {
        Value::Number(number) => number.as_u64()?,
        Value::String(text) => text.trim().parse().ok()?,
        _ => return None,
    };
    T::try_from(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;

    /// The reference's sample as a Mac prints it (`"key" : value`), with the peer's
    /// services as a cabled RDMA-enabled Mac Studio advertises them.
    const SAMPLE: &str = r#"{
  "SPThunderboltDataType" : [
    {
      "_name" : "thunderboltusb4_bus_1",
      "device_name_key" : "Mac Studio",
      "domain_uuid_key" : "7F158861-C131-4D0D-83B6-CA50EF76C32B",
      "receptacle_1_tag" : {
        "current_speed_key" : "80 Gb/s",
        "link_status_key" : "0x2",
        "receptacle_id_key" : "4",
        "receptacle_status_key" : "receptacle_connected"
      },
      "_items" : [
        {
          "_name" : "Mac Studio",
          "device_name_key" : "Mac15,14",
          "domain_uuid_key" : "88F10ACA-5CAA-4F5D-8361-03EED54ACB5A",
          "services_title" : [
            {
              "_name" : "service_ip",
              "protocol_id_key" : 1
            },
            {
              "_name" : "unknown_xd_service",
              "protocol_id_key" : 64087
            }
          ],
          "vendor_name_key" : "Apple Inc."
        }
      ]
    },
    {
      "_name" : "thunderboltusb4_bus_0",
      "domain_uuid_key" : "00000008-0000-4000-8000-000000000008",
      "receptacle_1_tag" : {
        "current_speed_key" : "Up to 120 Gb/s",
        "receptacle_id_key" : "1",
        "receptacle_status_key" : "receptacle_no_devices_connected"
      }
    }
  ]
}
"#;

    #[test]
    fn the_reference_sample() {
        let buses = parse_system_profiler_thunderbolt(SAMPLE).expect("a Thunderbolt document");
        assert_eq!(
            buses,
            vec![
                ThunderboltBus {
                    name: "thunderboltusb4_bus_1".into(),
                    domain_uuid: Some("7F158861-C131-4D0D-83B6-CA50EF76C32B".into()),
                    receptacle: Some(4),
                    current_speed: Some("80 Gb/s".into()),
                    receptacle_status: Some("receptacle_connected".into()),
                    peer: Some(ThunderboltPeer {
                        name: Some("Mac Studio".into()),
                        domain_uuid: "88F10ACA-5CAA-4F5D-8361-03EED54ACB5A".into(),
                        offers_rdma: true,
                    }),
                },
                ThunderboltBus {
                    name: "thunderboltusb4_bus_0".into(),
                    domain_uuid: Some("00000008-0000-4000-8000-000000000008".into()),
                    receptacle: Some(1),
                    current_speed: Some("Up to 120 Gb/s".into()),
                    receptacle_status: Some("receptacle_no_devices_connected".into()),
                    peer: None,
                },
            ]
        );
        assert_eq!(
            find_bus(&buses, 4).map(ThunderboltBus::link_speed),
            Some(LinkSpeed::Linked { gbps: 80 })
        );
        assert_eq!(
            find_bus(&buses, 1).map(ThunderboltBus::link_speed),
            Some(LinkSpeed::Idle)
        );
        assert_eq!(find_bus(&buses, 2), None);
    }

    /// A Thunderbolt 4 link, a dock without a domain UUID before the Mac, a receptacle id
    /// printed as a number, and a peer without RDMA.
    #[test]
    fn a_thunderbolt_4_link_behind_a_dock() {
        let text = "{\"SPThunderboltDataType\" : [ {\"_name\" : \"thunderbolt_bus_0\", \"domain_uuid_key\" : \"A\", \"receptacle_1_tag\" : {\"current_speed_key\" : \"40 Gb/s\", \"receptacle_id_key\" : 2}, \"_items\" : [ {\"_name\" : \"CalDigit TS4\"}, {\"_name\" : \"Mac mini\", \"domain_uuid_key\" : \"B\", \"services_title\" : [ {\"protocol_id_key\" : \"1\"} ]} ]} ]}";
        let buses = parse_system_profiler_thunderbolt(text).expect("a Thunderbolt document");
        let bus = find_bus(&buses, 2).expect("receptacle 2");
        assert_eq!(bus.link_speed(), LinkSpeed::Linked { gbps: 40 });
        assert_eq!(
            bus.peer,
            Some(ThunderboltPeer {
                name: Some("Mac mini".into()),
                domain_uuid: "B".into(),
                offers_rdma: false,
            })
        );
    }

    #[rstest]
    #[case(Some("80 Gb/s"), LinkSpeed::Linked { gbps: 80 })]
    #[case(Some("40 Gb/s"), LinkSpeed::Linked { gbps: 40 })]
    #[case(Some(" 120Gb/s "), LinkSpeed::Linked { gbps: 120 })]
    #[case(Some("Up to 120 Gb/s"), LinkSpeed::Idle)]
    #[case(Some("Up to 40 Gb/s"), LinkSpeed::Idle)]
    #[case(Some("40 Gbps"), LinkSpeed::Unknown)]
    #[case(Some("20.0 Gb/s"), LinkSpeed::Unknown)]
    #[case(Some(""), LinkSpeed::Unknown)]
    #[case(None, LinkSpeed::Unknown)]
    fn link_speeds(#[case] speed: Option<&str>, #[case] link: LinkSpeed) {
        let bus = ThunderboltBus {
            current_speed: speed.map(str::to_owned),
            ..ThunderboltBus::default()
        };
        assert_eq!(bus.link_speed(), link);
    }

    #[rstest]
    #[case("")]
    #[case("sh: system_profiler: command not found\n")]
    #[case("{}")]
    #[case("{\"SPThunderboltDataType\" : {}}")]
    #[case("[]")]
    #[case("{\"SPThunderboltDataType\" : [")]
    fn not_a_thunderbolt_document(#[case] text: &str) {
        assert_eq!(parse_system_profiler_thunderbolt(text), None);
    }

    #[test]
    fn fields_of_the_wrong_type_are_absent() {
        let text = "{\"SPThunderboltDataType\" : [ 1, \"bus\", {\"_name\" : 7, \"domain_uuid_key\" : [], \"receptacle_1_tag\" : {\"receptacle_id_key\" : \"-1\", \"current_speed_key\" : 80}, \"_items\" : {}} ]}";
        let buses = parse_system_profiler_thunderbolt(text).expect("a Thunderbolt document");
        assert_eq!(buses, vec![ThunderboltBus::default()]);
    }

    proptest! {
        #[test]
        fn never_panics(text in "\\PC*") {
            for bus in parse_system_profiler_thunderbolt(&text).unwrap_or_default() {
                let _ = bus.link_speed();
            }
        }

        #[test]
        fn never_panics_on_thunderbolt_like_json(
            speed in "[ -~]{0,16}",
            receptacle in "[ -~]{0,12}",
            number in any::<i64>(),
            cut in 0usize..2000,
        ) {
            let text = SAMPLE
                .replace("80 Gb/s", &speed.replace(['"', '\\'], ""))
                .replace("\"4\"", &format!("\"{}\"", receptacle.replace(['"', '\\'], "")))
                .replace("64087", &number.to_string());
            let text: String = text.chars().take(cut).collect();
            for bus in parse_system_profiler_thunderbolt(&text).unwrap_or_default() {
                let _ = (bus.link_speed(), find_bus(std::slice::from_ref(&bus), 4));
            }
        }
    }
}
