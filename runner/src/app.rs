//! From argv to exit code: parse, plan, pick the transport, run, render.

use std::ffi::OsString;
use std::io::Write;
use std::time::{Duration, Instant};

use clap::Parser;
use rdma_phase::plan::ProxySpec;
use rdma_phase::{ClusterPlan, Connector, Mode, NodeSpec, Phase, Prefix};

use crate::cli::{self, Args, Format};
use crate::cluster_source::{self, UsedFile};
use crate::dry_run::DryRunConnector;
use crate::interrupt::Interrupt;
use crate::live::LivePrinter;
use crate::lock_step::Locking;
use crate::progress::Progress;
use crate::proxy_view::ProxyView;
use crate::render::{json, Style};
use crate::report::{Report, INTERRUPTED};
use crate::ssh::{SshConnector, SshOptions};
use crate::{color, hostfile_output, linked_phases, orchestrate, replay_source, selection};

/// Exit code for a command line that cannot be run.
pub const USAGE_ERROR: i32 = 2;

/// What one invocation did: its exit code, and the report when phases ran.
pub struct Execution {
    pub exit_code: i32,
    pub plan: Option<ClusterPlan>,
    pub report: Option<Report>,
}

impl Execution {
    fn exit(exit_code: i32) -> Self {
        Self {
            exit_code,
            plan: None,
            report: None,
        }
    }
}

/// Which of the process's output streams are terminals.
#[derive(Debug, Clone, Copy, Default)]
pub struct Terminals {
    /// Standard output, where the report goes (`--color auto`).
    pub stdout: bool,
    /// Standard error, where the live progress lines go.
    pub stderr: bool,
}

