//! `ibv_devices` and `ibv_devinfo`: one device per cabled port while RDMA is enabled, none on
//! a Thunderbolt 4 Mac (whose `rdma_ctl status` still says enabled).

use super::kernel::{self, Link};
use super::{HostContext, Reply};
use crate::lab::state::PortState;
use crate::macos::{
    gid_table, ibv_devices, ibv_devinfo, ibv_devinfo_missing, ibv_no_devices, IbvDeviceView,
};

fn devices_of(context: &HostContext) -> Vec<&PortState> {
    if context.rdma_enabled(&context.host.name) && !context.host.thunderbolt4 {
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
        out.push('\n');
        return Reply::out(out);
    }
    // rdma-core: a named device that is not there, devices or none; else none at all.
    if ports.is_empty() && device.is_none() {
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
            gids: link.map_or_else(|| gid_table(&port.mac, &[], None), |link| gids(port, link)),
        };
        out.push_str(&ibv_devinfo(&view, verbose));
    }
    Reply::out(out)
}

/// Active when RDMA is enabled at both ends (and the far end can do it: Thunderbolt 5),
/// neither end is a bridge member, and the cable carries a link.
fn port_active(context: &HostContext, port: &PortState, link: &Link) -> bool {
    if link.master.is_some() || !link.carrier() || !context.rdma_enabled(&port.peer_host) {
        return false;
    }
    let Ok(peer) = context.state.host(&port.peer_host) else {
        return false;
    };
    if peer.thunderbolt4 {
        return false;
    }
    kernel::links(Some(&peer.ns)).is_ok_and(|links| {
        kernel::find(&links, &port.peer_port)
            .is_some_and(|peer_link| peer_link.master.is_none() && peer_link.carrier())
    })
}

/// TN3205's table: the EUI-64 link-local, a mapped GID per IPv4 address in the kernel's
/// order, the interface's own (secured) link-local; a bridge member has no IPv6 of its own.
fn gids(port: &PortState, link: &Link) -> Vec<String> {
    let ipv4: Vec<_> = link.ipv4().into_iter().map(|(ip, _)| ip).collect();
    let secured = link.master.is_none().then(|| link.link_local6()).flatten();
    gid_table(&port.mac, &ipv4, secured.as_deref())
}
