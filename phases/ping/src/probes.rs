//! Which pings a host sends and how their results read.

use std::net::Ipv4Addr;

use rdma_phase::facts::AddressState;
use rdma_phase::parse::{one_line, PingStats};
use rdma_phase::{ClusterPlan, CommandOutput, HostId, Mode, NodeId, Outcome};

/// One ping over one cable, from this host's end to the other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// This host's end of the cable.
    pub local: NodeId,
    pub peer_ip: Ipv4Addr,
    /// `hwstudio1 -> hwstudio2`, with ` (en3)` when two cables join the same pair.
    pub subject: String,
    pub host: String,
    pub peer_host: String,
    pub peer_host_id: HostId,
    pub iface: String,
}

/// The probes `host` sends, one per cable with an end on it, in link order.
pub fn probes_from(plan: &ClusterPlan, host: HostId) -> Vec<Probe> {
    let ends: Vec<(NodeId, NodeId)> = plan
        .links
        .iter()
        .filter_map(|link| {
            if plan.host_of(link.a) == host {
                Some((link.a, link.b))
            } else if plan.host_of(link.b) == host {
                Some((link.b, link.a))
            } else {
                None
            }
        })
        .collect();
    ends.iter()
        .map(|&(local, peer)| {
            let peer_host = plan.host_of(peer);
            let shared = ends
                .iter()
                .filter(|(_, other)| plan.host_of(*other) == peer_host)
                .count();
            let host_name = plan.host(host).name.to_string();
            let peer_name = plan.host(peer_host).name.to_string();
            let iface = plan.node(local).iface.to_string();
            let subject = if shared > 1 {
                format!("{host_name} -> {peer_name} ({iface})")
            } else {
                format!("{host_name} -> {peer_name}")
            };
            Probe {
                local,
                peer_ip: plan.node(peer).ip,
                subject,
                host: host_name,
                peer_host: peer_name,
                peer_host_id: peer_host,
                iface,
            }
        })
        .collect()
}

/// The row for one ping that was sent.
pub fn report(probe: &Probe, stats: Option<PingStats>, output: &CommandOutput) -> Outcome {
    match stats {
        Some(stats) if stats.replied() => match stats.avg_rtt_ms {
            Some(ms) => Outcome::ok(format!("{ms:.2}ms")),
            None => Outcome::ok("reply"),
        },
        _ => {
            let said = one_line(&output.stderr);
            let said = if said.is_empty() {
                String::new()
            } else {
                format!(" (ping said: {said})")
            };
            Outcome::fail("no response").with_hint(format!(
                "{} got no reply from {} at {} over {}{said}. Check that the Thunderbolt 5 cable is seated at both ends, check the addresses with `ifconfig` on both Macs (see the Static IP lines), and make sure both ends are in the same subnet (--netmask)",
                probe.host, probe.peer_host, probe.peer_ip, probe.iface
            ))
        }
    }
}

