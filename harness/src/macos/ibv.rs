//! `ibv_devices` and `ibv_devinfo` in rdma-core's layout (TABs included).

use std::fmt::Write as _;
use std::net::Ipv4Addr;

use super::identity::eui64_link_local;

/// One RDMA device as `ibv_devinfo` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IbvDeviceView {
    /// `rdma_en5`.
    pub name: String,
    pub node_guid: u64,
    /// The host-wide GUID (the first device's node GUID on a real Mac).
    pub sys_image_guid: u64,
    /// `PORT_ACTIVE (4)` when true, `PORT_DOWN (1)` otherwise.
    pub port_active: bool,
    /// GID table entries in order, as [`gid_table`] builds them.
    pub gids: Vec<String>,
}

/// A Thunderbolt RDMA port's GID table in TN3205's shape: the EUI-64 link-local of the port's
/// MAC, an IPv4-mapped GID for each IPv4 address of the interface (in the interface's order:
/// the reference says the order of two is not guaranteed), then the interface's secured
/// link-local (none on a bridge member, which has no IPv6).
pub fn gid_table(mac: &str, ipv4: &[Ipv4Addr], secured: Option<&str>) -> Vec<String> {
    let mut gids = vec![eui64_link_local(mac)];
    gids.extend(ipv4.iter().map(|ip| format!("::ffff:{ip}")));
    gids.extend(secured.map(str::to_owned));
    gids
}

/// `ibv_devices`: the two header lines, then one line per device in the order given
/// (macOS does not sort them). With no devices (RDMA disabled) only the header remains.
pub fn ibv_devices(devices: &[(String, u64)]) -> String {
    let mut out = format!("    {:<16}\t   node GUID\n", "device");
    let _ = writeln!(out, "    {:<16}\t----------------", "------");
    for (name, guid) in devices {
        let _ = writeln!(out, "    {name:<16}\t{guid:016x}");
    }
    out
}

/// `ibv_devinfo -d DEV [-v]`. Each port section ends with a blank line, as rdma-core prints.
pub fn ibv_devinfo(device: &IbvDeviceView, verbose: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "hca_id:\t{}", device.name);
    out.push_str("\ttransport:\t\t\tThunderbolt (100)\n");
    let _ = writeln!(out, "\tnode_guid:\t\t\t{}", guid_groups(device.node_guid));
    let _ = writeln!(
        out,
        "\tsys_image_guid:\t\t\t{}",
        guid_groups(device.sys_image_guid)
    );
    out.push_str(concat!(
        "\tvendor_id:\t\t\t0x0000\n",
        "\tvendor_part_id:\t\t\t0\n",
        "\thw_ver:\t\t\t\t0x0\n",
        "\tphys_port_cnt:\t\t\t1\n",
    ));
    // SOURCE-DERIVED: rdma-core's verbose device attributes; values are plausible, not captured.
    if verbose {
        out.push_str(concat!(
            "\tmax_mr_size:\t\t\t0xffffffffffffffff\n",
            "\tpage_size_cap:\t\t\t0x4000\n",
            "\tmax_qp:\t\t\t\t1024\n",
            "\tmax_qp_wr:\t\t\t8192\n",
        ));
    }
    let state = if device.port_active {
        "PORT_ACTIVE (4)"
    } else {
        "PORT_DOWN (1)"
    };
    out.push_str("\t\tport:\t1\n");
    let _ = writeln!(out, "\t\t\tstate:\t\t\t{state}");
    out.push_str(concat!(
        "\t\t\tmax_mtu:\t\t4096 (5)\n",
        "\t\t\tactive_mtu:\t\t4096 (5)\n",
        "\t\t\tsm_lid:\t\t\t1\n",
        "\t\t\tport_lid:\t\t1\n",
        "\t\t\tport_lmc:\t\t0x00\n",
        "\t\t\tlink_layer:\t\tThunderbolt\n",
    ));
    // SOURCE-DERIVED: rdma-core's verbose port attributes in its order; only active_width,
    // active_speed and the GIDs are in TN3205's capture. No phys_state line: rdma-core prints
    // it for InfiniBand transports only, and the capture goes from active_speed to GID[0].
    if verbose {
        out.push_str(concat!(
            "\t\t\tmax_msg_sz:\t\t0x40000000\n",
            "\t\t\tport_cap_flags:\t\t0x00000000\n",
            "\t\t\tmax_vl_num:\t\t1 (1)\n",
            "\t\t\tbad_pkey_cntr:\t\t0x0\n",
            "\t\t\tqkey_viol_cntr:\t\t0x0\n",
            "\t\t\tsm_sl:\t\t\t0\n",
            "\t\t\tpkey_tbl_len:\t\t1\n",
            "\t\t\tgid_tbl_len:\t\t16\n",
            "\t\t\tsubnet_timeout:\t\t0\n",
            "\t\t\tinit_type_reply:\t0\n",
            "\t\t\tactive_width:\t\t8X (4)\n",
            "\t\t\tactive_speed:\t\t10.0 Gbps (4)\n",
        ));
        for (index, gid) in device.gids.iter().enumerate() {
            let _ = writeln!(out, "\t\t\tGID[{index:3}]:\t\t{gid}");
        }
    }
    out.push('\n');
    out
}

/// `ibv_devinfo -d NAME` for an unknown device: (stderr, exit code).
pub fn ibv_devinfo_missing(name: &str) -> (String, i32) {
    (format!("IB device '{name}' wasn't found\n"), 255)
}

