//! The reads `discover` makes: on every host at once (one thread and one session each), the
//! four macOS commands it needs, sent together so a host costs about one round trip, and
//! parsed into what the cabling and the address plan are built from.

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

/// Read every host in parallel; results in the order of `hosts` (rank order).
pub fn collect(connector: &dyn Connector, hosts: &[Host]) -> Vec<Result<HostFacts, ReadError>> {
    std::thread::scope(|scope| {
        let threads: Vec<_> = hosts
            .iter()
            .map(|host| scope.spawn(move || read_host(connector, host)))
            .collect();
        threads
            .into_iter()
            .zip(hosts)
            .map(|(thread, host)| {
                thread.join().unwrap_or_else(|_| {
                    Err(ReadError::Crashed {
                        host: host.name.to_string(),
                    })
                })
            })
            .collect()
    })
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
