//! Why a Mac whose `rdma_ctl` says `enabled` has no RDMA device for the node's port: the
//! port, or the cable in it, is not Thunderbolt 5 (TN3205: Thunderbolt 4 Macs say `enabled`
//! and list no device). Sending that user to Recovery to enable RDMA again would be wrong, so
//! these rows say what the link is instead. Read only on that failure path.

use rdma_phase::parse::{
    find_bus, find_hardware_port, parse_hardware_ports, parse_system_profiler_thunderbolt,
    LinkSpeed, THUNDERBOLT_5_GBPS,
};
use rdma_phase::{CommandOutput, Outcome};

use crate::decide::{listing_row, Listing, NodeFacts};

/// What `networksetup -listallhardwareports` says the node's interface is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortKind {
    /// `Thunderbolt N`: receptacle N in `system_profiler`.
    Thunderbolt(u32),
    /// Another kind of port (`Ethernet`), or `None`: not listed at all.
    Other(Option<String>),
    /// `networksetup` printed nothing usable.
    Unknown,
}

pub fn port_kind(networksetup: &CommandOutput, iface: &str) -> PortKind {
    let ports = parse_hardware_ports(&networksetup.stdout);
    if !networksetup.success() || ports.is_empty() {
        return PortKind::Unknown;
    }
    match find_hardware_port(&ports, iface) {
        Some(port) => port.thunderbolt_receptacle().map_or_else(
            || PortKind::Other(Some(port.name.clone())),
            PortKind::Thunderbolt,
        ),
        None => PortKind::Other(None),
    }
}

/// The link of a node's Thunderbolt receptacle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortLink {
    /// N of "Thunderbolt N".
    pub receptacle: u32,
    /// `current_speed_key` as printed, when `system_profiler` has a bus for the receptacle.
    pub speed: Option<String>,
    pub kind: LinkSpeed,
}

/// The link of receptacle N, matched by `receptacle_id_key` (never by the `enN` number).
pub fn port_link(system_profiler: &CommandOutput, receptacle: u32) -> PortLink {
    let buses = parse_system_profiler_thunderbolt(&system_profiler.stdout).unwrap_or_default();
    let bus = find_bus(&buses, receptacle);
    PortLink {
        receptacle,
        speed: bus.and_then(|bus| bus.current_speed.clone()),
        kind: bus.map_or(LinkSpeed::Unknown, |bus| bus.link_speed()),
    }
}

/// Why the port has no RDMA device, as far as the two reads tell.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Cause {
    /// "Thunderbolt N" links below Thunderbolt 5's speed (`40 Gb/s`).
    Slow {
        receptacle: u32,
        gbps: u32,
        speed: String,
    },
    /// "Thunderbolt N" links at Thunderbolt 5's speed, which should have made a device.
    Fast { receptacle: u32, speed: String },
    /// "Thunderbolt N" whose speed says nothing: idle (`Up to 120 Gb/s`) or unreadable.
    Unclear {
        receptacle: u32,
        speed: Option<String>,
    },
    /// Not a Thunderbolt port: listed as another kind (`Ethernet`), or not listed.
    NotThunderbolt(Option<String>),
    /// `networksetup` could not be read.
    Unidentified,
}

fn cause(port: &PortKind, link: Option<&PortLink>) -> Cause {
    let link = match (port, link) {
        (PortKind::Other(listed), _) => return Cause::NotThunderbolt(listed.clone()),
        (PortKind::Unknown, _) | (PortKind::Thunderbolt(_), None) => return Cause::Unidentified,
        (PortKind::Thunderbolt(_), Some(link)) => link,
    };
    let receptacle = link.receptacle;
    match (link.kind, link.speed.clone()) {
        (LinkSpeed::Linked { gbps }, Some(speed)) if gbps < THUNDERBOLT_5_GBPS => Cause::Slow {
            receptacle,
            gbps,
            speed,
        },
        (LinkSpeed::Linked { .. }, Some(speed)) => Cause::Fast { receptacle, speed },
        (_, speed) => Cause::Unclear { receptacle, speed },
    }
}

