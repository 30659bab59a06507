//! `netstat -rn -f inet` on a simulated Mac, derived the way the lab's shim maps the kernel's
//! table: a default route through the management network's gateway, a connected route per
//! listed IPv4 address (`S` when configd set it: `en0` and the self-assigned 169.254 ones;
//! a second 169.254/16 on another port is interface-scoped, `I`, as macOS lists it:
//! `scope_repeated_subnets`), and the loopback pair. Like the lab, no route for a busy Mac's
//! loopback alias or VPN tunnel.

use std::net::Ipv4Addr;

use rdma_phase::CommandOutput;

use super::cluster::ok;
use super::host::SimHost;
use super::ifconfig::{bridge_index, listed_inet, port_index};
use crate::macos::identity::is_self_assigned;
use crate::macos::netstat::scope_repeated_subnets;
use crate::macos::{netstat_rn_inet, RouteFlags, RouteGateway, RouteView};

/// The management network's router, where the simulated sessions come from.
const GATEWAY: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);

pub(super) fn routes(host: &SimHost) -> CommandOutput {
    let up = RouteFlags::UP;
    let mut rows = vec![RouteView {
        destination: Ipv4Addr::UNSPECIFIED,
        prefix: 0,
        gateway: RouteGateway::Address(GATEWAY),
        flags: up
            .with(RouteFlags::GATEWAY)
            .with(RouteFlags::STATIC)
            .with(RouteFlags::PRCLONING)
            .with(RouteFlags::GLOBAL),
        netif: "en0".to_owned(),
        expired: false,
    }];
    let connected = |rows: &mut Vec<RouteView>,
                     ip,
                     prefix: rdma_phase::Prefix,
                     index,
                     name: &str,
                     by_configd| {
        let mut flags = up.with(RouteFlags::CLONING);
        if by_configd {
            flags = flags.with(RouteFlags::STATIC);
        }
        rows.push(RouteView {
            destination: prefix.network(ip),
            prefix: prefix.bits(),
            gateway: RouteGateway::Link(index),
            flags,
            netif: name.to_owned(),
            expired: true,
        });
    };
    for port in &host.ports {
        let index = port_index(host, &port.name).unwrap_or(0);
        for (ip, prefix) in listed_inet(host, port) {
            let by_configd = port.name == "en0" || is_self_assigned(ip);
            connected(&mut rows, ip, prefix, index, &port.name, by_configd);
        }
    }
    for (bridge, addresses) in &host.bridge_inet {
        for (ip, prefix) in addresses {
            connected(
                &mut rows,
                *ip,
                *prefix,
                bridge_index(host, bridge),
                bridge,
                false,
            );
        }
    }
    scope_repeated_subnets(&mut rows);
    rows.extend(RouteView::loopback());
    ok(&netstat_rn_inet(&rows))
}
