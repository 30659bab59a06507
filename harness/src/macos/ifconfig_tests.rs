//! Byte fixtures: every block as the reference (or, where it has none, Apple's ifconfig
//! source) prints it, TABs and trailing spaces included.

use std::net::Ipv4Addr;

use rdma_phase::Prefix;

use super::*;

fn p(bits: u8) -> Prefix {
    Prefix::new(bits).expect("valid prefix")
}

fn en5(inet: Vec<(Ipv4Addr, Prefix)>) -> InterfaceView {
    InterfaceView {
        inet6: Some("fe80::1021:1bac:fe1:b5e3".into()),
        inet,
        ..InterfaceView::thunderbolt("en5", "36:4d:04:ea:4e:44", 0xd)
    }
}

/// en5 as [`en5`] renders it, holding the one address `inet` prints (a whole `\tinet` line).
/// The lab's kernel test expects the same block.
pub(crate) fn en5_block(inet: &str) -> String {
    format!(
        "en5: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\
         \toptions=460<TSO4,TSO6,CHANNEL_IO>\n\
         \tether 36:4d:04:ea:4e:44\n\
         \tinet6 fe80::1021:1bac:fe1:b5e3%en5 prefixlen 64 secured scopeid 0xd\n\
         {inet}\
         \tnd6 options=201<PERFORMNUD,DAD>\n\
         \tmedia: autoselect <full-duplex>\n\
         \tstatus: active\n"
    )
}

#[test]
fn port_with_an_address() {
    assert_eq!(
        ifconfig_block(&en5(vec![(Ipv4Addr::new(10, 254, 0, 5), p(30))])),
        en5_block("\tinet 10.254.0.5 netmask 0xfffffffc broadcast 10.254.0.7\n")
    );
}

#[test]
fn port_with_only_its_self_assigned_address() {
    // TN3205's port: configd's 169.254 address and nothing else.
    assert_eq!(
        ifconfig_block(&en5(vec![(Ipv4Addr::new(169, 254, 205, 255), p(16))])),
        en5_block("\tinet 169.254.205.255 netmask 0xffff0000 broadcast 169.254.255.255\n")
    );
}

#[test]
fn port_listing_both_addresses_in_the_order_given() {
    let static_ip = (Ipv4Addr::new(10, 254, 0, 5), p(30));
    let self_assigned = (Ipv4Addr::new(169, 254, 205, 255), p(16));
    let lines = "\tinet 10.254.0.5 netmask 0xfffffffc broadcast 10.254.0.7\n\
                 \tinet 169.254.205.255 netmask 0xffff0000 broadcast 169.254.255.255\n";
    assert!(ifconfig_block(&en5(vec![static_ip, self_assigned])).contains(lines));
    let reversed = "\tinet 169.254.205.255 netmask 0xffff0000 broadcast 169.254.255.255\n\
                    \tinet 10.254.0.5 netmask 0xfffffffc broadcast 10.254.0.7\n";
    assert!(ifconfig_block(&en5(vec![self_assigned, static_ip])).contains(reversed));
}

#[test]
fn bridge_member_port() {
    let mut view = InterfaceView::thunderbolt("en3", "82:f4:80:27:64:05", 11);
    view.flags = view.flags.with(IfFlags::PROMISC);
    view.active = false;
    assert_eq!(
        ifconfig_block(&view),
        "en3: flags=8963<UP,BROADCAST,SMART,RUNNING,PROMISC,SIMPLEX,MULTICAST> mtu 1500\n\
         \toptions=460<TSO4,TSO6,CHANNEL_IO>\n\
         \tether 82:f4:80:27:64:05\n\
         \tmedia: autoselect <full-duplex>\n\
         \tstatus: inactive\n"
    );
}

fn bridge0() -> InterfaceView {
    InterfaceView {
        ether: Some("82:30:ea:68:4c:01".into()),
        members: vec![
            BridgeMember {
                name: "en2".into(),
                port: 11,
            },
            BridgeMember {
                name: "en5".into(),
                port: 13,
            },
        ],
        ..InterfaceView::new(
            "bridge0",
            InterfaceKind::Bridge,
            IfFlags::ETHERNET_BASE
                .with(IfFlags::UP)
                .with(IfFlags::RUNNING),
            1500,
            20,
        )
    }
}

