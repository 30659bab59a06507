//! Host aliases as users write them, resolved the way their own `ssh` resolves them.
//!
//! We run `ssh -G [-F FILE] [-p PORT] DEST` and read its `key value` lines instead of parsing
//! ssh_config ourselves: `-G` is OpenSSH's own evaluation of `Host`/`Match` blocks, `Include`,
//! first-match-wins, token expansion and every default, and the `ssh` binary is present on
//! every Mac and wherever users run ssh. A hand-written parser would disagree with ssh in
//! exactly the corner cases (`Match`, `Include` globs, `CanonicalizeHostname`) that make a
//! host "work with ssh but not with rdma-setup". Only if no `ssh` binary exists at all do we
//! fall back to ssh's defaults, and only when no config file was asked for.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Where to connect, as written on the command line or in a `ProxyJump` list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    /// `host`, `alias` or `user@host`.
    pub text: String,
    /// An explicit port (`ProxyJump host:2222`); `None` lets the config decide.
    pub port: Option<u16>,
}

impl Destination {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            port: None,
        }
    }

    /// One element of a `ProxyJump` list: `[user@]host[:port]` or
    /// `ssh://[user@]host[:port]`, IPv6 hosts in brackets.
    pub fn parse_jump(spec: &str) -> Result<Self, String> {
        let spec = spec.trim();
        let spec = spec.strip_prefix("ssh://").unwrap_or(spec);
        let (user, rest) = match spec.rsplit_once('@') {
            Some((user, rest)) => (Some(user), rest),
            None => (None, spec),
        };
        let (host, port) = if let Some(inner) = rest.strip_prefix('[') {
            let (host, after) = inner
                .split_once(']')
                .ok_or_else(|| format!("unbalanced '[' in ProxyJump entry '{spec}'"))?;
            (host, after.strip_prefix(':'))
        } else {
            match rest.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (rest, None),
            }
        };
        let port = port
            .map(|port| {
                port.parse::<u16>()
                    .map_err(|_| format!("bad port '{port}' in ProxyJump entry '{spec}'"))
            })
            .transpose()?;
        if host.is_empty() || host.starts_with('-') || user.is_some_and(str::is_empty) {
            return Err(format!("bad ProxyJump entry '{spec}'"));
        }
        let text = match user {
            Some(user) => format!("{user}@{host}"),
            None => host.to_owned(),
        };
        Ok(Self { text, port })
    }
}

/// `StrictHostKeyChecking` as `ssh -G` prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrictHostKeyChecking {
    /// `yes`: never add keys.
    Yes,
    /// `ask` (the default): ssh would ask; we have no dialogue, so we refuse with the fix.
    Ask,
    /// `accept-new`, `no`, `off`: new keys are recorded. Changed keys are still refused: we
    /// do not copy ssh's "connect anyway with reduced features" for `no`.
    AcceptNew,
}

/// Which agent socket to ask for keys (`IdentityAgent`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentSocket {
    /// `$SSH_AUTH_SOCK`, libssh2's default.
    Environment,
    /// `IdentityAgent none`.
    Disabled,
    Path(PathBuf),
}

/// Everything the transport needs to know about one destination, after `ssh -G`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedHost {
    /// What was resolved (alias or `user@host`), for messages.
    pub alias: String,
    pub hostname: String,
    pub port: u16,
    pub user: String,
    /// `IdentityFile` entries, expanded; missing files are skipped later.
    pub identity_files: Vec<PathBuf>,
    pub identities_only: bool,
    pub identity_agent: AgentSocket,
    pub pubkey_authentication: bool,
    /// `ProxyJump` hops, first hop first. Empty for a direct connection.
    pub proxy_jump: Vec<Destination>,
    /// `ProxyCommand`, tokens not yet expanded.
    pub proxy_command: Option<String>,
    pub user_known_hosts: Vec<PathBuf>,
    pub global_known_hosts: Vec<PathBuf>,
    pub strict_host_key_checking: StrictHostKeyChecking,
    pub host_key_alias: Option<String>,
}

