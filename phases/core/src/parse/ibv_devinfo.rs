//! `ibv_devinfo [-d DEVICE] [-v]`: per device, its ports' states and GID tables.

use std::net::{Ipv4Addr, Ipv6Addr};

use serde::Serialize;

/// One `hca_id:` block.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DeviceInfo {
    pub hca_id: String,
    pub ports: Vec<PortInfo>,
}

/// One `port:` block of a device.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PortInfo {
    pub number: u32,
    /// The state word without its code: `PORT_ACTIVE`, `PORT_DOWN`, ...
    pub state: Option<String>,
    /// The GID table (only with `-v`), in table order.
    pub gids: Vec<String>,
}

/// The only port state in which RDMA traffic flows.
pub const PORT_ACTIVE: &str = "PORT_ACTIVE";

impl PortInfo {
    pub fn is_active(&self) -> bool {
        self.state.as_deref() == Some(PORT_ACTIVE)
    }
}

impl DeviceInfo {
    /// Whether any port publishes the IPv4-mapped GID JACCL needs (`::ffff:a.b.c.d`),
    /// whichever way the GID is spelled.
    pub fn has_ipv4_mapped_gid(&self, address: Ipv4Addr) -> bool {
        let wanted = address.to_ipv6_mapped();
        self.ports
            .iter()
            .flat_map(|port| &port.gids)
            .any(|gid| gid.parse::<Ipv6Addr>().is_ok_and(|gid| gid == wanted))
    }
}

/// Parse `ibv_devinfo` output. Lines outside a device or port block are ignored.
pub fn parse_ibv_devinfo(text: &str) -> Vec<DeviceInfo> {
    let mut devices: Vec<DeviceInfo> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("hca_id:") {
            devices.push(DeviceInfo {
                hca_id: rest.trim().to_owned(),
                ports: Vec::new(),
            });
            continue;
        }
        let Some(device) = devices.last_mut() else {
            continue;
        };
        if let Some(rest) = line.strip_prefix("port:") {
            if let Ok(number) = rest.trim().parse::<u32>() {
                device.ports.push(PortInfo {
                    number,
                    ..PortInfo::default()
                });
            }
            continue;
        }
        let Some(port) = device.ports.last_mut() else {
            continue;
        };
        if let Some(rest) = line.strip_prefix("state:") {
            port.state = rest.split_whitespace().next().map(str::to_owned);
        } else if let Some(rest) = line.strip_prefix("GID[") {
            // `GID[  1]:\t\t::ffff:10.254.0.5`, newer rdma-core appends `, RoCE v2`.
            let gid = rest
                .split_once("]:")
                .and_then(|(_, value)| value.split_whitespace().next())
                .map(|gid| gid.trim_end_matches(','));
            if let Some(gid) = gid.filter(|gid| !gid.is_empty()) {
                port.gids.push(gid.to_owned());
            }
        }
    }
    devices
}

