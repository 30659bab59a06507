//! User authentication: the agent's keys, then the identity files, as ssh tries them.
//!
//! libssh2's `userauth_agent` offers only the agent's first identity, so a user whose agent
//! holds a work key before the cluster key would be refused; we walk the identities
//! ourselves. Encrypted identity files are unlocked with a passphrase typed on the terminal,
//! and only when there is a terminal.

use std::fs;
use std::path::{Path, PathBuf};

use ssh2::Session;

use super::base64;
use super::config::{AgentSocket, ResolvedHost};
use super::hints::{self, ConnectFailure};
use super::prompt::{PromptError, Prompter};

/// The body of an unencrypted OpenSSH private key starts with `openssh-key-v1\0`, the
/// cipher name "none" (length-prefixed) and then the KDF "none"; in base64, this prefix.
const OPENSSH_UNENCRYPTED_PREFIX: &str = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmU";

pub fn authenticate(
    session: &Session,
    host: &ResolvedHost,
    prompter: &Prompter,
) -> Result<(), ConnectFailure> {
    let user = host.user.as_str();
    let methods = session.auth_methods(user).map_err(|error| {
        ConnectFailure::new(
            format!("the server did not answer the authentication request: {error}"),
            hints::check_ssh(&host.alias),
        )
    })?;
    // The "none" method that auth_methods sends can already succeed (rare, but legal).
    if session.authenticated() {
        return Ok(());
    }
    if !methods.split(',').any(|method| method == "publickey") || !host.pubkey_authentication {
        return Err(ConnectFailure::new(
            format!(
                "{user}@{} accepts only {methods}; rdma-setup logs in with SSH keys",
                host.hostname
            ),
            hints::authentication(&host.alias),
        ));
    }

    let mut tried: Vec<String> = Vec::new();
    if try_agent(session, host, &mut tried) || try_files(session, host, prompter, &mut tried) {
        return Ok(());
    }
    let tried = if tried.is_empty() {
        "no key was available (no ssh-agent keys, no identity files)".to_owned()
    } else {
        format!("tried {}", tried.join("; "))
    };
    Err(ConnectFailure::new(
        format!("{user}@{} refused every key: {tried}", host.hostname),
        hints::authentication(&host.alias),
    ))
}

/// Offer each agent identity in turn; whether one was accepted.
fn try_agent(session: &Session, host: &ResolvedHost, tried: &mut Vec<String>) -> bool {
    if host.identity_agent == AgentSocket::Disabled {
        return false;
    }
    let mut agent = match session.agent() {
        Ok(agent) => agent,
        Err(error) => {
            tracing::debug!(%error, "no libssh2 agent handle");
            return false;
        }
    };
    if let AgentSocket::Path(path) = &host.identity_agent {
        if let Err(error) = agent.set_identity_path(path) {
            tracing::debug!(%error, path = %path.display(), "cannot use IdentityAgent");
            return false;
        }
    }
    if let Err(error) = agent.connect() {
        tracing::debug!(%error, "no ssh-agent to ask");
        return false;
    }
    let identities = match agent.list_identities().and_then(|()| agent.identities()) {
        Ok(identities) => identities,
        Err(error) => {
            tracing::debug!(%error, "ssh-agent did not list its keys");
            return false;
        }
    };
    // IdentitiesOnly: only agent keys that match a configured identity file.
    let allowed: Option<Vec<String>> = host.identities_only.then(|| {
        host.identity_files
            .iter()
            .filter_map(|file| public_key_base64(file))
            .collect()
    });
    let mut accepted = false;
    for identity in identities {
        let comment = identity.comment().to_owned();
        if let Some(allowed) = &allowed {
            if !allowed.contains(&base64::encode(identity.blob())) {
                tracing::debug!(key = %comment, "IdentitiesOnly: skipping agent key");
                continue;
            }
        }
        match agent.userauth(&host.user, &identity) {
            Ok(()) => {
                tracing::debug!(key = %comment, host = %host.alias, "authenticated with agent key");
                accepted = true;
                break;
            }
            Err(error) => {
                tracing::debug!(key = %comment, %error, "agent key refused");
                tried.push(format!("agent key '{comment}'"));
            }
        }
    }
    if let Err(error) = agent.disconnect() {
        tracing::debug!(%error, "ssh-agent disconnect");
    }
    accepted
}

/// Try each identity file that exists; whether one was accepted.
fn try_files(
    session: &Session,
    host: &ResolvedHost,
    prompter: &Prompter,
    tried: &mut Vec<String>,
) -> bool {
    for file in &host.identity_files {
        let Ok(contents) = fs::read_to_string(file) else {
            continue;
        };
        if !contents.contains("PRIVATE KEY-----") {
            tracing::debug!(file = %file.display(), "not a private key file");
            continue;
        }
        let public = public_key_path(file);
        let passphrase = if is_encrypted(&contents) {
            let prompt = format!("Enter passphrase for key '{}': ", file.display());
            match prompter.ask(&prompt) {
                Ok(secret) => Some(secret),
                Err(PromptError::NoTerminal) => {
                    tried.push(format!(
                        "{} (encrypted, and no terminal to ask its passphrase: load it with \
                         `ssh-add {}` first)",
                        file.display(),
                        file.display()
                    ));
                    continue;
                }
                Err(error) => {
                    tried.push(format!("{} ({error})", file.display()));
                    continue;
                }
            }
        } else {
            None
        };
        match session.userauth_pubkey_file(
            &host.user,
            public.as_deref(),
            file,
            passphrase.as_ref().map(|secret| secret.expose()),
        ) {
            Ok(()) => {
                tracing::debug!(file = %file.display(), host = %host.alias, "authenticated with identity file");
                return true;
            }
            Err(error) => {
                tracing::debug!(file = %file.display(), %error, "identity file refused");
                tried.push(format!("{} ({})", file.display(), error.message()));
            }
        }
    }
    false
}

fn public_key_path(private: &Path) -> Option<PathBuf> {
    let mut name = private.as_os_str().to_owned();
    name.push(".pub");
    let path = PathBuf::from(name);
    path.is_file().then_some(path)
}

/// The base64 key of `FILE.pub`, to compare with agent keys.
fn public_key_base64(private: &Path) -> Option<String> {
    let text = fs::read_to_string(public_key_path(private)?).ok()?;
    text.split_whitespace().nth(1).map(str::to_owned)
}

/// Whether a private key file needs a passphrase.
pub fn is_encrypted(contents: &str) -> bool {
    if contents.contains("BEGIN OPENSSH PRIVATE KEY") {
        let body: String = contents
            .lines()
            .filter(|line| !line.starts_with("-----"))
            .map(str::trim)
            .collect();
        return !body.starts_with(OPENSSH_UNENCRYPTED_PREFIX);
    }
    // PEM: "Proc-Type: 4,ENCRYPTED" (traditional) or "BEGIN ENCRYPTED PRIVATE KEY" (PKCS#8).
    contents.contains("ENCRYPTED")
}

#[cfg(test)]
mod tests {
    use super::is_encrypted;

    #[test]
    fn detects_encryption() {
        let plain = "-----BEGIN OPENSSH PRIVATE KEY-----\n\
            b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n\
            -----END OPENSSH PRIVATE KEY-----\n";
        let encrypted = "-----BEGIN OPENSSH PRIVATE KEY-----\n\
            b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABD\n\
            -----END OPENSSH PRIVATE KEY-----\n";
        assert!(!is_encrypted(plain));
        assert!(is_encrypted(encrypted));
        assert!(is_encrypted(
            "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
        ));
        assert!(!is_encrypted("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n"));
    }
}
