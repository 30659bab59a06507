//! The rows of the report: a status mark, the message (every line made inert: messages
//! quote what hosts printed), the hint under it, and in a dry-run the commands above it.

use std::fmt::Write as _;

use rdma_phase::{ClusterPlan, Mode, NodeId, Outcome, Scope};

use super::{belongs, Style};
use crate::inert::inert;
use crate::report::{HostRun, PhaseRun, Report, LOCK_STEP};

/// Every row of `node`'s block.
pub fn node_rows(plan: &ClusterPlan, report: &Report, style: &Style, node: NodeId) -> String {
    let mut out = String::new();
    let host_id = plan.host_of(node);
    let host_run = &report.hosts[host_id.0];
    let first_of_host = plan.host(host_id).nodes.first() == Some(&node);
    // Two phases can trip over the same fault (a missing interface): say it once.
    let mut shown: Vec<&Outcome> = Vec::new();
    for run in &host_run.runs {
        if !belongs(run.scope, run.node, node, first_of_host) {
            continue;
        }
        if report.mode == Mode::DryRun && !style.quiet {
            dry_run_lines(&mut out, run);
        }
        for outcome in &run.outcomes {
            if !shown.contains(&outcome) {
                outcome_row(&mut out, style, outcome);
                shown.push(outcome);
            }
        }
    }
    if report.interrupted && !host_run.finished && host_run.lost.is_none() {
        outcome_row(&mut out, style, &interrupted_row(plan, host_run));
    }
    if let Some(error) = &host_run.lost {
        // A session lost mid-run already has its row from the phase that lost it.
        if first_of_host && host_run.runs.is_empty() {
            let row = Outcome::fail(error.detail()).with_hint(error.hint());
            outcome_row(&mut out, style, &row);
        } else if !first_of_host {
            let row = Outcome::fail(format!(
                "not configured: {} is unreachable (see above)",
                plan.node(node).host
            ));
            outcome_row(&mut out, style, &row);
        }
    }
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

pub fn outcome_row(out: &mut String, style: &Style, outcome: &Outcome) {
    if style.hides(outcome) {
        return;
    }
    let _ = write!(out, "  {} ", style.mark(outcome.status));
    message_lines(out, &outcome.message, "    ");
    hint_lines(out, outcome, "      ");
}

/// A row's message: its first line after the mark, any further line (remote output quoted
/// in it) indented below.
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

/// The connectivity section's rows, host by host.
pub fn connectivity(report: &Report, style: &Style) -> String {
    let mut out = String::new();
    for host in &report.hosts {
        for run in host.runs.iter().filter(|run| run.scope == Scope::Cluster) {
            if report.mode == Mode::DryRun && !style.quiet {
                dry_run_lines(&mut out, run);
            }
            for outcome in run.outcomes.iter().filter(|outcome| !style.hides(outcome)) {
                match &outcome.subject {
                    Some(subject) => {
                        let _ =
                            write!(out, "  {}: {} ", inert(subject), style.mark(outcome.status));
                    }
                    None => {
                        let _ = write!(out, "  {} ", style.mark(outcome.status));
                    }
                }
                message_lines(&mut out, &outcome.message, "    ");
                hint_lines(&mut out, outcome, "      ");
            }
        }
    }
    out
}
