//! The kernel's view of a namespace's interfaces (`ip -d -j addr show`), and its mapping
//! to what macOS `ifconfig` shows.

use std::net::Ipv4Addr;
use std::process::Command;

use rdma_phase::Prefix;
use serde::Deserialize;

use crate::lab::spec::{HIDDEN_IFACE, MGMT_IFACE};
use crate::macos::{BridgeMember, IfFlags, InterfaceKind, InterfaceView};

#[derive(Debug, Clone, Deserialize)]
pub struct Link {
    pub ifindex: u32,
    pub ifname: String,
    #[serde(default)]
    pub flags: Vec<String>,
    #[serde(default)]
    pub mtu: u32,
    pub master: Option<String>,
    pub address: Option<String>,
    pub linkinfo: Option<LinkInfo>,
    #[serde(default)]
    pub addr_info: Vec<AddrInfo>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LinkInfo {
    pub info_kind: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AddrInfo {
    pub family: String,
    pub local: String,
    pub prefixlen: u8,
    pub scope: Option<String>,
}

impl Link {
    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }

    pub fn is_bridge(&self) -> bool {
        self.linkinfo
            .as_ref()
            .and_then(|info| info.info_kind.as_deref())
            == Some("bridge")
    }

    /// Carrier present.
    pub fn carrier(&self) -> bool {
        self.has_flag("LOWER_UP")
    }

    pub fn ipv4(&self) -> Vec<(Ipv4Addr, Prefix)> {
        self.addr_info
            .iter()
            .filter(|info| info.family == "inet")
            .filter_map(|info| Some((info.local.parse().ok()?, Prefix::new(info.prefixlen).ok()?)))
            .collect()
    }

    pub fn link_local6(&self) -> Option<String> {
        self.addr_info
            .iter()
            .find(|info| info.family == "inet6" && info.scope.as_deref() == Some("link"))
            .map(|info| info.local.clone())
    }

    /// The macOS name: Linux's `lo` is `lo0`; everything else keeps its name.
    pub fn mac_name(&self) -> String {
        if self.ifname == "lo" {
            "lo0".to_owned()
        } else {
            self.ifname.clone()
        }
    }
}

pub fn ip_binary() -> &'static str {
    ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]
        .into_iter()
        .find(|path| std::path::Path::new(path).exists())
        .unwrap_or("ip")
}

