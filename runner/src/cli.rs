//! The command line: flags, their validation, and the help text.

use std::path::PathBuf;

use clap::{ArgAction, Parser, Subcommand};

use crate::color::ColorChoice;

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
}

const EXAMPLES: &str = "\
Examples:
  Two Mac Studios on one Thunderbolt 5 cable, after a reboot:
    rdma-setup --node hwstudio1:en5:10.254.0.5 --node hwstudio2:en5:10.254.0.6

  Is the cluster ready? Read only, no sudo; exit 0 healthy, 1 broken, 3 needs a run:
    rdma-setup --check --node hwstudio1:en5:10.254.0.5 --node hwstudio2:en5:10.254.0.6

  Print every command without running anything:
    rdma-setup --dry-run --node hwstudio1:en5:10.254.0.5 --node hwstudio2:en5:10.254.0.6

  hwstudio2 only reachable through hwstudio1:
    rdma-setup --node hwstudio1:en5:10.254.0.5 --node hwstudio2:en5:10.254.0.6 \\
               --proxy hwstudio1:hwstudio2

  Only re-test the cables:
    rdma-setup --only ping --node hwstudio1:en5:10.254.0.5 --node hwstudio2:en5:10.254.0.6

  Save the cluster once; after every reboot, in that folder, a bare rdma-setup:
    rdma-setup --save rdma-cluster.toml --node hwstudio1:en5:10.254.0.5 --node hwstudio2:en5:10.254.0.6
    rdma-setup

  First time: find the cables, plan the addresses, write ./rdma-cluster.toml:
    rdma-setup discover hwstudio1 hwstudio2

  Replay a recorded scenario (bug reports, demos):
    rdma-setup --replay fixtures/two-node-reboot

Exit codes: 0 all good (warnings allowed), 1 a check failed or a host was unreachable,
2 bad command line, 3 (--check only) nothing failed but a real run would change something.";

/// `--version`: the release and the commit it was built from (runner/build.rs).
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("RDMA_SETUP_COMMIT"),
    ")"
);

