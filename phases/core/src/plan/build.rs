use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use super::{
    ClusterPlan, Host, HostId, IbvMatrix, Link, NodeId, NodeSpec, PlanError, Prefix, ProxySpec,
};

impl ClusterPlan {
    /// Validate the node specs and proxies and derive hosts, cables and the device matrix.
    pub fn build(
        nodes: Vec<NodeSpec>,
        proxies: Vec<ProxySpec>,
        prefix: Prefix,
    ) -> Result<Self, PlanError> {
        check_unique_addresses(&nodes)?;
        check_one_address_per_interface(&nodes)?;
        check_host_addresses(&nodes, prefix)?;

        let (mut hosts, node_hosts) = group_hosts(&nodes);
        apply_proxies(&mut hosts, proxies)?;
        let links = pair_links(&nodes, &node_hosts, prefix)?;

        let mut matrix = IbvMatrix::empty(hosts.len());
        for link in &links {
            let (a, b) = (node_hosts[link.a.0], node_hosts[link.b.0]);
            matrix.add(a.0, b.0, nodes[link.a.0].iface.rdma_device());
            matrix.add(b.0, a.0, nodes[link.b.0].iface.rdma_device());
        }

        let mut warnings = lan_clash_warnings(&nodes);
        warnings.extend(unlinked_pair_warnings(&hosts, &matrix));

        Ok(Self {
            hosts,
            nodes,
            node_hosts,
            links,
            prefix,
            matrix,
            warnings,
        })
    }
}

fn check_unique_addresses(nodes: &[NodeSpec]) -> Result<(), PlanError> {
    let mut seen: BTreeMap<Ipv4Addr, &NodeSpec> = BTreeMap::new();
    for node in nodes {
        if let Some(first) = seen.insert(node.ip, node) {
            return Err(PlanError::DuplicateAddress {
                address: node.ip,
                first: first.to_string(),
                second: node.to_string(),
            });
        }
    }
    Ok(())
}

fn check_one_address_per_interface(nodes: &[NodeSpec]) -> Result<(), PlanError> {
    let mut seen = BTreeMap::new();
    for node in nodes {
        if let Some(first) = seen.insert((&node.host, &node.iface), node) {
            return Err(PlanError::InterfaceTwice {
                host: node.host.to_string(),
                iface: node.iface.to_string(),
                first: first.to_string(),
                second: node.to_string(),
            });
        }
    }
    Ok(())
}

fn check_host_addresses(nodes: &[NodeSpec], prefix: Prefix) -> Result<(), PlanError> {
    if prefix.bits() > 30 {
        return Ok(());
    }
    for node in nodes {
        let network = prefix.network(node.ip);
        let what = if node.ip == network {
            "network"
        } else if node.ip == prefix.broadcast(node.ip) {
            "broadcast"
        } else {
            continue;
        };
        return Err(PlanError::ReservedAddress {
            spec: node.to_string(),
            address: node.ip,
            what,
            network,
            bits: prefix.bits(),
        });
    }
    Ok(())
}

/// Hosts in order of first appearance: this is the JACCL rank order.
fn group_hosts(nodes: &[NodeSpec]) -> (Vec<Host>, Vec<HostId>) {
    let mut hosts: Vec<Host> = Vec::new();
    let mut node_hosts = Vec::with_capacity(nodes.len());
    for (index, node) in nodes.iter().enumerate() {
        let id = match hosts.iter().position(|host| host.name == node.host) {
            Some(position) => position,
            None => {
                hosts.push(Host {
                    name: node.host.clone(),
                    via: None,
                    nodes: Vec::new(),
                });
                hosts.len() - 1
            }
        };
        hosts[id].nodes.push(NodeId(index));
        node_hosts.push(HostId(id));
    }
    (hosts, node_hosts)
}

fn apply_proxies(hosts: &mut [Host], proxies: Vec<ProxySpec>) -> Result<(), PlanError> {
    for proxy in proxies {
        let spec = format!("{}:{}", proxy.via, proxy.target);
        let Some(host) = hosts.iter_mut().find(|host| host.name == proxy.target) else {
            return Err(PlanError::ProxyUnknownTarget {
                spec,
                target: proxy.target.to_string(),
            });
        };
        if host.via.is_some() {
            return Err(PlanError::ProxyTwice(proxy.target.to_string()));
        }
        host.via = Some(proxy.via);
    }
    Ok(())
}

