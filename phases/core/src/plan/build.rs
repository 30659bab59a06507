//! The planner: [`ClusterPlan::build`] runs the checks, groups hosts, pairs cables, fills the
//! device matrix and collects the warnings, in that order.

use super::hosts::{apply_proxies, group_hosts};
use super::links::pair_links;
use super::validate::{
    check_host_addresses, check_one_address_per_interface, check_unique_addresses,
};
use super::warnings::{lan_clash_warnings, unlinked_pair_warnings};
use super::{ClusterPlan, IbvMatrix, NodeSpec, PlanError, Prefix, ProxySpec};

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