#[test]
fn bridge_named_alone_prints_the_address_cache() {
    assert_eq!(
        ifconfig_single(&bridge0()),
        "bridge0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\
         \toptions=63<RXCSUM,TXCSUM,TSO4,TSO6>\n\
         \tether 82:30:ea:68:4c:01\n\
         \tConfiguration:\n\
         \t\tid 0:0:0:0:0:0 priority 0 hellotime 0 fwddelay 0\n\
         \t\tmaxage 0 holdcnt 0 proto stp maxaddr 100 timeout 1200\n\
         \t\troot id 0:0:0:0:0:0 priority 0 ifcost 0 port 0\n\
         \t\tipfilter disabled flags 0x0\n\
         \tmember: en2 flags=3<LEARNING,DISCOVER>\n\
         \t        ifmaxaddr 0 port 11 priority 0 path cost 0\n\
         \tmember: en5 flags=3<LEARNING,DISCOVER>\n\
         \t        ifmaxaddr 0 port 13 priority 0 path cost 0\n\
         \tAddress cache:\n\
         \tnd6 options=201<PERFORMNUD,DAD>\n\
         \tmedia: <unknown type>\n\
         \tstatus: active\n"
    );
}

#[test]
fn bridge_in_a_listing_has_no_address_cache_and_down_flags() {
    let mut view = bridge0();
    view.flags = IfFlags::ETHERNET_BASE;
    let block = ifconfig_block(&view);
    assert!(block.starts_with("bridge0: flags=8822<BROADCAST,SMART,SIMPLEX,MULTICAST> mtu 1500\n"));
    assert!(!block.contains("Address cache"));
    assert!(block.contains("\tmember: en5 flags=3<LEARNING,DISCOVER>\n"));
}

#[test]
fn loopback_with_the_developer_tools_alias() {
    let view = InterfaceView::loopback(1, &[(Ipv4Addr::new(10, 254, 254, 254), p(8))]);
    assert_eq!(
        ifconfig_block(&view),
        "lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 16384\n\
         \toptions=1203<RXCSUM,TXCSUM,TXSTATUS,SW_TIMESTAMP>\n\
         \tinet 127.0.0.1 netmask 0xff000000 \n\
         \tinet6 ::1 prefixlen 128 \n\
         \tinet6 fe80::1%lo0 prefixlen 64 scopeid 0x1 \n\
         \tinet 10.254.254.254 netmask 0xff000000 \n\
         \tnd6 options=201<PERFORMNUD,DAD>\n"
    );
}

#[test]
fn vpn_tunnel_is_point_to_point() {
    let view = InterfaceView {
        inet6: Some("fe80::5c2f:ae55:d9c8:1a54".into()),
        inet: vec![(Ipv4Addr::new(10, 254, 77, 9), p(16))],
        ..InterfaceView::new("utun4", InterfaceKind::Tunnel, IfFlags(0x8051), 1280, 0x25)
    };
    assert_eq!(
        ifconfig_block(&view),
        "utun4: flags=8051<UP,POINTOPOINT,RUNNING,MULTICAST> mtu 1280\n\
         \tinet 10.254.77.9 --> 10.254.77.9 netmask 0xffff0000 \n\
         \tinet6 fe80::5c2f:ae55:d9c8:1a54%utun4 prefixlen 64 scopeid 0x25 \n\
         \tnd6 options=201<PERFORMNUD,DAD>\n"
    );
}

#[test]
fn gif0_and_stf0_are_a_header_line_each() {
    let gif = InterfaceView::new("gif0", InterfaceKind::Bare, IfFlags(0x8010), 1280, 2);
    let stf = InterfaceView::new("stf0", InterfaceKind::Bare, IfFlags(0), 1280, 3);
    assert_eq!(
        ifconfig_all(&[gif, stf]),
        "gif0: flags=8010<POINTOPOINT,MULTICAST> mtu 1280\n\
         stf0: flags=0<> mtu 1280\n"
    );
}

#[test]
fn skywalk_interfaces() {
    let anpi = InterfaceView {
        ether: Some("9a:56:2f:1b:0c:6e".into()),
        inet6: Some("fe80::9856:2fff:fe1b:c6e".into()),
        active: false,
        ..InterfaceView::new("anpi0", InterfaceKind::Anpi, IfFlags(0x8863), 1500, 4)
    };
    let awdl = InterfaceView {
        ether: Some("8e:b6:b8:c8:b5:a8".into()),
        inet6: Some("fe80::8cb6:b8ff:fec8:b5a8".into()),
        ..InterfaceView::new("awdl0", InterfaceKind::Skywalk, IfFlags(0x8843), 1500, 0xc)
    };
    assert_eq!(
        ifconfig_all(&[anpi, awdl]),
        "anpi0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\
         \toptions=400<CHANNEL_IO>\n\
         \tether 9a:56:2f:1b:0c:6e\n\
         \tinet6 fe80::9856:2fff:fe1b:c6e%anpi0 prefixlen 64 scopeid 0x4 \n\
         \tnd6 options=201<PERFORMNUD,DAD>\n\
         \tmedia: none\n\
         \tstatus: inactive\n\
         awdl0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\
         \toptions=400<CHANNEL_IO>\n\
         \tether 8e:b6:b8:c8:b5:a8\n\
         \tinet6 fe80::8cb6:b8ff:fec8:b5a8%awdl0 prefixlen 64 scopeid 0xc \n\
         \tnd6 options=201<PERFORMNUD,DAD>\n\
         \tmedia: autoselect\n\
         \tstatus: active\n"
    );
}

