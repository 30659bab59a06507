//! The reads `discover` makes: on every host at once (one thread and one session each), the
//! four macOS commands it needs, sent together so a host costs about one round trip, and
//! parsed into what the cabling and the address plan are built from.

use std::sync::Arc;
use std::time::Duration;

use rdma_phase::discover::{HostNetwork, HostThunderbolt};
use rdma_phase::parse::{
    parse_hardware_ports, parse_ifconfig, parse_netstat_routes, parse_system_profiler_thunderbolt,
};
use rdma_phase::plan::Host;
use rdma_phase::{reads, CommandOutput, Connector, RemoteCommand, TransportError};

use crate::inert::inert;

/// What one host said about its Thunderbolt ports, addresses and routes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostFacts {
    pub thunderbolt: HostThunderbolt,
    pub network: HostNetwork,
}

/// Why a host's facts could not be read. Every variant names the host and has a hint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// No session, or the session broke.
    #[error("{0}")]
    Transport(#[from] TransportError),
    /// A read ran and failed.
    #[error("{host}: `{command}` failed (exit {code}): {output}")]
    Failed {
        host: String,
        command: String,
        code: i32,
        output: String,
    },
    /// `system_profiler` answered with something that is not its Thunderbolt report.
    #[error("{host}: `{command}` printed no Thunderbolt report")]
    NoThunderbolt { host: String, command: String },
    /// The host's thread ended without an answer (a bug).
    #[error("{host}: reading the host stopped unexpectedly")]
    Crashed { host: String },
}

impl ReadError {
    /// What the user can do about it.
    pub fn hint(&self) -> String {
        match self {
            Self::Transport(error) => error.hint().to_owned(),
            Self::Failed { host, command, .. } => format!(
                "run `ssh {host} {command}` by hand; discover needs a Mac with macOS 26.2 or later"
            ),
            Self::NoThunderbolt { host, command } => format!(
                "run `ssh {host} {command}` by hand: it should print JSON with an SPThunderboltDataType list (a Mac with Thunderbolt ports)"
            ),
            Self::Crashed { .. } => "run discover again; if it repeats, report a bug".to_owned(),
        }
    }
}

/// The four reads, in the order [`facts`] takes their answers.
pub fn commands() -> [RemoteCommand; 4] {
    [
        reads::thunderbolt_buses(),
        reads::hardware_ports(),
        reads::ifconfig_all(),
        reads::netstat_routes(),
    ]
}

/// Ctrl-C came while the hosts were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted;

/// How often the waiting thread looks at the hosts' threads and at Ctrl-C.
const TICK: Duration = Duration::from_millis(20);

/// Read every host in parallel, one thread each; results in the order of `hosts` (rank
/// order). `interrupted` is asked between ticks: when it says yes, the reads are abandoned
/// (their threads end with the process).
pub fn collect<C: Connector + Send + 'static>(
    connector: Arc<C>,
    hosts: &[Host],
    interrupted: &dyn Fn() -> bool,
) -> Result<Vec<Result<HostFacts, ReadError>>, Interrupted> {
    let threads: Vec<_> = hosts
        .iter()
        .map(|host| {
            let (connector, host) = (Arc::clone(&connector), host.clone());
            std::thread::spawn(move || read_host(connector.as_ref(), &host))
        })
        .collect();
    while !threads.iter().all(std::thread::JoinHandle::is_finished) {
        if interrupted() {
            return Err(Interrupted);
        }
        std::thread::sleep(TICK);
    }
    Ok(threads
        .into_iter()
        .zip(hosts)
        .map(|(thread, host)| {
            thread.join().unwrap_or_else(|_| {
                Err(ReadError::Crashed {
                    host: host.name.to_string(),
                })
            })
        })
        .collect())
}

fn read_host(connector: &dyn Connector, host: &Host) -> Result<HostFacts, ReadError> {
    let mut session = connector.connect(host)?;
    let commands = commands();
    let answers = session.run_many(&commands);
    let mut outputs = Vec::with_capacity(commands.len());
    for (command, answer) in commands.iter().zip(answers) {
        let output = answer?;
        if !output.success() {
            return Err(ReadError::Failed {
                host: host.name.to_string(),
                command: command.shell_line(),
                code: output.exit_code,
                output: inert(&output.combined_trimmed()).into_owned(),
            });
        }
        outputs.push(output);
    }
    facts(host, &outputs)
}

