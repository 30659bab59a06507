//! `rdma-setup discover HOST...`: find the Thunderbolt cables between the Macs, plan one /30
//! per cable and write the cluster file a bare `rdma-setup` runs from. Reads only: nothing
//! is changed on a host and `sudo` is never run.
//!
//! One concept per file:
//! - `request`: the command line, checked before any host is contacted.
//! - `collect`: the four reads on every host, in parallel, one SSH session each.
//! - `show`: the cables, the other ports, the topology and the addresses, as text.
//! - `cluster`: the cluster file to write, and the one already there (its addresses are
//!   kept for cables that did not change).
//! - `diff`: what writing would change in that file.
//!
//! The building blocks (cables from domain UUIDs, the mesh/ring classification, the
//! address pool) are `rdma_phase::discover`'s.
//!
//! Exit codes: 0 written or unchanged, 1 a host could not be read, nothing to plan, or a
//! different file in the way without `--force`, 2 a bad command line, 130 Ctrl-C while the
//! hosts were read (nothing written).

mod cluster;
mod collect;
mod diff;
mod request;
mod show;

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use rdma_phase::discover::{classify, discover_cabling, plan_pool, Cable, HostNetwork};
use rdma_phase::HostName;

use crate::cli::DiscoverArgs;
use crate::cluster_file;
use crate::inert::inert;
use crate::interrupt::Interrupt;
use crate::report::INTERRUPTED;
use crate::ssh::SshConnector;

pub use collect::{HostFacts, ReadError};
pub use request::Request;

use cluster::Existing;

/// The file was written, or already held this cluster.
pub const WRITTEN: i32 = 0;
/// A host could not be read, there is nothing to plan, or the file was not written.
pub const FAILED: i32 = 1;
/// The command line is wrong; no host was contacted.
pub const USAGE: i32 = 2;