/// Run `ip` (optionally in another lab namespace) and return stdout, or stderr as the error.
pub fn ip(ns: Option<&str>, args: &[&str]) -> Result<String, String> {
    let mut command = Command::new(ip_binary());
    if let Some(ns) = ns {
        command.args(["-n", ns]);
    }
    let output = command
        .args(args)
        .output()
        .map_err(|err| format!("ip: {err}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_owned())
    }
}

/// All interfaces of a namespace (the current one when `ns` is `None`).
pub fn links(ns: Option<&str>) -> Result<Vec<Link>, String> {
    let json = ip(ns, &["-d", "-j", "addr", "show"])?;
    parse_links(&json)
}

pub fn parse_links(json: &str) -> Result<Vec<Link>, String> {
    serde_json::from_str(json).map_err(|err| format!("cannot parse `ip -j addr`: {err}"))
}

/// What `ifconfig` shows for a link, given all links of its namespace (for bridge members).
pub fn view(link: &Link, all: &[Link]) -> InterfaceView {
    let up = link.has_flag("UP");
    if link.ifname == "lo" {
        let mut view = InterfaceView::loopback(link.ifindex, &[]);
        view.inet = link.ipv4();
        view.flags = if up { IfFlags(0x8049) } else { IfFlags(0x8008) };
        view.active = up;
        return view;
    }
    let kind = if link.ifname == MGMT_IFACE || link.ifname == HIDDEN_IFACE {
        InterfaceKind::Ethernet
    } else if link.is_bridge() {
        // bridge100 and up are virtual machine bridges, the others Thunderbolt Bridges.
        InterfaceKind::from_name(&link.ifname)
            .filter(|kind| kind.is_bridge())
            .unwrap_or(InterfaceKind::Bridge)
    } else {
        InterfaceKind::from_name(&link.ifname)
            .filter(|kind| *kind == InterfaceKind::VmNet)
            .unwrap_or(InterfaceKind::Thunderbolt)
    };
    let mut flags = IfFlags::ETHERNET_BASE;
    if up {
        // macOS keeps RUNNING on an up interface whatever the link; carrier is `status:`.
        flags = flags.with(IfFlags::UP).with(IfFlags::RUNNING);
    }
    if kind == InterfaceKind::VmBridge {
        flags = flags.with(IfFlags::ALLMULTI);
    }
    let member = link.master.is_some();
    if member || link.has_flag("PROMISC") {
        flags = flags.with(IfFlags::PROMISC);
    }
    let members = if kind.is_bridge() {
        all.iter()
            .filter(|other| other.master.as_deref() == Some(link.ifname.as_str()))
            .map(|other| BridgeMember {
                name: other.ifname.clone(),
                port: other.ifindex,
            })
            .collect()
    } else {
        Vec::new()
    };
    InterfaceView {
        ether: link.address.clone(),
        inet6: if member { None } else { link.link_local6() },
        inet: link.ipv4(),
        members,
        active: link.carrier(),
        ..InterfaceView::new(&link.mac_name(), kind, flags, link.mtu, link.ifindex)
    }
}

/// The macOS-side name lookup: `lo0` means Linux's `lo`.
pub fn find<'a>(links: &'a [Link], mac_name: &str) -> Option<&'a Link> {
    links.iter().find(|link| link.mac_name() == mac_name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::macos::ifconfig::tests::en5_block;
    use crate::macos::ifconfig_block;

    const SAMPLE: &str = r#"[
      {"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536,
       "address":"00:00:00:00:00:00",
       "addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8,"scope":"host"}]},
      {"ifindex":4,"ifname":"bridge0","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],
       "mtu":1500,"address":"82:30:ea:68:4c:01","linkinfo":{"info_kind":"bridge"},"addr_info":[]},
      {"ifindex":5,"ifname":"en3","flags":["BROADCAST","MULTICAST","UP"],"mtu":1500,
       "master":"bridge0","address":"82:f4:80:27:64:05","linkinfo":{"info_kind":"veth"},
       "addr_info":[{"family":"inet6","local":"fe80::1","prefixlen":64,"scope":"link"}]},
      {"ifindex":13,"ifname":"en5","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],
       "mtu":1500,"address":"36:4d:04:ea:4e:44","linkinfo":{"info_kind":"veth"},
       "addr_info":[{"family":"inet","local":"10.254.0.5","prefixlen":30,"scope":"global"},
                    {"family":"inet6","local":"fe80::1021:1bac:fe1:b5e3","prefixlen":64,"scope":"link"}]}
    ]"#;

    #[test]
    fn kernel_state_renders_as_macos() {
        let links = parse_links(SAMPLE).expect("sample parses");
        let en5 = find(&links, "en5").expect("en5");
        assert_eq!(
            ifconfig_block(&view(en5, &links)),
            en5_block("\tinet 10.254.0.5 netmask 0xfffffffc broadcast 10.254.0.7\n")
        );
        let en3 = view(find(&links, "en3").expect("en3"), &links);
        assert!(ifconfig_block(&en3).starts_with("en3: flags=8963<"));
        assert!(ifconfig_block(&en3).ends_with("\tstatus: inactive\n"));
        let bridge = view(find(&links, "bridge0").expect("bridge0"), &links);
        assert_eq!(bridge.members.len(), 1);
        assert_eq!(bridge.members[0].port, 5);
        assert!(find(&links, "lo0").is_some());
    }
}