/// The local facts token expansion needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalUser {
    pub home: PathBuf,
    pub name: String,
}

impl LocalUser {
    pub fn from_env() -> Self {
        let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("/"), PathBuf::from);
        let name = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_else(|_| "root".to_owned());
        Self { home, name }
    }
}

/// Why a destination could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct ConfigError {
    pub reason: String,
    pub hint: String,
}

/// Resolve `dest` with `ssh -G`, reading `config` instead of the user's files when given.
pub fn resolve(dest: &Destination, config: Option<&Path>) -> Result<ResolvedHost, ConfigError> {
    if dest.text.starts_with('-') || dest.text.is_empty() {
        return Err(ConfigError {
            reason: format!("'{}' is not an SSH destination", dest.text),
            hint: "host names may not start with '-'".into(),
        });
    }
    let mut command = Command::new("ssh");
    command.arg("-G");
    if let Some(config) = config {
        command.arg("-F").arg(config);
    }
    if let Some(port) = dest.port {
        command.arg("-p").arg(port.to_string());
    }
    command
        .arg(&dest.text)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    tracing::debug!(destination = %dest.text, ?config, "resolving with ssh -G");
    let output = match command.output() {
        Ok(output) => output,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound && config.is_none() => {
            tracing::debug!("no ssh binary: using ssh's defaults without a config file");
            return Ok(defaults(dest, &LocalUser::from_env()));
        }
        Err(error) => {
            return Err(ConfigError {
                reason: format!("cannot run `ssh -G` to read the SSH config: {error}"),
                hint: "install the OpenSSH client (rdma-setup reads ssh_config through `ssh -G`)"
                    .into(),
            })
        }
    };
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(ConfigError {
            reason: format!(
                "the SSH config could not be read for '{}': {}",
                dest.text,
                stderr.trim()
            ),
            hint: match config {
                Some(config) => format!("check `ssh -G -F {} {}`", config.display(), dest.text),
                None => format!("check `ssh -G {}` and ~/.ssh/config", dest.text),
            },
        });
    }
    let text = String::from_utf8_lossy(&output.stdout);
    parse_ssh_g(&dest.text, &text, &LocalUser::from_env()).map_err(|reason| ConfigError {
        reason,
        hint: format!("check `ssh -G {}`", dest.text),
    })
}

/// ssh's defaults for a destination, for machines without an `ssh` binary.
fn defaults(dest: &Destination, local: &LocalUser) -> ResolvedHost {
    let (user, host) = match dest.text.split_once('@') {
        Some((user, host)) => (user.to_owned(), host.to_owned()),
        None => (local.name.clone(), dest.text.clone()),
    };
    let ssh_dir = local.home.join(".ssh");
    ResolvedHost {
        alias: dest.text.clone(),
        hostname: host,
        port: dest.port.unwrap_or(22),
        user,
        identity_files: ["id_rsa", "id_ecdsa", "id_ed25519"]
            .iter()
            .map(|name| ssh_dir.join(name))
            .collect(),
        identities_only: false,
        identity_agent: AgentSocket::Environment,
        pubkey_authentication: true,
        proxy_jump: Vec::new(),
        proxy_command: None,
        user_known_hosts: vec![ssh_dir.join("known_hosts"), ssh_dir.join("known_hosts2")],
        global_known_hosts: vec![
            PathBuf::from("/etc/ssh/ssh_known_hosts"),
            PathBuf::from("/etc/ssh/ssh_known_hosts2"),
        ],
        strict_host_key_checking: StrictHostKeyChecking::Ask,
        host_key_alias: None,
    }
}

