//! `ifconfig` over the host's real interfaces.

use std::net::Ipv4Addr;

use rdma_phase::Prefix;

use super::kernel::{self, Link};
use super::{HostContext, Reply};
use crate::macos::{ifconfig_all, ifconfig_missing, ifconfig_single};

pub fn run(context: &HostContext, args: &[String]) -> Reply {
    let links = match kernel::links(None) {
        Ok(links) => links,
        Err(err) => return Reply::err(format!("ifconfig: {err}\n"), 1),
    };
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match words.as_slice() {
        [] | ["-a", ..] => {
            let views: Vec<_> = links
                .iter()
                .map(|link| kernel::view(link, &links))
                .collect();
            Reply::out(ifconfig_all(&views))
        }
        ["-l", ..] => {
            let names: Vec<String> = links.iter().map(Link::mac_name).collect();
            Reply::out(format!("{}\n", names.join(" ")))
        }
        [name, rest @ ..] => {
            let Some(link) = kernel::find(&links, name) else {
                let (stderr, code) = ifconfig_missing(name);
                return Reply::err(stderr, code);
            };
            match rest {
                [] | ["inet"] => Reply::out(ifconfig_single(&kernel::view(link, &links))),
                ["deletem", member] => bridge_member(context, link, &links, member, false),
                ["addm", member] => bridge_member(context, link, &links, member, true),
                ["up"] | ["down"] => set_link(context, link, rest[0]),
                ["destroy"] => destroy(context, link),
                _ => set_address(context, link, rest),
            }
        }
    }
}

fn bridge_member(
    context: &HostContext,
    bridge: &Link,
    links: &[Link],
    member: &str,
    add: bool,
) -> Reply {
    let op = if add { "BRDGADD" } else { "BRDGDEL" };
    if !bridge.is_bridge() {
        return Reply::err(
            format!("ifconfig: {op} {member}: Operation not supported\n"),
            1,
        );
    }
    if !context.root {
        return Reply::err(
            format!("ifconfig: {op} {member}: Operation not permitted\n"),
            1,
        );
    }
    let Some(link) = kernel::find(links, member) else {
        return Reply::err(
            format!("ifconfig: {op} {member}: No such file or directory\n"),
            1,
        );
    };
    let is_member = link.master.as_deref() == Some(bridge.ifname.as_str());
    let result = match (add, is_member) {
        (false, false) => {
            return Reply::err(
                format!("ifconfig: {op} {member}: No such file or directory\n"),
                1,
            )
        }
        (true, true) => return Reply::err(format!("ifconfig: {op} {member}: File exists\n"), 1),
        (false, true) => kernel::ip(None, &["link", "set", &link.ifname, "nomaster"]),
        (true, false) => kernel::ip(
            None,
            &["link", "set", &link.ifname, "master", &bridge.ifname],
        ),
    };
    match result {
        Ok(_) => Reply::default(),
        Err(err) => Reply::err(format!("ifconfig: {op} {member}: {err}\n"), 1),
    }
}

fn set_link(context: &HostContext, link: &Link, state: &str) -> Reply {
    if !context.root {
        return Reply::err("ifconfig: ioctl (SIOCSIFFLAGS): permission denied\n", 1);
    }
    match kernel::ip(None, &["link", "set", &link.ifname, state]) {
        Ok(_) => Reply::default(),
        Err(err) => Reply::err(format!("ifconfig: {err}\n"), 1),
    }
}

fn destroy(context: &HostContext, link: &Link) -> Reply {
    if !context.root {
        return Reply::err("ifconfig: SIOCIFDESTROY: Operation not permitted\n", 1);
    }
    match kernel::ip(None, &["link", "del", &link.ifname]) {
        Ok(_) => Reply::default(),
        Err(err) => Reply::err(format!("ifconfig: SIOCIFDESTROY: {err}\n"), 1),
    }
}

/// A parsed `[inet] ADDR [netmask M] [alias] [up]`.
#[derive(Debug, PartialEq, Eq)]
pub struct AddressChange {
    pub ip: Ipv4Addr,
    pub prefix: Prefix,
    pub alias: bool,
    pub up: bool,
}

