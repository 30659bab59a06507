//! The human report, in the old tool's layout: banner, one block per `--node`, the
//! connectivity test, the summary table, the recap. Order is fixed by the plan, never by
//! timing.
//!
//! The report can be printed all at once ([`render`]) or as it happens ([`Sections`]: the
//! header first, each node's block once it and the blocks before it are complete, the rest
//! at the end).

pub mod json;
mod rows;
mod summary;

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style as Paint};
use rdma_phase::{ClusterPlan, Mode, NodeId, Outcome, Scope, Status};

use crate::inert::inert;
use crate::report::Report;

/// How the report looks: colour (decided by `--color`, `NO_COLOR`, `CLICOLOR_FORCE`,
/// `TERM` and whether stdout is a terminal) and `--quiet`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    pub color: bool,
    /// Only rows that failed or need attention, and the summary.
    pub quiet: bool,
}

impl Style {
    fn mark(&self, status: Status) -> String {
        let (mark, color) = match status {
            Status::Ok | Status::Changed => ("✓", AnsiColor::Green),
            Status::Pending => ("→", AnsiColor::Cyan),
            Status::Skipped => ("-", AnsiColor::BrightBlack),
            Status::Warn => ("⚠", AnsiColor::Yellow),
            Status::Fail => ("✗", AnsiColor::Red),
        };
        if self.color {
            let paint = Paint::new().fg_color(Some(color.into()));
            format!("{paint}{mark}{paint:#}")
        } else {
            mark.to_owned()
        }
    }

    /// Whether `--quiet` leaves this row out.
    fn hides(&self, outcome: &Outcome) -> bool {
        self.quiet
            && matches!(
                outcome.status,
                Status::Ok | Status::Changed | Status::Skipped
            )
    }
}

/// The whole report at once.
pub fn render(plan: &ClusterPlan, report: &Report, style: &Style) -> String {
    let sections = Sections { plan, style };
    let mut out = sections.header(report);
    for index in 0..plan.nodes.len() {
        out.push_str(&sections.block(report, index));
    }
    out.push_str(&sections.tail(report));
    out
}

/// The report in the pieces a live printer shows as they are ready.
pub struct Sections<'a> {
    pub plan: &'a ClusterPlan,
    pub style: &'a Style,
}

impl Sections<'_> {
    pub fn header(&self, report: &Report) -> String {
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
        for warning in &self.plan.warnings {
            let _ = writeln!(out, "{} {}", self.style.mark(Status::Warn), inert(warning));
        }
        out.push('\n');
        out
    }

    /// Whether the block of the node at `index` (command-line order) can be printed: its
    /// host has run its node and host phases (or is gone).
    pub fn block_ready(&self, report: &Report, index: usize) -> bool {
        let Some(node) = self.plan.node_ids().nth(index) else {
            return false;
        };
        let host = &report.hosts[self.plan.host_of(node).0];
        host.local_done || host.finished || host.lost.is_some()
    }

    /// The `[i/N] Configuring ...` block of the node at `index`, with its blank line; empty
    /// under `--quiet` when nothing in it needs attention.
    pub fn block(&self, report: &Report, index: usize) -> String {
        let Some(node) = self.plan.node_ids().nth(index) else {
            return String::new();
        };
        let body = rows::node_rows(self.plan, report, self.style, node);
        if self.style.quiet && body.is_empty() {
            return String::new();
        }
        let spec = self.plan.node(node);
        format!(
            "[{}/{}] Configuring {} ({} -> {}/{})\n{body}\n",
            index + 1,
            self.plan.nodes.len(),
            spec.host,
            spec.iface,
            spec.ip,
            self.plan.prefix
        )
    }

    /// The connectivity test, the summary, the verdict and the recap.
    pub fn tail(&self, report: &Report) -> String {
        let mut out = String::new();
        let pinged = report
            .hosts
            .iter()
            .flat_map(|host| &host.runs)
            .any(|run| run.scope == Scope::Cluster);
        let rows = rows::connectivity(report, self.style);
        if pinged && !(self.style.quiet && rows.is_empty()) {
            heading(&mut out, "Connectivity Test");
            out.push_str(&rows);
            out.push('\n');
        }
        heading(&mut out, "Summary");
        summary::table(&mut out, self.plan, report, self.style);
        summary::verdict(&mut out, report);
        summary::recap(&mut out, self.plan, report);
        out
    }
}

fn heading(out: &mut String, title: &str) {
    let _ = writeln!(out, "{title}\n{}", "=".repeat(title.chars().count()));
}

/// Whether a row of `node`'s host belongs to the node's block.
fn belongs(scope: Scope, run_node: Option<NodeId>, node: NodeId, first_of_host: bool) -> bool {
    match scope {
        Scope::Node => run_node == Some(node),
        Scope::Host => first_of_host,
        Scope::Cluster => false,
    }
}
