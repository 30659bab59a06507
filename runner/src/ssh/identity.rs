//! The keys a user has: the agent's identities and the identity files, read but not yet
//! offered (`auth` decides the order and offers them).

use std::fs;
use std::path::{Path, PathBuf};

use ssh2::{Agent, PublicKey, Session};

use super::base64;
use super::config::{AgentSocket, ResolvedHost};

/// The body of an unencrypted OpenSSH private key starts with `openssh-key-v1\0`, the
/// cipher name "none" (length-prefixed) and then the KDF "none"; in base64, this prefix.
const OPENSSH_UNENCRYPTED_PREFIX: &str = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmU";

/// The agent, connected, with its identities in its own order.
pub struct AgentKeys {
    pub agent: Agent,
    pub keys: Vec<PublicKey>,
}

impl AgentKeys {
    /// The agent `host` uses, if there is one that answers. Dropping it disconnects.
    pub fn connect(session: &Session, host: &ResolvedHost) -> Option<Self> {
        if host.identity_agent == AgentSocket::Disabled {
            return None;
        }
        let mut agent = match session.agent() {
            Ok(agent) => agent,
            Err(error) => {
                tracing::debug!(%error, "no libssh2 agent handle");
                return None;
            }
        };
        if let AgentSocket::Path(path) = &host.identity_agent {
            if let Err(error) = agent.set_identity_path(path) {
                tracing::debug!(%error, path = %path.display(), "cannot use IdentityAgent");
                return None;
            }
        }
        if let Err(error) = agent.connect() {
            tracing::debug!(%error, "no ssh-agent to ask");
            return None;
        }
        match agent.list_identities().and_then(|()| agent.identities()) {
            Ok(keys) => Some(Self { agent, keys }),
            Err(error) => {
                tracing::debug!(%error, "ssh-agent did not list its keys");
                None
            }
        }
    }
}

/// An identity file that exists and holds a private key.
pub struct IdentityFile {
    pub path: PathBuf,
    /// `FILE.pub`, when it exists (libssh2 derives the public key otherwise).
    pub public: Option<PathBuf>,
    /// The base64 public key from `FILE.pub`, to compare with the agent's keys.
    pub blob: Option<String>,
    /// Whether a passphrase is needed.
    pub encrypted: bool,
}

impl IdentityFile {
    /// The file at `path`, if it exists and is a private key.
    pub fn read(path: &Path) -> Option<Self> {
        let contents = fs::read_to_string(path).ok()?;
        if !contents.contains("PRIVATE KEY-----") {
            tracing::debug!(file = %path.display(), "not a private key file");
            return None;
        }
        Some(Self {
            path: path.to_owned(),
            public: public_key_path(path),
            blob: public_key_base64(path),
            encrypted: is_encrypted(&contents),
        })
    }
}

fn public_key_path(private: &Path) -> Option<PathBuf> {
    let mut name = private.as_os_str().to_owned();
    name.push(".pub");
    let path = PathBuf::from(name);
    path.is_file().then_some(path)
}

/// The base64 key of `FILE.pub`, to compare with agent keys. Only the `.pub` is read: an
/// IdentityFile may name a key whose private half lives in the agent alone.
pub fn public_key_base64(private: &Path) -> Option<String> {
    let text = fs::read_to_string(public_key_path(private)?).ok()?;
    text.split_whitespace().nth(1).map(str::to_owned)
}

/// The base64 form of an agent key, as `.pub` files write it.
pub fn agent_key_base64(key: &PublicKey) -> String {
    base64::encode(key.blob())
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