/// The parsed facts from the four answers, in the order of [`commands`].
pub fn facts(host: &Host, outputs: &[CommandOutput]) -> Result<HostFacts, ReadError> {
    let text = |index: usize| outputs.get(index).map_or("", |out| out.stdout.as_str());
    let buses =
        parse_system_profiler_thunderbolt(text(0)).ok_or_else(|| ReadError::NoThunderbolt {
            host: host.name.to_string(),
            command: reads::thunderbolt_buses().shell_line(),
        })?;
    Ok(HostFacts {
        thunderbolt: HostThunderbolt {
            host: host.name.clone(),
            buses,
            ports: parse_hardware_ports(text(1)),
        },
        network: HostNetwork {
            host: host.name.clone(),
            interfaces: parse_ifconfig(text(2)),
            routes: parse_netstat_routes(text(3)),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdma_phase::HostName;

    fn host(name: &str) -> Host {
        Host {
            name: HostName::parse(name).expect("valid"),
            via: None,
            nodes: Vec::new(),
        }
    }

    /// Opens a session per host (`down` cannot be reached), each answering the reads only
    /// as one batch (`old` has no system_profiler).
    struct Fake {
        connected: std::sync::Mutex<Vec<String>>,
    }

    struct FakeSession(String);

    impl rdma_phase::Transport for FakeSession {
        fn host(&self) -> &str {
            &self.0
        }
        fn run(&mut self, _: &RemoteCommand) -> Result<CommandOutput, TransportError> {
            panic!("discover sends its reads together");
        }
        fn run_many(
            &mut self,
            commands: &[RemoteCommand],
        ) -> Vec<Result<CommandOutput, TransportError>> {
            commands
                .iter()
                .map(|command| {
                    let line = command.shell_line();
                    if self.0 == "old" && line.starts_with("system_profiler") {
                        return Ok(CommandOutput::new("", "command not found", 127));
                    }
                    let text = if line.starts_with("system_profiler") {
                        r#"{"SPThunderboltDataType" : []}"#
                    } else {
                        ""
                    };
                    Ok(CommandOutput::new(text, "", 0))
                })
                .collect()
        }
    }

    impl Connector for Fake {
        fn connect(&self, host: &Host) -> Result<Box<dyn rdma_phase::Transport>, TransportError> {
            let name = host.name.to_string();
            if name == "down" {
                return Err(TransportError::Connect {
                    host: name,
                    reason: "connection refused".into(),
                    hint: "check that Remote Login is on".into(),
                });
            }
            self.connected.lock().expect("lock").push(name.clone());
            Ok(Box::new(FakeSession(name)))
        }
    }

    #[test]
    fn every_host_is_read_and_each_failure_names_its_host_in_rank_order() {
        let fake = Arc::new(Fake {
            connected: std::sync::Mutex::new(Vec::new()),
        });
        let hosts = [host("mac1"), host("down"), host("old"), host("mac4")];
        let results = collect(Arc::clone(&fake), &hosts, &|| false).expect("not interrupted");
        assert_eq!(results.len(), 4);
        assert!(results[0].is_ok() && results[3].is_ok());
        let facts = results[3].as_ref().expect("read");
        assert_eq!(facts.thunderbolt.host.as_str(), "mac4");
        let down = results[1].as_ref().expect_err("unreachable");
        assert_eq!(down.to_string(), "down: cannot connect: connection refused");
        assert_eq!(down.hint(), "check that Remote Login is on");
        let old = results[2].as_ref().expect_err("no system_profiler");
        assert_eq!(
            old.to_string(),
            "old: `system_profiler SPThunderboltDataType -json` failed (exit 127): command not found"
        );
        assert_eq!(fake.connected.lock().expect("lock").len(), 3);
    }

    #[test]
    fn a_report_that_is_not_json_names_the_host_and_the_command() {
        let outputs = vec![CommandOutput::new("oops", "", 0); 4];
        let error = facts(&host("mac1"), &outputs).expect_err("no report");
        assert_eq!(
            error.to_string(),
            "mac1: `system_profiler SPThunderboltDataType -json` printed no Thunderbolt report"
        );
        assert!(error.hint().contains("ssh mac1 system_profiler"));
    }

    #[test]
    fn an_empty_bus_list_is_a_mac_without_cables_not_an_error() {
        let mut outputs = vec![CommandOutput::new("", "", 0); 4];
        outputs[0] = CommandOutput::new(r#"{"SPThunderboltDataType" : []}"#, "", 0);
        let facts = facts(&host("mac1"), &outputs).expect("parsed");
        assert!(facts.thunderbolt.buses.is_empty());
        assert!(facts.network.interfaces.is_empty());
    }
}
