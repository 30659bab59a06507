//! The shape the cables make: a full mesh (every pair of hosts cabled), a ring (every host
//! has exactly two neighbours and they form one cycle), or neither; and, for a mesh to be,
//! which pairs of hosts still lack a cable.

use serde::Serialize;

use super::cabling::Cable;
use crate::HostId;

/// The shape of the cabling between `n` hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Shape {
    /// Every pair of hosts has at least one cable (with 3 hosts this is also a ring; it is
    /// reported as a mesh).
    FullMesh,
    /// Each host has exactly two neighbours and following them visits every host once.
    Ring,
    Neither,
}

/// The shape and, for a full mesh, the pairs still missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Topology {
    pub shape: Shape,
    /// Host pairs without a cable, `(lower rank, higher rank)`, in rank order; empty for a
    /// full mesh. Cabling these makes a full mesh.
    pub missing: Vec<(HostId, HostId)>,
    /// Host pairs joined by more than one cable, in rank order.
    pub doubled: Vec<(HostId, HostId)>,
}

/// Classify the cables between `hosts` hosts (`HostId(0)..HostId(hosts)`). Cables naming a
/// host outside that range, or the same host at both ends, are ignored.
pub fn classify(hosts: usize, cables: &[Cable]) -> Topology {
    let mut count = vec![vec![0usize; hosts]; hosts];
    for cable in cables {
        let (a, b) = (cable.a.host.0, cable.b.host.0);
        if a == b || a >= hosts || b >= hosts {
            continue;
        }
        count[a][b] += 1;
        count[b][a] += 1;
    }
    let pairs = || (0..hosts).flat_map(|a| (a + 1..hosts).map(move |b| (a, b)));
    let missing: Vec<(HostId, HostId)> = pairs()
        .filter(|&(a, b)| count[a][b] == 0)
        .map(|(a, b)| (HostId(a), HostId(b)))
        .collect();
    let doubled = pairs()
        .filter(|&(a, b)| count[a][b] > 1)
        .map(|(a, b)| (HostId(a), HostId(b)))
        .collect();
    let shape = if hosts >= 2 && missing.is_empty() {
        Shape::FullMesh
    } else if is_ring(&count) {
        Shape::Ring
    } else {
        Shape::Neither
    };
    Topology {
        shape,
        missing,
        doubled,
    }
}

/// Each host has exactly two distinct neighbours, each joined by one cable, and walking
/// from host 0 returns to it after visiting every host.
fn is_ring(count: &[Vec<usize>]) -> bool {
    let hosts = count.len();
    if hosts < 3 {
        return false;
    }
    let neighbours: Vec<Vec<usize>> = count
        .iter()
        .map(|row| (0..hosts).filter(|&other| row[other] > 0).collect())
        .collect();
    let simple = count.iter().all(|row| row.iter().all(|&n| n <= 1));
    if !simple || neighbours.iter().any(|n| n.len() != 2) {
        return false;
    }
    let (mut previous, mut current, mut steps) = (0, neighbours[0][0], 1);
    while current != 0 {
        let next = if neighbours[current][0] == previous {
            neighbours[current][1]
        } else {
            neighbours[current][0]
        };
        previous = current;
        current = next;
        steps += 1;
        if steps > hosts {
            return false;
        }
    }
    steps == hosts
}

#[cfg(test)]
mod tests;
