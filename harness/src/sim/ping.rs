//! `ping` between simulated Macs: a reply comes over a cable whose ends are up and unbridged,
//! from a local address in the target's subnet to a peer port holding the target; with
//! Apple's `-b boundif`, over that port only.

use std::net::Ipv4Addr;

use rdma_phase::CommandOutput;

use super::cluster::{fail, ok, Cable};
use super::host::SimHost;
use super::ifconfig::listed_inet;
use crate::macos;

pub(super) fn ping(
    hosts: &[SimHost],
    index: usize,
    cables: &[Cable],
    bound: Option<&str>,
    target: &str,
) -> CommandOutput {
    let Ok(target) = target.parse::<Ipv4Addr>() else {
        return fail(
            "",
            &format!("ping: cannot resolve {target}: Unknown host\n"),
            68,
        );
    };
    let host = &hosts[index];
    if bound.is_some_and(|name| host.port(name).is_none()) {
        return fail("", "ping: bad interface name\n", 1);
    }
    let usable = |h: &SimHost, p: &str| !h.is_bridged(p) && h.port(p).is_some_and(|p| p.carrier);
    let candidates = host
        .ports
        .iter()
        .filter(|port| bound.is_none_or(|name| port.name == name));
    let reachable = candidates.into_iter().find_map(|port| {
        let on_link = listed_inet(host, port)
            .iter()
            .any(|(address, prefix)| prefix.network(*address) == prefix.network(target));
        if !on_link || !usable(host, &port.name) {
            return None;
        }
        cables.iter().find_map(|cable| {
            let (peer, peer_port) = cable.far_end(&host.name, &port.name)?;
            let peer = hosts.iter().find(|h| h.name == peer)?;
            let holds = listed_inet(peer, peer.port(peer_port)?)
                .iter()
                .any(|(a, _)| *a == target);
            (holds && usable(peer, peer_port)).then_some(cable.rtt_ms)
        })
    });
    match reachable {
        Some(rtt) => ok(&macos::ping_reply(target, rtt)),
        None => CommandOutput::new(macos::ping_no_reply(target), "", 2),
    }
}
