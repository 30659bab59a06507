//! The named clusters `cargo xtask lab up --scenario NAME` and the tests start from, and
//! how any spec reads in those terms (for the list of running labs).

use std::net::Ipv4Addr;

use rdma_phase::{ClusterPlan, NodeSpec, PlanError, Prefix};

use super::{Cable, Fault, HostKeyFault, LabError, LabSpec, PortRef};

pub const SCENARIOS: &[&str] = &["two-node", "three-node", "four-node", "eight-node-ring"];

/// A fresh reboot of the named cluster: no addresses, no device file, RDMA enabled.
pub fn scenario(name: &str) -> Result<LabSpec, LabError> {
    match name {
        "two-node" => Ok(two_node()),
        "three-node" => Ok(three_node()),
        "four-node" => Ok(four_node()),
        "eight-node-ring" => Ok(eight_node_ring()),
        other => Err(LabError::Spec(format!(
            "unknown scenario '{other}' (known: {})",
            SCENARIOS.join(", ")
        ))),
    }
}

/// hwstudio1 en5 <-> hwstudio2 en5, the old README's first example.
pub fn two_node() -> LabSpec {
    LabSpec {
        hosts: vec!["hwstudio1".into(), "hwstudio2".into()],
        cables: vec![Cable::new("hwstudio1", "en5", "hwstudio2", "en5")],
        faults: Vec::new(),
    }
}

/// The old README's three-machine mesh.
pub fn three_node() -> LabSpec {
    LabSpec {
        hosts: vec!["machine-a".into(), "machine-b".into(), "machine-c".into()],
        cables: vec![
            Cable::new("machine-a", "en3", "machine-b", "en3"),
            Cable::new("machine-a", "en5", "machine-c", "en5"),
            Cable::new("machine-b", "en5", "machine-c", "en3"),
        ],
        faults: Vec::new(),
    }
}

/// A full mesh of four: each host's ports en2, en3, en4 go to the other hosts in order.
pub fn four_node() -> LabSpec {
    let hosts: Vec<String> = (1..=4).map(|i| format!("mac{i}")).collect();
    let port_towards = |me: usize, other: usize| {
        // The peers of `me` in host order take en2, en3, en4.
        let slot = if other < me { other } else { other - 1 };
        format!("en{}", slot + 2)
    };
    let mut cables = Vec::new();
    for i in 0..hosts.len() {
        for j in i + 1..hosts.len() {
            cables.push(Cable::new(
                &hosts[i],
                &port_towards(i, j),
                &hosts[j],
                &port_towards(j, i),
            ));
        }
    }
    LabSpec {
        hosts,
        cables,
        faults: Vec::new(),
    }
}

/// Eight hosts in a ring, as many as a cluster gets without a full mesh (a Mac has at most
/// six Thunderbolt ports): `mac{i}`'s en2 goes to the next host's en3, mac8's to mac1's.
pub fn eight_node_ring() -> LabSpec {
    let hosts: Vec<String> = (1..=8).map(|i| format!("mac{i}")).collect();
    let cables = (0..hosts.len())
        .map(|i| Cable::new(&hosts[i], "en2", &hosts[(i + 1) % hosts.len()], "en3"))
        .collect();
    LabSpec {
        hosts,
        cables,
        faults: Vec::new(),
    }
}

/// The netmask of every cable's subnet in [`node_args`] (a /30, the tool's default).
pub const PLANNED_NETMASK: &str = "255.255.255.252";

/// One cable end as [`node_args`] plans it: its address, and the address across the cable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedEnd {
    pub end: PortRef,
    pub ip: Ipv4Addr,
    pub peer_ip: Ipv4Addr,
}

/// Every cable end of `spec`, cable by cable: cable k gets 10.254.0.(4k+1) at its first end
/// and 10.254.0.(4k+2) at its second, a /30 of its own (so at most 64 cables).
pub fn planned_ends(spec: &LabSpec) -> Vec<PlannedEnd> {
    let mut ends = Vec::new();
    for (k, cable) in spec.cables.iter().enumerate() {
        let base = u8::try_from(4 * k).expect("at most 64 cables in a lab");
        let (a, b) = (
            Ipv4Addr::new(10, 254, 0, base + 1),
            Ipv4Addr::new(10, 254, 0, base + 2),
        );
        ends.push(PlannedEnd {
            end: cable.a.clone(),
            ip: a,
            peer_ip: b,
        });
        ends.push(PlannedEnd {
            end: cable.b.clone(),
            ip: b,
            peer_ip: a,
        });
    }
    ends
}

/// `--node` arguments for every cable end of `spec`, as [`planned_ends`] addresses them.
pub fn node_args(spec: &LabSpec) -> Vec<String> {
    planned_ends(spec)
        .into_iter()
        .flat_map(|planned| {
            [
                "--node".to_owned(),
                format!("{}:{}:{}", planned.end.host, planned.end.port, planned.ip),
            ]
        })
        .collect()
}

/// The plan the tool makes from [`node_args`] (on the default /30).
pub(super) fn planned(spec: &LabSpec) -> Result<ClusterPlan, PlanError> {
    let nodes = node_args(spec)
        .iter()
        .skip(1)
        .step_by(2)
        .map(|arg| NodeSpec::parse(arg))
        .collect::<Result<Vec<_>, _>>()?;
    ClusterPlan::build(nodes, Vec::new(), Prefix::new(30)?)
}

