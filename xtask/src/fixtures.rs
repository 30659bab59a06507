//! `cargo xtask fixtures`: write the replay scenarios in `fixtures/` from simulated Macs.
//!
//! Each scenario sets up simulated hosts in a known state (a fresh reboot, a reinstall, a
//! pulled cable, ...), runs the real phases against them through a recording connector, and
//! saves what every host received. `cargo xtask record` does the same against real Macs.
//! Re-run this after changing what a phase sends; the replay snapshot tests then show the
//! effect on the output for review.

use std::net::Ipv4Addr;
use std::path::Path;

use anyhow::{anyhow, Context as _, Result};
use clap::Parser as _;
use rdma_harness::macos::INVALID_DEVICE_FILE;
use rdma_harness::sim::{Cable, RdmaSwitch, SimCluster, SimConnector, SimHost};
use rdma_phase::{ClusterPlan, Mode, Prefix};
use rdma_replay::{RecordingConnector, Scenario};
use rdma_setup::cli::Args;
use rdma_setup::{app, linked_phases, orchestrate};

/// One scenario: its folder name, what it shows, its command line, its simulated cluster.
struct Definition {
    name: &'static str,
    description: &'static str,
    args: &'static [&'static str],
    build: fn() -> (Vec<SimHost>, Vec<Cable>),
    /// Run the command once, unrecorded, before the recorded run (a configured cluster).
    warm_up: bool,
}

const TWO_NODES: &[&str] = &[
    "--node",
    "hwstudio1:en5:10.254.0.5",
    "--node",
    "hwstudio2:en5:10.254.0.6",
    "--netmask",
    "30",
];

/// [`TWO_NODES`] in `--check`, as a user types it (the default netmask).
const TWO_NODES_CHECK: &[&str] = &[
    "--check",
    "--node",
    "hwstudio1:en5:10.254.0.5",
    "--node",
    "hwstudio2:en5:10.254.0.6",
];

fn two_studios() -> (Vec<SimHost>, Vec<Cable>) {
    (
        vec![
            SimHost::rebooted("hwstudio1", 1, &["en2", "en3", "en5"]),
            SimHost::rebooted("hwstudio2", 2, &["en2", "en3", "en5"]),
        ],
        vec![Cable::new(
            ("hwstudio1", "en5"),
            ("hwstudio2", "en5"),
            0.118,
        )],
    )
}

