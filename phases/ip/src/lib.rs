//! Phase `ip`: put the planned static IPv4 address on the node's Thunderbolt interface.
//!
//! Reboots drop the address; JACCL needs it, because the port publishes the IPv4-mapped GID
//! only while its interface holds an IPv4 address. Two guards come before any change: no
//! subnet clash with another interface of the Mac, and never the interface carrying the SSH
//! session.

mod decide;

use std::net::Ipv4Addr;

use rdma_phase::command::topic;
use rdma_phase::parse::InetAddress;
use rdma_phase::parse::{find_interface, one_line, parse_ifconfig};
use rdma_phase::reads;
use rdma_phase::{Applied, Context, Outcome, Phase, PhaseError, RemoteCommand, Scope};

pub use decide::{
    assess, describe_addresses, session_guard, session_server_address, Assessment, SessionGuard,
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

    fn reads(&self, _cx: &Context<'_>) -> Vec<RemoteCommand> {
        vec![reads::ifconfig_all()]
    }

    fn dry_run(&self, cx: &mut Context<'_>) -> Result<Vec<Outcome>, PhaseError> {
        let Some(node) = cx.node() else {
            return Ok(vec![Outcome::fail(
                "ip runs once per --node but was given none",
            )]);
        };
        let (iface, address, prefix) = (node.iface.as_str(), node.ip, cx.plan().prefix);
        cx.would_read(&reads::ifconfig_all());
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
        let foreign = match assess(&interfaces, iface, address, prefix) {
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
                return Ok(vec![clash(
                    host,
                    iface,
                    address,
                    &planned,
                    &other_iface,
                    held,
                )]);
            }
            Assessment::Assign { foreign } => foreign,
        };

        if !foreign.is_empty() {
            let printenv = cx.read(&reads::ssh_connection())?;
            let guard = find_interface(&interfaces, iface)
                .map_or(SessionGuard::Unknown, |target| {
                    session_guard(&printenv, target)
                });
            if let Some(refusal) = refuse_for_session(guard, host, iface, &foreign) {
                return Ok(vec![refusal]);
            }
        }

        let set = assign(iface, address, prefix);
        let output = match cx.change(&set)? {
            Applied::NotSent => {
                return Ok(vec![Outcome::pending(format!(
                    "would set {planned} on {iface}"
                ))
                .once_done(format!("Static IP set: {planned}"))]);
            }
            Applied::Ran(output) => output,
        };
        if !output.success() {
            return Ok(vec![set_failed(
                host,
                iface,
                &planned,
                &set.shell_line(),
                &output.combined_trimmed(),
            )]);
        }

        let after = cx.read(&reads::ifconfig(iface))?;
        let interfaces = parse_ifconfig(&after.stdout);
        let shown = find_interface(&interfaces, iface);
        if after.success() && shown.is_some_and(|shown| shown.holds(address, prefix)) {
            return Ok(vec![Outcome::changed(format!("Static IP set: {planned}"))]);
        }
        let seen = if after.success() {
            describe_addresses(shown)
        } else {
            one_line(&after.combined_trimmed())
        };
        Ok(vec![Outcome::fail(format!(
            "{iface} shows {seen} after the change"
        ))
        .with_hint(format!(
            "The address did not stick on {host}: check `ifconfig {iface}` there; a network service for the port (DHCP, Thunderbolt Bridge) may be resetting it in System Settings > Network"
        ))])
    }
}

fn clash(
    host: &str,
    iface: &str,
    address: Ipv4Addr,
    planned: &str,
    other_iface: &str,
    held: InetAddress,
) -> Outcome {
    let outcome = Outcome::fail(format!(
        "{planned} clashes with {held} on {other_iface} of {host}: not changing {iface}"
    ));
    let hint = if held.address == address {
        format!(
            "{other_iface} on {host} already holds {}; if the cable moved from {other_iface} to {iface}, remove the old address with `sudo ifconfig {other_iface} inet {} delete` and re-run",
            held.address, held.address
        )
    } else {
        format!(
            "Pick a --node address whose subnet no other interface of {host} uses (10.254.0.x keeps clear of home and office LANs); a clash routes ordinary traffic over the cable and breaks Wi-Fi and VPNs"
        )
    };
    outcome.with_hint(hint)
}

fn refuse_for_session(
    guard: SessionGuard,
    host: &str,
    iface: &str,
    foreign: &[Ipv4Addr],
) -> Option<Outcome> {
    let held = foreign
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    match guard {
        SessionGuard::Clear => None,
        SessionGuard::CarriesSession(session) => Some(
            Outcome::fail(format!(
                "{iface} carries the SSH session to {host} ({session}): not changing it"
            ))
            .with_hint(format!(
                "rdma-setup never reconfigures the interface it is connected through. Check that {iface} is the Thunderbolt port meant for RDMA on {host}, or reach {host} over another interface (its LAN address) and re-run"
            )),
        ),
        SessionGuard::Unknown => Some(
            Outcome::fail(format!(
                "cannot tell whether {iface} carries the SSH session to {host}: not changing it"
            ))
            .with_hint(format!(
                "{iface} holds {held} and SSH_CONNECTION could not be read on {host}. If that address is not how you reach {host}, remove it with `sudo ifconfig {iface} inet ADDRESS delete` and re-run"
            )),
        ),
    }
}

fn set_failed(host: &str, iface: &str, planned: &str, command: &str, reason: &str) -> Outcome {
    let reason = one_line(reason);
    let lower = reason.to_ascii_lowercase();
    let hint = if lower.contains("permission denied") || lower.contains("not permitted") {
        format!(
            "sudo on {host} did not get root for ifconfig: configure passwordless sudo there or give the sudo password, then re-run"
        )
    } else {
        format!("Run `{command}` on {host} by hand to see the error")
    };
    Outcome::fail(format!("could not set {planned} on {iface}: {reason}")).with_hint(hint)
}

#[cfg(test)]
mod run_tests;
