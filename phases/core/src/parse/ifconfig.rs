//! `ifconfig -a` / `ifconfig IFACE`: the parser that reads its output into [`Interface`]s.

use std::net::Ipv4Addr;

use super::interface::{InetAddress, Interface, LinkStatus};
use crate::plan::Prefix;

/// Parse the output of `ifconfig -a` or `ifconfig IFACE`. Lines before the first interface
/// header and lines it does not understand are ignored.
pub fn parse_ifconfig(text: &str) -> Vec<Interface> {
    let mut interfaces: Vec<Interface> = Vec::new();
    for line in text.lines() {
        if let Some(header) = parse_header(line) {
            interfaces.push(header);
            continue;
        }
        let Some(current) = interfaces.last_mut() else {
            continue;
        };
        let body = line.trim_start();
        if let Some(rest) = body.strip_prefix("inet ") {
            if let Some(inet) = parse_inet(rest) {
                current.inet.push(inet);
            }
        } else if let Some(rest) = body.strip_prefix("member:") {
            if let Some(member) = rest.split_whitespace().next() {
                current.members.push(member.to_owned());
            }
        } else if let Some(rest) = body.strip_prefix("status:") {
            current.status = Some(match rest.trim() {
                "active" => LinkStatus::Active,
                "inactive" => LinkStatus::Inactive,
                other => LinkStatus::Other(other.to_owned()),
            });
        }
    }
    interfaces
}