/// Restore RDMA over Thunderbolt 5 on a cluster of Apple-silicon Macs, over SSH.
///
/// Checks that every cable joins the ports the plan pairs, takes the Thunderbolt ports out
/// of bridges, sets their static IPs, writes the JACCL device file
/// (/tmp/mlx_ibv_devices.json), checks that RDMA is enabled and the RDMA devices and ports
/// are up, and pings every cable.
#[derive(Debug, Parser)]
// The cluster file's flags come first and the user's after them: the user's win.
// A subcommand (`discover`) stands alone: no flag of the run before it, none after it but its
// own, so the flat run flags keep their meaning with or without it.
#[command(
    name = "rdma-setup",
    version = VERSION,
    after_help = EXAMPLES,
    args_override_self = true,
    args_conflicts_with_subcommands = true,
    disable_help_subcommand = true
)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// One end of a cable: SSH host, its Thunderbolt interface, the address to give it.
    /// Repeat for every end; two --node in the same subnet form one cable. Host order is
    /// the JACCL rank order.
    #[arg(long = "node", value_name = "SSH_HOST:IFACE:RDMA_IP")]
    pub nodes: Vec<String>,

    /// Take the cluster from this file when no --node is given (default: ./rdma-cluster.toml,
    /// else ~/.config/rdma-setup/cluster.toml, when it exists). See --save.
    #[arg(long, value_name = "FILE")]
    pub cluster: Option<PathBuf>,

    /// Write the cluster of this command line's --node/--proxy/--netmask to FILE, as a cluster
    /// file, and exit without contacting any host.
    #[arg(long, value_name = "FILE", requires = "nodes", conflicts_with_all = ["replay", "cluster"])]
    pub save: Option<PathBuf>,

    /// Reach TARGET_HOST by running `ssh TARGET_HOST '<command>'` on PROXY_HOST. Repeatable.
    #[arg(long = "proxy", value_name = "PROXY_HOST:TARGET_HOST")]
    pub proxies: Vec<String>,

    /// Prefix length of every cable's subnet.
    #[arg(long, value_name = "BITS", default_value = "30")]
    pub netmask: String,

    /// Print every command instead of running it (hosts are assumed clean).
    #[arg(long, conflicts_with_all = ["check", "replay"])]
    pub dry_run: bool,

    /// Read everything, change nothing (no sudo): report what is right and what a run
    /// would change.
    #[arg(long)]
    pub check: bool,

    /// Run only these phases (comma-separated or repeated).
    #[arg(long, value_name = "PHASES", value_delimiter = ',')]
    pub only: Vec<String>,

    /// Skip these phases (comma-separated or repeated).
    #[arg(long, value_name = "PHASES", value_delimiter = ',')]
    pub skip: Vec<String>,

    /// Run against a recorded scenario folder instead of SSH. Without --node, uses the
    /// command line recorded in the scenario.
    #[arg(long, value_name = "DIR")]
    pub replay: Option<PathBuf>,

    /// List the phases in run order and exit.
    #[arg(long)]
    pub list_phases: bool,

    /// Log what happens to stderr (-v), with every detail (-vv).
    #[arg(short, long, action = ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,

    /// Show only what failed or needs attention, and the summary.
    #[arg(short, long)]
    pub quiet: bool,

    /// The report's format: text for people, json for scripts (one JSON document on stdout,
    /// nothing else there; the schema is in the README).
    #[arg(long, value_name = "FORMAT", value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Colour the report: auto (a terminal, unless NO_COLOR is set or TERM=dumb), always,
    /// never.
    #[arg(long, value_name = "WHEN", value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// After a run that leaves every cable working, write the hostfile
    /// `mlx.launch --backend jaccl --hostfile FILE` reads (backend jaccl for a full mesh,
    /// jaccl-ring for a ring in rank order). Not written when anything failed.
    #[arg(long, value_name = "FILE", conflicts_with = "dry_run")]
    pub hostfile: Option<PathBuf>,

    /// The address the other ranks reach rank 0 at (the first --node's host), for the
    /// hostfile's `ips`. Default: rank 0's HostName from the ssh config.
    #[arg(long, value_name = "IPV4", requires = "hostfile")]
    pub rank0_ip: Option<std::net::Ipv4Addr>,

    /// Read host aliases from this ssh config instead of ~/.ssh/config.
    #[arg(long, value_name = "FILE")]
    pub ssh_config: Option<PathBuf>,

    /// Give up on a host that has not answered within this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = seconds)]
    pub connect_timeout: u64,

    /// Give up on a remote command that runs longer than this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30, value_parser = seconds)]
    pub command_timeout: u64,

    /// When another rdma-setup run is changing a host, wait this many seconds for it to
    /// finish before giving up on that host (0: do not wait).
    #[arg(long, value_name = "SECS", default_value_t = 30, value_parser = wait_seconds)]
    pub lock_wait: u64,

    /// Trust and record the key of a host not yet in known_hosts (a changed key is always
    /// refused).
    #[arg(long)]
    pub accept_new_host_keys: bool,
}

/// What `rdma-setup COMMAND` does instead of a run.
#[derive(Debug, Subcommand)]
pub enum Command {
    Discover(DiscoverArgs),
}

const DISCOVER_EXAMPLES: &str = "\
Examples:
  Three Macs, rank 0 first; writes ./rdma-cluster.toml, then configure them:
    rdma-setup discover machine-a machine-b machine-c
    rdma-setup

  Another file, another pool, replacing what the file held:
    rdma-setup discover --cluster lab.toml --pool 10.77.0.0/24 --force mac1 mac2

Exit codes: 0 the file was written (or already held this cluster), 1 a host could not be
read, no cable to plan, or a different file is in the way (see --force), 2 bad command line.";

