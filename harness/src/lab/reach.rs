//! How the controller reaches a simulated Mac, and the switches that take that away: the
//! host's sshd (with the delaying relay in front of it) and its management link ("power").

use super::instance::Lab;
use super::spec::MGMT_IFACE;
use super::{files, locate, process, ssh, sys, LabError};

impl Lab {
    /// Start the host's sshd (and its delay relay), waiting until it listens.
    pub fn start_sshd(&mut self, host: &str) -> Result<(), LabError> {
        let paths = self.paths();
        let state = self.state.host(host)?.clone();
        let keeper = state
            .keeper_pid
            .ok_or_else(|| LabError::UnknownHost(host.to_owned()))?;
        let listen = if state.delay_ms.is_some() {
            std::net::Ipv4Addr::LOCALHOST
        } else {
            state.ssh_ip
        };
        files::write(
            &paths.sshd_config(host),
            &ssh::sshd_config(&paths, host, listen),
            0o644,
        )?;
        let sshd = process::start_sshd(keeper, &paths.sshd_config(host), &paths.sshd_log(host))?;
        let sshd_pid = sshd.id();
        self.children.push(sshd);
        let mut relay_pid = None;
        if let Some(delay) = state.delay_ms {
            let relay = process::start_relay(
                keeper,
                &paths.bin().join(locate::SHIM_NAME),
                &format!("{}:22", state.ssh_ip),
                "127.0.0.1:22",
                delay,
                &paths.host(host).join("relay.log"),
            )?;
            relay_pid = Some(relay.id());
            self.children.push(relay);
        }
        let record = self.state.host_mut(host)?;
        record.sshd_pid = Some(sshd_pid);
        record.relay_pid = relay_pid;
        self.state.save()
    }

    /// Stop the host's sshd listener: new connections are refused (open sessions live on).
    pub fn stop_sshd(&mut self, host: &str) -> Result<(), LabError> {
        let record = self.state.host_mut(host)?;
        let pids: Vec<u32> = [record.sshd_pid.take(), record.relay_pid.take()]
            .into_iter()
            .flatten()
            .collect();
        process::stop(&pids);
        self.reap_children();
        self.state.save()
    }

    /// Take the host off the management network (its `en0` goes down): connections to
    /// it get no answer at all, as when the Mac is powered off.
    pub fn power_off(&self, host: &str) -> Result<(), LabError> {
        let ns = &self.state.host(host)?.ns;
        sys::ip_in(ns, &["link", "set", MGMT_IFACE, "down"])?;
        Ok(())
    }

    /// Undo [`Lab::power_off`].
    pub fn power_on(&self, host: &str) -> Result<(), LabError> {
        let ns = &self.state.host(host)?.ns;
        sys::ip_in(ns, &["link", "set", MGMT_IFACE, "up"])?;
        Ok(())
    }
}
