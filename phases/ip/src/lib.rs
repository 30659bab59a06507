//! Phase `ip`: put the planned static IPv4 address on the node's Thunderbolt interface.
//!
//! Reboots drop the address; JACCL needs it, because the port publishes the IPv4-mapped GID
//! only while its interface holds an IPv4 address. Three guards come before any change: no
//! subnet clash with another interface of the Mac (loopback and self-assigned `169.254`
//! addresses aside; a subnet inside a broader network only warns), no subnet holding the
//! Mac's default gateway, and never the interface carrying the SSH session.

mod decide;
mod rows;

use std::net::Ipv4Addr;

use rdma_phase::command::topic;
use rdma_phase::parse::{
    default_gateways, find_interface, one_line, parse_ifconfig, parse_netstat_routes,
};
use rdma_phase::reads;
use rdma_phase::{Applied, Context, Outcome, Phase, PhaseError, RemoteCommand, Scope};

pub use decide::{
    assess, describe_addresses, gateway_inside, session_guard, session_server_address, Assessment,
    Enclosing, SessionGuard,
};

/// `sudo ifconfig IFACE ADDRESS netmask MASK`: replaces the port's first IPv4 address.
fn assign(iface: &str, address: Ipv4Addr, prefix: rdma_phase::Prefix) -> RemoteCommand {
    RemoteCommand::privileged([
        "ifconfig".to_owned(),
        iface.to_owned(),
        address.to_string(),
        "netmask".to_owned(),
        prefix.dotted(),
    ])
    .about(topic::NETWORK)
}

/// The `ip` phase.
pub struct IpPhase;

pub static IP: IpPhase = IpPhase;

inventory::submit! { rdma_phase::PhaseRegistration(&IP) }

