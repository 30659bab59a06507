//! `ifconfig` blocks and error lines, as macOS prints them.

use std::fmt::Write as _;
use std::net::Ipv4Addr;

use rdma_phase::Prefix;

use super::flags::{IfFlags, IfOptions};

/// What sort of interface a block describes; decides the `options=`, `media:` and
/// bridge-configuration lines, which macOS prints per driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InterfaceKind {
    Loopback,
    /// Built-in Ethernet or Wi-Fi (`en0`), the management interface.
    Ethernet,
    /// A Thunderbolt IP port (`en2`..`en7` on a Mac Studio).
    Thunderbolt,
    Bridge,
}

/// One member line pair of a bridge block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BridgeMember {
    pub name: String,
    /// The member's interface index, printed as `port N`.
    pub port: u32,
}

/// Everything one `ifconfig` block shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceView {
    pub name: String,
    pub kind: InterfaceKind,
    pub flags: IfFlags,
    pub mtu: u32,
    /// `36:4d:04:ea:4e:44`; loopback has none.
    pub ether: Option<String>,
    /// Link-local IPv6 address without the `%scope` suffix. macOS detaches IPv6 from bridge
    /// members, so a member has none.
    pub inet6: Option<String>,
    /// Interface index, printed as the IPv6 `scopeid`.
    pub index: u32,
    pub inet: Vec<(Ipv4Addr, Prefix)>,
    pub members: Vec<BridgeMember>,
    /// Link (carrier) present: `status: active` / `status: inactive`.
    pub active: bool,
}

impl InterfaceView {
    /// A Thunderbolt port as a fresh boot leaves it when not in a bridge: up, no IPv4.
    pub fn thunderbolt(name: &str, ether: &str, index: u32) -> Self {
        Self {
            name: name.to_owned(),
            kind: InterfaceKind::Thunderbolt,
            flags: IfFlags::ETHERNET_BASE
                .with(IfFlags::UP)
                .with(IfFlags::RUNNING),
            mtu: 1500,
            ether: Some(ether.to_owned()),
            inet6: None,
            index,
            inet: Vec::new(),
            members: Vec::new(),
            active: true,
        }
    }
}

/// The block `ifconfig -a` prints for one interface.
pub fn ifconfig_block(view: &InterfaceView) -> String {
    render(view, false)
}

/// The block `ifconfig NAME` prints: as in `-a`, plus a bridge's `Address cache:` section.
pub fn ifconfig_single(view: &InterfaceView) -> String {
    render(view, true)
}

/// `ifconfig -a`: the blocks back to back, no separators.
pub fn ifconfig_all(views: &[InterfaceView]) -> String {
    views.iter().map(ifconfig_block).collect()
}

/// `ifconfig NAME` for an interface that does not exist: (stderr, exit code).
pub fn ifconfig_missing(name: &str) -> (String, i32) {
    (format!("ifconfig: interface {name} does not exist\n"), 1)
}

fn render(view: &InterfaceView, single: bool) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail; the results are discarded on purpose.
    let _ = writeln!(out, "{}: {} mtu {}", view.name, view.flags, view.mtu);
    let _ = writeln!(out, "\t{}", options(view.kind));
    if let Some(ether) = &view.ether {
        let _ = writeln!(out, "\tether {ether}");
    }
    if view.kind == InterfaceKind::Loopback {
        for (ip, prefix) in &view.inet {
            let _ = writeln!(out, "\tinet {ip} netmask 0x{:08x}", prefix.mask());
        }
        let _ = writeln!(out, "\tinet6 ::1 prefixlen 128 ");
        let _ = writeln!(
            out,
            "\tinet6 fe80::1%{} prefixlen 64 scopeid 0x{:x} ",
            view.name, view.index
        );
        let _ = writeln!(out, "\tnd6 options=201<PERFORMNUD,DAD>");
        return out;
    }
    if let Some(inet6) = &view.inet6 {
        let _ = writeln!(
            out,
            "\tinet6 {inet6}%{} prefixlen 64 secured scopeid 0x{:x}",
            view.name, view.index
        );
    }
    for (ip, prefix) in &view.inet {
        let _ = writeln!(
            out,
            "\tinet {ip} netmask 0x{:08x} broadcast {}",
            prefix.mask(),
            prefix.broadcast(*ip)
        );
    }
    if view.kind == InterfaceKind::Bridge {
        out.push_str(concat!(
            "\tConfiguration:\n",
            "\t\tid 0:0:0:0:0:0 priority 0 hellotime 0 fwddelay 0\n",
            "\t\tmaxage 0 holdcnt 0 proto stp maxaddr 100 timeout 1200\n",
            "\t\troot id 0:0:0:0:0:0 priority 0 ifcost 0 port 0\n",
            "\t\tipfilter disabled flags 0x0\n",
        ));
        for member in &view.members {
            let _ = writeln!(out, "\tmember: {} flags=3<LEARNING,DISCOVER>", member.name);
            let _ = writeln!(
                out,
                "\t        ifmaxaddr 0 port {} priority 0 path cost 0",
                member.port
            );
        }
        if single {
            out.push_str("\tAddress cache:\n");
        }
    }
    // macOS detaches IPv6 (and its nd6 line) from bridge members, which are the PROMISC ones.
    if !view.flags.contains(IfFlags::PROMISC) {
        out.push_str("\tnd6 options=201<PERFORMNUD,DAD>\n");
    }
    let media = match view.kind {
        InterfaceKind::Bridge => "<unknown type>",
        InterfaceKind::Ethernet => "autoselect (1000baseT <full-duplex>)",
        InterfaceKind::Thunderbolt | InterfaceKind::Loopback => "autoselect <full-duplex>",
    };
    let _ = writeln!(out, "\tmedia: {media}");
    let status = if view.active { "active" } else { "inactive" };
    let _ = writeln!(out, "\tstatus: {status}");
    out
}

