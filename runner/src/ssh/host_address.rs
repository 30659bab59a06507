//! The IPv4 address a host alias stands for, as the user's own `ssh` would reach it: the
//! hostfile's rank 0 `ips` when the user gives none.

use std::net::{IpAddr, Ipv4Addr, ToSocketAddrs};
use std::path::Path;

use super::config::{resolve, Destination};

/// Why no address could be found; the message names `--rank0-ip` as the way out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct HostAddressError(String);

/// `alias`'s IPv4 address: its `HostName` from the ssh config, resolved. Loopback and hosts
/// behind a jump are refused, because the other ranks could not reach rank 0 there.
pub fn host_address(alias: &str, config: Option<&Path>) -> Result<Ipv4Addr, HostAddressError> {
    let fix = "give the address the other Macs reach it at with --rank0-ip";
    let host = resolve(&Destination::new(alias), config)
        .map_err(|error| HostAddressError(format!("{}; {fix}", error.reason)))?;
    if !host.proxy_jump.is_empty() || host.proxy_command.is_some() {
        return Err(HostAddressError(format!(
            "{alias} is reached through a proxy, so its own address is unknown here; {fix}"
        )));
    }
    let addresses = (host.hostname.as_str(), host.port)
        .to_socket_addrs()
        .map_err(|error| {
            HostAddressError(format!("cannot resolve {}: {error}; {fix}", host.hostname))
        })?;
    let mut loopback = false;
    for address in addresses {
        match address.ip() {
            IpAddr::V4(v4) if v4.is_loopback() => loopback = true,
            IpAddr::V4(v4) => return Ok(v4),
            IpAddr::V6(_) => {}
        }
    }
    let what = if loopback {
        "a loopback address"
    } else {
        "no IPv4 address"
    };
    Err(HostAddressError(format!(
        "{alias} ({}) has {what} the other Macs could reach; {fix}",
        host.hostname
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> tempfile::NamedTempFile {
        use std::io::Write;
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        file.write_all(text.as_bytes()).expect("write config");
        file
    }

    #[test]
    fn the_configs_hostname_is_the_address() {
        let file = config("Host studio1\n  HostName 192.0.2.7\n");
        assert_eq!(
            host_address("studio1", Some(file.path())),
            Ok(Ipv4Addr::new(192, 0, 2, 7))
        );
    }

    #[test]
    fn loopback_and_jumps_ask_for_rank0_ip() {
        let file = config(
            "Host local\n  HostName 127.0.0.1\nHost behind\n  HostName 192.0.2.8\n  ProxyJump local\n",
        );
        for alias in ["local", "behind"] {
            let error = host_address(alias, Some(file.path())).expect_err(alias);
            assert!(error.to_string().contains("--rank0-ip"), "{error}");
        }
    }
}
