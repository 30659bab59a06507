//! What a test reads back from a simulated Mac: the addresses its kernel holds, its device
//! file and the macOS commands its shims ran.

use std::path::PathBuf;

use rdma_phase::IBV_DEVICES_PATH;

use super::instance::Lab;
use super::{sys, LabError};

impl Lab {
    /// IPv4 addresses of an interface, as `10.254.0.5/30`, read from the kernel.
    pub fn ipv4_addrs(&self, host: &str, iface: &str) -> Result<Vec<String>, LabError> {
        let ns = &self.state.host(host)?.ns;
        let json = sys::ip_in(ns, &["-j", "addr", "show", "dev", iface])?;
        let links: serde_json::Value =
            serde_json::from_str(&json).map_err(|err| LabError::State {
                path: PathBuf::from(format!("ip -n {ns} -j addr")),
                reason: err.to_string(),
            })?;
        let mut out = Vec::new();
        for link in links.as_array().into_iter().flatten() {
            for info in link["addr_info"].as_array().into_iter().flatten() {
                if info["family"] == "inet" {
                    if let (Some(local), Some(len)) =
                        (info["local"].as_str(), info["prefixlen"].as_u64())
                    {
                        out.push(format!("{local}/{len}"));
                    }
                }
            }
        }
        Ok(out)
    }

    /// The IPv4 addresses of an interface that someone set: [`Lab::ipv4_addrs`] without the
    /// self-assigned `169.254.x.y/16` a simulated Mac's port holds as a real one does.
    pub fn static_addrs(&self, host: &str, iface: &str) -> Result<Vec<String>, LabError> {
        let mut addrs = self.ipv4_addrs(host, iface)?;
        addrs.retain(|addr| !addr.starts_with("169.254."));
        Ok(addrs)
    }

    /// Where `tmp_path`, a path in the host's `/tmp`, lives, seen from outside.
    pub fn in_host_tmp(&self, host: &str, tmp_path: &str) -> PathBuf {
        self.host_tmp(host)
            .join(tmp_path.trim_start_matches("/tmp/"))
    }

    /// Where the host's device file (`/tmp/mlx_ibv_devices.json`) lives, seen from outside.
    pub fn device_file_path(&self, host: &str) -> PathBuf {
        self.in_host_tmp(host, IBV_DEVICES_PATH)
    }

    /// The host's device file, read from outside.
    pub fn device_file(&self, host: &str) -> std::io::Result<String> {
        std::fs::read_to_string(self.device_file_path(host))
    }

    /// Every macOS command the host's shims ran, in order (`sudo -S -p  ifconfig ...`,
    /// `[root] ifconfig en5 ...`).
    pub fn commands(&self, host: &str) -> Vec<String> {
        std::fs::read_to_string(self.paths().command_log(host))
            .map(|text| text.lines().map(str::to_owned).collect())
            .unwrap_or_default()
    }

    /// The `sudo ...` invocations among [`Lab::commands`].
    pub fn sudo_invocations(&self, host: &str) -> Vec<String> {
        self.commands(host)
            .into_iter()
            .filter(|line| line.starts_with("sudo"))
            .collect()
    }
}
