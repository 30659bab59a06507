//! The hostfile `mlx.launch --backend jaccl --hostfile FILE` reads, built from a plan: hosts
//! in rank order, each with its row of the device matrix, rank 0 with the address the other
//! ranks reach it at (found by the caller). See shared/reference/mlx-jaccl.md.

use std::net::Ipv4Addr;

use rdma_phase::plan::IbvEntry;
use rdma_phase::ClusterPlan;
use serde::Serialize;

/// The MLX backend a cabling needs: `jaccl` for a full mesh, `jaccl-ring` for a ring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Backend {
    #[serde(rename = "jaccl")]
    Mesh,
    #[serde(rename = "jaccl-ring")]
    Ring,
}

impl Backend {
    /// The name `mlx.launch --backend` takes.
    pub fn name(self) -> &'static str {
        match self {
            Self::Mesh => "jaccl",
            Self::Ring => "jaccl-ring",
        }
    }
}

/// One rank of the hostfile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostEntry {
    /// How `mlx.launch` reaches the host: the plan's SSH host.
    pub ssh: String,
    /// Rank 0's address for the coordinator; empty for the other ranks.
    pub ips: Vec<Ipv4Addr>,
    /// This host's row of the device matrix.
    pub rdma: Vec<IbvEntry>,
}

/// The hostfile, fields in the order `mlx.distributed_config` writes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hostfile {
    pub backend: Backend,
    /// Environment for every rank (`mlx.distributed_config` writes none).
    pub envs: Vec<String>,
    pub hosts: Vec<HostEntry>,
}

/// Why a plan has no hostfile MLX would run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostfileError {
    #[error("the cables form neither a full mesh (jaccl) nor a ring in rank order (jaccl-ring): {missing} have no cable; cable every pair, or list the hosts in ring order")]
    NeitherMeshNorRing {
        /// The pairs a ring in rank order lacks, as `a-b, c-d`.
        missing: String,
    },
}

impl Hostfile {
    /// The hostfile for `plan`; `rank0` is the address every other rank reaches rank 0 at
    /// (its LAN or management address, not a Thunderbolt one).
    pub fn build(plan: &ClusterPlan, rank0: Ipv4Addr) -> Result<Self, HostfileError> {
        let backend = backend(plan)?;
        let hosts = plan
            .hosts
            .iter()
            .zip(&plan.matrix.0)
            .enumerate()
            .map(|(rank, (host, row))| HostEntry {
                ssh: host.name.to_string(),
                ips: if rank == 0 { vec![rank0] } else { Vec::new() },
                rdma: row.clone(),
            })
            .collect();
        Ok(Self {
            backend,
            envs: Vec::new(),
            hosts,
        })
    }

