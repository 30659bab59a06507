//! `--format json`: the whole report as one JSON document on stdout, for scripts.
//!
//! The schema is versioned (`schema_version`, documented in the README's "JSON report"
//! table): fields are only ever added within a version; a change to an existing field's
//! meaning or type raises it. Text that came from a host is passed as it is (JSON escapes
//! every control character), never as terminal output.

use std::path::Path;
use std::time::Duration;

use rdma_phase::{ClusterPlan, Mode, NodeId, Outcome, Scope, Status, TransportError};
use serde_json::{json, Value};

use super::summary::{recap_counts, RecapCounts};
use crate::report::{HostRun, Report};

/// The version of the document's layout.
pub const SCHEMA_VERSION: u32 = 1;

/// The report as a JSON document, with a final newline.
/// `cluster_file` is the cluster file the run took its hosts from, if it did.
pub fn render(
    plan: &ClusterPlan,
    report: &Report,
    duration: Duration,
    cluster_file: Option<&Path>,
) -> String {
    let document = json!({
        "schema_version": SCHEMA_VERSION,
        "tool": {
            "name": "rdma-setup",
            "version": env!("CARGO_PKG_VERSION"),
            "commit": env!("RDMA_SETUP_COMMIT"),
        },
        "mode": mode(report.mode),
        "cluster_file": cluster_file.map(|path| path.to_string_lossy()),
        "exit_code": report.exit_code(),
        "interrupted": report.interrupted,
        "duration_ms": duration.as_millis(),
        "plan": plan_value(plan),
        "hosts": report.hosts.iter().map(|host| host_value(plan, host)).collect::<Vec<_>>(),
        "pings": pings(plan, report),
        "unreachable": report
            .hosts
            .iter()
            .filter(|host| matches!(host.lost, Some(TransportError::Connect { .. })))
            .map(|host| plan.host(host.host).name.to_string())
            .collect::<Vec<_>>(),
        "recap": recap_value(&recap_counts(report)),
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}

fn mode(mode: Mode) -> &'static str {
    match mode {
        Mode::Apply => "apply",
        Mode::Check => "check",
        Mode::DryRun => "dry-run",
    }
}

fn node_name(plan: &ClusterPlan, node: NodeId) -> String {
    let spec = plan.node(node);
    format!("{}:{}", spec.host, spec.iface)
}

fn plan_value(plan: &ClusterPlan) -> Value {
    let end = |node: NodeId| {
        let spec = plan.node(node);
        json!({ "host": spec.host.as_str(), "iface": spec.iface.as_str(), "ip": spec.ip.to_string() })
    };
    json!({
        "prefix": plan.prefix.bits(),
        "hosts": plan.hosts.iter().enumerate().map(|(rank, host)| json!({
            "rank": rank,
            "name": host.name.as_str(),
            "proxy": host.via.as_ref().map(|via| via.as_str()),
        })).collect::<Vec<_>>(),
        "cables": plan.links.iter().map(|link| json!({
            "a": end(link.a),
            "b": end(link.b),
            "network": format!("{}/{}", link.network, plan.prefix),
        })).collect::<Vec<_>>(),
        "matrix": serde_json::from_str::<Value>(&plan.ibv_json()).unwrap_or(Value::Null),
        "warnings": plan.warnings,
    })
}

fn status(status: Status) -> &'static str {
    match status {
        Status::Ok => "ok",
        Status::Changed => "changed",
        Status::Skipped => "skipped",
        Status::Pending => "pending",
        Status::Warn => "warn",
        Status::Fail => "fail",
    }
}

fn row(phase: &str, node: Option<String>, outcome: &Outcome) -> Value {
    json!({
        "phase": phase,
        "node": node,
        "status": status(outcome.status),
        "message": outcome.message,
        "hint": outcome.hint,
        "changed": outcome.status == Status::Changed,
    })
}

fn host_value(plan: &ClusterPlan, host: &HostRun) -> Value {
    let rows: Vec<Value> = host
        .runs
        .iter()
        .filter(|run| run.scope != Scope::Cluster)
        .flat_map(|run| {
            let node = run.node.map(|node| node_name(plan, node));
            run.outcomes
                .iter()
                .map(move |outcome| row(run.phase, node.clone(), outcome))
        })
        .collect();
    json!({
        "name": plan.host(host.host).name.as_str(),
        "rank": host.host.0,
        "reachable": !matches!(host.lost, Some(TransportError::Connect { .. })),
        "error": host.lost.as_ref().map(|error| json!({
            "message": error.detail(),
            "hint": error.hint(),
        })),
        "finished": host.finished,
        "rows": rows,
    })
}

/// Every ping row, with its round trip in milliseconds when it got a reply.
fn pings(plan: &ClusterPlan, report: &Report) -> Vec<Value> {
    report
        .hosts
        .iter()
        .flat_map(|host| &host.runs)
        .filter(|run| run.scope == Scope::Cluster)
        .flat_map(|run| &run.outcomes)
        .map(|outcome| {
            json!({
                "subject": outcome.subject,
                "from": outcome.node.map(|node| node_name(plan, node)),
                "status": status(outcome.status),
                "rtt_ms": outcome.value.as_deref().and_then(|ms| ms.parse::<f64>().ok()),
                "message": outcome.message,
                "hint": outcome.hint,
            })
        })
        .collect()
}

fn recap_value(counts: &RecapCounts) -> Value {
    json!({
        "hosts": counts.hosts,
        "ok": counts.ok,
        "failed": counts.failed,
        "unreachable": counts.unreachable,
        "interrupted": counts.interrupted,
        "changes": counts.changes,
    })
}