/// Find the Thunderbolt cables between the Macs, plan one /30 per cable and write the
/// cluster file a bare `rdma-setup` runs from. Reads only: no change, no sudo.
///
/// Reads system_profiler, networksetup, ifconfig and netstat on every HOST (in parallel,
/// one SSH session each), prints the cables and their shape (full mesh, ring), plans the
/// addresses from --pool avoiding every subnet a host already uses or routes, and writes
/// the file. Addresses an existing file gives a cable that is still there are kept.
#[derive(Debug, clap::Args)]
#[command(after_help = DISCOVER_EXAMPLES)]
pub struct DiscoverArgs {
    /// The Macs, as you reach them with ssh, in JACCL rank order (rank 0 first). At least 2.
    #[arg(value_name = "HOST", required = true)]
    pub hosts: Vec<String>,

    /// Write the cluster file here.
    #[arg(
        short = 'o',
        long,
        value_name = "FILE",
        default_value = "rdma-cluster.toml"
    )]
    pub cluster: PathBuf,

    /// Replace a cluster file that holds something else (the changes are shown either way).
    #[arg(long)]
    pub force: bool,

    /// Plan each cable's /30 inside this network.
    #[arg(long, value_name = "CIDR", default_value = "10.254.0.0/16")]
    pub pool: String,

    /// Reach TARGET_HOST by running `ssh TARGET_HOST '<command>'` on PROXY_HOST. Repeatable;
    /// written to the cluster file.
    #[arg(long = "proxy", value_name = "PROXY_HOST:TARGET_HOST")]
    pub proxies: Vec<String>,

    /// Read host aliases from this ssh config instead of ~/.ssh/config (written to the
    /// cluster file).
    #[arg(long, value_name = "FILE")]
    pub ssh_config: Option<PathBuf>,

    /// Give up on a host that has not answered within this many seconds [default: 10].
    #[arg(long, value_name = "SECS", value_parser = seconds)]
    pub connect_timeout: Option<u64>,

    /// Give up on a remote command that runs longer than this many seconds [default: 30].
    #[arg(long, value_name = "SECS", value_parser = seconds)]
    pub command_timeout: Option<u64>,

    /// Trust and record the key of a host not yet in known_hosts (a changed key is always
    /// refused).
    #[arg(long)]
    pub accept_new_host_keys: bool,

    /// Log what happens to stderr (-v), with every detail (-vv).
    #[arg(short, long, action = ArgAction::Count)]
    pub verbose: u8,
}

/// `--ssh-config` (of a run or of `discover`), checked before any host is contacted: a typo
/// would otherwise fail every host with the same error.
pub(crate) fn checked_ssh_config(path: &std::path::Path) -> Result<PathBuf, String> {
    let fix = "give the path of an ssh config file, or leave the flag out to use ~/.ssh/config";
    match std::fs::File::open(path) {
        Ok(_) if path.is_file() => Ok(path.to_path_buf()),
        Ok(_) => Err(format!(
            "--ssh-config {}: not a file; {fix}",
            path.display()
        )),
        Err(error) => Err(format!("--ssh-config {}: {error}; {fix}", path.display())),
    }
}

/// The longest timeout we take: a day. Beyond it a typo, not a wish (and a deadline that far
/// would overflow the clock). The cluster file's `[ssh]` seconds share it.
pub(crate) const MAX_TIMEOUT_SECS: u64 = 24 * 60 * 60;

/// A timeout in whole seconds: at least 1 (0 would fail every host at once).
fn seconds(text: &str) -> Result<u64, String> {
    seconds_in(text, 1)
}

/// A wait in whole seconds, 0 included.
fn wait_seconds(text: &str) -> Result<u64, String> {
    seconds_in(text, 0)
}

fn seconds_in(text: &str, least: u64) -> Result<u64, String> {
    let value: u64 = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a number of seconds, e.g. 10"))?;
    if (least..=MAX_TIMEOUT_SECS).contains(&value) {
        Ok(value)
    } else {
        Err(format!(
            "{value} seconds is out of range: give {least} to {MAX_TIMEOUT_SECS}, e.g. 10"
        ))
    }
}