/// A spec as `cargo xtask lab up` would put it: the named scenario with the same hosts and
/// cables (or `custom (HOST, ...)`), then its faults as flags. Sudo passwords are not shown.
pub fn describe(spec: &LabSpec) -> String {
    let topology = SCENARIOS
        .iter()
        .find(|name| {
            scenario(name)
                .is_ok_and(|named| named.hosts == spec.hosts && named.cables == spec.cables)
        })
        .map_or_else(
            || format!("custom ({})", spec.hosts.join(", ")),
            |name| (*name).to_owned(),
        );
    let mut words = vec![topology];
    words.extend(spec.faults.iter().map(fault_flag));
    words.join(" ")
}

fn fault_flag(fault: &Fault) -> String {
    match fault {
        Fault::Bridged { host, port, bridge } => format!("--bridged {host}:{port}:{bridge}"),
        Fault::RdmaDisabled { host } => format!("--rdma-disabled {host}"),
        Fault::SudoPassword { host, .. } => format!("--sudo-password {host}:***"),
        Fault::Unplugged { host, port } => format!("--unplugged {host}:{port}"),
        Fault::BehindJump { host, jump } => format!("--behind {host}:{jump}"),
        Fault::Delay { host, delay } => format!("--delay {host}:{}", delay.as_millis()),
        Fault::SshdDown { host } => format!("--sshd-down {host}"),
        Fault::HostDown { host } => format!("--host-down {host}"),
        Fault::HostKey {
            host,
            kind: HostKeyFault::Unknown,
        } => format!("--unknown-host-key {host}"),
        Fault::HostKey {
            host,
            kind: HostKeyFault::Changed,
        } => format!("--changed-host-key {host}"),
        Fault::Flood { host } => format!("--flood {host}"),
        Fault::Hang { host } => format!("--hang {host}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plan the tool would make from a scenario's `node_args`.
    fn plan_of(spec: &LabSpec) -> ClusterPlan {
        planned(spec).expect("a valid plan")
    }

    #[test]
    fn scenarios_are_valid() {
        for name in SCENARIOS {
            let spec = scenario(name).expect("known scenario");
            spec.validate().expect("valid scenario");
            let plan = plan_of(&spec);
            assert_eq!(plan.links.len(), spec.cables.len(), "{name}");
            assert_eq!(plan.hosts.len(), spec.hosts.len(), "{name}");
            assert_eq!(describe(&spec), *name);
        }
        assert!(scenario("nine-node").is_err());
    }

    #[test]
    fn eight_node_ring_links_each_host_to_its_two_neighbours() {
        let spec = eight_node_ring();
        assert_eq!(spec.cables.len(), 8);
        assert_eq!(spec.cables[0], Cable::new("mac1", "en2", "mac2", "en3"));
        assert_eq!(spec.cables[7], Cable::new("mac8", "en2", "mac1", "en3"));
        for host in &spec.hosts {
            for port in ["en2", "en3"] {
                assert!(spec.peer_of(host, port).is_some(), "{host}:{port}");
            }
        }
        let args = node_args(&spec);
        assert_eq!(args.len(), 32);
        assert_eq!(args[1], "mac1:en2:10.254.0.1");
        assert_eq!(args[3], "mac2:en3:10.254.0.2");
        assert_eq!(args[31], "mac1:en3:10.254.0.30");
        let plan = plan_of(&spec);
        // Only neighbours share a cable: the plan warns about the other 20 pairs.
        assert_eq!(plan.warnings.len(), 28 - 8);
        let ends = planned_ends(&spec);
        assert_eq!(ends[15].ip, Ipv4Addr::new(10, 254, 0, 30));
        assert_eq!(ends[15].peer_ip, Ipv4Addr::new(10, 254, 0, 29));
    }

    #[test]
    fn four_node_is_a_full_mesh() {
        let spec = four_node();
        assert_eq!(spec.cables.len(), 6);
        assert_eq!(spec.cables[0], Cable::new("mac1", "en2", "mac2", "en2"));
        assert_eq!(spec.cables[5], Cable::new("mac3", "en4", "mac4", "en4"));
        let args = node_args(&spec);
        assert_eq!(args.len(), 24);
        assert_eq!(args[1], "mac1:en2:10.254.0.1");
        assert_eq!(args[23], "mac4:en4:10.254.0.22");
    }

    #[test]
    fn describe_names_the_scenario_and_its_faults_as_flags() {
        assert_eq!(describe(&three_node()), "three-node");
        let spec = two_node()
            .with(Fault::RdmaDisabled {
                host: "hwstudio2".into(),
            })
            .with(Fault::SudoPassword {
                host: "hwstudio1".into(),
                password: "secret".into(),
            })
            .with(Fault::Delay {
                host: "hwstudio1".into(),
                delay: std::time::Duration::from_millis(150),
            });
        assert_eq!(
            describe(&spec),
            "two-node --rdma-disabled hwstudio2 --sudo-password hwstudio1:*** \
             --delay hwstudio1:150"
        );
        let mut custom = two_node();
        custom.cables.clear();
        assert_eq!(describe(&custom), "custom (hwstudio1, hwstudio2)");
    }
}