fn pair_links(
    nodes: &[NodeSpec],
    node_hosts: &[HostId],
    prefix: Prefix,
) -> Result<Vec<Link>, PlanError> {
    // Subnets in order of their first node, so links come out in command-line order.
    let mut subnets: Vec<(Ipv4Addr, Vec<NodeId>)> = Vec::new();
    for (index, node) in nodes.iter().enumerate() {
        let network = prefix.network(node.ip);
        match subnets.iter_mut().find(|(net, _)| *net == network) {
            Some((_, members)) => members.push(NodeId(index)),
            None => subnets.push((network, vec![NodeId(index)])),
        }
    }
    subnets
        .into_iter()
        .map(|(network, members)| match members[..] {
            [a, b] if node_hosts[a.0] == node_hosts[b.0] => Err(PlanError::SameHostLink {
                first: nodes[a.0].to_string(),
                second: nodes[b.0].to_string(),
                network,
                bits: prefix.bits(),
            }),
            [a, b] => Ok(Link { a, b, network }),
            [only] => Err(PlanError::LonelySubnet {
                network,
                bits: prefix.bits(),
                spec: nodes[only.0].to_string(),
            }),
            _ => Err(PlanError::CrowdedSubnet {
                network,
                bits: prefix.bits(),
                count: members.len(),
                specs: members
                    .iter()
                    .map(|id| nodes[id.0].to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        })
        .collect()
}

fn lan_clash_warnings(nodes: &[NodeSpec]) -> Vec<String> {
    nodes
        .iter()
        .filter_map(|node| {
            let octets = node.ip.octets();
            let range = match octets {
                [192, 168, ..] => "192.168.0.0/16",
                [172, second, ..] if (16..=31).contains(&second) => "172.16.0.0/12",
                _ => return None,
            };
            Some(format!(
                "{node}: {} is in {range}, where home and office LANs live; a clash routes ordinary traffic over the cable and breaks Wi-Fi and VPNs. Prefer 10.254.0.x.",
                node.ip
            ))
        })
        .collect()
}

fn unlinked_pair_warnings(hosts: &[Host], matrix: &IbvMatrix) -> Vec<String> {
    let mut warnings = Vec::new();
    for i in 0..hosts.len() {
        for j in (i + 1)..hosts.len() {
            if matrix.entry(i, j).is_none() {
                warnings.push(format!(
                    "{} and {} have no cable between them: JACCL's mesh needs every pair of hosts linked",
                    hosts[i].name, hosts[j].name
                ));
            }
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn plan(specs: &[&str], bits: u8) -> Result<ClusterPlan, PlanError> {
        let nodes = specs
            .iter()
            .map(|spec| NodeSpec::parse(spec))
            .collect::<Result<Vec<_>, _>>()?;
        ClusterPlan::build(nodes, Vec::new(), Prefix::new(bits)?)
    }

    #[test]
    fn two_nodes_one_cable() {
        let plan = plan(
            &["hwstudio1:en5:10.254.0.5", "hwstudio2:en5:10.254.0.6"],
            30,
        )
        .expect("valid");
        assert_eq!(plan.hosts.len(), 2);
        assert_eq!(plan.links.len(), 1);
        assert_eq!(plan.ibv_json(), r#"[[null,"rdma_en5"],["rdma_en5",null]]"#);
        assert!(plan.warnings.is_empty());
    }

    #[test]
    fn the_old_readmes_three_node_mesh() {
        let plan = plan(
            &[
                "machine-a:en3:10.254.0.1",
                "machine-b:en3:10.254.0.2",
                "machine-a:en5:10.254.0.5",
                "machine-c:en5:10.254.0.6",
                "machine-b:en5:10.254.0.9",
                "machine-c:en3:10.254.0.10",
            ],
            30,
        )
        .expect("valid");
        let names: Vec<_> = plan.hosts.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["machine-a", "machine-b", "machine-c"]);
        assert_eq!(
            plan.ibv_json(),
            r#"[[null,"rdma_en3","rdma_en5"],["rdma_en3",null,"rdma_en5"],["rdma_en5","rdma_en3",null]]"#
        );
    }

    #[test]
    fn different_ports_at_each_end() {
        let plan = plan(&["a:en4:10.254.0.1", "b:en2:10.254.0.2"], 30).expect("valid");
        assert_eq!(plan.ibv_json(), r#"[[null,"rdma_en4"],["rdma_en2",null]]"#);
    }

    #[test]
    fn two_cables_between_one_pair_give_arrays() {
        let plan = plan(
            &[
                "a:en3:10.254.0.1",
                "b:en3:10.254.0.2",
                "a:en5:10.254.0.5",
                "b:en5:10.254.0.6",
            ],
            30,
        )
        .expect("valid");
        assert_eq!(
            plan.ibv_json(),
            r#"[[null,["rdma_en3","rdma_en5"]],[["rdma_en3","rdma_en5"],null]]"#
        );
    }

    #[test]
    fn errors_are_specific() {
        let cases: [(&[&str], u8, &str); 7] = [
            (
                &["a:en5:10.254.0.5", "b:en5:10.254.0.5"],
                30,
                "10.254.0.5 is given twice",
            ),
            (
                &["a:en5:10.254.0.5", "a:en5:10.254.0.9"],
                30,
                "a:en5 is given two addresses",
            ),
            (
                &["a:en5:10.254.0.4", "b:en5:10.254.0.5"],
                30,
                "is the network address of 10.254.0.4/30",
            ),
            (
                &["a:en5:10.254.0.7", "b:en5:10.254.0.6"],
                30,
                "is the broadcast address of 10.254.0.4/30",
            ),
            (
                &["a:en5:10.254.0.5"],
                30,
                "10.254.0.4/30 holds only 'a:en5:10.254.0.5'",
            ),
            (
                &["a:en5:10.254.0.1", "b:en5:10.254.0.2", "c:en5:10.254.0.3"],
                24,
                "10.254.0.0/24 holds 3 --node specs",
            ),
            (
                &["a:en5:10.254.0.5", "a:en3:10.254.0.6"],
                30,
                "are on the same host",
            ),
        ];
        for (specs, bits, expected) in cases {
            let error = plan(specs, bits).expect_err("invalid").to_string();
            assert!(
                error.contains(expected),
                "{error:?} should contain {expected:?}"
            );
        }
    }

    #[test]
    fn slash_31_allows_both_addresses() {
        assert!(plan(&["a:en5:10.254.0.4", "b:en5:10.254.0.5"], 31).is_ok());
    }

    #[test]
    fn lan_ranges_and_missing_cables_warn() {
        let plan = plan(
            &[
                "a:en3:192.168.1.1",
                "b:en3:192.168.1.2",
                "b:en5:10.254.0.5",
                "c:en5:10.254.0.6",
            ],
            30,
        )
        .expect("valid");
        assert_eq!(plan.warnings.len(), 3, "{:?}", plan.warnings);
        assert!(plan.warnings[2].starts_with("a and c have no cable"));
    }

    #[test]
    fn proxies_attach_to_their_target() {
        let nodes = vec![
            NodeSpec::parse("h1:en5:10.254.0.5").expect("valid"),
            NodeSpec::parse("h2:en5:10.254.0.6").expect("valid"),
        ];
        let proxy = ProxySpec::parse("h1:h2").expect("valid");
        let prefix = Prefix::new(30).expect("valid");
        let plan = ClusterPlan::build(nodes.clone(), vec![proxy.clone()], prefix).expect("valid");
        assert_eq!(plan.hosts[1].via.as_ref().map(|h| h.as_str()), Some("h1"));

        let unknown = ProxySpec::parse("h1:h3").expect("valid");
        assert!(matches!(
            ClusterPlan::build(nodes.clone(), vec![unknown], prefix),
            Err(PlanError::ProxyUnknownTarget { .. })
        ));
        assert_eq!(
            ClusterPlan::build(nodes, vec![proxy.clone(), proxy], prefix),
            Err(PlanError::ProxyTwice("h2".into()))
        );
    }

    /// A random full or partial mesh: `hosts` hosts, a cable for each chosen pair, each end on
    /// a port number the host has not used yet.
    fn arbitrary_cluster() -> impl Strategy<Value = Vec<NodeSpec>> {
        (2usize..6)
            .prop_flat_map(|hosts| {
                let pairs: Vec<(usize, usize)> = (0..hosts)
                    .flat_map(|i| ((i + 1)..hosts).map(move |j| (i, j)))
                    .collect();
                let count = pairs.len();
                (Just(pairs), proptest::collection::vec(any::<bool>(), count))
            })
            .prop_map(|(pairs, keep)| {
                let mut next_port = [2u8; 6];
                let mut specs = Vec::new();
                for (index, ((i, j), keep)) in pairs.into_iter().zip(keep).enumerate() {
                    if !keep && index > 0 {
                        continue;
                    }
                    let base = u8::try_from(index * 4).unwrap_or(0);
                    for (host, last) in [(i, base + 1), (j, base + 2)] {
                        let port = next_port[host];
                        next_port[host] += 1;
                        specs.push(
                            NodeSpec::parse(&format!("host{host}:en{port}:10.254.0.{last}"))
                                .unwrap_or_else(|e| panic!("generated spec: {e}")),
                        );
                    }
                }
                specs
            })
    }

    proptest! {
        #[test]
        fn matrix_invariants(specs in arbitrary_cluster()) {
            let plan = ClusterPlan::build(specs, Vec::new(), Prefix::new(30).unwrap_or_else(|e| panic!("{e}")))
                .unwrap_or_else(|e| panic!("generated cluster is valid: {e}"));
            let n = plan.hosts.len();
            prop_assert_eq!(plan.matrix.size(), n);
            for i in 0..n {
                prop_assert_eq!(plan.matrix.0[i].len(), n);
                prop_assert!(plan.matrix.entry(i, i).is_none());
                for j in 0..n {
                    // Linked one way means linked the other way.
                    prop_assert_eq!(plan.matrix.entry(i, j).is_none(), plan.matrix.entry(j, i).is_none());
                    // Every device in row i is one of host i's own interfaces.
                    for device in plan.matrix.entry(i, j).devices() {
                        let own = plan.hosts[i].nodes.iter().any(|id| plan.node(*id).iface.rdma_device() == device);
                        prop_assert!(own, "{} is not an interface of host {}", device, i);
                    }
                }
            }
            for link in &plan.links {
                prop_assert_ne!(plan.host_of(link.a), plan.host_of(link.b));
                prop_assert_eq!(plan.link_of(link.a), Some(link));
                prop_assert_eq!(plan.link_of(link.b), Some(link));
            }
        }
    }
}