fn bridge100() -> InterfaceView {
    InterfaceView {
        ether: Some("3e:a6:f6:5c:e9:64".into()),
        inet6: Some("fe80::3ca6:f6ff:fe5c:e964".into()),
        inet: vec![(Ipv4Addr::new(192, 168, 64, 1), p(24))],
        members: vec![BridgeMember {
            name: "vmenet0".into(),
            port: 21,
        }],
        address_cache: vec![AddressCacheEntry {
            mac: "6e:67:2:6d:cf:32".into(),
            vlan: 1,
            member: "vmenet0".into(),
            expire: 1196,
        }],
        ..InterfaceView::new(
            "bridge100",
            InterfaceKind::VmBridge,
            IfFlags(0x8a63),
            1500,
            0x16,
        )
    }
}

#[test]
fn vm_bridge_named_alone_lists_its_address_cache() {
    assert_eq!(
        ifconfig_single(&bridge100()),
        "bridge100: flags=8a63<UP,BROADCAST,SMART,RUNNING,ALLMULTI,SIMPLEX,MULTICAST> mtu 1500\n\
         \toptions=3<RXCSUM,TXCSUM>\n\
         \tether 3e:a6:f6:5c:e9:64\n\
         \tinet 192.168.64.1 netmask 0xffffff00 broadcast 192.168.64.255\n\
         \tinet6 fe80::3ca6:f6ff:fe5c:e964%bridge100 prefixlen 64 scopeid 0x16 \n\
         \tConfiguration:\n\
         \t\tid 0:0:0:0:0:0 priority 0 hellotime 0 fwddelay 0\n\
         \t\tmaxage 0 holdcnt 0 proto stp maxaddr 100 timeout 1200\n\
         \t\troot id 0:0:0:0:0:0 priority 0 ifcost 0 port 0\n\
         \t\tipfilter disabled flags 0x0\n\
         \tmember: vmenet0 flags=3<LEARNING,DISCOVER>\n\
         \t        ifmaxaddr 0 port 21 priority 0 path cost 0\n\
         \tAddress cache:\n\
         \t\t6e:67:2:6d:cf:32 Vlan1 vmenet0 1196 flags=0<>\n\
         \tnd6 options=201<PERFORMNUD,DAD>\n\
         \tmedia: autoselect\n\
         \tstatus: active\n"
    );
    assert!(!ifconfig_block(&bridge100()).contains("Address cache"));
}

#[test]
fn vm_bridge_member() {
    let view = InterfaceView {
        ether: Some("6e:67:02:6d:cf:31".into()),
        ..InterfaceView::new("vmenet0", InterfaceKind::VmNet, IfFlags(0x8963), 1500, 21)
    };
    assert_eq!(
        ifconfig_block(&view),
        "vmenet0: flags=8963<UP,BROADCAST,SMART,RUNNING,PROMISC,SIMPLEX,MULTICAST> mtu 1500\n\
         \tether 6e:67:02:6d:cf:31\n\
         \tmedia: autoselect\n\
         \tstatus: active\n"
    );
}

#[test]
fn kinds_from_names() {
    for (name, kind) in [
        ("lo0", Some(InterfaceKind::Loopback)),
        ("bridge0", Some(InterfaceKind::Bridge)),
        ("bridge1", Some(InterfaceKind::Bridge)),
        ("bridge100", Some(InterfaceKind::VmBridge)),
        ("vmenet1", Some(InterfaceKind::VmNet)),
        ("utun4", Some(InterfaceKind::Tunnel)),
        ("stf0", Some(InterfaceKind::Bare)),
        ("anpi1", Some(InterfaceKind::Anpi)),
        ("llw0", Some(InterfaceKind::Skywalk)),
        ("en5", None),
        ("bridge", None),
    ] {
        assert_eq!(InterfaceKind::from_name(name), kind, "{name}");
    }
}

#[test]
fn missing_interface() {
    assert_eq!(
        ifconfig_missing("bridge3"),
        ("ifconfig: interface bridge3 does not exist\n".to_owned(), 1)
    );
}