const DEFINITIONS: &[Definition] = &[
    Definition {
        name: "lock-taken-meanwhile",
        description: "Another rdma-setup run takes hwstudio1's lock between this run's first look (free)\nand the request that would make its changes: nothing is changed there, the host is busy.",
        args: TWO_NODES,
        build: || {
            let (mut hosts, cables) = two_studios();
            hosts[0] = hosts[0]
                .clone()
                .another_run_takes_the_lock_after_the_look("alice@laptop:4242");
            (hosts, cables)
        },
        warm_up: false,
    },
    Definition {
        name: "two-node-reboot",
        description: "Two Mac Studios on one cable (en5 <-> en5) right after a normal reboot:\nno addresses, no device file, RDMA still enabled.",
        args: TWO_NODES,
        build: two_studios,
        warm_up: false,
    },
    Definition {
        name: "two-node-reinstall",
        description: "After a macOS reinstall: en5 sits in bridge0 and bridge1 on both Macs and RDMA is\ndisabled, so ibv_devices lists nothing.",
        args: TWO_NODES,
        build: || {
            let (mut hosts, cables) = two_studios();
            for host in &mut hosts {
                host.bridge("bridge0", "en2");
                host.bridge("bridge0", "en5");
                host.bridge("bridge1", "en5");
                host.rdma = RdmaSwitch::Disabled;
            }
            (hosts, cables)
        },
        warm_up: false,
    },
    Definition {
        name: "two-node-configured",
        description: "A re-run on a cluster that is already configured: every read finds the state right,\nso no change and no sudo is sent.",
        args: TWO_NODES,
        build: two_studios,
        warm_up: true,
    },
    Definition {
        name: "two-node-check",
        description: "`--check` right after a reboot: reads only, reports what a real run would change\n(exit code 3).",
        args: TWO_NODES_CHECK,
        build: two_studios,
        warm_up: false,
    },
    Definition {
        name: "pulled-cable",
        description: "The Thunderbolt cable between the two Macs is unplugged: addresses go on, but the\nports stay PORT_DOWN and the ping gets no reply.",
        args: TWO_NODES,
        build: || {
            let (mut hosts, cables) = two_studios();
            for host in &mut hosts {
                if let Some(port) = host.port_mut("en5") {
                    port.carrier = false;
                }
            }
            (hosts, cables)
        },
        warm_up: false,
    },
    Definition {
        name: "wrong-interface",
        description: "hwstudio1 is given en9, which does not exist (the cable is on en5).",
        args: &[
            "--node",
            "hwstudio1:en9:10.254.0.5",
            "--node",
            "hwstudio2:en5:10.254.0.6",
        ],
        build: two_studios,
        warm_up: false,
    },
    Definition {
        name: "three-node-mesh",
        description: "The old README's three-node mesh: each pair on its own cable and /30 subnet, so each\nhost's row of the device matrix names different ports.",
        args: &[
            "--node",
            "machine-a:en3:10.254.0.1",
            "--node",
            "machine-b:en3:10.254.0.2",
            "--node",
            "machine-a:en5:10.254.0.5",
            "--node",
            "machine-c:en5:10.254.0.6",
            "--node",
            "machine-b:en5:10.254.0.9",
            "--node",
            "machine-c:en3:10.254.0.10",
            "--netmask",
            "30",
        ],
        build: || {
            (
                vec![
                    SimHost::rebooted("machine-a", 1, &["en3", "en5"]),
                    SimHost::rebooted("machine-b", 2, &["en3", "en5"]),
                    SimHost::rebooted("machine-c", 3, &["en3", "en5"]),
                ],
                vec![
                    Cable::new(("machine-a", "en3"), ("machine-b", "en3"), 0.121),
                    Cable::new(("machine-a", "en5"), ("machine-c", "en5"), 0.117),
                    Cable::new(("machine-b", "en5"), ("machine-c", "en3"), 0.124),
                ],
            )
        },
        warm_up: false,
    },
    Definition {
        name: "proxied-host",
        description: "hwstudio2 is reachable only through hwstudio1 (`--proxy hwstudio1:hwstudio2`).\nTranscripts hold what each host itself ran.",
        args: &[
            "--node",
            "hwstudio1:en5:10.254.0.5",
            "--node",
            "hwstudio2:en5:10.254.0.6",
            "--proxy",
            "hwstudio1:hwstudio2",
        ],
        build: two_studios,
        warm_up: false,
    },
    Definition {
        name: "no-ipv4-gid",
        description: "hwstudio2's en5 takes its address, but its RDMA port never publishes the IPv4-mapped\nGID (a corrupted GID table after link toggling): JACCL would refuse the port.",
        args: TWO_NODES,
        build: || {
            let (mut hosts, cables) = two_studios();
            if let Some(port) = hosts[1].port_mut("en5") {
                port.publishes_ipv4_gid = false;
            }
            (hosts, cables)
        },
        warm_up: false,
    },
];

/// hwstudio1 as a run left it before the other Mac restarted: en5 holds its address (after
/// the self-assigned one configd put back) and the device file is there.
fn configured_first(device_file: &str) -> (Vec<SimHost>, Vec<Cable>) {
    let (mut hosts, cables) = two_studios();
    if let (Some(port), Ok(prefix)) = (hosts[0].port_mut("en5"), Prefix::new(30)) {
        port.inet.insert(0, (Ipv4Addr::new(10, 254, 0, 5), prefix));
    }
    hosts[0] = hosts[0].clone().with_device_file(device_file);
    (hosts, cables)
}

/// The device matrix of [`TWO_NODES`], as this tool writes it.
const TWO_NODE_MATRIX: &str = "[[null,\"rdma_en5\"],[\"rdma_en5\",null]]\n";

/// The same matrix as the Python predecessor wrote it (`json.dumps` spacing, no newline).
const TWO_NODE_MATRIX_OF_THE_PREDECESSOR: &str = "[[null, \"rdma_en5\"], [\"rdma_en5\", null]]";

/// Both Macs set up, the device file as the Python predecessor left it.
fn configured_by_the_predecessor() -> (Vec<SimHost>, Vec<Cable>) {
    let (mut hosts, cables) = configured_first(TWO_NODE_MATRIX_OF_THE_PREDECESSOR);
    if let (Some(port), Ok(prefix)) = (hosts[1].port_mut("en5"), Prefix::new(30)) {
        port.inet.insert(0, (Ipv4Addr::new(10, 254, 0, 6), prefix));
    }
    hosts[1] = hosts[1]
        .clone()
        .with_device_file(TWO_NODE_MATRIX_OF_THE_PREDECESSOR);
    (hosts, cables)
}

