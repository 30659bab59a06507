//! `ibv_devices` and `ibv_devinfo`: one device per cabled port while RDMA is enabled.

use super::kernel::{self, Link};
use super::{HostContext, Reply};
use crate::lab::state::PortState;
use crate::macos::{ibv_devices, ibv_devinfo, ibv_devinfo_missing, ibv_no_devices, IbvDeviceView};

fn devices_of(context: &HostContext) -> Vec<&PortState> {
    if context.rdma_enabled(&context.host.name) {
        context.host.ports.iter().collect()
    } else {
        Vec::new()
    }
}

pub fn devices(context: &HostContext) -> Reply {
    let list: Vec<(String, u64)> = devices_of(context)
        .into_iter()
        .map(|port| (format!("rdma_{}", port.name), port.guid))
        .collect();
    Reply::out(ibv_devices(&list))
}

pub fn devinfo(context: &HostContext, args: &[String]) -> Reply {
    let mut device = None;
    let mut verbose = false;
    let mut list = false;
    let mut words = args.iter();
    while let Some(word) = words.next() {
        match word.as_str() {
            "-d" | "--ib-dev" => device = words.next().cloned(),
            "-v" | "--verbose" => verbose = true,
            "-l" | "--list" => list = true,
            "-i" | "--ib-port" => {
                words.next();
            }
            other => {
                if let Some(name) = other.strip_prefix("--ib-dev=") {
                    device = Some(name.to_owned());
                } else {
                    return Reply::err(format!("ibv_devinfo: invalid option -- '{other}'\n"), 1);
                }
            }
        }
    }
    let ports = devices_of(context);
    if list {
        let plural = if ports.len() == 1 { "" } else { "s" };
        let mut out = format!("{} HCA{plural} found:\n", ports.len());
        for port in &ports {
            out.push_str(&format!("\trdma_{}\n", port.name));
        }
        return Reply::out(out);
    }
    if ports.is_empty() {
        let (stderr, code) = ibv_no_devices();
        return Reply::err(stderr, code);
    }
    let selected: Vec<&PortState> = match &device {
        Some(name) => match ports
            .iter()
            .find(|port| format!("rdma_{}", port.name) == *name)
        {
            Some(port) => vec![port],
            None => {
                let (stderr, code) = ibv_devinfo_missing(name);
                return Reply::err(stderr, code);
            }
        },
        None => ports.clone(),
    };
    let links = match kernel::links(None) {
        Ok(links) => links,
        Err(err) => return Reply::err(format!("ibv_devinfo: {err}\n"), 1),
    };
    let sys_image_guid = ports
        .first()
        .map_or(0, |port| (port.guid & 0x00ff_ffff_ffff_ffff) | (0x80 << 56));
    let mut out = String::new();
    for port in selected {
        let link = kernel::find(&links, &port.name);
        let view = IbvDeviceView {
            name: format!("rdma_{}", port.name),
            node_guid: port.guid,
            sys_image_guid,
            port_active: link.is_some_and(|link| port_active(context, port, link)),
            gids: link.map(|link| gids(port, link)).unwrap_or_default(),
        };
        out.push_str(&ibv_devinfo(&view, verbose));
    }
    Reply::out(out)
}

/// Active when RDMA is enabled at both ends, neither end is a bridge member, and the cable
/// carries a link.
fn port_active(context: &HostContext, port: &PortState, link: &Link) -> bool {
    if link.master.is_some() || !link.carrier() || !context.rdma_enabled(&port.peer_host) {
        return false;
    }
    let Ok(peer) = context.state.host(&port.peer_host) else {
        return false;
    };
    kernel::links(Some(&peer.ns)).is_ok_and(|links| {
        kernel::find(&links, &port.peer_port)
            .is_some_and(|peer_link| peer_link.master.is_none() && peer_link.carrier())
    })
}

/// GID[0] the link-local address, GID[1] the IPv4-mapped address once the port has one.
fn gids(port: &PortState, link: &Link) -> Vec<String> {
    let mut gids = vec![link.link_local6().unwrap_or_else(|| eui64(&port.mac))];
    if let Some((ip, _)) = link.ipv4().first() {
        gids.push(format!("::ffff:{ip}"));
    }
    gids
}

/// The SLAAC link-local address of a MAC (`fe80::` + EUI-64).
fn eui64(mac: &str) -> String {
    let bytes: Vec<u8> = mac
        .split(':')
        .filter_map(|part| u8::from_str_radix(part, 16).ok())
        .collect();
    let [a, b, c, d, e, f] = bytes[..] else {
        return "fe80::".to_owned();
    };
    let words = [
        u16::from_be_bytes([a ^ 0x02, b]),
        u16::from_be_bytes([c, 0xff]),
        u16::from_be_bytes([0xfe, d]),
        u16::from_be_bytes([e, f]),
    ];
    format!(
        "fe80::{:x}:{:x}:{:x}:{:x}",
        words[0], words[1], words[2], words[3]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_local_from_mac() {
        assert_eq!(eui64("36:4d:04:ea:4e:40"), "fe80::344d:4ff:feea:4e40");
    }
}