/// The block for `hca_id`, if the output has it.
pub fn find_device<'a>(devices: &'a [DeviceInfo], hca_id: &str) -> Option<&'a DeviceInfo> {
    devices.iter().find(|device| device.hca_id == hca_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;

    fn devinfo(state: &str, gids: &[&str]) -> String {
        let mut text = String::from(
            "hca_id:\trdma_en5\n\
             \ttransport:\t\t\tThunderbolt (100)\n\
             \tnode_guid:\t\t\t8396:a9d9:edba:ac05\n\
             \tsys_image_guid:\t\t\t8096:a9d9:edba:ac05\n\
             \tvendor_id:\t\t\t0x0000\n\
             \tvendor_part_id:\t\t\t0\n\
             \thw_ver:\t\t\t\t0x0\n\
             \tphys_port_cnt:\t\t\t1\n\
             \t\tport:\t1\n",
        );
        text.push_str(&format!("\t\t\tstate:\t\t\t{state}\n"));
        text.push_str(
            "\t\t\tmax_mtu:\t\t4096 (5)\n\
             \t\t\tactive_mtu:\t\t4096 (5)\n\
             \t\t\tsm_lid:\t\t\t1\n\
             \t\t\tport_lid:\t\t1\n\
             \t\t\tport_lmc:\t\t0x00\n\
             \t\t\tlink_layer:\t\tThunderbolt\n",
        );
        for (index, gid) in gids.iter().enumerate() {
            text.push_str(&format!("\t\t\tGID[{index:>3}]:\t\t{gid}\n"));
        }
        text
    }

    #[test]
    fn the_reference_block() {
        let devices = parse_ibv_devinfo(&devinfo(
            "PORT_ACTIVE (4)",
            &["fe80::344d:4ff:feea:4e40", "::ffff:10.254.0.5"],
        ));
        assert_eq!(
            devices,
            vec![DeviceInfo {
                hca_id: "rdma_en5".into(),
                ports: vec![PortInfo {
                    number: 1,
                    state: Some("PORT_ACTIVE".into()),
                    gids: vec![
                        "fe80::344d:4ff:feea:4e40".into(),
                        "::ffff:10.254.0.5".into()
                    ],
                }],
            }]
        );
        assert!(devices[0].ports[0].is_active());
    }

    #[rstest]
    #[case("PORT_ACTIVE (4)", Some("PORT_ACTIVE"), true)]
    #[case("PORT_DOWN (1)", Some("PORT_DOWN"), false)]
    #[case("PORT_INIT (2)", Some("PORT_INIT"), false)]
    #[case("", None, false)]
    fn port_states(#[case] line: &str, #[case] state: Option<&str>, #[case] active: bool) {
        let devices = parse_ibv_devinfo(&devinfo(line, &[]));
        let port = &devices[0].ports[0];
        assert_eq!(port.state.as_deref(), state);
        assert_eq!(port.is_active(), active);
    }

    #[rstest]
    #[case(&["fe80::344d:4ff:feea:4e40", "::ffff:10.254.0.5"], true)]
    #[case(&["::ffff:10.254.0.5, RoCE v2"], true)]
    #[case(&["0000:0000:0000:0000:0000:ffff:0afe:0005"], true)]
    #[case(&["fe80::344d:4ff:feea:4e40"], false)]
    #[case(&["::ffff:10.254.0.50"], false)]
    #[case(&["::ffff:10.254.0.6"], false)]
    #[case(&[], false)]
    fn ipv4_mapped_gid(#[case] gids: &[&str], #[case] present: bool) {
        let devices = parse_ibv_devinfo(&devinfo("PORT_ACTIVE (4)", gids));
        assert_eq!(
            devices[0].has_ipv4_mapped_gid(Ipv4Addr::new(10, 254, 0, 5)),
            present
        );
    }

    /// TN3205's capture of `ibv_devinfo -d rdma_en2 -v` (port en2 holding only its
    /// self-assigned 169.254.205.255) in rdma-core's layout, `active_width`/`active_speed`
    /// included, and what it becomes once `10.254.0.5` is set too: the mapped GIDs in
    /// either order, then published copies of it that lost their TABs.
    const TN3205: &str = "hca_id:\trdma_en2\n\ttransport:\t\t\tThunderbolt (100)\n\tnode_guid:\t\t\t8096:a9d9:edba:ac05\n\tsys_image_guid:\t\t\t8096:a9d9:edba:ac05\n\tvendor_id:\t\t\t0x0000\n\tvendor_part_id:\t\t\t0\n\thw_ver:\t\t\t\t0x0\n\tphys_port_cnt:\t\t\t1\n\t\tport:\t1\n\t\t\tstate:\t\t\tPORT_ACTIVE (4)\n\t\t\tmax_mtu:\t\t4096 (5)\n\t\t\tactive_mtu:\t\t4096 (5)\n\t\t\tsm_lid:\t\t\t1\n\t\t\tport_lid:\t\t1\n\t\t\tport_lmc:\t\t0x00\n\t\t\tlink_layer:\t\tThunderbolt\n\t\t\tactive_width:\t\t8X (4)\n\t\t\tactive_speed:\t\t10.0 Gbps (4)\n\t\t\tGID[  0]:\t\tfe80::344d:4ff:feea:4e40\n\t\t\tGID[  1]:\t\t::ffff:169.254.205.255\n\t\t\tGID[  2]:\t\tfe80::1021:1bac:fe1:b5e3\n";

    /// The table with the planned address's GID in it, before or after the APIPA one.
    fn with_planned(first: bool) -> String {
        let (apipa, planned) = ("::ffff:169.254.205.255", "::ffff:10.254.0.5");
        let (one, two) = if first {
            (planned, apipa)
        } else {
            (apipa, planned)
        };
        TN3205
            .replace(
                &format!("\t\t\tGID[  1]:\t\t{apipa}\n"),
                &format!("\t\t\tGID[  1]:\t\t{one}\n\t\t\tGID[  2]:\t\t{two}\n"),
            )
            .replace("GID[  2]:\t\tfe80::1021", "GID[  3]:\t\tfe80::1021")
    }

    /// A copy whose TABs became `spaces` each (a web page, a chat message, `&nbsp;`).
    fn untabbed(text: &str, spaces: &str) -> String {
        text.replace('\t', spaces)
    }

    #[rstest]
    #[case::tn3205(TN3205.to_owned(), &["fe80::344d:4ff:feea:4e40", "::ffff:169.254.205.255", "fe80::1021:1bac:fe1:b5e3"], false)]
    #[case::planned_last(with_planned(false), &["fe80::344d:4ff:feea:4e40", "::ffff:169.254.205.255", "::ffff:10.254.0.5", "fe80::1021:1bac:fe1:b5e3"], true)]
    #[case::planned_first(with_planned(true), &["fe80::344d:4ff:feea:4e40", "::ffff:10.254.0.5", "::ffff:169.254.205.255", "fe80::1021:1bac:fe1:b5e3"], true)]
    #[case::tabs_as_spaces(untabbed(&with_planned(false), "    "), &["fe80::344d:4ff:feea:4e40", "::ffff:169.254.205.255", "::ffff:10.254.0.5", "fe80::1021:1bac:fe1:b5e3"], true)]
    #[case::tabs_as_one_space(untabbed(&with_planned(true), " "), &["fe80::344d:4ff:feea:4e40", "::ffff:10.254.0.5", "::ffff:169.254.205.255", "fe80::1021:1bac:fe1:b5e3"], true)]
    #[case::tabs_lost(untabbed(&with_planned(true), ""), &["fe80::344d:4ff:feea:4e40", "::ffff:10.254.0.5", "::ffff:169.254.205.255", "fe80::1021:1bac:fe1:b5e3"], true)]
    #[case::tabs_lost_apipa_only(untabbed(TN3205, ""), &["fe80::344d:4ff:feea:4e40", "::ffff:169.254.205.255", "fe80::1021:1bac:fe1:b5e3"], false)]
    #[case::nbsp(untabbed(&with_planned(false), "\u{a0}"), &["fe80::344d:4ff:feea:4e40", "::ffff:169.254.205.255", "::ffff:10.254.0.5", "fe80::1021:1bac:fe1:b5e3"], true)]
    #[case::crlf(with_planned(false).replace('\n', "\r\n"), &["fe80::344d:4ff:feea:4e40", "::ffff:169.254.205.255", "::ffff:10.254.0.5", "fe80::1021:1bac:fe1:b5e3"], true)]
    fn tn3205_tables(#[case] text: String, #[case] gids: &[&str], #[case] planned: bool) {
        let devices = parse_ibv_devinfo(&text);
        let [device] = devices.as_slice() else {
            panic!("one device expected: {devices:?}");
        };
        assert_eq!(device.hca_id, "rdma_en2");
        let [port] = device.ports.as_slice() else {
            panic!("one port expected: {:?}", device.ports);
        };
        assert_eq!((port.number, port.is_active()), (1, true));
        assert_eq!(port.gids, gids);
        assert_eq!(
            device.has_ipv4_mapped_gid(Ipv4Addr::new(10, 254, 0, 5)),
            planned
        );
        // The self-assigned address's GID is there in every case, and it is not ours.
        assert!(device.has_ipv4_mapped_gid(Ipv4Addr::new(169, 254, 205, 255)));
    }

    #[test]
    fn phys_state_is_not_the_port_state() {
        let text = "hca_id:\trdma_en5\n\t\tport:\t1\n\t\t\tstate:\t\t\tPORT_DOWN (1)\n\t\t\tphys_state:\t\tLINK_UP (5)\n";
        let devices = parse_ibv_devinfo(text);
        assert_eq!(devices[0].ports[0].state.as_deref(), Some("PORT_DOWN"));
    }

    #[test]
    fn several_devices() {
        let text = format!(
            "{}\n{}",
            devinfo("PORT_DOWN (1)", &[]),
            devinfo("PORT_ACTIVE (4)", &[]).replace("rdma_en5", "rdma_en3")
        );
        let devices = parse_ibv_devinfo(&text);
        assert_eq!(devices.len(), 2);
        let en3 = find_device(&devices, "rdma_en3").expect("rdma_en3 listed");
        assert!(en3.ports[0].is_active());
        assert!(find_device(&devices, "rdma_en9").is_none());
    }

    #[rstest]
    #[case("")]
    #[case("IB device 'rdma_en9' wasn't found\n")]
    #[case("No IB devices found\n")]
    #[case("\t\t\tstate:\t\t\tPORT_ACTIVE (4)\n")]
    fn nothing_to_parse(#[case] text: &str) {
        assert_eq!(parse_ibv_devinfo(text), vec![]);
    }

    proptest! {
        #[test]
        fn never_panics(text in "\\PC*") {
            let devices = parse_ibv_devinfo(&text);
            for device in &devices {
                let _ = device.has_ipv4_mapped_gid(Ipv4Addr::LOCALHOST);
            }
        }

        #[test]
        fn never_panics_on_devinfo_like_lines(
            lines in proptest::collection::vec(
                "(hca_id:[ \t]*[a-z_0-9]*|[ \t]*port:[ \t]*[0-9]{0,12}|[ \t]*state:[ \t]*[A-Z_]*|[ \t]*GID\\[[ 0-9]*\\]?:?[ \t]*[0-9a-f:.,]*)",
                0..20,
            )
        ) {
            let _ = parse_ibv_devinfo(&lines.join("\n"));
        }
    }
}
