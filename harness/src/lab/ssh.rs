//! OpenSSH pieces of the lab: keys, each host's sshd_config, the controller's ssh config
//! and known_hosts, and a jump host's own client config.

use std::fmt::Write as _;
use std::net::Ipv4Addr;
use std::path::Path;

use super::state::{HostState, LabPaths};
use super::{sys, HostKeyFault, LabError};

/// PATH inside a simulated Mac: the macOS shims first, then the real tools.
pub fn host_path(paths: &LabPaths) -> String {
    format!(
        "{}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        paths.bin().display()
    )
}

pub fn keygen(path: &Path, comment: &str) -> Result<(), LabError> {
    let path = path.to_string_lossy();
    sys::run(
        "ssh-keygen",
        ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", &path],
    )?;
    Ok(())
}

/// `ssh-ed25519 AAAA...` of a key pair, without the comment.
pub fn public_key(private: &Path) -> Result<String, LabError> {
    let pub_path = private.with_extension("pub");
    let text = std::fs::read_to_string(&pub_path)
        .map_err(LabError::io(format!("read {}", pub_path.display())))?;
    let mut words = text.split_whitespace();
    match (words.next(), words.next()) {
        (Some(kind), Some(key)) => Ok(format!("{kind} {key}")),
        _ => Err(LabError::State {
            path: pub_path,
            reason: "not an OpenSSH public key".into(),
        }),
    }
}

/// sshd for one simulated Mac. `listen` is the management address, or loopback behind the
/// delaying relay. StrictModes is off because the lab lives under a world-writable tree;
/// PAM is off so nothing outside this file changes the session's environment.
pub fn sshd_config(paths: &LabPaths, host: &str, listen: Ipv4Addr) -> String {
    format!(
        "ListenAddress {listen}:22\n\
         HostKey {host_key}\n\
         AuthorizedKeysFile {authorized}\n\
         PermitRootLogin prohibit-password\n\
         PubkeyAuthentication yes\n\
         PasswordAuthentication no\n\
         KbdInteractiveAuthentication no\n\
         UsePAM no\n\
         StrictModes no\n\
         UseDNS no\n\
         PrintMotd no\n\
         PrintLastLog no\n\
         PidFile none\n\
         MaxStartups 100:30:200\n\
         MaxSessions 50\n\
         LogLevel VERBOSE\n\
         SetEnv PATH={path}\n",
        host_key = paths.host_key(host).display(),
        authorized = paths.authorized_keys().display(),
        path = host_path(paths),
    )
}

/// The controller's ssh config: one block per host, usable by `ssh -F` and `--ssh-config`.
pub fn client_config(paths: &LabPaths, hosts: &[HostState]) -> String {
    let mut out = String::from("# Written by the rdma-setup lab; removed by `lab down`.\n");
    for host in hosts {
        let _ = write!(
            out,
            "\nHost {name}\n  HostName {ip}\n  User root\n  IdentityFile {key}\n  \
             IdentitiesOnly yes\n  UserKnownHostsFile {known}\n  StrictHostKeyChecking yes\n",
            name = host.name,
            ip = host.ssh_ip,
            key = paths.client_key().display(),
            known = paths.known_hosts().display(),
        );
        if let Some(jump) = &host.jump {
            let _ = writeln!(out, "  ProxyJump {jump}");
        }
    }
    out
}

/// One known_hosts line naming the host by alias and address.
pub fn known_hosts_line(host: &HostState, key: &str) -> String {
    format!("{},{} {key}\n", host.name, host.ssh_ip)
}

/// The controller's known_hosts, with the faults asked for.
pub fn known_hosts(
    paths: &LabPaths,
    hosts: &[HostState],
    fault: impl Fn(&str) -> Option<HostKeyFault>,
) -> Result<String, LabError> {
    let mut out = String::new();
    for host in hosts {
        match fault(&host.name) {
            None => out.push_str(&known_hosts_line(
                host,
                &public_key(&paths.host_key(&host.name))?,
            )),
            Some(HostKeyFault::Unknown) => {}
            Some(HostKeyFault::Changed) => {
                let imposter = paths.host(&host.name).join("imposter_key");
                keygen(&imposter, "imposter")?;
                out.push_str(&known_hosts_line(host, &public_key(&imposter)?));
            }
        }
    }
    Ok(out)
}

/// A jump host's ~/.ssh/config for the hosts behind it (plain `ssh TARGET` in BatchMode).
pub fn jump_client_config(hidden: &[&HostState]) -> String {
    let mut out = String::new();
    for host in hidden {
        let _ = write!(
            out,
            "Host {name}\n  HostName {ip}\n  User root\n  IdentityFile /root/.ssh/id_ed25519\n  \
             IdentitiesOnly yes\n  UserKnownHostsFile /root/.ssh/known_hosts\n  \
             StrictHostKeyChecking yes\n\n",
            name = host.name,
            ip = host.ssh_ip,
        );
    }
    out
}