impl Phase for IpPhase {
    fn name(&self) -> &'static str {
        "ip"
    }

    fn order(&self) -> u32 {
        20
    }

    fn description(&self) -> &'static str {
        "Set the static IPv4 address on the Thunderbolt interface (guarded against subnet clashes and the SSH interface)"
    }

    fn scope(&self) -> Scope {
        Scope::Node
    }

    /// Real ports nearly always hold a self-assigned address, so the session guard's read
    /// is needed on most runs; the routing table whenever the address is missing.
    fn reads(&self, _cx: &Context<'_>) -> Vec<RemoteCommand> {
        vec![
            reads::ifconfig_all(),
            reads::netstat_routes(),
            reads::ssh_connection(),
        ]
    }

    fn dry_run(&self, cx: &mut Context<'_>) -> Result<Vec<Outcome>, PhaseError> {
        let Some(node) = cx.node() else {
            return Ok(vec![Outcome::fail(
                "ip runs once per --node but was given none",
            )]);
        };
        let (iface, address, prefix) = (node.iface.as_str(), node.ip, cx.plan().prefix);
        cx.would_read(&reads::ifconfig_all());
        cx.would_read(&reads::netstat_routes());
        cx.change(&assign(iface, address, prefix))?;
        cx.would_read(&reads::ifconfig(iface));
        Ok(vec![Outcome::pending(format!(
            "would set {address}/{prefix} on {iface}"
        ))])
    }

    fn run(&self, cx: &mut Context<'_>) -> Result<Vec<Outcome>, PhaseError> {
        let Some(node) = cx.node() else {
            return Ok(vec![Outcome::fail(
                "ip runs once per --node but was given none",
            )
            .with_hint("This is a bug in rdma-setup: please report it")]);
        };
        let host = cx.host().name.as_str();
        let iface = node.iface.as_str();
        let (address, prefix) = (node.ip, cx.plan().prefix);
        let planned = format!("{address}/{prefix}");

        let listing = cx.read(&reads::ifconfig_all())?;
        if !listing.success() {
            return Ok(vec![Outcome::fail(format!(
                "`ifconfig -a` failed on {host}: {}",
                one_line(&listing.combined_trimmed())
            ))
            .with_hint(format!(
                "Run `ifconfig -a` on {host} by hand to see what is wrong"
            ))]);
        }
        let interfaces = parse_ifconfig(&listing.stdout);
        let (foreign, self_assigned, inside) = match assess(&interfaces, iface, address, prefix) {
            Assessment::NoSuchInterface => {
                return Ok(vec![Outcome::fail(format!("{iface} does not exist on {host}"))
                    .with_hint(format!(
                        "Check the interface name with `ifconfig` on {host}: Thunderbolt ports are enN, and the number depends on the port (en3 vs en5)"
                    ))]);
            }
            Assessment::AlreadySet => {
                return Ok(vec![Outcome::ok(format!(
                    "Static IP already set: {planned}"
                ))]);
            }
            Assessment::Clash { other_iface, held } => {
                return Ok(vec![rows::clash(
                    host,
                    iface,
                    address,
                    &planned,
                    &other_iface,
                    held,
                )]);
            }
            Assessment::Assign {
                foreign,
                self_assigned,
                inside,
            } => (foreign, self_assigned, inside),
        };

        // Read only now: an address already in place needs no routing table. An unreadable
        // table leaves the check to the interfaces' subnets above.
        let routes = cx.read(&reads::netstat_routes())?;
        let gateways = if routes.success() {
            default_gateways(&parse_netstat_routes(&routes.stdout))
        } else {
            Vec::new()
        };
        if let Some(gateway) = gateway_inside(&gateways, address, prefix) {
            return Ok(vec![rows::holds_gateway(
                host, iface, address, prefix, gateway,
            )]);
        }

        // The session may have arrived on any address of the port, self-assigned included.
        if !foreign.is_empty() || !self_assigned.is_empty() {
            let printenv = cx.read(&reads::ssh_connection())?;
            let guard = find_interface(&interfaces, iface)
                .map_or(SessionGuard::Unknown, |target| {
                    session_guard(&printenv, target)
                });
            if let Some(refusal) = rows::refuse_for_session(guard, host, iface, &foreign) {
                return Ok(vec![refusal]);
            }
        }

        let mut outcomes: Vec<Outcome> = inside
            .iter()
            .map(|enclosing| rows::inside_warning(host, iface, address, prefix, enclosing))
            .collect();
        outcomes.push(set_and_verify(cx, host, iface, address, prefix)?);
        Ok(outcomes)
    }
}

/// Set the address (or hold it back in check mode) and read it back.
fn set_and_verify(
    cx: &mut Context<'_>,
    host: &str,
    iface: &str,
    address: Ipv4Addr,
    prefix: rdma_phase::Prefix,
) -> Result<Outcome, PhaseError> {
    let planned = format!("{address}/{prefix}");
    let set = assign(iface, address, prefix);
    let output = match cx.change(&set)? {
        Applied::NotSent => {
            return Ok(Outcome::pending(format!("would set {planned} on {iface}"))
                .once_done(format!("Static IP set: {planned}")));
        }
        Applied::Ran(output) => output,
    };
    if !output.success() {
        return Ok(rows::set_failed(
            host,
            iface,
            &planned,
            &set.shell_line(),
            &output.combined_trimmed(),
        ));
    }

    let after = cx.read(&reads::ifconfig(iface))?;
    let interfaces = parse_ifconfig(&after.stdout);
    let shown = find_interface(&interfaces, iface);
    if after.success() && shown.is_some_and(|shown| shown.holds(address, prefix)) {
        return Ok(Outcome::changed(format!("Static IP set: {planned}")));
    }
    let seen = if after.success() {
        describe_addresses(shown)
    } else {
        one_line(&after.combined_trimmed())
    };
    Ok(Outcome::fail(format!("{iface} shows {seen} after the change"))
        .with_hint(format!(
            "The address did not stick on {host}: check `ifconfig {iface}` there; a network service for the port (DHCP, Thunderbolt Bridge) may be resetting it in System Settings > Network"
        )))
}

#[cfg(test)]
mod run_tests;

#[cfg(test)]
mod real_mac_tests;