/// `ibv_devinfo` (without `-d`) with no device at all: (stderr, exit code). With `-d NAME`
/// rdma-core says [`ibv_devinfo_missing`] instead, devices or not.
pub fn ibv_no_devices() -> (String, i32) {
    ("No IB devices found\n".to_owned(), 255)
}

/// `8396a9d9edbaac05` -> `8396:a9d9:edba:ac05`.
fn guid_groups(guid: u64) -> String {
    let hex = format!("{guid:016x}");
    [&hex[0..4], &hex[4..8], &hex[8..12], &hex[12..16]].join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_listing() {
        let devices = [
            ("rdma_en2".to_owned(), 0x8096_a9d9_edba_ac05),
            ("rdma_en3".to_owned(), 0x8196_a9d9_edba_ac05),
            ("rdma_en5".to_owned(), 0x8396_a9d9_edba_ac05),
            ("rdma_en4".to_owned(), 0x8296_a9d9_edba_ac05),
        ];
        assert_eq!(
            ibv_devices(&devices),
            "    device          \t   node GUID\n\
             \x20   ------          \t----------------\n\
             \x20   rdma_en2        \t8096a9d9edbaac05\n\
             \x20   rdma_en3        \t8196a9d9edbaac05\n\
             \x20   rdma_en5        \t8396a9d9edbaac05\n\
             \x20   rdma_en4        \t8296a9d9edbaac05\n"
        );
    }

    #[test]
    fn no_devices_is_the_header_only() {
        assert_eq!(
            ibv_devices(&[]),
            "    device          \t   node GUID\n    ------          \t----------------\n"
        );
    }

    fn en5(active: bool) -> IbvDeviceView {
        IbvDeviceView {
            name: "rdma_en5".into(),
            node_guid: 0x8396_a9d9_edba_ac05,
            sys_image_guid: 0x8096_a9d9_edba_ac05,
            port_active: active,
            gids: gid_table(
                "36:4d:04:ea:4e:40",
                &[Ipv4Addr::new(169, 254, 205, 255)],
                Some("fe80::1021:1bac:fe1:b5e3"),
            ),
        }
    }

    #[test]
    fn devinfo_matches_the_reference() {
        assert_eq!(
            ibv_devinfo(&en5(false), false),
            "hca_id:\trdma_en5\n\
             \ttransport:\t\t\tThunderbolt (100)\n\
             \tnode_guid:\t\t\t8396:a9d9:edba:ac05\n\
             \tsys_image_guid:\t\t\t8096:a9d9:edba:ac05\n\
             \tvendor_id:\t\t\t0x0000\n\
             \tvendor_part_id:\t\t\t0\n\
             \thw_ver:\t\t\t\t0x0\n\
             \tphys_port_cnt:\t\t\t1\n\
             \t\tport:\t1\n\
             \t\t\tstate:\t\t\tPORT_DOWN (1)\n\
             \t\t\tmax_mtu:\t\t4096 (5)\n\
             \t\t\tactive_mtu:\t\t4096 (5)\n\
             \t\t\tsm_lid:\t\t\t1\n\
             \t\t\tport_lid:\t\t1\n\
             \t\t\tport_lmc:\t\t0x00\n\
             \t\t\tlink_layer:\t\tThunderbolt\n\
             \n"
        );
    }

    #[test]
    fn verbose_devinfo_ends_with_tn3205s_lines() {
        let text = ibv_devinfo(&en5(true), true);
        assert!(text.contains("\t\t\tstate:\t\t\tPORT_ACTIVE (4)\n"));
        // TN3205's capture, byte for byte, then the blank line ending the port section.
        assert!(
            text.ends_with(
                "\t\t\tactive_width:\t\t8X (4)\n\
                 \t\t\tactive_speed:\t\t10.0 Gbps (4)\n\
                 \t\t\tGID[  0]:\t\tfe80::344d:4ff:feea:4e40\n\
                 \t\t\tGID[  1]:\t\t::ffff:169.254.205.255\n\
                 \t\t\tGID[  2]:\t\tfe80::1021:1bac:fe1:b5e3\n\
                 \n"
            ),
            "{text}"
        );
        assert!(!ibv_devinfo(&en5(true), false).contains("GID["));
        assert!(!ibv_devinfo(&en5(true), false).contains("active_width"));
    }

    #[test]
    fn every_ipv4_address_has_its_mapped_gid() {
        let both = [
            Ipv4Addr::new(10, 254, 0, 5),
            Ipv4Addr::new(169, 254, 205, 255),
        ];
        assert_eq!(
            gid_table("36:4d:04:ea:4e:40", &both, Some("fe80::1021:1bac:fe1:b5e3")),
            [
                "fe80::344d:4ff:feea:4e40",
                "::ffff:10.254.0.5",
                "::ffff:169.254.205.255",
                "fe80::1021:1bac:fe1:b5e3"
            ]
        );
        // A bridge member: no IPv4, no IPv6 on the interface, the EUI-64 GID only.
        assert_eq!(
            gid_table("36:4d:04:ea:4e:40", &[], None),
            ["fe80::344d:4ff:feea:4e40"]
        );
    }

    #[test]
    fn errors() {
        assert_eq!(
            ibv_devinfo_missing("rdma_en9"),
            ("IB device 'rdma_en9' wasn't found\n".to_owned(), 255)
        );
        assert_eq!(ibv_no_devices(), ("No IB devices found\n".to_owned(), 255));
    }
}
