//! What the plan warns about but does not refuse: addresses in LAN ranges, pairs of hosts
//! without a cable.

use super::{Host, IbvMatrix, NodeSpec};

pub(super) fn lan_clash_warnings(nodes: &[NodeSpec]) -> Vec<String> {
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

pub(super) fn unlinked_pair_warnings(hosts: &[Host], matrix: &IbvMatrix) -> Vec<String> {
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