/// Run the tool as `main` does, writing to the given streams, with no Ctrl-C handling.
/// `terminal` says whether `out` is a terminal (for `--color auto`).
pub fn execute(
    argv: impl IntoIterator<Item = OsString>,
    terminal: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Execution {
    let terminals = Terminals {
        stdout: terminal,
        stderr: false,
    };
    execute_interruptible(argv, terminals, out, err, None)
}

/// Run the tool. With `interrupt`, a Ctrl-C during the run prints the report of what finished
/// to `out` and ends the process with exit code 130.
pub fn execute_interruptible(
    argv: impl IntoIterator<Item = OsString>,
    terminals: Terminals,
    out: &mut dyn Write,
    err: &mut dyn Write,
    interrupt: Option<&Interrupt>,
) -> Execution {
    let argv: Vec<OsString> = argv.into_iter().collect();
    let args = match Args::try_parse_from(&argv) {
        Ok(args) => args,
        Err(error) => {
            let code = if error.use_stderr() { USAGE_ERROR } else { 0 };
            let text = if color::enabled(color::choice_in(&argv), terminals.stdout) {
                error.render().ansi().to_string()
            } else {
                error.render().to_string()
            };
            let stream: &mut dyn Write = if error.use_stderr() { err } else { out };
            let written = emit(stream, &text);
            return Execution::exit(checked(code, written, err));
        }
    };
    if let Some(crate::cli::Command::Discover(discover)) = &args.command {
        return Execution::exit(crate::discover::run(discover, out, err, interrupt));
    }
    crate::logging::init(args.verbose);

    let all = linked_phases::registered();
    if args.list_phases {
        let written = emit(out, &list_phases(&all));
        return Execution::exit(checked(0, written, err));
    }
    if let Some(path) = &args.save {
        return Execution::exit(match cluster_source::save(&args, path) {
            Ok(text) => {
                let written = emit(out, &text);
                let _ = emit(err, &format!("Saved the cluster to {}\n", path.display()));
                checked(0, written, err)
            }
            Err(message) => usage_error(err, &message),
        });
    }
    let (args, used) = match cluster_source::apply(args, &argv) {
        Ok(applied) => applied,
        Err(message) => return Execution::exit(usage_error(err, &message)),
    };
    if let Some(used) = &used {
        let _ = emit(err, &format!("Cluster from {}\n", used.path.display()));
    }
    match prepare(&args, &all, terminals, used.as_ref()) {
        Ok(Prepared {
            plan,
            phases,
            mode,
            connector,
            banner,
            progress,
            hostfile,
        }) => {
            if let Some(banner) = banner {
                let _ = emit(err, &banner);
            }
            let style = Style {
                color: color::enabled(args.color, terminals.stdout),
                quiet: args.quiet,
            };
            let started = Instant::now();
            let json = args.format == Format::Json;
            let file = used.as_ref().map(|used| used.path.as_path());
            // A JSON document is printed whole, at the end (or at Ctrl-C).
            let mut live = (!json).then(|| LivePrinter::new(&plan, &style));
            let mut observe = |report: &Report, event: Option<&orchestrate::Event>| {
                if let (Some(progress), Some(event)) = (&progress, event) {
                    progress.update(event);
                }
                if let Some(interrupt) = interrupt.filter(|interrupt| interrupt.requested()) {
                    if let Some(progress) = &progress {
                        progress.clear();
                    }
                    interrupt.restore_terminal();
                    let stopped = Report {
                        interrupted: true,
                        ..report.clone()
                    };
                    match live.take() {
                        Some(live) => {
                            let _ = live.finish(out, &stopped);
                        }
                        None => {
                            let document = json::render(&plan, &stopped, started.elapsed(), file);
                            let _ = emit(out, &document);
                        }
                    }
                    std::process::exit(INTERRUPTED);
                }
                if let Some(live) = live.as_mut().filter(|live| live.has_news(report)) {
                    match &progress {
                        Some(progress) => progress.suspend(|| live.update(out, report)),
                        None => live.update(out, report),
                    }
                }
            };
            let locking = if args.replay.is_some() {
                Locking::recorded()
            } else {
                Locking::of_this_process(Duration::from_secs(args.lock_wait))
            };
            let rank0_ping = hostfile
                .as_ref()
                .and_then(|pending| pending.rank0_ping(mode));
            let report = orchestrate::run_observed(
                &plan,
                &phases,
                mode,
                connector.as_ref(),
                &locking,
                rank0_ping.as_ref(),
                &mut observe,
            );
            if let Some(progress) = &progress {
                progress.clear();
            }
            let written = match live {
                Some(live) => live.finish(out, &report),
                None => emit(out, &json::render(&plan, &report, started.elapsed(), file)),
            };
            let mut exit_code = checked(report.exit_code(), written, err);
            if let Some(hostfile) = &hostfile {
                let connector = connector.as_ref();
                exit_code = hostfile.finish(&phases, &report, exit_code, connector, interrupt, err);
            }
            Execution {
                exit_code,
                plan: Some(plan),
                report: Some(report),
            }
        }
        Err(message) => Execution::exit(usage_error(err, &message)),
    }
}

/// Say why the command line cannot run; the exit code for it.
fn usage_error(err: &mut dyn Write, message: &str) -> i32 {
    let _ = emit(err, &format!("ERROR: {}\n", crate::inert::inert(message)));
    USAGE_ERROR
}

/// Write and flush; the error, if the text did not get out.
fn emit(stream: &mut dyn Write, text: &str) -> std::io::Result<()> {
    stream.write_all(text.as_bytes())?;
    stream.flush()
}

/// The exit code once the output was (or was not) written: a report nobody could read is not
/// a success. A closed pipe (`| head`) is the reader's choice and needs no message.
fn checked(code: i32, written: std::io::Result<()>, err: &mut dyn Write) -> i32 {
    match written {
        Ok(()) => code,
        Err(error) => {
            if error.kind() != std::io::ErrorKind::BrokenPipe {
                let _ = emit(err, &format!("ERROR: cannot write the output: {error}\n"));
            }
            if code == 0 {
                1
            } else {
                code
            }
        }
    }
}

/// A run that may start: nothing in it was refused.
struct Prepared {
    plan: ClusterPlan,
    phases: Vec<&'static dyn Phase>,
    mode: Mode,
    connector: Box<dyn Connector>,
    /// What to say first (a replay names its scenario), on stderr.
    banner: Option<String>,
    /// The live lines on stderr, when shown.
    progress: Option<Progress>,
    /// `--hostfile`, to write if the run proves the cables.
    hostfile: Option<hostfile_output::PendingHostfile>,
}

/// Everything that can be refused before any host is contacted.
fn prepare(
    args: &Args,
    all: &[&'static dyn Phase],
    terminals: Terminals,
    used: Option<&UsedFile>,
) -> Result<Prepared, String> {
    let mut mode = if args.dry_run {
        Mode::DryRun
    } else if args.check {
        Mode::Check
    } else {
        Mode::Apply
    };

    let (recorded, connector, banner) = match &args.replay {
        Some(dir) => {
            let replay = replay_source::open(dir, args)?;
            (
                Some(replay.recorded),
                Some(replay.connector),
                Some(replay.banner),
            )
        }
        None => (None, None, None),
    };
    let (only, skip) = match &recorded {
        Some(recorded) => replay_source::selection(args, recorded),
        None => (args.only.as_slice(), args.skip.as_slice()),
    };
    let phases = selection::select(all, only, skip).map_err(|e| e.to_string())?;
    // With no --node, a replay takes the cluster (and check mode) from its recording.
    let source = match &recorded {
        Some(recorded) if args.nodes.is_empty() => {
            if recorded.check {
                mode = Mode::Check;
            }
            recorded
        }
        _ => args,
    };
    let plan = plan(source).map_err(|error| match used {
        Some(used) => used.locate(&error),
        None => error,
    })?;

    let ssh_config = args
        .ssh_config
        .as_deref()
        .map(cli::checked_ssh_config)
        .transpose()?;
    let hostfile = hostfile_output::prepare(args, &plan, ssh_config.as_deref())?;
    // Live lines only where a person watches a run that takes time: over SSH, on a
    // terminal, without -q and without logs on the same stream.
    let progress = (terminals.stderr
        && args.format == Format::Text
        && connector.is_none()
        && mode != Mode::DryRun
        && !args.quiet
        && args.verbose == 0)
        .then(|| Progress::new(&plan));
    let connector = match connector {
        Some(replay) => replay,
        None if mode == Mode::DryRun => Box::new(ProxyView(DryRunConnector)),
        None => {
            let ssh = SshConnector::new(SshOptions {
                ssh_config,
                connect_timeout: Duration::from_secs(args.connect_timeout),
                command_timeout: Duration::from_secs(args.command_timeout),
                accept_new_host_keys: args.accept_new_host_keys,
            });
            match &progress {
                Some(progress) => Box::new(ssh.with_prompt(progress.prompt())),
                None => Box::new(ssh),
            }
        }
    };
    Ok(Prepared {
        plan,
        phases,
        mode,
        connector,
        banner,
        progress,
        hostfile,
    })
}

/// The cluster plan a command line describes, or the usage error to show.
pub fn plan(args: &Args) -> Result<ClusterPlan, String> {
    if args.nodes.is_empty() {
        return Err(
            "at least one --node is required, e.g. --node hwstudio1:en5:10.254.0.5 --node hwstudio2:en5:10.254.0.6 (or a cluster file: --cluster FILE, or ./rdma-cluster.toml; --save FILE writes one)"
                .to_owned(),
        );
    }
    let nodes = args
        .nodes
        .iter()
        .map(|spec| NodeSpec::parse(spec))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    let proxies = args
        .proxies
        .iter()
        .map(|spec| ProxySpec::parse(spec))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    let prefix = Prefix::parse(&args.netmask).map_err(|e| e.to_string())?;
    ClusterPlan::build(nodes, proxies, prefix).map_err(|e| e.to_string())
}

fn list_phases(phases: &[&'static dyn Phase]) -> String {
    use rdma_phase::Scope;
    phases
        .iter()
        .map(|phase| {
            let scope = match phase.scope() {
                Scope::Node => "per --node",
                Scope::Host => "per host",
                Scope::Cluster => "per cable, after all hosts",
            };
            format!("{:<12} {}  ({scope})\n", phase.name(), phase.description())
        })
        .collect()
}
