//! Host-key verification against the user's known_hosts files, as ssh does it.
//!
//! libssh2's `KnownHosts` understands plain, `[host]:port` and hashed (`|1|salt|hash`)
//! entries, but its check ignores the key type: a host known by its RSA key that presents
//! its Ed25519 key looks "changed". So each line is checked on its own (libssh2 still does
//! the name matching, hashed entries included) and the verdict is ours: same name and same
//! type but another key is a change; another type only is an unknown key. Before the
//! handshake, [`preferred_algorithms`] makes libssh2 ask for the key types already recorded,
//! as ssh does, so that case is rare.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use ssh2::{CheckResult, HashType, HostKeyType, KnownHostFileKind, MethodType, Session};

use super::base64;
use super::config::ResolvedHost;

/// One key line of a known_hosts file.
#[derive(Debug, Clone)]
struct Entry {
    file: PathBuf,
    line_number: usize,
    line: String,
    key_type: String,
}

/// The known_hosts lines that could concern a host, loaded once per connection.
#[derive(Debug, Clone, Default)]
pub struct KnownHosts {
    entries: Vec<Entry>,
}

/// What known_hosts says about the key a host presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Trusted,
    /// No entry for this name and key type. `other_types` lists types recorded for the name.
    Unknown {
        other_types: Vec<String>,
    },
    /// An entry for this name and key type holds another key.
    Changed {
        file: PathBuf,
        line_number: usize,
    },
}

impl KnownHosts {
    /// Read every file that exists; unreadable or odd lines are skipped, as ssh does.
    pub fn load(files: &[PathBuf]) -> Self {
        let mut entries = Vec::new();
        for file in files {
            let Ok(text) = fs::read_to_string(file) else {
                continue;
            };
            for (index, line) in text.lines().enumerate() {
                let trimmed = line.trim();
                // Markers (@cert-authority, @revoked) are not plain host keys; libssh2
                // cannot read them and they never match a plain key.
                if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with('@') {
                    continue;
                }
                let Some(key_type) = trimmed.split_whitespace().nth(1) else {
                    continue;
                };
                entries.push(Entry {
                    file: file.clone(),
                    line_number: index + 1,
                    line: trimmed.to_owned(),
                    key_type: key_type.to_owned(),
                });
            }
        }
        Self { entries }
    }

    /// Check one line against `name`; `None` when libssh2 cannot read the line.
    fn check_line(session: &Session, entry: &Entry, name: &str, key: &[u8]) -> Option<CheckResult> {
        let mut one = session.known_hosts().ok()?;
        one.read_str(&entry.line, KnownHostFileKind::OpenSSH).ok()?;
        Some(one.check(name, key))
    }

    /// Key types recorded for `name`.
    fn types_for(&self, session: &Session, name: &str) -> Vec<String> {
        let mut types: Vec<String> = Vec::new();
        for entry in &self.entries {
            // A key no entry can hold: any entry whose name matches reports a mismatch.
            if let Some(CheckResult::Mismatch) = Self::check_line(session, entry, name, b"\0") {
                if !types.contains(&entry.key_type) {
                    types.push(entry.key_type.clone());
                }
            }
        }
        types
    }

    pub fn verify(&self, session: &Session, name: &str, key: &[u8], key_type: &str) -> Verdict {
        let mut changed = None;
        let mut other_types = Vec::new();
        for entry in &self.entries {
            match Self::check_line(session, entry, name, key) {
                Some(CheckResult::Match) => return Verdict::Trusted,
                Some(CheckResult::Mismatch) if entry.key_type == key_type => {
                    changed.get_or_insert(Verdict::Changed {
                        file: entry.file.clone(),
                        line_number: entry.line_number,
                    });
                }
                Some(CheckResult::Mismatch) if !other_types.contains(&entry.key_type) => {
                    other_types.push(entry.key_type.clone());
                }
                _ => {}
            }
        }
        changed.unwrap_or(Verdict::Unknown { other_types })
    }
}

/// The name a host is listed under: `HostKeyAlias` or `HostName`, as `[name]:port` when the
/// port is not 22 (ssh's convention, hashed entries included).
pub fn lookup_name(host: &ResolvedHost) -> String {
    match (&host.host_key_alias, host.port) {
        (Some(alias), _) => alias.clone(),
        (None, 22) => host.hostname.clone(),
        (None, port) => format!("[{}]:{port}", host.hostname),
    }
}

/// All files to read: the user's first, then the system-wide ones.
pub fn files(host: &ResolvedHost) -> Vec<PathBuf> {
    host.user_known_hosts
        .iter()
        .chain(&host.global_known_hosts)
        .cloned()
        .collect()
}

