//! `ifconfig -a` / `ifconfig IFACE`: interfaces, their IPv4 addresses, bridge members, status.

use std::net::Ipv4Addr;

use serde::Serialize;

use crate::plan::Prefix;

/// One interface block of `ifconfig` output.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Interface {
    pub name: String,
    /// The words between `<` and `>` on the header line: `UP`, `RUNNING`, `PROMISC`, ...
    pub flags: Vec<String>,
    /// IPv4 addresses in the order printed; the first is the one `ifconfig IF A netmask M`
    /// replaces.
    pub inet: Vec<InetAddress>,
    /// For bridges: the member interfaces, in the order printed.
    pub members: Vec<String>,
    /// The `status:` line, when there is one.
    pub status: Option<LinkStatus>,
}

/// An IPv4 address as an `inet` line shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct InetAddress {
    pub address: Ipv4Addr,
    /// `None` when the netmask is missing, unreadable or not contiguous.
    pub prefix: Option<Prefix>,
}

impl InetAddress {
    /// Whether this address's subnet overlaps `address/prefix`. An address without a readable
    /// mask covers only itself.
    pub fn overlaps(&self, address: Ipv4Addr, prefix: Prefix) -> bool {
        match self.prefix {
            Some(own) => own.overlaps(self.address, prefix, address),
            None => prefix.network(self.address) == prefix.network(address),
        }
    }
}

impl std::fmt::Display for InetAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.prefix {
            Some(prefix) => write!(f, "{}/{}", self.address, prefix),
            None => write!(f, "{}", self.address),
        }
    }
}

/// The `status:` line of an interface.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkStatus {
    Active,
    Inactive,
    Other(String),
}

impl Interface {
    /// `bridge0`, `bridge1`, ...: the kind of interface macOS puts Thunderbolt ports into.
    pub fn is_bridge(&self) -> bool {
        self.name
            .strip_prefix("bridge")
            .is_some_and(|unit| !unit.is_empty() && unit.bytes().all(|b| b.is_ascii_digit()))
    }

    /// Whether `iface` is a member, compared as a whole name (`en1` is not `en10`).
    pub fn has_member(&self, iface: &str) -> bool {
        self.members.iter().any(|member| member == iface)
    }

    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }

    /// Whether the interface holds exactly this address with this prefix.
    pub fn holds(&self, address: Ipv4Addr, prefix: Prefix) -> bool {
        self.inet
            .iter()
            .any(|inet| inet.address == address && inet.prefix == Some(prefix))
    }

    pub fn holds_address(&self, address: Ipv4Addr) -> bool {
        self.inet.iter().any(|inet| inet.address == address)
    }
}

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

/// The interface called `name`, if the output has it.
pub fn find_interface<'a>(interfaces: &'a [Interface], name: &str) -> Option<&'a Interface> {
    interfaces.iter().find(|interface| interface.name == name)
}

/// Every bridge that has `iface` as a member, in the order `ifconfig` printed them.
pub fn bridges_containing(interfaces: &[Interface], iface: &str) -> Vec<String> {
    interfaces
        .iter()
        .filter(|interface| interface.is_bridge() && interface.has_member(iface))
        .map(|interface| interface.name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
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
    #[case("bridge0", true)]
    #[case("bridge12", true)]
    #[case("bridge", false)]
    #[case("bridgex", false)]
    #[case("en0", false)]
    fn bridge_names(#[case] name: &str, #[case] bridge: bool) {
        let interface = Interface {
            name: name.into(),
            ..Interface::default()
        };
        assert_eq!(interface.is_bridge(), bridge);
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

    #[rstest]
    #[case("10.254.0.5", Some(30), "10.254.0.6", 30, true)]
    #[case("10.254.0.9", Some(30), "10.254.0.6", 30, false)]
    #[case("10.254.0.200", Some(24), "10.254.0.6", 30, true)]
    #[case("10.254.0.6", None, "10.254.0.5", 30, true)]
    #[case("10.254.0.9", None, "10.254.0.5", 30, false)]
    fn overlap(
        #[case] held: Ipv4Addr,
        #[case] held_bits: Option<u8>,
        #[case] planned: Ipv4Addr,
        #[case] planned_bits: u8,
        #[case] overlaps: bool,
    ) {
        let inet = InetAddress {
            address: held,
            prefix: held_bits.map(prefix),
        };
        assert_eq!(inet.overlaps(planned, prefix(planned_bits)), overlaps);
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
