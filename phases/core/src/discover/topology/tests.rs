//! Tests of the cabling's shape: mesh, ring, neither, and the pairs a mesh still lacks.

use rstest::rstest;

use super::*;
use crate::discover::cabling::{discover_cabling, PortRef, Sighting};
use crate::discover::fixtures::Lab;
use crate::parse::LinkSpeed;
use crate::IfaceName;

/// A cable between two hosts; the ports do not matter to the shape.
fn cable(a: usize, b: usize) -> Cable {
    let end = |host: usize| PortRef {
        host: HostId(host),
        port: IfaceName::parse(&format!("en{}", 2 + a + b)).expect("a device"),
        receptacle: 1,
    };
    Cable {
        a: end(a),
        b: end(b),
        speed: LinkSpeed::Linked { gbps: 80 },
        sighting: Sighting::BothEnds,
    }
}

fn pairs(list: &[(usize, usize)]) -> Vec<(HostId, HostId)> {
    list.iter().map(|&(a, b)| (HostId(a), HostId(b))).collect()
}

#[rstest]
#[case::two_hosts_one_cable(2, &[(0, 1)], Shape::FullMesh, &[])]
#[case::three_node_mesh(3, &[(0, 1), (0, 2), (1, 2)], Shape::FullMesh, &[])]
#[case::four_node_ring(4, &[(0, 1), (1, 2), (2, 3), (3, 0)], Shape::Ring, &[(0, 2), (1, 3)])]
#[case::ring_out_of_rank_order(4, &[(0, 2), (2, 1), (1, 3), (3, 0)], Shape::Ring, &[(0, 1), (2, 3)])]
#[case::mesh_missing_a_cable(3, &[(0, 1), (1, 2)], Shape::Neither, &[(0, 2)])]
#[case::four_node_mesh_missing_one(4, &[(0, 1), (0, 2), (0, 3), (1, 2), (1, 3)], Shape::Neither, &[(2, 3)])]
#[case::two_triangles_are_not_one_ring(6, &[(0, 1), (1, 2), (2, 0), (3, 4), (4, 5), (5, 3)], Shape::Neither,
    &[(0, 3), (0, 4), (0, 5), (1, 3), (1, 4), (1, 5), (2, 3), (2, 4), (2, 5)])]
#[case::a_line(3, &[(0, 1), (1, 2)], Shape::Neither, &[(0, 2)])]
#[case::no_cables(2, &[], Shape::Neither, &[(0, 1)])]
#[case::one_host(1, &[], Shape::Neither, &[])]
fn shapes(
    #[case] hosts: usize,
    #[case] cables: &[(usize, usize)],
    #[case] shape: Shape,
    #[case] missing: &[(usize, usize)],
) {
    let cables: Vec<Cable> = cables.iter().map(|&(a, b)| cable(a, b)).collect();
    let topology = classify(hosts, &cables);
    assert_eq!(topology.shape, shape);
    assert_eq!(topology.missing, pairs(missing));
    assert!(topology.doubled.is_empty());
}

#[test]
fn a_doubled_pair_is_reported_and_breaks_a_ring() {
    let cables = [
        cable(0, 1),
        cable(0, 1),
        cable(1, 2),
        cable(2, 3),
        cable(3, 0),
    ];
    let topology = classify(4, &cables);
    assert_eq!(topology.shape, Shape::Neither);
    assert_eq!(topology.doubled, pairs(&[(0, 1)]));
}

#[test]
fn out_of_range_and_looped_cables_are_ignored() {
    let topology = classify(2, &[cable(0, 1), cable(1, 1), cable(0, 5)]);
    assert_eq!(topology.shape, Shape::FullMesh);
}

#[test]
fn discovered_four_node_ring() {
    let lab = Lab::new(&["m1", "m2", "m3", "m4"], 2)
        .cable((0, 1), (1, 2))
        .cable((1, 1), (2, 2))
        .cable((2, 1), (3, 2))
        .cable((3, 1), (0, 2));
    let cabling = discover_cabling(&lab.hosts()).expect("cabling");
    let topology = classify(4, &cabling.cables);
    assert_eq!(topology.shape, Shape::Ring);
    assert_eq!(topology.missing, pairs(&[(0, 2), (1, 3)]));
}

#[test]
fn discovered_mesh_with_a_missing_cable() {
    let lab = Lab::new(&["m1", "m2", "m3"], 2)
        .cable((0, 1), (1, 1))
        .cable((1, 2), (2, 1));
    let cabling = discover_cabling(&lab.hosts()).expect("cabling");
    let topology = classify(3, &cabling.cables);
    assert_eq!(topology.shape, Shape::Neither);
    assert_eq!(topology.missing, pairs(&[(0, 2)]));
    assert_eq!(cabling.unplugged.len(), 2);
}