/// Scenarios of what real Macs show that a clean simulation did not (issue "Real Macs").
const REAL_MACS: &[Definition] = &[
    Definition {
        name: "one-mac-rebooted",
        description: "`--check` after only hwstudio2 restarted: hwstudio1 kept its address and device file,\nhwstudio2 lost both. The cable cannot answer until hwstudio2 is set up again, from either\nend: pending (exit 3), not broken.",
        args: TWO_NODES_CHECK,
        build: || configured_first(TWO_NODE_MATRIX),
        warm_up: false,
    },
    Definition {
        name: "busy-mac",
        description: "hwstudio1 is a busy real Mac: loopback aliases, VPN tunnels (one of them a 10.254.0.0/16),\nvirtual-machine bridges bridge100/101 with vmenet members. Only en5 is touched; the /30\ninside the VPN's network is a warning that names it.",
        args: TWO_NODES,
        build: || {
            let (mut hosts, cables) = two_studios();
            hosts[0] = hosts[0].clone().busy();
            (hosts, cables)
        },
        warm_up: false,
    },
    Definition {
        name: "thunderbolt4-mac",
        description: "hwstudio2 has Thunderbolt 4 ports: rdma_ctl says enabled, but there is no RDMA device\nand its link runs at 40 Gb/s. The row says the port cannot do RDMA, never to enable it.",
        args: TWO_NODES,
        build: || {
            let (mut hosts, cables) = two_studios();
            hosts[1] = hosts[1].clone().thunderbolt4();
            (hosts, cables)
        },
        warm_up: false,
    },
    Definition {
        name: "predecessor-device-file",
        description: "`--check` on a cluster the Python script set up: its device file has other spacing and\nno final newline, but the same JSON value, so it is current (exit 0).",
        args: TWO_NODES_CHECK,
        build: configured_by_the_predecessor,
        warm_up: false,
    },
    Definition {
        name: "invalid-device-file",
        description: "After a reboot, a guide's device file is still in /tmp: a JSON object where JACCL\nreads an array. It is replaced, and the row says what was wrong with it.",
        args: TWO_NODES,
        build: || {
            let (hosts, cables) = two_studios();
            let hosts = hosts
                .into_iter()
                .map(|host| host.with_device_file(INVALID_DEVICE_FILE))
                .collect();
            (hosts, cables)
        },
        warm_up: false,
    },
];

pub fn write_all(root: &Path) -> Result<()> {
    for definition in DEFINITIONS.iter().chain(REAL_MACS) {
        let scenario =
            record(definition).with_context(|| format!("scenario {}", definition.name))?;
        let dir = root.join(definition.name);
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .with_context(|| format!("removing the old {}", dir.display()))?;
        }
        scenario.save(&dir)?;
        println!("wrote {}", dir.display());
    }
    Ok(())
}

fn record(definition: &Definition) -> Result<Scenario> {
    let plan = plan(definition.args)?;
    let mode = if definition.args.contains(&"--check") {
        Mode::Check
    } else {
        Mode::Apply
    };
    let (hosts, cables) = (definition.build)();
    let cluster = SimCluster::new(hosts, cables);
    let phases = linked_phases::registered();
    if definition.warm_up {
        orchestrate::run(&plan, &phases, Mode::Apply, &SimConnector(cluster.clone()));
    }
    let recorder = RecordingConnector::sending_changes(SimConnector(cluster));
    orchestrate::run(&plan, &phases, mode, &recorder);
    Ok(Scenario {
        description: definition.description.to_owned(),
        args: definition
            .args
            .iter()
            .map(|arg| (*arg).to_owned())
            .collect(),
        transcripts: recorder.transcripts(),
    })
}

/// The plan the tool itself builds from these arguments.
fn plan(args: &[&str]) -> Result<ClusterPlan> {
    let argv = std::iter::once("rdma-setup").chain(args.iter().copied());
    let args = Args::try_parse_from(argv)?;
    app::plan(&args).map_err(|message| anyhow!(message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files_below(root: &Path) -> Vec<std::path::PathBuf> {
        let mut files = Vec::new();
        let mut folders = vec![root.to_path_buf()];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).expect("readable").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path);
                } else {
                    files.push(path.strip_prefix(root).expect("below root").to_path_buf());
                }
            }
        }
        files.sort();
        files
    }

    /// The committed simulated scenarios are what the phases send today: a scenario whose
    /// hosts still show a command the tool no longer sends would replay green and mislead.
    #[test]
    fn the_committed_scenarios_are_current() {
        let fresh = tempfile::tempdir().expect("temp dir");
        write_all(fresh.path()).expect("scenarios written");
        let committed = crate::workspace_root().join("fixtures");
        for relative in files_below(fresh.path()) {
            let now = std::fs::read(fresh.path().join(&relative)).expect("written");
            let before = std::fs::read(committed.join(&relative)).unwrap_or_default();
            assert!(
                before == now,
                "fixtures/{} is out of date: run `cargo xtask fixtures`, review the snapshot diffs and commit",
                relative.display()
            );
        }
    }
}