/// Parse `ssh -G` output: one lowercase `key value` per line, repeated keys for lists.
pub fn parse_ssh_g(alias: &str, text: &str, local: &LocalUser) -> Result<ResolvedHost, String> {
    let mut hostname = None;
    let mut port = None;
    let mut user = None;
    let mut identity_files = Vec::new();
    let mut identities_only = false;
    let mut identity_agent = AgentSocket::Environment;
    let mut pubkey_authentication = true;
    let mut proxy_jump = Vec::new();
    let mut proxy_command = None;
    let mut user_known_hosts = Vec::new();
    let mut global_known_hosts = Vec::new();
    let mut strict = StrictHostKeyChecking::Ask;
    let mut host_key_alias = None;

    for line in text.lines() {
        let Some((key, value)) = line.trim().split_once(' ') else {
            continue;
        };
        let value = value.trim();
        match key {
            "hostname" => hostname = Some(value.to_owned()),
            "user" => user = Some(value.to_owned()),
            "port" => {
                port = Some(
                    value
                        .parse::<u16>()
                        .map_err(|_| format!("ssh -G printed a bad port '{value}'"))?,
                );
            }
            "identityfile" => identity_files.push(value.to_owned()),
            "identitiesonly" => identities_only = is_yes(value),
            "pubkeyauthentication" => pubkey_authentication = is_yes(value),
            "identityagent" => {
                identity_agent = match value {
                    "none" => AgentSocket::Disabled,
                    "SSH_AUTH_SOCK" | "$SSH_AUTH_SOCK" => AgentSocket::Environment,
                    path => AgentSocket::Path(PathBuf::from(path)),
                };
            }
            "proxyjump" if value != "none" => {
                proxy_jump = value
                    .split(',')
                    .map(Destination::parse_jump)
                    .collect::<Result<_, _>>()?;
            }
            "proxycommand" if value != "none" => proxy_command = Some(value.to_owned()),
            "userknownhostsfile" => {
                user_known_hosts = value.split_whitespace().map(str::to_owned).collect();
            }
            "globalknownhostsfile" => {
                global_known_hosts = value.split_whitespace().map(str::to_owned).collect();
            }
            "stricthostkeychecking" => {
                strict = match value {
                    "true" | "yes" => StrictHostKeyChecking::Yes,
                    "accept-new" | "false" | "no" | "off" => StrictHostKeyChecking::AcceptNew,
                    _ => StrictHostKeyChecking::Ask,
                };
            }
            "hostkeyalias" if value != "none" => host_key_alias = Some(value.to_owned()),
            _ => {}
        }
    }

    let hostname = hostname.ok_or_else(|| "ssh -G printed no hostname".to_owned())?;
    // `user@host` on the command line wins over `User`, as with ssh; ssh -G already applies
    // it, this keeps it true if -G's output ever lacks the line.
    let user = match alias.split_once('@') {
        Some((user, _)) => user.to_owned(),
        None => user.unwrap_or_else(|| local.name.clone()),
    };
    let port = port.unwrap_or(22);
    let tokens = Tokens {
        local,
        alias: alias.rsplit_once('@').map_or(alias, |(_, host)| host),
        hostname: &hostname,
        user: &user,
        port,
    };
    let expand_all = |paths: Vec<String>| -> Vec<PathBuf> {
        paths
            .iter()
            .map(|path| PathBuf::from(tokens.expand(path)))
            .collect()
    };
    let identity_agent = match identity_agent {
        AgentSocket::Path(path) => {
            AgentSocket::Path(PathBuf::from(tokens.expand(&path.to_string_lossy())))
        }
        other => other,
    };
    Ok(ResolvedHost {
        alias: alias.to_owned(),
        identity_files: expand_all(identity_files),
        identities_only,
        identity_agent,
        pubkey_authentication,
        proxy_jump,
        proxy_command,
        user_known_hosts: expand_all(user_known_hosts),
        global_known_hosts: expand_all(global_known_hosts),
        strict_host_key_checking: strict,
        host_key_alias,
        hostname,
        port,
        user,
    })
}

fn is_yes(value: &str) -> bool {
    matches!(value, "yes" | "true")
}

