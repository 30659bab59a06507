//! The human report, in the old tool's layout: banner, one block per `--node`, the
//! connectivity test, the summary table. Order is fixed by the plan, never by timing.

use std::fmt::Write as _;

use rdma_phase::{ClusterPlan, Mode, NodeId, Outcome, Scope, Status};

use crate::inert::inert;
use crate::report::{HostRun, PhaseRun, Report, LOCK_STEP};

/// Status marks, coloured only when asked (a terminal without `NO_COLOR`).
pub struct Style {
    pub color: bool,
}

impl Style {
    fn mark(&self, status: Status) -> String {
        let (mark, color) = match status {
            Status::Ok | Status::Changed => ("✓", "32"),
            Status::Pending => ("→", "36"),
            Status::Skipped => ("-", "2"),
            Status::Warn => ("⚠", "33"),
            Status::Fail => ("✗", "31"),
        };
        if self.color {
            format!("\x1b[{color}m{mark}\x1b[0m")
        } else {
            mark.to_owned()
        }
    }
}

pub fn render(plan: &ClusterPlan, report: &Report, style: &Style) -> String {
    let mut out = String::new();
    heading(&mut out, "RDMA Network Setup");
    match report.mode {
        Mode::Apply => {}
        Mode::Check => out.push_str(
            "Check mode: reading only, nothing is changed and sudo is never run. → marks what a run would change.\n",
        ),
        Mode::DryRun => out.push_str(
            "Dry run: nothing is sent. Listed is what a run would send to a Mac just after a reboot (no bridge, no address, no device file). → marks a change a run would make, - what only a real run can check.\n",
        ),
    }
    for warning in &plan.warnings {
        let _ = writeln!(out, "{} {}", style.mark(Status::Warn), inert(warning));
    }
    out.push('\n');

    for (index, node_id) in plan.node_ids().enumerate() {
        node_block(&mut out, plan, report, style, index, node_id);
        out.push('\n');
    }

    if report
        .hosts
        .iter()
        .flat_map(|host| &host.runs)
        .any(|run| run.scope == Scope::Cluster)
    {
        heading(&mut out, "Connectivity Test");
        connectivity(&mut out, report, style);
        out.push('\n');
    }

    heading(&mut out, "Summary");
    summary(&mut out, plan, report, style);
    verdict(&mut out, report);
    out
}

/// The row for a node whose host was still working when the user pressed Ctrl-C.
fn interrupted_row(plan: &ClusterPlan, host_run: &HostRun) -> Outcome {
    let host = &plan.host(host_run.host).name;
    let message = match host_run.current {
        _ if !host_run.connected => format!("interrupted (Ctrl-C) while connecting to {host}"),
        Some(LOCK_STEP) => {
            format!("interrupted (Ctrl-C) while waiting for another run's lock on {host}")
        }
        Some(phase) => format!("interrupted (Ctrl-C) during phase {phase} on {host}"),
        None => format!("interrupted (Ctrl-C) before every phase ran on {host}"),
    };
    Outcome::skipped(message)
        .with_hint("run again to finish: what was already changed stays, and reads as ✓ next time")
}

fn heading(out: &mut String, title: &str) {
    let _ = writeln!(out, "{title}\n{}", "=".repeat(title.chars().count()));
}

fn node_block(
    out: &mut String,
    plan: &ClusterPlan,
    report: &Report,
    style: &Style,
    index: usize,
    node_id: NodeId,
) {
    let node = plan.node(node_id);
    let host_id = plan.host_of(node_id);
    let host_run = &report.hosts[host_id.0];
    let first_of_host = plan.host(host_id).nodes.first() == Some(&node_id);
    let _ = writeln!(
        out,
        "[{}/{}] Configuring {} ({} -> {}/{})",
        index + 1,
        plan.nodes.len(),
        node.host,
        node.iface,
        node.ip,
        plan.prefix
    );
    // Two phases can trip over the same fault (a missing interface): say it once.
    let mut shown: Vec<&Outcome> = Vec::new();
    for run in &host_run.runs {
        let belongs = match run.scope {
            Scope::Node => run.node == Some(node_id),
            Scope::Host => first_of_host,
            Scope::Cluster => false,
        };
        if !belongs {
            continue;
        }
        if report.mode == Mode::DryRun {
            dry_run_lines(out, run);
        }
        for outcome in &run.outcomes {
            if !shown.contains(&outcome) {
                outcome_row(out, style, outcome);
                shown.push(outcome);
            }
        }
    }
    if report.interrupted && !host_run.finished && host_run.lost.is_none() {
        outcome_row(out, style, &interrupted_row(plan, host_run));
    }
    if let Some(error) = &host_run.lost {
        // A session lost mid-run already has its row from the phase that lost it.
        if first_of_host && host_run.runs.is_empty() {
            let row = Outcome::fail(error.detail()).with_hint(error.hint());
            outcome_row(out, style, &row);
        } else if !first_of_host {
            let row = Outcome::fail(format!(
                "not configured: {} is unreachable (see above)",
                node.host
            ));
            outcome_row(out, style, &row);
        }
    }
}

fn dry_run_lines(out: &mut String, run: &PhaseRun) {
    for issued in &run.issued {
        let _ = writeln!(out, "    [dry-run] {}", inert(&issued.line));
        if let Some(stdin) = &issued.stdin {
            let _ = writeln!(
                out,
                "    [dry-run]     with stdin: {}",
                inert(stdin.trim_end())
            );
        }
    }
}

fn outcome_row(out: &mut String, style: &Style, outcome: &Outcome) {
    let _ = write!(out, "  {} ", style.mark(outcome.status));
    message_lines(out, &outcome.message, "    ");
    hint_lines(out, outcome, "      ");
}

/// A row's message: its first line after the mark, any further line (remote output quoted
/// in it) indented below. Every line is made inert: messages quote what hosts printed.
fn message_lines(out: &mut String, message: &str, indent: &str) {
    for (index, line) in text_lines(message).enumerate() {
        let lead = if index == 0 { "" } else { indent };
        let _ = writeln!(out, "{lead}{}", inert(line));
    }
}

/// Lines as written, with a `\r` kept in the line (where [`inert`] shows it) rather than
/// swallowed as `str::lines` would.
fn text_lines(text: &str) -> impl Iterator<Item = &str> {
    text.strip_suffix('\n').unwrap_or(text).split('\n')
}

fn hint_lines(out: &mut String, outcome: &Outcome, indent: &str) {
    if let Some(hint) = &outcome.hint {
        for (index, line) in text_lines(hint).enumerate() {
            let lead = if index == 0 { "↳ " } else { "  " };
            let _ = writeln!(out, "{indent}{lead}{}", inert(line));
        }
    }
}

fn connectivity(out: &mut String, report: &Report, style: &Style) {
    for host in &report.hosts {
        for run in host.runs.iter().filter(|run| run.scope == Scope::Cluster) {
            if report.mode == Mode::DryRun {
                dry_run_lines(out, run);
            }
            for outcome in &run.outcomes {
                match &outcome.subject {
                    Some(subject) => {
                        let _ =
                            write!(out, "  {}: {} ", inert(subject), style.mark(outcome.status));
                    }
                    None => {
                        let _ = write!(out, "  {} ", style.mark(outcome.status));
                    }
                }
                message_lines(out, &outcome.message, "    ");
                hint_lines(out, outcome, "      ");
            }
        }
    }
}

fn summary(out: &mut String, plan: &ClusterPlan, report: &Report, style: &Style) {
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

fn verdict(out: &mut String, report: &Report) {
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

fn plural(count: usize) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}