/// Run `discover`: the exit code.
/// With `interrupt`, Ctrl-C while the hosts are read ends discover at once (exit 130);
/// nothing has been written by then.
pub fn run(
    args: &DiscoverArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
    interrupt: Option<&Interrupt>,
) -> i32 {
    crate::logging::init(args.verbose);
    let request = match request::check(args) {
        Ok(request) => request,
        Err(message) => return fail(err, &message, USAGE),
    };
    let existing = match Existing::read(&request.output) {
        Ok(existing) => existing,
        Err(message) => return fail(err, &message, USAGE),
    };
    let names = request.names();
    let _ = writeln!(
        err,
        "Reading {} hosts over SSH (read only): {}",
        names.len(),
        names
            .iter()
            .map(HostName::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    );
    let connector = Arc::new(SshConnector::new(request.ssh.clone()));
    let interrupted = || interrupt.is_some_and(Interrupt::requested);
    let Ok(results) = collect::collect(connector, &request.hosts, &interrupted) else {
        if let Some(interrupt) = interrupt {
            interrupt.restore_terminal();
        }
        let _ = writeln!(err, "Interrupted (Ctrl-C): nothing was written.");
        return INTERRUPTED;
    };
    let mut facts = Vec::new();
    let mut unreadable = 0;
    for result in results {
        match result {
            Ok(host) => facts.push(host),
            Err(error) => {
                unreadable += 1;
                let _ = writeln!(
                    err,
                    "ERROR: {}\n  hint: {}",
                    inert(&error.to_string()),
                    inert(&error.hint())
                );
            }
        }
    }
    if unreadable > 0 {
        let _ = writeln!(
            err,
            "Nothing was written: discover needs every host. Fix the host{} above and run it again.",
            if unreadable == 1 { "" } else { "s" }
        );
        return FAILED;
    }
    discover_from(&request, &facts, &existing, out, err)
}

/// Everything after the reads: the cables, the plan, the file. `facts` are in rank order.
pub(crate) fn discover_from(
    request: &Request,
    facts: &[HostFacts],
    existing: &Existing,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let names = request.names();
    let thunderbolt: Vec<_> = facts.iter().map(|f| f.thunderbolt.clone()).collect();
    let cabling = match discover_cabling(&thunderbolt) {
        Ok(cabling) => cabling,
        Err(error) => return fail(err, &format!("{error}; nothing was written"), FAILED),
    };
    let planned_cables: Vec<Cable> = cabling.rdma_cables().cloned().collect();
    let topology = classify(names.len(), &planned_cables);
    let mut text = show::cabling(&names, &cabling);
    if !planned_cables.is_empty() {
        text.push_str(&show::topology(&names, &topology, &planned_cables));
    }
    let _ = out.write_all(text.as_bytes());
    if planned_cables.is_empty() {
        let message = "no Thunderbolt 5 cable between these hosts, so there is nothing to plan and nothing was written: cable the Macs' Thunderbolt 5 ports to each other (Thunderbolt 5 cables) and run discover again";
        return fail(err, message, FAILED);
    }
    let lonely: Vec<&str> = names
        .iter()
        .enumerate()
        .filter(|(rank, _)| {
            !planned_cables
                .iter()
                .any(|cable| cable.touches(rdma_phase::HostId(*rank)))
        })
        .map(|(_, name)| name.as_str())
        .collect();
    if !lonely.is_empty() {
        let message = format!(
            "{} {} no Thunderbolt 5 cable to another of the hosts; every rank needs one. Cable it, or leave it out of the list. Nothing was written",
            lonely.join(", "),
            if lonely.len() == 1 { "has" } else { "have" }
        );
        return fail(err, &message, FAILED);
    }
    let networks: Vec<HostNetwork> = facts.iter().map(|f| f.network.clone()).collect();
    let kept = existing
        .file()
        .map(cluster::kept_addresses)
        .unwrap_or_default();
    let planned = match plan_pool(request.pool, &networks, &planned_cables, &kept) {
        Ok(planned) => planned,
        Err(error) => return fail(err, &format!("{error}; nothing was written"), FAILED),
    };
    let _ = out.write_all(show::plan(&names, &planned, &request.pool.to_string()).as_bytes());
    let file = match cluster::build(request, &planned, existing.file()) {
        Ok(file) => file,
        Err(message) => return fail(err, &message, USAGE),
    };
    let text = cluster_file::render(&file);
    if let Err(message) = cluster::check(&text, &request.output) {
        let message = format!("the planned cluster does not read back ({message}); this is a bug, nothing was written");
        return fail(err, &message, FAILED);
    }
    finish(request, &file, &text, existing, out, err)
}

/// Compare with what is there, write when allowed, show the file.
fn finish(
    request: &Request,
    file: &cluster_file::ClusterFile,
    text: &str,
    existing: &Existing,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let path = &request.output;
    let shown = path.display();
    if existing.text() == Some(text) {
        let _ = write!(out, "\nCluster file {shown} (unchanged)\n{text}");
        let _ = writeln!(err, "{shown} already holds this cluster: nothing to write.");
        let _ = writeln!(err, "{}", next_step(path));
        return WRITTEN;
    }
    if let Some(old_text) = existing.text() {
        let rows = match existing {
            Existing::File { file: old, .. } => {
                let rows = diff::changes(old, file);
                if rows.is_empty() {
                    diff::lines(old_text, text)
                } else {
                    rows
                }
            }
            _ => diff::lines(old_text, text),
        };
        let _ = writeln!(out, "\nChanges to {shown}");
        if let Existing::Unreadable { reason, .. } = existing {
            let _ = writeln!(
                out,
                "  (the file there is not a cluster file: {})",
                inert(reason)
            );
        }
        for row in rows {
            let _ = writeln!(out, "  {}", inert(&row));
        }
        if !request.force {
            let _ = write!(out, "\nCluster file {shown} (NOT written)\n{text}");
            let message = format!(
                "{shown} holds a different cluster (the changes are above); nothing was written. Add --force to replace it, or give another file with --cluster FILE"
            );
            return fail(err, &message, FAILED);
        }
    }
    if let Err(error) = crate::write_whole::write_whole(path, text) {
        let message =
            format!("cannot write {shown}: {error}; check the folder exists and is writable");
        return fail(err, &message, FAILED);
    }
    let _ = write!(out, "\nCluster file {shown} (written)\n{text}");
    let _ = writeln!(err, "Wrote {shown}.");
    let _ = writeln!(err, "{}", next_step(path));
    WRITTEN
}

/// How to run from the file.
fn next_step(path: &Path) -> String {
    let in_here = path == Path::new(crate::cluster_source::DEFAULT_FILE)
        || path == Path::new(".").join(crate::cluster_source::DEFAULT_FILE);
    if in_here {
        "Next: `rdma-setup` in this folder configures the Macs (`rdma-setup --check` looks first)."
            .to_owned()
    } else {
        format!(
            "Next: `rdma-setup --cluster {}` configures the Macs (add --check to look first).",
            path.display()
        )
    }
}

fn fail(err: &mut dyn Write, message: &str, code: i32) -> i32 {
    let _ = writeln!(err, "ERROR: {}", inert(message));
    code
}

#[cfg(test)]
mod tests;