/// The `%` tokens and `~` ssh_config allows in file names (`ssh -G` leaves `IdentityFile`
/// unexpanded).
pub struct Tokens<'a> {
    pub local: &'a LocalUser,
    pub alias: &'a str,
    pub hostname: &'a str,
    pub user: &'a str,
    pub port: u16,
}

impl Tokens<'_> {
    pub fn expand(&self, text: &str) -> String {
        let text = match text.strip_prefix("~/") {
            Some(rest) => format!("{}/{rest}", self.local.home.display()),
            None if text == "~" => self.local.home.display().to_string(),
            None => text.to_owned(),
        };
        let mut out = String::with_capacity(text.len());
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('%') => out.push('%'),
                Some('d') => out.push_str(&self.local.home.display().to_string()),
                Some('u') => out.push_str(&self.local.name),
                Some('h') => out.push_str(self.hostname),
                Some('n') => out.push_str(self.alias),
                Some('r') => out.push_str(self.user),
                Some('p') => out.push_str(&self.port.to_string()),
                // Tokens we cannot compute stay as written, so the file simply is not found
                // and the message shows what ssh_config said.
                Some(other) => {
                    out.push('%');
                    out.push(other);
                }
                None => out.push('%'),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local() -> LocalUser {
        LocalUser {
            home: PathBuf::from("/Users/me"),
            name: "me".into(),
        }
    }

    const SAMPLE: &str = "\
user bob
hostname 10.1.1.1
port 2222
identitiesonly no
pubkeyauthentication true
stricthostkeychecking ask
identityfile ~/.ssh/foo_%h
identityfile %d/.ssh/id_%r
globalknownhostsfile /etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_hosts2
userknownhostsfile /Users/me/kh1 /tmp/kh2
proxyjump j1,ju@j2:2200
identityagent none
";

    #[test]
    fn parses_ssh_g_output() {
        let host = parse_ssh_g("studio", SAMPLE, &local()).expect("parses");
        assert_eq!(host.hostname, "10.1.1.1");
        assert_eq!(host.port, 2222);
        assert_eq!(host.user, "bob");
        assert_eq!(
            host.identity_files,
            vec![
                PathBuf::from("/Users/me/.ssh/foo_10.1.1.1"),
                PathBuf::from("/Users/me/.ssh/id_bob")
            ]
        );
        assert_eq!(
            host.proxy_jump,
            vec![
                Destination::new("j1"),
                Destination {
                    text: "ju@j2".into(),
                    port: Some(2200)
                }
            ]
        );
        assert_eq!(host.identity_agent, AgentSocket::Disabled);
        assert_eq!(host.user_known_hosts.len(), 2);
        assert_eq!(host.strict_host_key_checking, StrictHostKeyChecking::Ask);
    }

    #[test]
    fn user_at_host_overrides_user() {
        let host = parse_ssh_g("admin@studio", SAMPLE, &local()).expect("parses");
        assert_eq!(host.user, "admin");
    }

    #[test]
    fn strict_values() {
        for (value, want) in [
            ("true", StrictHostKeyChecking::Yes),
            ("false", StrictHostKeyChecking::AcceptNew),
            ("accept-new", StrictHostKeyChecking::AcceptNew),
            ("ask", StrictHostKeyChecking::Ask),
        ] {
            let text = format!("hostname h\nstricthostkeychecking {value}\n");
            let host = parse_ssh_g("h", &text, &local()).expect("parses");
            assert_eq!(host.strict_host_key_checking, want, "{value}");
        }
    }

    #[test]
    fn jump_specs() {
        assert_eq!(
            Destination::parse_jump("ssh://u@[::1]:22").expect("valid"),
            Destination {
                text: "u@::1".into(),
                port: Some(22)
            }
        );
        assert!(Destination::parse_jump("-oProxyCommand=x").is_err());
        assert!(Destination::parse_jump("h:notaport").is_err());
    }

    #[test]
    fn missing_hostname_is_an_error() {
        assert!(parse_ssh_g("h", "port 22\n", &local()).is_err());
    }
}
