//! One recording run: the tool's phases in check mode, then the system facts, all through a
//! read-only recording transport.

use std::collections::BTreeMap;

use rdma_phase::{ClusterPlan, Connector, Mode, Phase as _};
use rdma_replay::{RecordingConnector, Transcript};
use rdma_setup::report::Report;
use rdma_setup::{linked_phases, orchestrate};

use super::system_facts::{SYSTEM_FACTS, SYSTEM_FACTS_PHASE};

/// What a recording run saw.
pub struct Capture {
    /// Host name -> what it received, with notes on what was held back.
    pub transcripts: BTreeMap<String, Transcript>,
    /// The check report exactly as `rdma-setup --check` would have produced it.
    pub report: Report,
}

/// Record `plan`'s cluster through `connector`. Whatever the phases ask for, a command that
/// changes a host never reaches `connector`: the recording transport refuses it.
pub fn capture<C: Connector>(plan: &ClusterPlan, connector: C) -> Capture {
    let recorder = RecordingConnector::read_only(connector);
    let mut phases = linked_phases::registered();
    phases.push(&SYSTEM_FACTS_PHASE);
    let mut report = orchestrate::run(plan, &phases, Mode::Check, &recorder);
    let mut transcripts = recorder.transcripts();

    for host_run in &mut report.hosts {
        let name = plan.host(host_run.host).name.to_string();
        let transcript = transcripts.entry(name).or_default();
        let mut notes = header();
        notes.extend(
            host_run
                .runs
                .iter()
                .flat_map(|run| &run.issued)
                .filter(|issued| !issued.sent)
                .map(|issued| {
                    let stdin = if issued.stdin.is_some() {
                        " (with data on stdin)"
                    } else {
                        ""
                    };
                    format!("not sent (check mode): {}{stdin}", issued.line)
                }),
        );
        // The recorder's own refusals come last; in check mode there are none.
        notes.append(&mut transcript.notes);
        transcript.notes = notes;

        // The system facts are the recorder's addition: the report stays the tool's own. If
        // the session broke during them, the tool's run would not have seen that.
        let facts_ran = host_run
            .runs
            .iter()
            .any(|run| run.phase == SYSTEM_FACTS_PHASE.name());
        host_run
            .runs
            .retain(|run| run.phase != SYSTEM_FACTS_PHASE.name());
        if facts_ran {
            host_run.lost = None;
        }
    }
    Capture {
        transcripts,
        report,
    }
}