pub fn parse_address(words: &[&str]) -> Result<AddressChange, String> {
    let mut words = words.iter().copied().peekable();
    if words.peek() == Some(&"inet") {
        words.next();
    }
    let addr = words.next().ok_or("missing address")?;
    let (ip_text, mut prefix) = match addr.split_once('/') {
        Some((ip, bits)) => (
            ip,
            Some(Prefix::parse(bits).map_err(|_| format!("{addr}: bad value"))?),
        ),
        None => (addr, None),
    };
    let ip: Ipv4Addr = ip_text
        .parse()
        .map_err(|_| format!("{ip_text}: bad value"))?;
    let (mut alias, mut up) = (false, false);
    while let Some(word) = words.next() {
        match word {
            "netmask" => {
                let mask = words.next().ok_or("netmask: missing value")?;
                prefix = Some(parse_mask(mask).ok_or_else(|| format!("{mask}: bad value"))?);
            }
            "broadcast" => {
                words.next();
            }
            "alias" | "add" => alias = true,
            "up" => up = true,
            other => return Err(format!("{other}: bad value")),
        }
    }
    // Without a netmask, BSD falls back to the address's classful mask (10.x is /8).
    let prefix = match prefix {
        Some(prefix) => prefix,
        None => classful(ip).ok_or("no netmask")?,
    };
    Ok(AddressChange {
        ip,
        prefix,
        alias,
        up,
    })
}

fn classful(ip: Ipv4Addr) -> Option<Prefix> {
    let bits = match ip.octets()[0] {
        0..=127 => 8,
        128..=191 => 16,
        _ => 24,
    };
    Prefix::new(bits).ok()
}

fn parse_mask(text: &str) -> Option<Prefix> {
    let bits = if let Some(hex) = text.strip_prefix("0x") {
        u32::from_str_radix(hex, 16).ok()?
    } else {
        u32::from(text.parse::<Ipv4Addr>().ok()?)
    };
    Prefix::from_mask(bits)
}

fn set_address(context: &HostContext, link: &Link, words: &[&str]) -> Reply {
    let change = match parse_address(words) {
        Ok(change) => change,
        Err(err) => return Reply::err(format!("ifconfig: {err}\n"), 1),
    };
    if !context.root {
        return Reply::err("ifconfig: ioctl (SIOCAIFADDR): permission denied\n", 1);
    }
    // Without `alias`, macOS replaces the first IPv4 address, so a re-run is harmless. An
    // address that is already there is updated in place (SIOCAIFADDR on an existing address
    // succeeds), so the same assignment twice, even from two runs at once, is no error.
    let new = format!("{}/{}", change.ip, change.prefix.bits());
    if !change.alias {
        if let Some((old_ip, old_prefix)) = link.ipv4().first() {
            let old = format!("{old_ip}/{}", old_prefix.bits());
            if old != new {
                match kernel::ip(None, &["addr", "del", &old, "dev", &link.ifname]) {
                    // Another ifconfig removed it first: the outcome is the same.
                    Err(err) if err.contains("Cannot assign requested address") => {}
                    Err(err) => {
                        return Reply::err(format!("ifconfig: ioctl (SIOCDIFADDR): {err}\n"), 1)
                    }
                    Ok(_) => {}
                }
            }
        }
    }
    if let Err(err) = kernel::ip(
        None,
        &[
            "addr",
            "replace",
            &new,
            "broadcast",
            "+",
            "dev",
            &link.ifname,
        ],
    ) {
        return Reply::err(format!("ifconfig: ioctl (SIOCAIFADDR): {err}\n"), 1);
    }
    if change.up {
        if let Err(err) = kernel::ip(None, &["link", "set", &link.ifname, "up"]) {
            return Reply::err(format!("ifconfig: {err}\n"), 1);
        }
    }
    Reply::default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_macos_accepts() {
        let p30 = Prefix::new(30).expect("valid");
        let want = AddressChange {
            ip: Ipv4Addr::new(10, 254, 0, 5),
            prefix: p30,
            alias: false,
            up: false,
        };
        assert_eq!(
            parse_address(&["10.254.0.5", "netmask", "255.255.255.252"]),
            Ok(want)
        );
        let hex = parse_address(&["inet", "10.254.0.5", "netmask", "0xfffffffc", "alias", "up"])
            .expect("parses");
        assert_eq!((hex.prefix, hex.alias, hex.up), (p30, true, true));
        assert_eq!(parse_address(&["10.254.0.5/30"]).map(|c| c.prefix), Ok(p30));
        assert!(parse_address(&["10.254.0.5", "netmask", "255.0.255.0"]).is_err());
        assert!(parse_address(&["banana"]).is_err());
    }
}