fn options(kind: InterfaceKind) -> IfOptions {
    match kind {
        InterfaceKind::Loopback => IfOptions::LOOPBACK,
        InterfaceKind::Ethernet => IfOptions::ETHERNET,
        InterfaceKind::Thunderbolt => IfOptions::THUNDERBOLT,
        InterfaceKind::Bridge => IfOptions::BRIDGE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(bits: u8) -> Prefix {
        Prefix::new(bits).expect("valid prefix")
    }

    #[test]
    fn port_with_an_address() {
        let view = InterfaceView {
            inet6: Some("fe80::1021:1bac:fe1:b5e3".into()),
            index: 0xd,
            inet: vec![(Ipv4Addr::new(10, 254, 0, 5), p(30))],
            ..InterfaceView::thunderbolt("en5", "36:4d:04:ea:4e:44", 0xd)
        };
        assert_eq!(
            ifconfig_block(&view),
            "en5: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\
             \toptions=460<TSO4,TSO6,CHANNEL_IO>\n\
             \tether 36:4d:04:ea:4e:44\n\
             \tinet6 fe80::1021:1bac:fe1:b5e3%en5 prefixlen 64 secured scopeid 0xd\n\
             \tinet 10.254.0.5 netmask 0xfffffffc broadcast 10.254.0.7\n\
             \tnd6 options=201<PERFORMNUD,DAD>\n\
             \tmedia: autoselect <full-duplex>\n\
             \tstatus: active\n"
        );
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
            name: "bridge0".into(),
            kind: InterfaceKind::Bridge,
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
            ..InterfaceView::thunderbolt("bridge0", "", 20)
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
        assert!(
            block.starts_with("bridge0: flags=8822<BROADCAST,SMART,SIMPLEX,MULTICAST> mtu 1500\n")
        );
        assert!(!block.contains("Address cache"));
        assert!(block.contains("\tmember: en5 flags=3<LEARNING,DISCOVER>\n"));
    }

    #[test]
    fn loopback() {
        let view = InterfaceView {
            name: "lo0".into(),
            kind: InterfaceKind::Loopback,
            flags: IfFlags(0x8049),
            mtu: 16384,
            ether: None,
            inet6: None,
            index: 1,
            inet: vec![(Ipv4Addr::LOCALHOST, p(8))],
            members: Vec::new(),
            active: true,
        };
        assert_eq!(
            ifconfig_block(&view),
            "lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 16384\n\
             \toptions=1203<RXCSUM,TXCSUM,TXSTATUS,SW_TIMESTAMP>\n\
             \tinet 127.0.0.1 netmask 0xff000000\n\
             \tinet6 ::1 prefixlen 128 \n\
             \tinet6 fe80::1%lo0 prefixlen 64 scopeid 0x1 \n\
             \tnd6 options=201<PERFORMNUD,DAD>\n"
        );
    }

    #[test]
    fn missing_interface() {
        assert_eq!(
            ifconfig_missing("bridge3"),
            ("ifconfig: interface bridge3 does not exist\n".to_owned(), 1)
        );
    }
}
