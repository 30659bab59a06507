//! `cargo xtask fixtures`: write the replay scenarios in `fixtures/` from simulated Macs.
//!
//! Each scenario sets up simulated hosts in a known state (a fresh reboot, a reinstall, a
//! pulled cable, ...), runs the real phases against them through a recording connector, and
//! saves what every host received. `cargo xtask record` does the same against real Macs.
//! Re-run this after changing what a phase sends; the replay snapshot tests then show the
//! effect on the output for review.

use std::path::Path;

use anyhow::{anyhow, Context as _, Result};
use clap::Parser as _;
use rdma_harness::sim::{Cable, RdmaSwitch, SimCluster, SimConnector, SimHost};
use rdma_phase::{ClusterPlan, Mode};
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
        args: &[
            "--check",
            "--node",
            "hwstudio1:en5:10.254.0.5",
            "--node",
            "hwstudio2:en5:10.254.0.6",
        ],
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

pub fn write_all(root: &Path) -> Result<()> {
    for definition in DEFINITIONS {
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
