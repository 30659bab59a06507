//! Phase `bridge`: take the node's Thunderbolt port out of every bridge that holds it.
//!
//! A port inside `bridge0` can carry the right address and still stay `PORT_DOWN`, and a
//! reinstall or hotplug can put it in more than one bridge, so every bridge is checked.

mod decide;

use rdma_phase::command::topic;
use rdma_phase::parse::{bridges_containing, one_line, parse_ifconfig};
use rdma_phase::{Applied, Context, Outcome, Phase, PhaseError, RemoteCommand, Scope};

pub use decide::{assess, classify_deletem, Deletem, Membership};

/// The `bridge` phase.
pub struct BridgePhase;

pub static BRIDGE: BridgePhase = BridgePhase;

inventory::submit! { rdma_phase::PhaseRegistration(&BRIDGE) }

impl Phase for BridgePhase {
    fn name(&self) -> &'static str {
        "bridge"
    }

    fn order(&self) -> u32 {
        10
    }

    fn description(&self) -> &'static str {
        "Remove the Thunderbolt interface from every bridge (bridge0, bridge1, ...) that holds it"
    }

    fn scope(&self) -> Scope {
        Scope::Node
    }

    fn reads(&self, _cx: &Context<'_>) -> Vec<RemoteCommand> {
        vec![list_all()]
    }

    fn dry_run(&self, cx: &mut Context<'_>) -> Result<Vec<Outcome>, PhaseError> {
        let Some(node) = cx.node() else {
            return Ok(vec![missing_node()]);
        };
        cx.would_read(&list_all());
        Ok(vec![Outcome::skipped(format!(
            "bridges not read (dry-run): a run takes {} out of any bridge that holds it",
            node.iface
        ))])
    }

    fn run(&self, cx: &mut Context<'_>) -> Result<Vec<Outcome>, PhaseError> {
        let Some(node) = cx.node() else {
            return Ok(vec![missing_node()]);
        };
        let host = cx.host().name.as_str();
        let iface = node.iface.as_str();

        let listing = cx.read(&list_all())?;
        if !listing.success() {
            return Ok(vec![unreadable(host, &listing.combined_trimmed())]);
        }
        let bridges = match assess(&parse_ifconfig(&listing.stdout), iface) {
            Membership::NoSuchInterface => return Ok(vec![no_such_interface(host, iface)]),
            Membership::Free => return Ok(vec![Outcome::ok(format!("{iface} not in any bridge"))]),
            Membership::In(bridges) => bridges,
        };

        // One slot per bridge, so the rows come out in listing order whatever happened.
        let mut rows: Vec<(String, Option<Outcome>)> = Vec::new();
        for bridge in bridges {
            let row = match cx.change(&deletem(&bridge, iface))? {
                Applied::NotSent => Some(
                    Outcome::pending(format!("would remove {iface} from {bridge}"))
                        .once_done(format!("{iface} removed from {bridge}")),
                ),
                Applied::Ran(output) => match classify_deletem(&output, iface) {
                    Deletem::Removed | Deletem::AlreadyGone => None,
                    Deletem::Failed(reason) => Some(deletem_failed(host, iface, &bridge, &reason)),
                },
            };
            rows.push((bridge, row));
        }
        if rows.iter().all(|(_, row)| row.is_some()) {
            return Ok(rows.into_iter().filter_map(|(_, row)| row).collect());
        }

        let after = cx.read(&list_all())?;
        let still_in = after
            .success()
            .then(|| bridges_containing(&parse_ifconfig(&after.stdout), iface));
        let mut outcomes = Vec::new();
        for (bridge, row) in rows {
            outcomes.push(match (row, &still_in) {
                (Some(row), _) => row,
                (None, None) => unreadable(host, &after.combined_trimmed()),
                (None, Some(still_in)) if still_in.contains(&bridge) => {
                    Outcome::fail(format!("{iface} still in {bridge} after removing it"))
                        .with_hint(format!(
                            "Something on {host} put {iface} back into {bridge} (a Thunderbolt Bridge network service?). \
                             Remove the port from Thunderbolt Bridge in System Settings > Network on {host}, then re-run"
                        ))
                }
                (None, Some(_)) => Outcome::changed(format!("{iface} removed from {bridge}")),
            });
        }
        Ok(outcomes)
    }
}

fn list_all() -> RemoteCommand {
    rdma_phase::reads::ifconfig_all()
}

fn deletem(bridge: &str, iface: &str) -> RemoteCommand {
    RemoteCommand::privileged(["ifconfig", bridge, "deletem", iface]).about(topic::NETWORK)
}

fn missing_node() -> Outcome {
    Outcome::fail("bridge runs once per --node but was given none")
        .with_hint("This is a bug in rdma-setup: please report it")
}

fn unreadable(host: &str, output: &str) -> Outcome {
    Outcome::fail(format!(
        "`ifconfig -a` failed on {host}: {}",
        one_line(output)
    ))
    .with_hint(format!(
        "Run `ifconfig -a` on {host} by hand to see what is wrong"
    ))
}

fn no_such_interface(host: &str, iface: &str) -> Outcome {
    Outcome::fail(format!("{iface} does not exist on {host}")).with_hint(format!(
        "Check the interface name with `ifconfig` on {host}: Thunderbolt ports are enN, and the number depends on the port (en3 vs en5)"
    ))
}

fn deletem_failed(host: &str, iface: &str, bridge: &str, reason: &str) -> Outcome {
    let reason = one_line(reason);
    let hint = if is_permission_problem(&reason) {
        format!(
            "sudo on {host} did not get root for ifconfig: configure passwordless sudo there or give the sudo password, then re-run"
        )
    } else {
        format!(
            "Remove it by hand on {host} with `sudo ifconfig {bridge} deletem {iface}`, or take the port out of Thunderbolt Bridge in System Settings > Network"
        )
    };
    Outcome::fail(format!("could not remove {iface} from {bridge}: {reason}")).with_hint(hint)
}

fn is_permission_problem(reason: &str) -> bool {
    let reason = reason.to_ascii_lowercase();
    reason.contains("operation not permitted") || reason.contains("permission denied")
}

#[cfg(test)]
mod run_tests;
