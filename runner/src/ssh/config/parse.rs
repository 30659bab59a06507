//! Parsing `ssh -G` output (`key value` lines) into a `ResolvedHost`, expanding tokens in
//! file names on the way.

use std::path::PathBuf;

use super::destination::Destination;
use super::host::{AgentSocket, ResolvedHost, StrictHostKeyChecking};
use super::tokens::{LocalUser, Tokens};

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
        identity_files_named: named_identity_files(&identity_files),
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

/// ssh's default identity files, as `ssh -G` lists them when the config names none.
const DEFAULT_IDENTITIES: [&str; 7] = [
    "~/.ssh/id_rsa",
    "~/.ssh/id_ecdsa",
    "~/.ssh/id_ecdsa_sk",
    "~/.ssh/id_ed25519",
    "~/.ssh/id_ed25519_sk",
    "~/.ssh/id_xmss",
    "~/.ssh/id_dsa",
];

/// Whether the config named its identity files (`IdentityFile`), rather than `ssh -G`
/// listing ssh's defaults (at least four of them, whatever the OpenSSH version). A config
/// naming four default files itself is taken for the defaults: the order of offers is
/// then ssh's, which costs round trips but nothing else.
fn named_identity_files(raw: &[String]) -> bool {
    let defaults = raw.len() >= 4
        && raw
            .iter()
            .all(|file| DEFAULT_IDENTITIES.contains(&file.as_str()));
    !raw.is_empty() && !defaults
}

fn is_yes(value: &str) -> bool {
    matches!(value, "yes" | "true")
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
    fn tells_named_identity_files_from_ssh_defaults() {
        let named = parse_ssh_g("studio", SAMPLE, &local()).expect("parses");
        assert!(named.identity_files_named);
        let defaults: String = DEFAULT_IDENTITIES
            .iter()
            .map(|file| format!("identityfile {file}\n"))
            .collect();
        let host = parse_ssh_g("h", &format!("hostname h\n{defaults}"), &local()).expect("parses");
        assert!(!host.identity_files_named);
        assert_eq!(host.identity_files.len(), DEFAULT_IDENTITIES.len());
        let one = "hostname h\nidentityfile ~/.ssh/id_ed25519\n";
        assert!(
            parse_ssh_g("h", one, &local())
                .expect("parses")
                .identity_files_named
        );
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
    fn missing_hostname_is_an_error() {
        assert!(parse_ssh_g("h", "port 22\n", &local()).is_err());
    }
}