/// A host-key algorithm preference that puts the types known for this host first (what
/// ssh does), or `None` when nothing is known.
pub fn preferred_algorithms(session: &Session, known: &KnownHosts, name: &str) -> Option<String> {
    let known_types = known.types_for(session, name);
    if known_types.is_empty() {
        return None;
    }
    let supported = session.supported_algs(MethodType::HostKey).ok()?;
    let mut preferred: Vec<&str> = Vec::new();
    for key_type in &known_types {
        // An RSA key is recorded as ssh-rsa but signs with the SHA-2 algorithms first.
        let algorithms: Vec<&str> = match key_type.as_str() {
            "ssh-rsa" => vec!["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
            other => vec![other],
        };
        for algorithm in &algorithms {
            if let Some(found) = supported.iter().find(|s| *s == algorithm) {
                if !preferred.contains(found) {
                    preferred.push(found);
                }
            }
        }
    }
    if preferred.is_empty() {
        return None;
    }
    for algorithm in &supported {
        if !preferred.contains(algorithm) {
            preferred.push(algorithm);
        }
    }
    Some(preferred.join(","))
}

/// The known_hosts name of a key type.
pub fn type_name(key_type: HostKeyType) -> &'static str {
    match key_type {
        HostKeyType::Rsa => "ssh-rsa",
        HostKeyType::Dss => "ssh-dss",
        HostKeyType::Ecdsa256 => "ecdsa-sha2-nistp256",
        HostKeyType::Ecdsa384 => "ecdsa-sha2-nistp384",
        HostKeyType::Ecdsa521 => "ecdsa-sha2-nistp521",
        HostKeyType::Ed25519 => "ssh-ed25519",
        HostKeyType::Unknown => "unknown",
    }
}

/// `SHA256:...` as ssh prints fingerprints.
pub fn fingerprint(session: &Session) -> String {
    session.host_key_hash(HashType::Sha256).map_or_else(
        || "(no fingerprint)".to_owned(),
        |hash| format!("SHA256:{}", base64::encode(hash).trim_end_matches('=')),
    )
}

/// Append `name type key` to `file`, creating `~/.ssh` if needed. The caller serializes
/// appends across host threads.
pub fn append(file: &Path, name: &str, key_type: &str, key: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = file.parent() {
        if !dir.as_os_str().is_empty() && !dir.exists() {
            fs::create_dir_all(dir)?;
            set_private(dir);
        }
    }
    let mut out = OpenOptions::new().create(true).append(true).open(file)?;
    // Start on a fresh line even if the file's last line lacks its newline.
    let needs_newline = fs::read(file)
        .map(|bytes| bytes.last().is_some_and(|last| *last != b'\n'))
        .unwrap_or(false);
    let line = format!(
        "{}{name} {key_type} {}\n",
        if needs_newline { "\n" } else { "" },
        base64::encode(key)
    );
    out.write_all(line.as_bytes())
}

#[cfg(unix)]
fn set_private(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Err(error) = fs::set_permissions(dir, fs::Permissions::from_mode(0o700)) {
        tracing::debug!(%error, dir = %dir.display(), "cannot make the directory private");
    }
}

#[cfg(not(unix))]
fn set_private(_dir: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssh::config::{AgentSocket, StrictHostKeyChecking};

    fn host(port: u16, alias: Option<&str>) -> ResolvedHost {
        ResolvedHost {
            alias: "studio".into(),
            hostname: "10.0.0.7".into(),
            port,
            user: "me".into(),
            identity_files: vec![],
            identity_files_named: false,
            identities_only: false,
            identity_agent: AgentSocket::Disabled,
            pubkey_authentication: true,
            proxy_jump: vec![],
            proxy_command: None,
            user_known_hosts: vec![],
            global_known_hosts: vec![],
            strict_host_key_checking: StrictHostKeyChecking::Ask,
            host_key_alias: alias.map(str::to_owned),
        }
    }

    #[test]
    fn lookup_names_follow_ssh() {
        assert_eq!(lookup_name(&host(22, None)), "10.0.0.7");
        assert_eq!(lookup_name(&host(2222, None)), "[10.0.0.7]:2222");
        assert_eq!(lookup_name(&host(2222, Some("studio"))), "studio");
    }

    fn session() -> Session {
        Session::new().expect("libssh2 session")
    }

    const KEY: &[u8] = b"\0\0\0\x0bssh-ed25519\0\0\0\x20abcdefghijklmnopqrstuvwxyz012345";

    fn known(lines: &str) -> (tempfile::TempDir, KnownHosts) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("known_hosts");
        fs::write(&path, lines).expect("write");
        let known = KnownHosts::load(&[path]);
        (dir, known)
    }

    #[test]
    fn verdicts() {
        let key = base64::encode(KEY);
        let other =
            base64::encode(b"\0\0\0\x0bssh-ed25519\0\0\0\x20ABCDEFGHIJKLMNOPQRSTUVWXYZ012345");
        let session = session();

        let (_d, trusted) = known(&format!("[h]:2222 ssh-ed25519 {key}\n"));
        assert_eq!(
            trusted.verify(&session, "[h]:2222", KEY, "ssh-ed25519"),
            Verdict::Trusted
        );
        assert_eq!(
            trusted.verify(&session, "h", KEY, "ssh-ed25519"),
            Verdict::Unknown {
                other_types: vec![]
            }
        );

        let (_d, changed) = known(&format!("# comment\nh ssh-ed25519 {other}\n"));
        assert!(matches!(
            changed.verify(&session, "h", KEY, "ssh-ed25519"),
            Verdict::Changed { line_number: 2, .. }
        ));

        // A different key type for the same host is not a change.
        let (_d, typed) = known("h ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBFakeFakeFake=\n");
        assert!(matches!(
            typed.verify(&session, "h", KEY, "ssh-ed25519"),
            Verdict::Unknown { .. } | Verdict::Trusted
        ));
    }

    #[test]
    fn append_writes_a_readable_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub/known_hosts");
        append(&path, "[h]:2222", "ssh-ed25519", KEY).expect("append");
        let known = KnownHosts::load(&[path]);
        assert_eq!(
            known.verify(&session(), "[h]:2222", KEY, "ssh-ed25519"),
            Verdict::Trusted
        );
    }
}
