//! `discover`'s command line, checked before any host is contacted: the hosts in rank order,
//! the proxies, the pool, the SSH settings and the output file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rdma_phase::discover::Pool;
use rdma_phase::plan::{Host, ProxySpec};
use rdma_phase::HostName;

use crate::cli::DiscoverArgs;
use crate::ssh::SshOptions;

/// A `discover` that may start.
#[derive(Debug, Clone)]
pub struct Request {
    /// Rank order; a host reached through `--proxy` has its `via`.
    pub hosts: Vec<Host>,
    pub pool: Pool,
    /// `ssh.ssh_config` is `--ssh-config` as the cluster file records it: absolute, so the
    /// file works from anywhere.
    pub ssh: SshOptions,
    pub connect_timeout: Option<u64>,
    pub command_timeout: Option<u64>,
    pub output: PathBuf,
    pub force: bool,
}

impl Request {
    pub fn names(&self) -> Vec<HostName> {
        self.hosts.iter().map(|host| host.name.clone()).collect()
    }
}

/// The request, or the usage error to show.
pub fn check(args: &DiscoverArgs) -> Result<Request, String> {
    let mut hosts: Vec<Host> = Vec::new();
    for text in &args.hosts {
        let name = HostName::parse(text).map_err(|error| format!("discover: {error}"))?;
        if hosts.iter().any(|host| host.name == name) {
            return Err(format!(
                "discover: host '{name}' is given twice: list each Mac once, in rank order"
            ));
        }
        hosts.push(Host {
            name,
            via: None,
            nodes: Vec::new(),
        });
    }
    if hosts.len() < 2 {
        return Err(format!(
            "discover needs at least 2 hosts (got {}): a cable has two ends, e.g. rdma-setup discover hwstudio1 hwstudio2",
            hosts.len()
        ));
    }
    for text in &args.proxies {
        let proxy = ProxySpec::parse(text).map_err(|error| error.to_string())?;
        let Some(host) = hosts.iter_mut().find(|host| host.name == proxy.target) else {
            return Err(format!(
                "--proxy {text}: '{}' is not one of the hosts to discover",
                proxy.target
            ));
        };
        if host.via.is_some() {
            return Err(format!(
                "--proxy {text}: '{}' already has a proxy: give one per host",
                proxy.target
            ));
        }
        host.via = Some(proxy.via);
    }
    let pool = Pool::parse(&args.pool).map_err(|error| format!("--pool: {error}"))?;
    let defaults = SshOptions::default();
    let ssh = SshOptions {
        ssh_config: args.ssh_config.as_deref().map(ssh_config).transpose()?,
        connect_timeout: args
            .connect_timeout
            .map_or(defaults.connect_timeout, Duration::from_secs),
        command_timeout: args
            .command_timeout
            .map_or(defaults.command_timeout, Duration::from_secs),
        accept_new_host_keys: args.accept_new_host_keys,
    };
    if args.cluster.is_dir() {
        return Err(format!(
            "--cluster {}: is a folder; give the path of the file to write, e.g. {}",
            args.cluster.display(),
            args.cluster.join("rdma-cluster.toml").display()
        ));
    }
    if let Some(folder) = args.cluster.parent().filter(|f| !f.as_os_str().is_empty()) {
        if !folder.is_dir() {
            return Err(format!(
                "--cluster {}: the folder {} does not exist; create it or choose another path",
                args.cluster.display(),
                folder.display()
            ));
        }
    }
    Ok(Request {
        hosts,
        pool,
        ssh,
        connect_timeout: args.connect_timeout,
        command_timeout: args.command_timeout,
        output: args.cluster.clone(),
        force: args.force,
    })
}

/// `--ssh-config`: a file that exists (checked as a run checks it), made absolute.
fn ssh_config(path: &Path) -> Result<PathBuf, String> {
    let path = crate::cli::checked_ssh_config(path)?;
    std::path::absolute(&path).map_err(|error| format!("--ssh-config {}: {error}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn request(argv: &[&str]) -> Result<Request, String> {
        let args = crate::cli::Args::try_parse_from(
            ["rdma-setup", "discover"].iter().chain(argv).copied(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        match args.command {
            Some(crate::cli::Command::Discover(discover)) => check(&discover),
            None => panic!("not discover"),
        }
    }

    #[test]
    fn hosts_keep_rank_order_and_proxies_attach_to_their_target() {
        let request = request(&["b", "a", "c", "--proxy", "b:c"]).expect("valid");
        let names: Vec<String> = request.names().iter().map(|n| n.to_string()).collect();
        assert_eq!(names, ["b", "a", "c"]);
        assert_eq!(request.hosts[2].via.as_ref().map(|v| v.as_str()), Some("b"));
        assert_eq!(request.pool.to_string(), "10.254.0.0/16");
        assert_eq!(request.output, PathBuf::from("rdma-cluster.toml"));
    }

    #[test]
    fn bad_requests_are_refused_with_the_culprit() {
        let cases: [(&[&str], &str); 7] = [
            (&["mac1"], "at least 2 hosts (got 1)"),
            (&["mac1", "mac1"], "'mac1' is given twice"),
            (&["mac1", "bad host"], "discover: "),
            (
                &["a", "b", "--pool", "10.254.0.1/16"],
                "--pool: '10.254.0.1/16'",
            ),
            (&["a", "b", "--proxy", "a:c"], "'c' is not one of the hosts"),
            (
                &["a", "b", "--ssh-config", "/nonexistent/x"],
                "--ssh-config /nonexistent/x",
            ),
            (
                &["a", "b", "-o", "/nonexistent/c.toml"],
                "the folder /nonexistent does not exist",
            ),
        ];
        for (argv, expected) in cases {
            let error = request(argv).expect_err("refused");
            assert!(error.contains(expected), "{argv:?}: {error}");
        }
    }
}