    /// The file's text: indented JSON and a final newline.
    pub fn to_json(&self) -> String {
        // Strings, addresses, nulls and arrays cannot fail to serialize.
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// `jaccl` when every pair of ranks has a cable; otherwise `jaccl-ring` when each rank has a
/// cable to its neighbours in rank order (r-1 and r+1, wrapping around).
fn backend(plan: &ClusterPlan) -> Result<Backend, HostfileError> {
    let n = plan.matrix.size();
    let linked = |i: usize, j: usize| !plan.matrix.entry(i, j).is_none();
    let mesh = (0..n).all(|i| (0..n).all(|j| i == j || linked(i, j)));
    if mesh {
        return Ok(Backend::Mesh);
    }
    let missing: Vec<String> = (0..n)
        .map(|i| (i, (i + 1) % n))
        .filter(|&(i, j)| !linked(i, j))
        .map(|(i, j)| format!("{}-{}", plan.hosts[i].name, plan.hosts[j].name))
        .collect();
    if missing.is_empty() {
        Ok(Backend::Ring)
    } else {
        Err(HostfileError::NeitherMeshNorRing {
            missing: missing.join(", "),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use rdma_harness::examples::{THREE_NODE_MESH, TWO_NODE_PAIR};
    use rstest::rstest;
    use serde_json::Value;

    use crate::cli::Args;

    const LAN: Ipv4Addr = Ipv4Addr::new(192, 168, 1, 10);

    fn plan(nodes: &[&str]) -> ClusterPlan {
        let mut argv = vec!["rdma-setup".to_owned()];
        for node in nodes {
            argv.extend(["--node".to_owned(), (*node).to_owned()]);
        }
        let args = Args::try_parse_from(argv).unwrap_or_else(|e| panic!("{e}"));
        crate::app::plan(&args).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The node specs of one of the README's example command lines, the `--node` words left
    /// out (`plan` puts them back).
    fn specs(argv: &[&'static str]) -> Vec<&'static str> {
        argv.iter()
            .copied()
            .filter(|word| *word != "--node")
            .collect()
    }

    /// r0-r1-r2-r3-r0: no cable between r0 and r2, nor r1 and r3.
    const RING: &[&str] = &[
        "r0:en3:10.254.0.1",
        "r1:en3:10.254.0.2",
        "r1:en5:10.254.0.5",
        "r2:en5:10.254.0.6",
        "r2:en3:10.254.0.9",
        "r3:en3:10.254.0.10",
        "r3:en5:10.254.0.13",
        "r0:en5:10.254.0.14",
    ];

    /// MLX's checks of a jaccl hostfile (mlx-jaccl.md), on the JSON as `mlx.launch` reads it.
    fn mlx_accepts(json: &Value) -> Result<(), String> {
        let backend = json["backend"].as_str().ok_or("no backend")?;
        if json["envs"].as_array().is_none() {
            return Err("envs is not an array".into());
        }
        let hosts = json["hosts"].as_array().ok_or("no hosts")?;
        let n = hosts.len();
        let ips = hosts[0]["ips"].as_array().ok_or("rank 0 has no ips")?;
        if ips.is_empty() {
            return Err("Malformed hostfile for jaccl backend: rank 0 has empty ips".into());
        }
        for (i, host) in hosts.iter().enumerate() {
            host["ssh"].as_str().ok_or("no ssh")?;
            let row = host["rdma"].as_array().ok_or("rdma is not an array")?;
            if row.len() != n {
                return Err(format!("row {i} has {} entries, not {n}", row.len()));
            }
            for (j, entry) in row.iter().enumerate() {
                let names = match entry {
                    Value::Null => false,
                    Value::String(_) => true,
                    Value::Array(all) if all.iter().all(Value::is_string) => true,
                    _ => return Err("Device names should be null, a string or array".into()),
                };
                if (i == j) == names {
                    let neighbour = j == (i + 1) % n || i == (j + 1) % n;
                    let needed = backend == "jaccl" || neighbour;
                    if i == j || needed {
                        return Err(format!("entry {i},{j} is wrong for {backend}"));
                    }
                }
            }
        }
        Ok(())
    }

    #[rstest]
    #[case::two_nodes(&specs(&TWO_NODE_PAIR), "jaccl")]
    #[case::three_node_mesh(&specs(&THREE_NODE_MESH), "jaccl")]
    #[case::four_node_ring(RING, "jaccl-ring")]
    fn mlx_would_accept_it(#[case] nodes: &[&str], #[case] backend: &str) {
        let plan = plan(nodes);
        let hostfile = Hostfile::build(&plan, LAN).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(hostfile.backend.name(), backend);
        let json: Value =
            serde_json::from_str(&hostfile.to_json()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(json["backend"], backend);
        mlx_accepts(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
        let hosts = json["hosts"].as_array().map_or(0, Vec::len);
        assert_eq!(hosts, plan.hosts.len());
        for (rank, host) in plan.hosts.iter().enumerate() {
            assert_eq!(json["hosts"][rank]["ssh"], host.name.as_str());
            let row = serde_json::to_value(&plan.matrix.0[rank]).unwrap_or_default();
            assert_eq!(json["hosts"][rank]["rdma"], row);
            let ips = if rank == 0 {
                vec!["192.168.1.10"]
            } else {
                Vec::new()
            };
            assert_eq!(json["hosts"][rank]["ips"], serde_json::json!(ips));
        }
    }

    #[test]
    fn the_three_node_mesh_as_mlx_writes_it() {
        let hostfile =
            Hostfile::build(&plan(&specs(&THREE_NODE_MESH)), LAN).unwrap_or_else(|e| panic!("{e}"));
        let expected = serde_json::json!({
            "backend": "jaccl",
            "envs": [],
            "hosts": [
                {"ssh": "machine-a", "ips": ["192.168.1.10"], "rdma": [null, "rdma_en3", "rdma_en5"]},
                {"ssh": "machine-b", "ips": [], "rdma": ["rdma_en3", null, "rdma_en5"]},
                {"ssh": "machine-c", "ips": [], "rdma": ["rdma_en5", "rdma_en3", null]}
            ]
        });
        let json: Value =
            serde_json::from_str(&hostfile.to_json()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(json, expected);
        assert!(hostfile
            .to_json()
            .starts_with("{\n  \"backend\": \"jaccl\",\n  \"envs\": [],"));
    }

    #[test]
    fn a_ring_out_of_rank_order_is_refused() {
        // Ranks r0, r2, r1, r3: r0-r2 and r1-r3 have no cable.
        let mut nodes = RING.to_vec();
        nodes.swap(1, 3);
        let error = Hostfile::build(&plan(&nodes), LAN).expect_err("not a ring");
        assert!(error.to_string().contains("r0-r2, r1-r3"), "{error}");
    }
}