/// The row for `listing` (no device at all, or none for this port) on a Mac with RDMA
/// enabled, from what `networksetup` and `system_profiler` said about the port.
pub fn unsupported_row(
    listing: &Listing,
    port: &PortKind,
    link: Option<&PortLink>,
    facts: &NodeFacts<'_>,
) -> Outcome {
    let NodeFacts {
        host,
        iface,
        device,
        ..
    } = facts;
    let (what, devices, found) = match listing {
        Listing::NoDevices => (
            "IBV devices: none".to_owned(),
            "ibv_devices lists no RDMA device at all".to_owned(),
            String::new(),
        ),
        Listing::Elsewhere(found) => (
            format!("IBV devices: {device} not found"),
            format!(
                "ibv_devices lists RDMA devices for other ports only ({})",
                found.join(", ")
            ),
            format!("; found: {}", found.join(", ")),
        ),
        // Nothing here is about the port: the listing's own row says it.
        _ => return listing_row(listing, facts),
    };
    let elsewhere = matches!(listing, Listing::Elsewhere(_));
    let cause = cause(port, link);
    let how = format!("`system_profiler SPThunderboltDataType` on {host} shows each port's link: 80 Gb/s is Thunderbolt 5, 40 Gb/s Thunderbolt 4");
    let fix = "RDMA over Thunderbolt needs Thunderbolt 5 ports at both ends and a Thunderbolt 5 cable: connect the Macs that way and give that port's interface in --node";
    let not_again = "Enabling RDMA again does not help";
    let maybe_tb4 = format!(
        "{iface}'s port is Thunderbolt 4 (like the base M4 Mac mini's), or its cable is not Thunderbolt 5"
    );

    let (note, explain) = match &cause {
        Cause::Fast { receptacle, speed } => {
            return Outcome::fail(format!(
                "{what}, although RDMA is enabled and {iface} has a Thunderbolt 5 link ({speed}{found})"
            ))
            .with_hint(format!(
                "{host} has RDMA enabled and {iface} (Thunderbolt {receptacle}) links at {speed}, yet {devices}. Restart {host} and re-run; if it stays so, compare `ibv_devices` and `system_profiler SPThunderboltDataType` there"
            ));
        }
        // Devices exist and the interface is no Thunderbolt port: the wrong interface.
        Cause::NotThunderbolt(_) if elsewhere => return listing_row(listing, facts),
        // Without networksetup a wrong interface and a Thunderbolt 4 port look alike.
        Cause::Unidentified if elsewhere => {
            let row = listing_row(listing, facts);
            let hint = row.hint.clone().unwrap_or_default();
            return row.with_hint(format!(
                "{hint}. If the cable is in {iface}, {maybe_tb4} ({how}). {not_again}"
            ));
        }
        Cause::Slow {
            receptacle,
            gbps,
            speed,
        } => (
            if *gbps == 40 {
                format!("Thunderbolt 4 link at {speed}")
            } else {
                format!("link at {speed}, not Thunderbolt 5")
            },
            format!(
                "{iface} (Thunderbolt {receptacle}) links at {speed}, so the port or its cable is not Thunderbolt 5. {fix}"
            ),
        ),
        Cause::Unclear { receptacle, speed } => {
            let reads = speed.as_deref().map_or_else(
                || format!("the link of Thunderbolt {receptacle} could not be read"),
                |speed| format!("Thunderbolt {receptacle} reads {speed}"),
            );
            (
                "Thunderbolt 4, or not a Thunderbolt 5 cable".to_owned(),
                format!("{maybe_tb4} ({reads}; {how}). {fix}"),
            )
        }
        Cause::Unidentified => (
            "Thunderbolt 4, or not a Thunderbolt 5 cable".to_owned(),
            format!("{maybe_tb4} ({how}). {fix}"),
        ),
        Cause::NotThunderbolt(listed) => (
            "not a Thunderbolt port".to_owned(),
            format!(
                "{}; give the interface of the Thunderbolt port the cable is in (`networksetup -listallhardwareports` there names them Thunderbolt N). If ibv_devices stays empty with the right port, this Mac's ports are Thunderbolt 4 or the cable is not Thunderbolt 5 ({how})",
                listed.as_deref().map_or_else(
                    || format!("networksetup does not list {iface} among its ports"),
                    |name| format!("networksetup lists {iface} as {name}, not as a Thunderbolt port"),
                )
            ),
        ),
    };
    Outcome::fail(format!(
        "{what}, RDMA is enabled but {iface} cannot do RDMA ({note}{found})"
    ))
    .with_hint(format!(
        "{host} has RDMA enabled (see the RDMA line), but {devices}: {explain}. {not_again}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decide::tests::facts;
    use rdma_phase::Status;
    use rstest::rstest;

    /// en5 is "Thunderbolt 2" and en2 is "Thunderbolt 5": a lookup that took N from `enN`
    /// would read the other bus.
    const PORTS: &str = "\nHardware Port: Ethernet\nDevice: en0\nEthernet Address: 02:00:00:00:00:05\n\nHardware Port: Thunderbolt Bridge\nDevice: bridge0\nEthernet Address: 02:00:00:00:00:01\n\nHardware Port: Thunderbolt 2\nDevice: en5\nEthernet Address: 02:00:00:00:00:02\n\nHardware Port: Thunderbolt 5\nDevice: en2\nEthernet Address: 02:00:00:00:00:03\n\nVLAN Configurations\n===================\n";

    /// Receptacle 2 at `speed`, receptacle 5 at 80 Gb/s, as Apple's JSON writer prints them.
    fn buses(speed: &str) -> String {
        format!(
            "{{\n  \"SPThunderboltDataType\" : [\n    {{\n      \"_name\" : \"thunderboltusb4_bus_4\",\n      \"domain_uuid_key\" : \"7F158861-C131-4D0D-83B6-CA50EF76C32B\",\n      \"receptacle_1_tag\" : {{\n        \"current_speed_key\" : \"80 Gb/s\",\n        \"receptacle_id_key\" : \"5\"\n      }}\n    }},\n    {{\n      \"_name\" : \"thunderboltusb4_bus_1\",\n      \"domain_uuid_key\" : \"00000008-0000-4000-8000-000000000008\",\n      \"receptacle_1_tag\" : {{\n        \"current_speed_key\" : \"{speed}\",\n        \"receptacle_id_key\" : \"2\"\n      }}\n    }}\n  ]\n}}\n"
        )
    }

    fn ok(stdout: &str) -> CommandOutput {
        CommandOutput::new(stdout, "", 0)
    }

    #[rstest]
    #[case(ok(PORTS), "en5", PortKind::Thunderbolt(2))]
    #[case(ok(PORTS), "en2", PortKind::Thunderbolt(5))]
    #[case(ok(PORTS), "en0", PortKind::Other(Some("Ethernet".into())))]
    #[case(ok(PORTS), "en9", PortKind::Other(None))]
    #[case(ok(""), "en5", PortKind::Unknown)]
    #[case(
        CommandOutput::new("", "sh: networksetup: command not found\n", 127),
        "en5",
        PortKind::Unknown
    )]
    #[case(CommandOutput::new(PORTS, "", 1), "en5", PortKind::Unknown)]
    fn port_kinds(#[case] output: CommandOutput, #[case] iface: &str, #[case] kind: PortKind) {
        assert_eq!(port_kind(&output, iface), kind);
    }

    #[rstest]
    #[case(ok(&buses("40 Gb/s")), 2, Some("40 Gb/s"), LinkSpeed::Linked { gbps: 40 })]
    #[case(ok(&buses("40 Gb/s")), 5, Some("80 Gb/s"), LinkSpeed::Linked { gbps: 80 })]
    #[case(ok(&buses("Up to 120 Gb/s")), 2, Some("Up to 120 Gb/s"), LinkSpeed::Idle)]
    #[case(ok(&buses("40 Gb/s")), 3, None, LinkSpeed::Unknown)]
    #[case(ok("system_profiler: error\n"), 2, None, LinkSpeed::Unknown)]
    fn port_links(
        #[case] output: CommandOutput,
        #[case] receptacle: u32,
        #[case] speed: Option<&str>,
        #[case] kind: LinkSpeed,
    ) {
        let link = port_link(&output, receptacle);
        assert_eq!(
            (link.receptacle, link.speed.as_deref(), link.kind),
            (receptacle, speed, kind)
        );
    }

    fn elsewhere() -> Listing {
        Listing::Elsewhere(vec!["rdma_en2".into(), "rdma_en3".into()])
    }

    /// Rows decided from `networksetup` and `system_profiler` outputs; `None`: not read.
    #[rstest]
    #[case::tb4(Listing::NoDevices, ok(PORTS), Some(ok(&buses("40 Gb/s"))),
        "IBV devices: none, RDMA is enabled but en5 cannot do RDMA (Thunderbolt 4 link at 40 Gb/s)")]
    #[case::tb4_elsewhere(elsewhere(), ok(PORTS), Some(ok(&buses("40 Gb/s"))),
        "IBV devices: rdma_en5 not found, RDMA is enabled but en5 cannot do RDMA (Thunderbolt 4 link at 40 Gb/s; found: rdma_en2, rdma_en3)")]
    #[case::usb(Listing::NoDevices, ok(PORTS), Some(ok(&buses("20 Gb/s"))),
        "IBV devices: none, RDMA is enabled but en5 cannot do RDMA (link at 20 Gb/s, not Thunderbolt 5)")]
    #[case::idle(Listing::NoDevices, ok(PORTS), Some(ok(&buses("Up to 120 Gb/s"))),
        "IBV devices: none, RDMA is enabled but en5 cannot do RDMA (Thunderbolt 4, or not a Thunderbolt 5 cable)")]
    #[case::no_speed(elsewhere(), ok(PORTS), Some(CommandOutput::new("", "sh: system_profiler: command not found\n", 127)),
        "IBV devices: rdma_en5 not found, RDMA is enabled but en5 cannot do RDMA (Thunderbolt 4, or not a Thunderbolt 5 cable; found: rdma_en2, rdma_en3)")]
    #[case::fast(Listing::NoDevices, ok(PORTS), Some(ok(&buses("80 Gb/s"))),
        "IBV devices: none, although RDMA is enabled and en5 has a Thunderbolt 5 link (80 Gb/s)")]
    #[case::no_networksetup(Listing::NoDevices, ok(""), None,
        "IBV devices: none, RDMA is enabled but en5 cannot do RDMA (Thunderbolt 4, or not a Thunderbolt 5 cable)")]
    #[case::not_thunderbolt(Listing::NoDevices, ok(&PORTS.replace("Device: en5", "Device: en7")), None,
        "IBV devices: none, RDMA is enabled but en5 cannot do RDMA (not a Thunderbolt port)")]
    #[case::wrong_interface(elsewhere(), ok(&PORTS.replace("Device: en5", "Device: en7")), None,
        "IBV devices: rdma_en5 not found (found: rdma_en2, rdma_en3)")]
    #[case::wrong_or_tb4(
        elsewhere(),
        ok(""),
        None,
        "IBV devices: rdma_en5 not found (found: rdma_en2, rdma_en3)"
    )]
    fn rows_with_rdma_enabled(
        #[case] listing: Listing,
        #[case] networksetup: CommandOutput,
        #[case] system_profiler: Option<CommandOutput>,
        #[case] message: &str,
    ) {
        let port = port_kind(&networksetup, "en5");
        let link = match (&port, &system_profiler) {
            (PortKind::Thunderbolt(receptacle), Some(output)) => {
                Some(port_link(output, *receptacle))
            }
            (PortKind::Thunderbolt(_), None) => panic!("a Thunderbolt port needs its link"),
            (_, Some(_)) => panic!("system_profiler is read for Thunderbolt ports only"),
            _ => None,
        };
        let row = unsupported_row(&listing, &port, link.as_ref(), &facts());
        assert_eq!((row.status, row.message.as_str()), (Status::Fail, message));
        let hint = row.hint.as_deref().unwrap_or_default();
        assert!(hint.contains("hwstudio1"), "{hint}");
        // RDMA is on: Recovery is not the way out.
        for text in [row.message.as_str(), hint] {
            assert!(!text.contains("Recovery"), "{text}");
            assert!(!text.contains("rdma_ctl enable"), "{text}");
        }
    }

    #[test]
    fn a_slow_link_names_its_receptacle_and_the_fix() {
        let port = port_kind(&ok(PORTS), "en5");
        let link = port_link(&ok(&buses("40 Gb/s")), 2);
        let row = unsupported_row(&Listing::NoDevices, &port, Some(&link), &facts());
        assert_eq!(
            row.hint.as_deref(),
            Some("hwstudio1 has RDMA enabled (see the RDMA line), but ibv_devices lists no RDMA device at all: en5 (Thunderbolt 2) links at 40 Gb/s, so the port or its cable is not Thunderbolt 5. RDMA over Thunderbolt needs Thunderbolt 5 ports at both ends and a Thunderbolt 5 cable: connect the Macs that way and give that port's interface in --node. Enabling RDMA again does not help")
        );
    }

    #[test]
    fn other_listings_keep_their_rows() {
        for listing in [
            Listing::Missing,
            Listing::Failed("boom".into()),
            Listing::Found,
        ] {
            assert_eq!(
                unsupported_row(&listing, &PortKind::Unknown, None, &facts()),
                listing_row(&listing, &facts())
            );
        }
    }
}