/// A ping that got no reply, once we know whether this end holds its address.
pub fn unanswered(held: AddressState, mode: Mode, probe: &Probe, row: Outcome) -> Outcome {
    match (held, mode) {
        (AddressState::Missing, Mode::Check) => {
            Outcome::skipped(format!("not tested: {} has no address yet", probe.iface))
        }
        (AddressState::Missing | AddressState::NoInterface, _) => {
            Outcome::fail(format!("no response ({} has no address)", probe.iface)).with_hint(
                format!(
                    "{} on {} does not hold its address: see the Static IP line for {}",
                    probe.iface, probe.host, probe.host
                ),
            )
        }
        (AddressState::Held, _) => row,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdma_phase::parse::parse_ping;
    use rdma_phase::{NodeSpec, Prefix, Status};
    use rstest::rstest;

    fn plan(specs: &[&str]) -> ClusterPlan {
        let nodes = specs
            .iter()
            .map(|spec| NodeSpec::parse(spec).expect("valid spec"))
            .collect();
        ClusterPlan::build(nodes, Vec::new(), Prefix::new(30).expect("valid")).expect("valid plan")
    }

    fn summary(probes: &[Probe]) -> Vec<(usize, String, String)> {
        probes
            .iter()
            .map(|p| (p.local.0, p.peer_ip.to_string(), p.subject.clone()))
            .collect()
    }

    fn row(local: usize, peer_ip: &str, subject: &str) -> (usize, String, String) {
        (local, peer_ip.into(), subject.into())
    }

    #[test]
    fn two_nodes_ping_each_other() {
        let plan = plan(&["hwstudio1:en5:10.254.0.5", "hwstudio2:en5:10.254.0.6"]);
        assert_eq!(
            summary(&probes_from(&plan, HostId(0))),
            [row(0, "10.254.0.6", "hwstudio1 -> hwstudio2")]
        );
        assert_eq!(
            summary(&probes_from(&plan, HostId(1))),
            [row(1, "10.254.0.5", "hwstudio2 -> hwstudio1")]
        );
    }

    #[test]
    fn three_node_mesh_in_link_order() {
        let plan = plan(&[
            "machine-a:en3:10.254.0.1",
            "machine-b:en3:10.254.0.2",
            "machine-a:en5:10.254.0.5",
            "machine-c:en5:10.254.0.6",
            "machine-b:en5:10.254.0.9",
            "machine-c:en3:10.254.0.10",
        ]);
        assert_eq!(
            summary(&probes_from(&plan, HostId(0))),
            [
                row(0, "10.254.0.2", "machine-a -> machine-b"),
                row(2, "10.254.0.6", "machine-a -> machine-c"),
            ]
        );
        assert_eq!(
            summary(&probes_from(&plan, HostId(2))),
            [
                row(3, "10.254.0.5", "machine-c -> machine-a"),
                row(5, "10.254.0.9", "machine-c -> machine-b"),
            ]
        );
    }

    #[test]
    fn two_cables_between_one_pair_name_the_interface() {
        let plan = plan(&[
            "a:en3:10.254.0.1",
            "b:en4:10.254.0.2",
            "a:en5:10.254.0.5",
            "b:en6:10.254.0.6",
        ]);
        assert_eq!(
            summary(&probes_from(&plan, HostId(0))),
            [
                row(0, "10.254.0.2", "a -> b (en3)"),
                row(2, "10.254.0.6", "a -> b (en5)"),
            ]
        );
        assert_eq!(
            summary(&probes_from(&plan, HostId(1))),
            [
                row(1, "10.254.0.1", "b -> a (en4)"),
                row(3, "10.254.0.5", "b -> a (en6)"),
            ]
        );
    }

    fn probe() -> Probe {
        Probe {
            local: NodeId(0),
            peer_ip: Ipv4Addr::new(10, 254, 0, 6),
            subject: "hwstudio1 -> hwstudio2".into(),
            host: "hwstudio1".into(),
            peer_host: "hwstudio2".into(),
            peer_host_id: HostId(1),
            iface: "en5".into(),
        }
    }

    #[rstest]
    #[case(
        CommandOutput::new("1 packets transmitted, 1 packets received, 0.0% packet loss\nround-trip min/avg/max/stddev = 0.118/0.118/0.118/0.000 ms\n", "", 0),
        Status::Ok,
        "0.12ms"
    )]
    #[case(
        CommandOutput::new("1 packets transmitted, 1 received, 0% packet loss, time 0ms\nrtt min/avg/max/mdev = 0.045/0.045/0.045/0.000 ms\n", "", 0),
        Status::Ok,
        "0.04ms"
    )]
    #[case(
        CommandOutput::new("1 packets transmitted, 1 packets received, 0.0% packet loss\n", "", 0),
        Status::Ok,
        "reply"
    )]
    #[case(
        CommandOutput::new(
            "1 packets transmitted, 0 packets received, 100.0% packet loss\n",
            "",
            2
        ),
        Status::Fail,
        "no response"
    )]
    #[case(
        CommandOutput::new("", "ping: sendto: No route to host\n", 2),
        Status::Fail,
        "no response"
    )]
    fn rows(#[case] output: CommandOutput, #[case] status: Status, #[case] message: &str) {
        let outcome = report(&probe(), parse_ping(&output.stdout), &output);
        assert_eq!(
            (outcome.status, outcome.message.as_str()),
            (status, message)
        );
        assert_eq!(outcome.hint.is_some(), status == Status::Fail);
    }

    #[test]
    fn no_response_hint_names_the_cable_and_what_ping_said() {
        let out = CommandOutput::new("", "ping: sendto: Host is down\n", 2);
        let outcome = report(&probe(), parse_ping(&out.stdout), &out);
        let hint = outcome.hint.unwrap_or_default();
        assert!(hint.starts_with("hwstudio1 got no reply from hwstudio2 at 10.254.0.6 over en5 (ping said: ping: sendto: Host is down)."));
    }

    #[rstest]
    #[case(
        AddressState::Missing,
        Mode::Check,
        Status::Skipped,
        "not tested: en5 has no address yet"
    )]
    #[case(
        AddressState::Missing,
        Mode::Apply,
        Status::Fail,
        "no response (en5 has no address)"
    )]
    #[case(
        AddressState::NoInterface,
        Mode::Check,
        Status::Fail,
        "no response (en5 has no address)"
    )]
    #[case(AddressState::Held, Mode::Check, Status::Fail, "no response")]
    fn an_unanswered_ping_says_why(
        #[case] held: AddressState,
        #[case] mode: Mode,
        #[case] status: Status,
        #[case] message: &str,
    ) {
        let plan = plan(&["hwstudio1:en5:10.254.0.5", "hwstudio2:en5:10.254.0.6"]);
        let probe = &probes_from(&plan, HostId(0))[0];
        let row = unanswered(held, mode, probe, Outcome::fail("no response"));
        assert_eq!((row.status, row.message.as_str()), (status, message));
    }
}
