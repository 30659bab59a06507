//! Before `--hostfile` is written: every host but rank 0 pings the address the file gives
//! rank 0 (`ips`, where `mlx.launch` points every rank's coordinator) once, on the session
//! the run used (`host_run`, with its cable pings; a host without an answer from the run is
//! asked over a new one), so a rank that cannot reach it shows up here and not as a hung
//! `mlx.launch` later.

use std::net::Ipv4Addr;
use std::path::PathBuf;

use rdma_phase::parse::parse_ping;
use rdma_phase::plan::Host;
use rdma_phase::{ClusterPlan, CommandOutput, Connector, RemoteCommand, TransportError};

use crate::inert::inert;
use crate::report::Report;

/// The most of what a host said that a message quotes.
const QUOTE_CHARS: usize = 160;

/// Where rank 0's address came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rank0Source {
    /// `--rank0-ip`.
    Flag,
    /// Its `HostName` in the ssh config, resolved; the file when `--ssh-config` named one.
    SshConfig(Option<PathBuf>),
}

/// Rank 0 as the hostfile gives it: which host, at which address, and why that address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rank0 {
    pub host: String,
    pub address: Ipv4Addr,
    pub source: Rank0Source,
    /// When the address is one the plan gives a Thunderbolt port: whose, on which port.
    pub thunderbolt: Option<(String, String)>,
}

impl Rank0 {
    /// Rank 0 of `plan` at `address`, from `source`.
    pub fn new(plan: &ClusterPlan, address: Ipv4Addr, source: Rank0Source) -> Option<Self> {
        let host = plan.hosts.first()?.name.to_string();
        let thunderbolt = plan
            .nodes
            .iter()
            .find(|node| node.ip == address)
            .map(|node| (node.host.to_string(), node.iface.to_string()));
        Some(Self {
            host,
            address,
            source,
            thunderbolt,
        })
    }

    /// `rank 0 (hwstudio1) at 192.0.2.11, its HostName in the ssh config`.
    pub fn describe(&self) -> String {
        let why = match &self.source {
            Rank0Source::Flag => "from --rank0-ip".to_owned(),
            Rank0Source::SshConfig(None) => "its HostName in the ssh config".to_owned(),
            Rank0Source::SshConfig(Some(path)) => {
                format!("its HostName in {}", inert(&path.display().to_string()))
            }
        };
        format!("rank 0 ({}) at {}, {why}", self.host, self.address)
    }
}

/// What one host's ping of rank 0's address came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// An echo reply came back.
    Replied,
    /// Ping ran and nothing came back; what it said, made inert.
    NoReply(String),
    /// No session to the host for the check, or the ping could not be run on it.
    NotAsked(String),
}

/// One host's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostAnswer {
    pub host: String,
    pub answer: Answer,
}

/// `ping -c 1 -t 2 ADDRESS`: one echo over whatever route the host has to it.
pub fn ping(address: Ipv4Addr) -> RemoteCommand {
    rdma_phase::reads::ping_once(None, address)
}

/// Every host after rank 0 pings `address`: the answer it gave on its session in the run
/// (`report`), else, all at once, over a session `connector` opens for it. The answers in
/// rank order.
pub fn ask_all(
    connector: &dyn Connector,
    hosts: &[Host],
    address: Ipv4Addr,
    report: &Report,
) -> Vec<HostAnswer> {
    let command = ping(address);
    std::thread::scope(|scope| {
        let asked: Vec<_> = hosts
            .iter()
            .enumerate()
            .skip(1)
            .map(|(rank, host)| {
                let command = &command;
                let in_the_run = report
                    .hosts
                    .get(rank)
                    .and_then(|run| run.rank0_ping.clone());
                let thread = scope.spawn(move || match in_the_run {
                    Some(result) => answer(result),
                    None => ask(connector, host, command),
                });
                (host.name.to_string(), thread)
            })
            .collect();
        asked
            .into_iter()
            .map(|(host, thread)| HostAnswer {
                host,
                answer: thread.join().unwrap_or_else(|_| {
                    Answer::NotAsked("the check crashed (a bug: please report it)".to_owned())
                }),
            })
            .collect()
    })
}

