//! Every host's Thunderbolt facts from the shared reads, paired into cables.

use rdma_phase::discover::{discover_cabling, Cabling, CablingError, HostThunderbolt};
use rdma_phase::parse::{one_line, parse_hardware_ports, parse_system_profiler_thunderbolt};
use rdma_phase::{reads, ClusterPlan, CommandOutput, HostId, RemoteCommand};

/// What the run knows of the cables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gathered {
    /// Every host in rank order; a host without readable facts has no buses and no ports.
    pub hosts: Vec<HostThunderbolt>,
    /// Per host, why its facts are missing (`None`: they were read).
    pub unread: Vec<Option<String>>,
    pub cabling: Result<Cabling, CablingError>,
}

impl Gathered {
    /// Why `host`'s facts are missing, if they are.
    pub fn unread(&self, host: HostId) -> Option<&str> {
        self.unread.get(host.0).and_then(Option::as_deref)
    }

    /// Whether every host's facts were read.
    pub fn complete(&self) -> bool {
        self.unread.iter().all(Option::is_none)
    }

    pub fn host_name(&self, host: HostId) -> &str {
        self.hosts
            .get(host.0)
            .map_or("?", |facts| facts.host.as_str())
    }
}

/// Read every host's answers to the shared reads (`answer(host, read)`) and pair the ports.
pub fn gather<'a>(
    plan: &ClusterPlan,
    answer: impl Fn(HostId, &RemoteCommand) -> Option<&'a CommandOutput>,
) -> Gathered {
    let mut hosts = Vec::new();
    let mut missing = Vec::new();
    for id in plan.host_ids() {
        let name = plan.host(id).name.clone();
        let facts = read_host(&answer, id);
        let (buses, ports) = match facts {
            Ok(facts) => {
                missing.push(None);
                facts
            }
            Err(why) => {
                missing.push(Some(why));
                (Vec::new(), Vec::new())
            }
        };
        hosts.push(HostThunderbolt {
            host: name,
            buses,
            ports,
        });
    }
    let cabling = discover_cabling(&hosts);
    Gathered {
        hosts,
        unread: missing,
        cabling,
    }
}

type Facts = (
    Vec<rdma_phase::parse::ThunderboltBus>,
    Vec<rdma_phase::parse::HardwarePort>,
);

fn read_host<'a>(
    answer: &impl Fn(HostId, &RemoteCommand) -> Option<&'a CommandOutput>,
    host: HostId,
) -> Result<Facts, String> {
    let profile = usable(answer(host, &reads::thunderbolt_buses()), "system_profiler")?;
    let buses = parse_system_profiler_thunderbolt(&profile.stdout).ok_or_else(|| {
        "system_profiler printed no Thunderbolt data this tool can read".to_owned()
    })?;
    // Without its own UUIDs no bus can be paired, and every cable would look foreign: a
    // format this tool does not know must not fail (and stop) every port.
    if !buses.is_empty() && buses.iter().all(|bus| bus.domain_uuid.is_none()) {
        return Err(
            "system_profiler names no Thunderbolt domain UUIDs, so its cables cannot be paired"
                .to_owned(),
        );
    }
    let listing = usable(answer(host, &reads::hardware_ports()), "networksetup")?;
    Ok((buses, parse_hardware_ports(&listing.stdout)))
}

fn usable<'a>(
    output: Option<&'a CommandOutput>,
    program: &str,
) -> Result<&'a CommandOutput, String> {
    let output = output.ok_or_else(|| {
        format!("{program} gave no answer (it could not be run, or it timed out)")
    })?;
    if output.success() {
        return Ok(output);
    }
    let said = one_line(&output.combined_trimmed());
    Err(format!(
        "{program} failed (exit {}){}",
        output.exit_code,
        if said.is_empty() {
            String::new()
        } else {
            format!(": {said}")
        }
    ))
}
