//! The end of the report: the summary table (one line per `--node`), the verdict that says
//! what to do, and the recap that counts hosts and changes, so that "already right" and
//! "fixed now" can be told apart at a glance.

use std::fmt::Write as _;

use rdma_phase::{ClusterPlan, Mode, NodeId, Outcome, Scope, Status, TransportError};

use super::Style;
use crate::inert::inert;
use crate::report::{HostRun, Report};

pub fn table(out: &mut String, plan: &ClusterPlan, report: &Report, style: &Style) {
    for node_id in plan.node_ids() {
        let node = plan.node(node_id);
        let host_run = &report.hosts[plan.host_of(node_id).0];
        let rdma = match rdma_state(host_run) {
            Some(state) => state,
            None if host_run.lost.is_some() => "?",
            None => "-",
        };
        let mut worst = worst_status(host_run, node_id);
        if report.interrupted && !host_run.finished {
            // Not finished is not "all good", whatever finished before Ctrl-C.
            worst = worst.max(Some(Status::Skipped));
        }
        let mark = worst.map_or_else(|| "-".to_owned(), |status| style.mark(status));
        let _ = writeln!(
            out,
            "  {:<14} {:<5} {:<18} {:<14} {mark}",
            node.host.as_str(),
            node.iface.as_str(),
            format!("{}/{}", node.ip, plan.prefix),
            format!("RDMA:{}", inert(rdma)),
        );
    }
}

fn rdma_state(host_run: &HostRun) -> Option<&str> {
    host_run
        .runs
        .iter()
        .filter(|run| run.phase == "rdma-status")
        .flat_map(|run| &run.outcomes)
        .find_map(|outcome| outcome.value.as_deref())
}

/// The worst verdict that concerns this node: its own rows, its host's rows, cluster rows
/// about it, and a lost connection. Skipped rows count only when nothing else ran.
fn worst_status(host_run: &HostRun, node_id: NodeId) -> Option<Status> {
    if host_run.lost.is_some() {
        return Some(Status::Fail);
    }
    host_run
        .runs
        .iter()
        .filter(|run| match run.scope {
            Scope::Node => run.node == Some(node_id),
            Scope::Host | Scope::Cluster => true,
        })
        .flat_map(|run| &run.outcomes)
        .filter(|outcome| run_row_concerns(outcome, node_id))
        .map(|outcome| outcome.status)
        .filter(|status| *status != Status::Skipped)
        .max()
}

fn run_row_concerns(outcome: &Outcome, node_id: NodeId) -> bool {
    outcome.node.is_none_or(|about| about == node_id)
}

pub fn verdict(out: &mut String, report: &Report) {
    let count = |status: Status| report.outcomes().filter(|o| o.status == status).count();
    let lost = report
        .hosts
        .iter()
        .filter(|host| host.lost.is_some())
        .count();
    let failed = count(Status::Fail) + lost;
    let pending = count(Status::Pending) > 0;
    if report.interrupted {
        let _ = writeln!(
            out,
            "\nInterrupted (Ctrl-C): the rows above are what finished; rows marked - were cut short. Run again to finish."
        );
        if failed > 0 {
            let _ = writeln!(out, "{failed} problem{} found before that.", plural(failed));
        }
    } else if failed > 0 {
        let _ = writeln!(
            out,
            "\n{failed} problem{} found: fix the ✗ lines above (each has a hint), then run again.",
            plural(failed)
        );
    } else if report.mode == Mode::Check && pending {
        out.push_str("\nNot ready: run again without --check to make the → changes.\n");
    }
}

/// How one host came out of the run, for the recap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HostOutcome {
    Ok,
    Failed,
    Unreachable,
    Interrupted,
}

fn host_outcome(report: &Report, host: &HostRun) -> HostOutcome {
    match &host.lost {
        Some(TransportError::Connect { .. }) => HostOutcome::Unreachable,
        Some(_) => HostOutcome::Failed,
        None if host
            .runs
            .iter()
            .flat_map(|run| &run.outcomes)
            .any(|row| row.status.is_failure()) =>
        {
            HostOutcome::Failed
        }
        None if report.interrupted && !host.finished => HostOutcome::Interrupted,
        None => HostOutcome::Ok,
    }
}

/// What the recap counts: hosts by how they came out, and the changes made (apply), to
/// make (check) or listed (dry-run).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecapCounts {
    pub hosts: usize,
    pub ok: usize,
    pub failed: usize,
    pub unreachable: usize,
    pub interrupted: usize,
    pub changes: usize,
}

pub fn recap_counts(report: &Report) -> RecapCounts {
    let outcomes: Vec<HostOutcome> = report
        .hosts
        .iter()
        .map(|host| host_outcome(report, host))
        .collect();
    let hosts = |wanted: HostOutcome| outcomes.iter().filter(|o| **o == wanted).count();
    let changes = match report.mode {
        Mode::Apply => report
            .outcomes()
            .filter(|row| row.status == Status::Changed)
            .count(),
        // Rows that name a change (not a GID that follows from one, or a cable that waits).
        Mode::Check => report
            .outcomes()
            .filter(|row| row.status == Status::Pending && row.once_done.is_some())
            .count(),
        Mode::DryRun => report
            .outcomes()
            .filter(|row| row.status == Status::Pending)
            .count(),
    };
    RecapCounts {
        hosts: report.hosts.len(),
        ok: hosts(HostOutcome::Ok),
        failed: hosts(HostOutcome::Failed),
        unreachable: hosts(HostOutcome::Unreachable),
        interrupted: hosts(HostOutcome::Interrupted),
        changes,
    }
}

/// The last line: hosts ok / failed / unreachable, and the changes made (or to make).
pub fn recap(out: &mut String, plan: &ClusterPlan, report: &Report) {
    let counts = recap_counts(report);
    let changes = match report.mode {
        Mode::Apply => format!("{} change{} made", counts.changes, plural(counts.changes)),
        Mode::Check => format!(
            "{} change{} to make",
            counts.changes,
            plural(counts.changes)
        ),
        Mode::DryRun => format!("{} change{} listed", counts.changes, plural(counts.changes)),
    };
    if report.mode == Mode::DryRun {
        let _ = writeln!(
            out,
            "\nRecap: {} host{}, none contacted (dry-run); {changes}.",
            plan.hosts.len(),
            plural(plan.hosts.len())
        );
        return;
    }
    let mut line = format!(
        "\nRecap: {} host{}: {} ok, {} failed, {} unreachable",
        plan.hosts.len(),
        plural(plan.hosts.len()),
        counts.ok,
        counts.failed,
        counts.unreachable,
    );
    if report.interrupted {
        let _ = write!(line, ", {} interrupted", counts.interrupted);
    }
    let _ = writeln!(out, "{line}; {changes}.");
}

fn plural(count: usize) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}