fn ask(connector: &dyn Connector, host: &Host, command: &RemoteCommand) -> Answer {
    match connector.connect(host) {
        Ok(mut transport) => answer(transport.run(command)),
        Err(error) => Answer::NotAsked(quote(&error.detail())),
    }
}

/// What a ping's result says about the address.
pub fn answer(result: Result<CommandOutput, TransportError>) -> Answer {
    let output = match result {
        Ok(output) => output,
        Err(error) => return Answer::NotAsked(quote(&error.detail())),
    };
    if parse_ping(&output.stdout).is_some_and(|stats| stats.replied()) {
        return Answer::Replied;
    }
    // What ping said: its error, else its statistics line, else whatever it printed.
    let first = |text: &str, wanted: &dyn Fn(&str) -> bool| {
        text.lines()
            .map(str::trim)
            .find(|line| !line.is_empty() && wanted(line))
            .map(str::to_owned)
    };
    let said = first(&output.stderr, &|_| true)
        .or_else(|| first(&output.stdout, &|line| line.contains("transmitted")))
        .or_else(|| first(&output.stdout, &|_| true))
        .unwrap_or_else(|| format!("exit code {}", output.exit_code));
    Answer::NoReply(quote(&said))
}

/// Remote text for a one-line message: at most [`QUOTE_CHARS`] characters, inert.
fn quote(text: &str) -> String {
    let text = text.trim();
    let cut: String = text.chars().take(QUOTE_CHARS).collect();
    let cut = if cut.len() < text.len() {
        format!("{cut}...")
    } else {
        cut
    };
    inert(&cut).into_owned()
}

/// What the check found, for stderr: `Ok` (every other host reached rank 0, or there is
/// none) or `Err` (which hosts could not, and the way out).
pub fn verdict(rank0: &Rank0, answers: &[HostAnswer]) -> Result<String, String> {
    let described = rank0.describe();
    if answers.is_empty() {
        return Ok(format!("{described}; no other host to check it from"));
    }
    let pinged = ping(rank0.address).shell_line();
    let (mut rows, mut unreached, mut unasked) = (String::new(), Vec::new(), Vec::new());
    for host in answers {
        let line = match &host.answer {
            Answer::Replied => continue,
            Answer::NoReply(said) => {
                unreached.push(host.host.as_str());
                format!("no reply to `{pinged}` ({said})")
            }
            Answer::NotAsked(why) => {
                unasked.push(host.host.as_str());
                format!("could not be asked: {why}")
            }
        };
        rows.push_str(&format!("\n  {}: {line}", host.host));
    }
    if rows.is_empty() {
        return Ok(format!(
            "{described}; every other host reached it (ping -c 1)"
        ));
    }
    let mut text = format!("{described}, is not reachable from every host:{rows}");
    if !unreached.is_empty() {
        text.push_str(&format!("\n  fix: {}", address_fix(rank0, &unreached)));
    }
    if !unasked.is_empty() {
        text.push_str(&format!(
            "\n  fix: check that {} can be reached over SSH, then run again",
            and_list(&unasked)
        ));
    }
    Err(text)
}

/// The way out when hosts pinged and got nothing back: another address for rank 0.
fn address_fix(rank0: &Rank0, unreached: &[&str]) -> String {
    let host = &rank0.host;
    let which = match &rank0.thunderbolt {
        Some((owner, port)) if owner == host => format!(
            "{} is {host}'s Thunderbolt address on {port}, which only the far end of that cable reaches; ",
            rank0.address
        ),
        Some((owner, port)) => format!(
            "{} is {owner}'s Thunderbolt address on {port}, not an address of {host}; ",
            rank0.address
        ),
        None => String::new(),
    };
    format!(
        "{which}give --rank0-ip ADDRESS with an address of {host} that {} can reach (its LAN or management interface, e.g. `ipconfig getifaddr en0` on {host}), not a Thunderbolt address",
        and_list(unreached)
    )
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [most @ .., last] => format!("{} and {last}", most.join(", ")),
    }
}

#[cfg(test)]
#[path = "hostfile_reach_tests.rs"]
mod tests;
