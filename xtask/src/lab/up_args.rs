//! `lab up`'s flags, and the lab they ask for.

use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;
use rdma_harness::lab::{scenario, Fault, HostKeyFault, LabSpec, OldDeviceFile, Quirk, QuirkySpec};

#[derive(Args)]
pub(super) struct UpArgs {
    /// two-node, three-node, four-node or eight-node-ring.
    #[arg(long, default_value = "two-node")]
    scenario: String,
    /// HOST:PORT[:BRIDGE] starts as a member of BRIDGE (default bridge0).
    #[arg(long, value_name = "HOST:PORT[:BRIDGE]")]
    bridged: Vec<String>,
    /// HOST has RDMA disabled.
    #[arg(long, value_name = "HOST")]
    rdma_disabled: Vec<String>,
    /// HOST:PASSWORD: sudo on HOST asks for PASSWORD.
    #[arg(long, value_name = "HOST:PASSWORD")]
    sudo_password: Vec<String>,
    /// HOST:PORT has its cable unplugged.
    #[arg(long, value_name = "HOST:PORT")]
    unplugged: Vec<String>,
    /// HOST:JUMP: HOST's sshd is reachable only from JUMP.
    #[arg(long, value_name = "HOST:JUMP")]
    behind: Vec<String>,
    /// HOST:MS: every SSH packet to and from HOST waits MS milliseconds.
    #[arg(long, value_name = "HOST:MS")]
    delay: Vec<String>,
    /// HOST runs no sshd.
    #[arg(long, value_name = "HOST")]
    sshd_down: Vec<String>,
    /// HOST is powered off: nothing answers on its management address.
    #[arg(long, value_name = "HOST")]
    host_down: Vec<String>,
    /// HOST is missing from the controller's known_hosts.
    #[arg(long, value_name = "HOST")]
    unknown_host_key: Vec<String>,
    /// HOST has a wrong key in the controller's known_hosts.
    #[arg(long, value_name = "HOST")]
    changed_host_key: Vec<String>,
    /// HOST's `rdma_ctl status` prints without end.
    #[arg(long, value_name = "HOST")]
    flood: Vec<String>,
    /// HOST's `rdma_ctl status` never answers (sleeps 10 minutes).
    #[arg(long, value_name = "HOST")]
    hang: Vec<String>,
    /// HOST is a Mac in daily use: a loopback alias, VPN tunnels (one on 10.254.0.0/16), VM
    /// bridges bridge100/bridge101 with vmenet members, Apple's other interfaces.
    #[arg(long, value_name = "HOST")]
    busy: Vec<String>,
    /// HOST is a Thunderbolt 4 Mac: RDMA enabled, no RDMA device, 40 Gb/s links.
    #[arg(long, value_name = "HOST")]
    tb4: Vec<String>,
    /// HOST:predecessor (the Python tool's file for the planned cluster) or HOST:invalid
    /// (`{"devices": [...]}`) in HOST's /tmp/mlx_ibv_devices.json.
    #[arg(long, value_name = "HOST:predecessor|invalid")]
    old_device_file: Vec<String>,
}

impl UpArgs {
    /// The named scenario with the faults and quirks the flags ask for.
    pub(super) fn spec(&self) -> Result<QuirkySpec> {
        let mut spec = scenario::scenario(&self.scenario)?;
        add_faults(&mut spec, self)?;
        let mut quirky = QuirkySpec::from(spec);
        for host in &self.busy {
            quirky = quirky.quirk(Quirk::Busy { host: host.clone() });
        }
        for host in &self.tb4 {
            quirky = quirky.quirk(Quirk::Thunderbolt4 { host: host.clone() });
        }
        for item in &self.old_device_file {
            let (host, word) = pair(item, "HOST:predecessor|invalid")?;
            let file = OldDeviceFile::from_word(&word)
                .with_context(|| format!("'{word}' is not predecessor or invalid"))?;
            quirky = quirky.quirk(Quirk::OldDeviceFile { host, file });
        }
        Ok(quirky)
    }
}

fn pair(text: &str, what: &str) -> Result<(String, String)> {
    text.split_once(':')
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .with_context(|| format!("'{text}' is not {what}"))
}

fn add_faults(spec: &mut LabSpec, args: &UpArgs) -> Result<()> {
    for item in &args.bridged {
        let (host, rest) = pair(item, "HOST:PORT[:BRIDGE]")?;
        let (port, bridge) = rest
            .split_once(':')
            .map_or((rest.clone(), "bridge0".to_owned()), |(p, b)| {
                (p.to_owned(), b.to_owned())
            });
        spec.faults.push(Fault::Bridged { host, port, bridge });
    }
    for host in &args.rdma_disabled {
        spec.faults.push(Fault::RdmaDisabled { host: host.clone() });
    }
    for item in &args.sudo_password {
        let (host, password) = pair(item, "HOST:PASSWORD")?;
        spec.faults.push(Fault::SudoPassword { host, password });
    }
    for item in &args.unplugged {
        let (host, port) = pair(item, "HOST:PORT")?;
        spec.faults.push(Fault::Unplugged { host, port });
    }
    for item in &args.behind {
        let (host, jump) = pair(item, "HOST:JUMP")?;
        spec.faults.push(Fault::BehindJump { host, jump });
    }
    for item in &args.delay {
        let (host, ms) = pair(item, "HOST:MS")?;
        let ms: u64 = ms
            .parse()
            .with_context(|| format!("'{ms}' is not milliseconds"))?;
        spec.faults.push(Fault::Delay {
            host,
            delay: Duration::from_millis(ms),
        });
    }
    for host in &args.sshd_down {
        spec.faults.push(Fault::SshdDown { host: host.clone() });
    }
    for host in &args.host_down {
        spec.faults.push(Fault::HostDown { host: host.clone() });
    }
    for host in &args.unknown_host_key {
        spec.faults.push(Fault::HostKey {
            host: host.clone(),
            kind: HostKeyFault::Unknown,
        });
    }
    for host in &args.changed_host_key {
        spec.faults.push(Fault::HostKey {
            host: host.clone(),
            kind: HostKeyFault::Changed,
        });
    }
    for host in &args.flood {
        spec.faults.push(Fault::Flood { host: host.clone() });
    }
    for host in &args.hang {
        spec.faults.push(Fault::Hang { host: host.clone() });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Up {
        #[command(flatten)]
        args: UpArgs,
    }

    fn spec(argv: &[&str]) -> Result<QuirkySpec> {
        Up::try_parse_from(std::iter::once("up").chain(argv.iter().copied()))?
            .args
            .spec()
    }

    #[test]
    fn quirk_flags_become_quirks() {
        let quirky = spec(&[
            "--busy",
            "hwstudio1",
            "--tb4",
            "hwstudio2",
            "--old-device-file",
            "hwstudio1:predecessor",
            "--old-device-file",
            "hwstudio2:invalid",
        ])
        .expect("valid flags");
        assert_eq!(
            quirky.describe(),
            "two-node --busy hwstudio1 --tb4 hwstudio2 \
             --old-device-file hwstudio1:predecessor --old-device-file hwstudio2:invalid"
        );
        assert!(spec(&["--old-device-file", "hwstudio1:json"]).is_err());
        assert!(spec(&["--old-device-file", "hwstudio1"]).is_err());
    }
}