fn header() -> Vec<String> {
    let facts: Vec<String> = SYSTEM_FACTS.iter().map(|argv| argv.join(" ")).collect();
    vec![
        format!(
            "Recorded by `cargo xtask record` (rdma-setup {}): the phases' reads in check mode, no sudo.",
            env!("CARGO_PKG_VERSION")
        ),
        format!("Then, for bug reports: {}.", facts.join(", ")),
    ]
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;
    use rdma_harness::examples::TWO_NODE_PAIR;
    use rdma_harness::sim::{Cable, RdmaSwitch, SimCluster, SimConnector, SimHost};
    use rdma_replay::{Scenario, REFUSED_NOTE};
    use rdma_setup::cli::Args;
    use rdma_setup::render::{render, Style};

    use super::*;

    fn args() -> Vec<&'static str> {
        [&["rdma-setup", "--check"], &TWO_NODE_PAIR[..]].concat()
    }

    fn plan() -> ClusterPlan {
        let args = Args::try_parse_from(args()).expect("valid arguments");
        rdma_setup::app::plan(&args).expect("valid plan")
    }

    /// After a reinstall: en5 bridged, RDMA off, no address, no device file. Every phase
    /// has something to change.
    fn reinstalled() -> std::sync::Arc<SimCluster> {
        let hosts = ["hwstudio1", "hwstudio2"]
            .iter()
            .zip(1..)
            .map(|(name, index)| {
                let mut host = SimHost::rebooted(name, index, &["en2", "en3", "en5"]);
                host.bridge("bridge0", "en5");
                host.rdma = RdmaSwitch::Disabled;
                host
            })
            .collect();
        let cable = Cable::new(("hwstudio1", "en5"), ("hwstudio2", "en5"), 0.1);
        SimCluster::new(hosts, vec![cable])
    }

    fn states(cluster: &SimCluster) -> Vec<Option<SimHost>> {
        ["hwstudio1", "hwstudio2"]
            .iter()
            .map(|name| cluster.host(name))
            .collect()
    }

    #[test]
    fn the_recording_transport_refuses_every_change_even_in_apply_mode() {
        let cluster = reinstalled();
        let before = states(&cluster);
        let recorder = RecordingConnector::read_only(SimConnector(cluster.clone()));
        // Apply mode: the phases do send their changes. Only the transport stands between
        // them and the hosts.
        let report = orchestrate::run(
            &plan(),
            &linked_phases::registered(),
            Mode::Apply,
            &recorder,
        );

        assert_eq!(states(&cluster), before, "a recording changed a host");
        let sent_changes: Vec<_> = report
            .hosts
            .iter()
            .flat_map(|host| &host.runs)
            .flat_map(|run| &run.issued)
            .filter(|issued| issued.sent && issued.line.contains("sudo"))
            .collect();
        assert!(
            !sent_changes.is_empty(),
            "the phases did not even try: {report:#?}"
        );
        for (host, transcript) in recorder.transcripts() {
            let refused: Vec<_> = transcript
                .notes
                .iter()
                .filter(|note| note.starts_with(REFUSED_NOTE))
                .collect();
            assert!(
                refused
                    .iter()
                    .any(|note| note.contains("sudo ifconfig bridge0 deletem en5")),
                "{host}: {refused:?}"
            );
            assert!(
                refused
                    .iter()
                    .any(|note| note.contains("sudo ifconfig en5")),
                "{host}: {refused:?}"
            );
            for entry in &transcript.entries {
                assert!(
                    !entry.command.contains("sudo")
                        && !entry.command.contains("deletem")
                        && entry.stdin.is_none(),
                    "{host} received a change: {}",
                    entry.command
                );
            }
        }
    }

    #[test]
    fn a_capture_replays_to_the_report_it_printed() {
        let cluster = reinstalled();
        let before = states(&cluster);
        let plan = plan();
        let captured = capture(&plan, SimConnector(cluster.clone()));
        assert_eq!(states(&cluster), before, "a recording changed a host");
        let printed = render(&plan, &captured.report, &Style::default());

        let transcript = &captured.transcripts["hwstudio1"];
        assert!(
            transcript.notes.iter().any(|note| note
                == "not sent (check mode): ssh hwstudio1 sudo ifconfig bridge0 deletem en5"),
            "{:?}",
            transcript.notes
        );
        for argv in SYSTEM_FACTS {
            let line = argv.join(" ");
            assert!(
                transcript.entries.iter().any(|entry| entry.command == line),
                "{line} not captured"
            );
        }

        let dir = tempfile::tempdir().expect("temp dir");
        Scenario {
            description: "test".to_owned(),
            args: args()[1..].iter().map(|arg| (*arg).to_owned()).collect(),
            transcripts: captured.transcripts,
        }
        .save(dir.path())
        .expect("saved");
        let argv = ["rdma-setup", "--replay"]
            .into_iter()
            .map(Into::into)
            .chain([dir.path().as_os_str().to_owned()]);
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let replayed = rdma_setup::app::execute(argv, false, &mut out, &mut err);
        assert_eq!(
            String::from_utf8_lossy(&err),
            format!(
                "Replaying {}: recorded outputs, no host is contacted.\n",
                dir.path().display()
            )
        );
        assert_eq!(String::from_utf8_lossy(&out), printed);
        assert_eq!(replayed.exit_code, captured.report.exit_code());
        assert_eq!(replayed.exit_code, 1, "RDMA is disabled: {printed}");
    }
}
