//! Run one phase against scripted answers, for the phase crates' own end-to-end tests.
//!
//! The answers are served by the replay transport, so a phase under test meets exactly what
//! it meets when a recorded scenario is replayed: a command it was not scripted for fails.

use rdma_phase::{
    ClusterPlan, CommandOutput, Context, HostId, Mode, NodeId, NodeSpec, Outcome, Phase, Prefix,
    Status,
};

use rdma_replay::{Entry, ReplayTransport};

/// `hwstudio1:en5:10.254.0.5` <-> `hwstudio2:en5:10.254.0.6`; phases run as hwstudio1's node.
pub const TWO_NODES: [&str; 2] = ["hwstudio1:en5:10.254.0.5", "hwstudio2:en5:10.254.0.6"];

/// What a scripted run produced.
pub struct Scripted {
    pub outcomes: Vec<Outcome>,
    /// The command lines sent to the host, in order (check mode's held-back changes excluded).
    pub sent: Vec<String>,
}

/// Run `phase` for hwstudio1's node of [`TWO_NODES`] against `answers` (command line ->
/// output). Panics when the phase sends something unscripted or leaves an answer unused.
pub fn run_phase(phase: &dyn Phase, mode: Mode, answers: Vec<(&str, CommandOutput)>) -> Scripted {
    let entries = answers
        .into_iter()
        .map(|(command, output)| Entry::ran(command, None, output))
        .collect();
    run_phase_entries(phase, mode, entries)
}

/// The plan of `--node` specs on a /30; panics on an invalid one.
pub fn plan_of(specs: &[&str]) -> ClusterPlan {
    let nodes = specs
        .iter()
        .map(|spec| NodeSpec::parse(spec).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    let prefix = Prefix::new(30).unwrap_or_else(|e| panic!("{e}"));
    ClusterPlan::build(nodes, Vec::new(), prefix).unwrap_or_else(|e| panic!("{e}"))
}

/// The plan of [`TWO_NODES`], for tests that drive a `Context` themselves.
pub fn two_node_plan() -> ClusterPlan {
    plan_of(&TWO_NODES)
}

/// [`run_phase`] with whole transcript entries, for commands that carry data on stdin.
pub fn run_phase_entries(phase: &dyn Phase, mode: Mode, entries: Vec<Entry>) -> Scripted {
    let plan = two_node_plan();
    let mut host = ReplayTransport::new("hwstudio1", "the test's script", entries);
    let (outcomes, issued) = {
        let mut cx = Context::new(&plan, HostId(0), Some(NodeId(0)), mode, &mut host);
        let outcomes = phase
            .run(&mut cx)
            .unwrap_or_else(|error| panic!("{}: {error}", phase.name()));
        (outcomes, cx.into_issued())
    };
    let unused = host.unused();
    assert!(unused.is_empty(), "unused answers: {unused:?}");
    let sent = issued
        .into_iter()
        .filter(|command| command.sent)
        .map(|command| {
            command
                .line
                .strip_prefix("ssh hwstudio1 ")
                .unwrap_or(&command.line)
                .to_owned()
        })
        .collect();
    Scripted { outcomes, sent }
}

/// Each row's status and message, the part of an outcome a phase test asserts on.
pub fn rows(outcomes: &[Outcome]) -> Vec<(Status, &str)> {
    outcomes
        .iter()
        .map(|outcome| (outcome.status, outcome.message.as_str()))
        .collect()
}
