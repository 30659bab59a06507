//! `system_profiler SPThunderboltDataType -json`: one bus per Thunderbolt port the lab gave
//! the host, with the Mac across the cable when the cable has a link.
//!
//! The link comes from the kernel: the port's carrier (`LOWER_UP`), as for `ifconfig`'s
//! `status:` and `ibv_devinfo`'s port state; an unplugged cable dangles without one. UUIDs
//! are derived from host and port names, so each end of a cable names the other's bus.
//!
//! Only that data type, and only as JSON, is simulated: the text report without `-json`
//! and every other data type fail with a message saying so (exit 1) rather than invent
//! output. `-detailLevel LEVEL` and `-timeout N` are accepted and ignored.

use super::kernel;
use super::{HostContext, Reply};
use crate::lab::state::PortState;
use crate::macos::thunderbolt::{domain_uuid, stable_uuid};
use crate::macos::{sp_thunderbolt_json, Generation, ThunderboltBusView, ThunderboltPeerView};

const DATA_TYPE: &str = "SPThunderboltDataType";

pub fn run(context: &HostContext, args: &[String]) -> Reply {
    let mut json = false;
    let mut types = Vec::new();
    let mut words = args.iter();
    while let Some(word) = words.next() {
        match word.as_str() {
            "-json" => json = true,
            "-detailLevel" | "-timeout" => {
                if words.next().is_none() {
                    return Reply::err(format!("system_profiler: {word} needs a value\n"), 1);
                }
            }
            other => types.push(other.to_owned()),
        }
    }
    if types != [DATA_TYPE] || !json {
        return Reply::err(
            format!(
                "system_profiler: the lab simulates only `system_profiler {DATA_TYPE} -json` \
                 (got: {})\n",
                args.join(" ")
            ),
            1,
        );
    }
    let links = match kernel::links(None) {
        Ok(links) => links,
        Err(err) => return Reply::err(format!("system_profiler: {err}\n"), 1),
    };
    let buses: Vec<ThunderboltBusView> = context
        .host
        .ports
        .iter()
        .filter_map(|port| {
            let linked = kernel::find(&links, &port.name).is_some_and(kernel::Link::carrier);
            ThunderboltBusView::mac_studio(
                &context.host.name,
                &port.name,
                generation(context.host.thunderbolt4),
                linked.then(|| peer(context, port)),
            )
        })
        .collect();
    match sp_thunderbolt_json(&buses) {
        Ok(out) => Reply::out(out),
        Err(err) => Reply::err(format!("system_profiler: {err}\n"), 1),
    }
}

fn generation(thunderbolt4: bool) -> Generation {
    if thunderbolt4 {
        Generation::Thunderbolt4
    } else {
        Generation::Thunderbolt5
    }
}

/// The Mac across the cable. A Thunderbolt 4 peer offers no RDMA service, whatever its
/// `rdma_ctl status` says, and slows the link to 40 Gb/s.
fn peer(context: &HostContext, port: &PortState) -> ThunderboltPeerView {
    let peer_generation = generation(
        context
            .state
            .host(&port.peer_host)
            .is_ok_and(|peer| peer.thunderbolt4),
    );
    let rdma = context.rdma_enabled(&port.peer_host) && peer_generation.can_rdma();
    ThunderboltPeerView {
        domain_uuid: domain_uuid(&port.peer_host, &port.peer_port),
        ip_service_uuid: stable_uuid(&format!("service_ip/{}", port.peer_host)),
        rdma_service_uuid: rdma.then(|| stable_uuid(&format!("service_rdma/{}", port.peer_host))),
        generation: peer_generation,
    }
}
