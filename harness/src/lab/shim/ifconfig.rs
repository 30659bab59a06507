//! `ifconfig` over the host's real interfaces, plus, on a busy Mac, the interfaces the lab
//! only lists (`macos::busy`: `gif0`, `utun4`, ...), right after `lo0`.

use super::ifconfig_address;
use super::kernel::{self, Link};
use super::{HostContext, Reply};
use crate::macos::{
    busy_mac, ifconfig_all, ifconfig_missing, ifconfig_single, BusyMac, InterfaceKind,
    InterfaceView,
};

pub fn run(context: &HostContext, args: &[String]) -> Reply {
    let links = match kernel::links(None) {
        Ok(links) => links,
        Err(err) => return Reply::err(format!("ifconfig: {err}\n"), 1),
    };
    let busy = context.host.busy.then(|| busy_mac(&context.host.name));
    let views = listing(&links, busy.as_ref());
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match words.as_slice() {
        [] | ["-a", ..] => Reply::out(ifconfig_all(&views)),
        ["-l", ..] => {
            let names: Vec<&str> = views.iter().map(|view| view.name.as_str()).collect();
            Reply::out(format!("{}\n", names.join(" ")))
        }
        [name, rest @ ..] => {
            let Some(view) = views.iter().find(|view| view.name == *name) else {
                let (stderr, code) = ifconfig_missing(name);
                return Reply::err(stderr, code);
            };
            if matches!(rest, [] | ["inet"]) {
                return Reply::out(ifconfig_single(view));
            }
            let Some(link) = kernel::find(&links, name) else {
                return Reply::err(
                    format!("ifconfig: the lab lists {name} but does not simulate changing it\n"),
                    1,
                );
            };
            match rest {
                ["deletem", member] => bridge_member(context, link, &links, member, false),
                ["addm", member] => bridge_member(context, link, &links, member, true),
                ["up"] | ["down"] => set_link(context, link, rest[0]),
                ["destroy"] => destroy(context, link),
                _ => ifconfig_address::change(context, link, rest),
            }
        }
    }
}

/// What `ifconfig -a` lists: the kernel's interfaces in index order, a busy Mac's listed-only
/// interfaces after `lo0`, and its VM bridges' address caches.
fn listing(links: &[Link], busy: Option<&BusyMac>) -> Vec<InterfaceView> {
    let mut views: Vec<InterfaceView> =
        links.iter().map(|link| kernel::view(link, links)).collect();
    let Some(busy) = busy else {
        return views;
    };
    for view in &mut views {
        if view.kind == InterfaceKind::VmBridge {
            if let Some(vm) = busy.vm_bridges.iter().find(|vm| vm.name == view.name) {
                view.address_cache.clone_from(&vm.cache);
            }
        }
    }
    let after_loopback = views
        .iter()
        .position(|view| view.kind == InterfaceKind::Loopback)
        .map_or(0, |at| at + 1);
    views.splice(after_loopback..after_loopback, busy.others.iter().cloned());
    views
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
    let self_assigned = context
        .host
        .ports
        .iter()
        .find(|port| port.name == link.ifname)
        .and_then(|port| port.self_assigned);
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
    if let Err(err) = result {
        return Reply::err(format!("ifconfig: {op} {member}: {err}\n"), 1);
    }
    // configd: a port that leaves the bridge gets its self-assigned address (with a link);
    // one that joins loses it.
    match self_assigned {
        Some(ip) if !add && link.carrier() => match ifconfig_address::self_assign(&link.ifname, ip)
        {
            Ok(()) => Reply::default(),
            Err(reply) => reply,
        },
        Some(ip) if add => {
            let _ = kernel::ip(
                None,
                &["addr", "del", &format!("{ip}/16"), "dev", &link.ifname],
            );
            Reply::default()
        }
        _ => Reply::default(),
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