/// `en5: flags=8863<UP,BROADCAST,...> mtu 1500`: a header starts in column 0.
fn parse_header(line: &str) -> Option<Interface> {
    if line.starts_with(char::is_whitespace) {
        return None;
    }
    let (name, rest) = line.split_once(':')?;
    let name_ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    // `flags=` tells a header from error text such as `ifconfig: interface en9 does not exist`.
    let rest = rest.trim_start().strip_prefix("flags=")?;
    if !name_ok {
        return None;
    }
    let flags = rest
        .split_once('<')
        .and_then(|(_, after)| after.split_once('>'))
        .map(|(inside, _)| {
            inside
                .split(',')
                .map(str::trim)
                .filter(|flag| !flag.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    Some(Interface {
        name: name.to_owned(),
        flags,
        ..Interface::default()
    })
}

/// `10.254.0.5 netmask 0xfffffffc broadcast 10.254.0.7` (also point-to-point lines with
/// `--> PEER` before the netmask).
fn parse_inet(rest: &str) -> Option<InetAddress> {
    let mut words = rest.split_whitespace();
    let address = words.next()?.parse::<Ipv4Addr>().ok()?;
    let mut prefix = None;
    while let Some(word) = words.next() {
        if word == "netmask" {
            prefix = words.next().and_then(parse_mask);
            break;
        }
    }
    Some(InetAddress { address, prefix })
}

/// macOS prints `0xfffffffc`; a dotted mask is accepted too for non-Apple shims.
fn parse_mask(word: &str) -> Option<Prefix> {
    let mask = match word.strip_prefix("0x").or_else(|| word.strip_prefix("0X")) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => u32::from(word.parse::<Ipv4Addr>().ok()?),
    };
    Prefix::from_mask(mask)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::interface::{bridges_containing, find_interface};
    use proptest::prelude::*;
    use rstest::rstest;

    const EN5_WITH_ADDRESS: &str =
        "en5: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\
        \toptions=460<TSO4,TSO6,CHANNEL_IO>\n\
        \tether 36:4d:04:ea:4e:44\n\
        \tinet6 fe80::1021:1bac:fe1:b5e3%en5 prefixlen 64 secured scopeid 0xd\n\
        \tinet 10.254.0.5 netmask 0xfffffffc broadcast 10.254.0.7\n\
        \tnd6 options=201<PERFORMNUD,DAD>\n\
        \tmedia: autoselect <full-duplex>\n\
        \tstatus: active\n";

    const EN3_BRIDGE_MEMBER: &str =
        "en3: flags=8963<UP,BROADCAST,SMART,RUNNING,PROMISC,SIMPLEX,MULTICAST> mtu 1500\n\
        \toptions=460<TSO4,TSO6,CHANNEL_IO>\n\
        \tether 82:f4:80:27:64:05\n\
        \tmedia: autoselect <full-duplex>\n\
        \tstatus: inactive\n";

    const BRIDGE0: &str =
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
        \tstatus: active\n";

    const BRIDGE1_DOWN: &str = "bridge1: flags=8822<BROADCAST,SMART,SIMPLEX,MULTICAST> mtu 1500\n\
        \tmember: en10 flags=3<LEARNING,DISCOVER>\n\
        \t        ifmaxaddr 0 port 14 priority 0 path cost 0\n\
        \tmember: en5 flags=3<LEARNING,DISCOVER>\n\
        \t        ifmaxaddr 0 port 13 priority 0 path cost 0\n\
        \tstatus: inactive\n";

    const LO0: &str = "lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 16384\n\
        \toptions=1203<RXCSUM,TXCSUM,TXSTATUS,SW_TIMESTAMP>\n\
        \tinet 127.0.0.1 netmask 0xff000000\n\
        \tinet6 ::1 prefixlen 128\n\
        \tinet6 fe80::1%lo0 prefixlen 64 scopeid 0x1\n";

    fn all() -> String {
        [
            LO0,
            EN5_WITH_ADDRESS,
            EN3_BRIDGE_MEMBER,
            BRIDGE0,
            BRIDGE1_DOWN,
        ]
        .concat()
    }

    fn prefix(bits: u8) -> Prefix {
        Prefix::new(bits).expect("valid prefix")
    }

    #[test]
    fn interface_with_an_address() {
        let interfaces = parse_ifconfig(EN5_WITH_ADDRESS);
        assert_eq!(
            interfaces,
            vec![Interface {
                name: "en5".into(),
                flags: [
                    "UP",
                    "BROADCAST",
                    "SMART",
                    "RUNNING",
                    "SIMPLEX",
                    "MULTICAST"
                ]
                .map(String::from)
                .to_vec(),
                inet: vec![InetAddress {
                    address: Ipv4Addr::new(10, 254, 0, 5),
                    prefix: Some(prefix(30)),
                }],
                members: vec![],
                status: Some(LinkStatus::Active),
            }]
        );
        assert!(interfaces[0].holds(Ipv4Addr::new(10, 254, 0, 5), prefix(30)));
        assert!(!interfaces[0].holds(Ipv4Addr::new(10, 254, 0, 5), prefix(24)));
        assert_eq!(interfaces[0].inet[0].to_string(), "10.254.0.5/30");
    }

    #[test]
    fn bridge_member_port_has_promisc_and_no_address() {
        let interfaces = parse_ifconfig(EN3_BRIDGE_MEMBER);
        assert_eq!(interfaces.len(), 1);
        assert!(interfaces[0].has_flag("PROMISC"));
        assert!(interfaces[0].inet.is_empty());
        assert_eq!(interfaces[0].status, Some(LinkStatus::Inactive));
    }

    #[test]
    fn whole_listing() {
        let interfaces = parse_ifconfig(&all());
        let names: Vec<&str> = interfaces.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["lo0", "en5", "en3", "bridge0", "bridge1"]);
        let bridge0 = find_interface(&interfaces, "bridge0").expect("bridge0 listed");
        assert_eq!(bridge0.members, ["en2", "en5"]);
        assert!(bridge0.is_bridge());
        assert_eq!(bridge0.status, Some(LinkStatus::Active));
        let lo0 = find_interface(&interfaces, "lo0").expect("lo0 listed");
        assert_eq!(lo0.inet[0].to_string(), "127.0.0.1/8");
        assert!(find_interface(&interfaces, "en9").is_none());
    }

    #[rstest]
    #[case("en5", &["bridge0", "bridge1"])]
    #[case("en2", &["bridge0"])]
    #[case("en10", &["bridge1"])]
    #[case("en1", &[])]
    #[case("en3", &[])]
    #[case("en", &[])]
    fn bridge_membership_by_whole_name(#[case] iface: &str, #[case] bridges: &[&str]) {
        assert_eq!(bridges_containing(&parse_ifconfig(&all()), iface), bridges);
    }

    #[rstest]
    #[case(
        "\tinet 10.254.0.5 netmask 0xfffffffc broadcast 10.254.0.7",
        Some("10.254.0.5/30")
    )]
    #[case(
        "\tinet 192.168.1.20 netmask 0xffffff00 broadcast 192.168.1.255",
        Some("192.168.1.20/24")
    )]
    #[case("\tinet 10.0.0.1 --> 10.0.0.2 netmask 0xff000000", Some("10.0.0.1/8"))]
    #[case("\tinet 10.254.0.5 netmask 255.255.255.252", Some("10.254.0.5/30"))]
    #[case("\tinet 10.254.0.5 netmask 0xff00ff00", Some("10.254.0.5"))]
    #[case("\tinet 10.254.0.5 netmask", Some("10.254.0.5"))]
    #[case("\tinet 10.254.0.5", Some("10.254.0.5"))]
    #[case("\tinet 10.254.0 netmask 0xfffffffc", None)]
    #[case("\tinet6 fe80::1%en5 prefixlen 64", None)]
    fn inet_lines(#[case] line: &str, #[case] shown: Option<&str>) {
        let text = format!("en5: flags=8863<UP> mtu 1500\n{line}\n");
        let interfaces = parse_ifconfig(&text);
        assert_eq!(
            interfaces[0]
                .inet
                .first()
                .map(ToString::to_string)
                .as_deref(),
            shown
        );
    }

    #[test]
    fn several_addresses_keep_their_order() {
        let text = "en5: flags=8863<UP> mtu 1500\n\
            \tinet 10.254.0.5 netmask 0xfffffffc broadcast 10.254.0.7\n\
            \tinet 169.254.3.4 netmask 0xffff0000 broadcast 169.254.255.255\n";
        let inet: Vec<String> = parse_ifconfig(text)[0]
            .inet
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(inet, ["10.254.0.5/30", "169.254.3.4/16"]);
    }

    #[rstest]
    #[case("")]
    #[case("ifconfig: interface en9 does not exist\n")]
    #[case("\tinet 10.0.0.1 netmask 0xff000000\n")]
    fn nothing_to_parse(#[case] text: &str) {
        assert_eq!(parse_ifconfig(text), vec![]);
    }

    #[test]
    fn crlf_line_endings() {
        let text = EN5_WITH_ADDRESS.replace('\n', "\r\n");
        let interfaces = parse_ifconfig(&text);
        assert_eq!(interfaces[0].status, Some(LinkStatus::Active));
        assert_eq!(interfaces[0].inet.len(), 1);
    }

    /// A working Mac's `ifconfig -a` as the field shows it (reference: "Busy interface
    /// lists"): lo0 with a developer alias, tunnels, `flags=0<>`, a VM bridge whose address
    /// cache names en9, and trailing spaces on some lines.
    const BUSY_MAC: &str = "lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 16384\n\
        \tinet 127.0.0.1 netmask 0xff000000 \n\
        \tinet6 ::1 prefixlen 128 \n\
        \tinet 10.254.254.254 netmask 0xff000000 \n\
        gif0: flags=8010<POINTOPOINT,MULTICAST> mtu 1280\n\
        stf0: flags=0<> mtu 1280\n\
        anpi0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\
        \tmedia: none\n\
        \tstatus: inactive\n\
        en0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500 \n\
        \tinet 192.168.1.20 netmask 0xffffff00 broadcast 192.168.1.255\n\
        \tstatus: active \n\
        awdl0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\
        llw0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\
        en5: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\
        \tinet 169.254.205.255 netmask 0xffff0000 broadcast 169.254.255.255\n\
        \tinet 10.254.0.5 netmask 0xfffffffc broadcast 10.254.0.7 \n\
        \tstatus: active\n\
        utun0: flags=8051<UP,POINTOPOINT,RUNNING,MULTICAST> mtu 1380\n\
        \tinet6 fe80::ce81:b1c:bd2c:69e%utun0 prefixlen 64 scopeid 0x10 \n\
        utun3: flags=8051<UP,POINTOPOINT,RUNNING,MULTICAST> mtu 1280\n\
        \tinet 10.254.3.7 --> 10.254.3.7 netmask 0xffff0000\n\
        bridge100: flags=8a63<UP,BROADCAST,SMART,RUNNING,ALLMULTI,SIMPLEX,MULTICAST> mtu 1500\n\
        \tinet 192.168.64.1 netmask 0xffffff00 broadcast 192.168.64.255\n\
        \tConfiguration:\n\
        \t\tipfilter disabled flags 0x0\n\
        \tmember: vmenet0 flags=3<LEARNING,DISCOVER> \n\
        \t        ifmaxaddr 0 port 24 priority 0 path cost 0\n\
        \tAddress cache:\n\
        \t\t6e:67:2:6d:cf:32 Vlan1 en9 1196 flags=0<>\n\
        \t\t3e:a6:f6:1:2:64 Vlan1 vmenet0 1200 flags=0<> \n\
        \tstatus: active\n\
        vmenet0: flags=8963<UP,BROADCAST,SMART,RUNNING,PROMISC,SIMPLEX,MULTICAST> mtu 1500\n\
        \tstatus: active\n";

    #[test]
    fn a_busy_mac_lists_every_interface_once() {
        let interfaces = parse_ifconfig(BUSY_MAC);
        let names: Vec<&str> = interfaces.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(
            names.join(" "),
            "lo0 gif0 stf0 anpi0 en0 awdl0 llw0 en5 utun0 utun3 bridge100 vmenet0"
        );
        assert!(find_interface(&interfaces, "stf0").is_some_and(|stf0| stf0.flags.is_empty()));
        let en0 = find_interface(&interfaces, "en0").expect("en0 listed");
        assert_eq!(en0.status, Some(LinkStatus::Active));
        let bridge = find_interface(&interfaces, "bridge100").expect("bridge100 listed");
        assert_eq!(bridge.members, ["vmenet0"]);
    }

    #[rstest]
    #[case("lo0", &["127.0.0.1/8", "10.254.254.254/8"])]
    #[case("en5", &["169.254.205.255/16", "10.254.0.5/30"])]
    #[case("utun3", &["10.254.3.7/16"])]
    #[case("utun0", &[])]
    #[case("bridge100", &["192.168.64.1/24"])]
    fn a_busy_mac_keeps_each_address_where_it_was(#[case] name: &str, #[case] inet: &[&str]) {
        let interfaces = parse_ifconfig(BUSY_MAC);
        let shown: Vec<String> = find_interface(&interfaces, name)
            .expect("listed")
            .inet
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(shown, inet);
    }

    /// An address-cache entry names an interface (`en9`) but is no member and no interface.
    #[rstest]
    #[case("vmenet0", &["bridge100"])]
    #[case("en9", &[])]
    #[case("en5", &[])]
    #[case("vmenet", &[])]
    fn address_cache_entries_are_not_members(#[case] iface: &str, #[case] bridges: &[&str]) {
        assert_eq!(
            bridges_containing(&parse_ifconfig(BUSY_MAC), iface),
            bridges
        );
    }

    proptest! {
        #[test]
        fn never_panics(text in "\\PC*") {
            let _ = parse_ifconfig(&text);
        }

        #[test]
        fn never_panics_on_ifconfig_like_lines(
            lines in proptest::collection::vec(
                "(en[0-9]{1,2}: flags=[0-9]+<[A-Z,]*>|\tinet [0-9.]{0,16} netmask 0x[0-9a-f]{0,9}|\tmember: [a-z0-9 ]*|\tstatus: [a-z]*|[ \t]*)",
                0..20,
            )
        ) {
            let _ = bridges_containing(&parse_ifconfig(&lines.join("\n")), "en5");
        }
    }
}
