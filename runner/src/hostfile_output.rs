//! `--hostfile FILE`: the MLX hostfile, checked before any host is contacted and written
//! only once the run has shown every cable working and every other host has reached rank 0's
//! address (`hostfile_reach.rs`).

use std::io::Write;
use std::path::{Path, PathBuf};

use rdma_phase::plan::Host;
use rdma_phase::{ClusterPlan, Connector, Mode, Phase, RemoteCommand};

use crate::cli::Args;
use crate::hostfile::Hostfile;
use crate::hostfile_reach::{self, Rank0, Rank0Source};
use crate::interrupt::Interrupt;
use crate::report::{Report, INTERRUPTED};
use crate::write_whole::write_whole;

/// The phase whose success proves the cables; without it a hostfile would be a guess.
const PROVING_PHASE: &str = "ping";

/// A hostfile to write if the run earns it.
#[derive(Debug)]
pub struct PendingHostfile {
    path: PathBuf,
    hostfile: Hostfile,
    /// The address the file gives rank 0, and why.
    rank0: Rank0,
    /// The hosts in rank order: all but rank 0 ping its address before the file is written.
    hosts: Vec<Host>,
    /// `--replay`: no real host to ping from, so the address is not checked.
    replay: bool,
    /// `-q`: say nothing when it went well.
    quiet: bool,
}

/// The hostfile `args` asks for, or why it cannot be made (a usage error: nothing has run).
pub fn prepare(
    args: &Args,
    plan: &ClusterPlan,
    ssh_config: Option<&Path>,
) -> Result<Option<PendingHostfile>, String> {
    let Some(path) = &args.hostfile else {
        return Ok(None);
    };
    if path.is_dir() {
        return Err(format!(
            "--hostfile {}: is a folder; give the path of the file to write, e.g. {}/hostfile.json",
            path.display(),
            path.display()
        ));
    }
    let host = plan.hosts.first().map(|host| host.name.to_string());
    let host = host.ok_or("--hostfile: the plan has no host")?;
    let (address, source) = match args.rank0_ip {
        Some(address) => (address, Rank0Source::Flag),
        None => (
            crate::ssh::host_address(&host, ssh_config)
                .map_err(|error| format!("--hostfile: rank 0's address: {error}"))?,
            Rank0Source::SshConfig(ssh_config.map(Path::to_path_buf)),
        ),
    };
    let hostfile =
        Hostfile::build(plan, address).map_err(|error| format!("--hostfile: {error}"))?;
    let rank0 = Rank0::new(plan, address, source).ok_or("--hostfile: the plan has no host")?;
    Ok(Some(PendingHostfile {
        path: path.clone(),
        hostfile,
        rank0,
        hosts: plan.hosts.clone(),
        replay: args.replay.is_some(),
        quiet: args.quiet,
    }))
}

impl PendingHostfile {
    /// What every host but rank 0 runs on its session once the run is over, so that the
    /// check costs no new connection; none when nothing real is contacted.
    pub fn rank0_ping(&self, mode: Mode) -> Option<RemoteCommand> {
        (!self.replay && mode != Mode::DryRun).then(|| hostfile_reach::ping(self.rank0.address))
    }

    /// Write the file when the run proved every cable and every other host reached rank 0's
    /// address (pinged over sessions from `connector`); say on `err` what happened either way.
    /// The exit code, made 1 when a host could not reach rank 0 or the file could not be
    /// written, 130 when `interrupt` came during the check.
    pub fn finish(
        &self,
        phases: &[&'static dyn Phase],
        report: &Report,
        exit_code: i32,
        connector: &dyn Connector,
        interrupt: Option<&Interrupt>,
        err: &mut dyn Write,
    ) -> i32 {
        let shown = self.path.display();
        let proved = phases.iter().any(|phase| phase.name() == PROVING_PHASE);
        let reason = if report.interrupted {
            Some("the run was interrupted")
        } else if exit_code != 0 {
            Some("the cluster is not ready (see the report)")
        } else if !proved {
            Some("the ping phase did not run, so the cables are unproven")
        } else {
            None
        };
        if let Some(reason) = reason {
            let _ = writeln!(err, "hostfile {shown} not written: {reason}");
            return exit_code;
        }
        let reached = if self.replay {
            format!(
                "{}; not checked: a replay has no hosts to ping it from",
                self.rank0.describe()
            )
        } else {
            // Asked on the run's sessions; a host without an answer there is asked anew.
            let answers =
                hostfile_reach::ask_all(connector, &self.hosts, self.rank0.address, report);
            if interrupt.is_some_and(Interrupt::requested) {
                let _ = writeln!(err, "hostfile {shown} not written: the run was interrupted");
                return INTERRUPTED;
            }
            match hostfile_reach::verdict(&self.rank0, &answers) {
                Ok(reached) => reached,
                Err(unreached) => {
                    let _ = writeln!(err, "hostfile {shown} not written: {unreached}");
                    return 1;
                }
            }
        };
        match write_whole(&self.path, &self.hostfile.to_json()) {
            Ok(()) if self.quiet => exit_code,
            Ok(()) => {
                let _ = writeln!(err, "{reached}");
                let backend = self.hostfile.backend.name();
                let _ = writeln!(
                    err,
                    "hostfile {shown} written: mlx.launch --backend {backend} --hostfile {shown} ..."
                );
                exit_code
            }
            Err(error) => {
                let _ = writeln!(
                    err,
                    "ERROR: cannot write the hostfile {shown}: {error}; check the folder exists and is writable"
                );
                1
            }
        }
    }
}
