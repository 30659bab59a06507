//! `cargo xtask record`: turn a live cluster's state into a replay scenario, without
//! changing anything on it.
//!
//! The same libssh2 transport as the tool connects to every host; the tool's phases run in
//! check mode through a read-only recording transport (see [`capture`]); a few more reads
//! capture what a bug report needs ([`system_facts`]). The folder written is a scenario that
//! `rdma-setup --replay` runs, plus `check-report.txt`, the report the run printed.

mod capture;
mod output;
mod system_facts;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, Result};
use clap::Parser as _;
use rdma_replay::{Redactor, Scenario};
use rdma_setup::cli::Args as ToolArgs;
use rdma_setup::render::{render, Style};
use rdma_setup::ssh::{SshConnector, SshOptions};

pub use capture::capture;

/// Arguments of `cargo xtask record`.
#[derive(clap::Args)]
pub struct RecordArgs {
    /// As for rdma-setup: SSH_HOST:IFACE:RDMA_IP, repeated for every end of every cable.
    #[arg(long = "node", value_name = "SSH_HOST:IFACE:RDMA_IP", required = true)]
    nodes: Vec<String>,
    /// As for rdma-setup: reach TARGET_HOST through PROXY_HOST.
    #[arg(long = "proxy", value_name = "PROXY_HOST:TARGET_HOST")]
    proxies: Vec<String>,
    /// Prefix length of every cable's subnet, as for rdma-setup.
    #[arg(long, value_name = "BITS", default_value = "30")]
    netmask: String,
    /// The scenario folder to write, e.g. fixtures/my-cluster.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Replace host names, MAC addresses, GUIDs, serial numbers, UUIDs and IPv6 link-local
    /// addresses with stable placeholders (IPv4 addresses stay), for a public bug report.
    #[arg(long)]
    redact: bool,
    /// Overwrite the scenario files in a folder that already holds some.
    #[arg(long)]
    force: bool,
    /// What the scenario shows, written at the top of its `command` file.
    #[arg(long, value_name = "TEXT")]
    description: Option<String>,
    /// Read host aliases from this ssh config instead of ~/.ssh/config.
    #[arg(long, value_name = "FILE")]
    ssh_config: Option<PathBuf>,
    /// Record a host as unreachable when it has not answered within this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    connect_timeout: u64,
    /// Give up on a remote command (and record that) after this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    command_timeout: u64,
    /// Trust and record the key of a host not yet in known_hosts (a changed key is always
    /// refused).
    #[arg(long)]
    accept_new_host_keys: bool,
}

impl RecordArgs {
    /// The rdma-setup command line the scenario replays with.
    fn tool_args(&self) -> Vec<String> {
        let mut args = vec!["--check".to_owned()];
        for node in &self.nodes {
            args.extend(["--node".to_owned(), node.clone()]);
        }
        for proxy in &self.proxies {
            args.extend(["--proxy".to_owned(), proxy.clone()]);
        }
        args.extend(["--netmask".to_owned(), self.netmask.clone()]);
        args
    }
}

/// Exit code for a command line that cannot be run, as for rdma-setup.
const USAGE_ERROR: u8 = 2;

pub fn run(args: &RecordArgs) -> Result<ExitCode> {
    let tool_args = args.tool_args();
    let argv = std::iter::once("rdma-setup".to_owned()).chain(tool_args.iter().cloned());
    let plan = match ToolArgs::try_parse_from(argv)
        .map_err(|error| error.to_string())
        .and_then(|parsed| rdma_setup::app::plan(&parsed))
    {
        Ok(plan) => plan,
        Err(message) => {
            eprintln!("xtask record: {}", message.trim_end());
            return Ok(ExitCode::from(USAGE_ERROR));
        }
    };
    // Refuse a folder with someone else's files before contacting any host.
    output::prepare(&args.out, args.force)?;

    let connector = SshConnector::new(SshOptions {
        ssh_config: args.ssh_config.clone(),
        connect_timeout: Duration::from_secs(args.connect_timeout),
        command_timeout: Duration::from_secs(args.command_timeout),
        accept_new_host_keys: args.accept_new_host_keys,
    });
    let captured = capture(&plan, connector);
    let report = render(&plan, &captured.report, &Style::default());
    let exit_code = captured.report.exit_code();

    let description = args.description.clone().unwrap_or_else(|| {
        format!(
            "Recorded from a live cluster with `cargo xtask record`; `rdma-setup --check` exited {exit_code}."
        )
    });
    let mut scenario = Scenario {
        description,
        args: tool_args,
        transcripts: captured.transcripts,
    };
    // What the report should say once replayed: the same, with placeholders for names.
    let mut expected = report.clone();
    if args.redact {
        let mut redactor = Redactor::for_scenario(&scenario);
        scenario = redactor.scenario(&scenario);
        expected = redactor.text(&report);
    }
    print!("{report}");
    scenario
        .save(&args.out)
        .with_context(|| format!("writing the scenario to {}", args.out.display()))?;
    eprint!("{}", output::summary(&args.out, &scenario, args.redact));

    // Replay what was written, in this process, and keep that report: it is what a
    // maintainer will see, and a recording that does not replay to what the user saw is
    // worth a loud warning rather than a silent bug report.
    let replayed = match output::replay(&args.out) {
        Ok(replayed) => Some(replayed),
        Err(error) => {
            eprintln!("WARNING: {error:#}; please mention it in your bug report.");
            None
        }
    };
    output::write_report(&args.out, replayed.as_deref().unwrap_or(&expected))?;
    let Some(replayed) = replayed else {
        return Ok(ExitCode::SUCCESS);
    };
    let replays_alike = if args.redact {
        output::same_words(&replayed, &expected)
    } else {
        replayed == expected
    };
    if replays_alike {
        eprintln!("Checked: replaying the folder prints the same report.");
    } else {
        eprintln!(
            "WARNING: replaying {} does not print the report above (see {}); please mention it in your bug report.",
            args.out.display(),
            output::REPORT_FILE
        );
    }
    Ok(ExitCode::SUCCESS)
}
