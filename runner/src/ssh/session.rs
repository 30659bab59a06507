//! Establishing one authenticated session on a stream that `route` opened: handshake ->
//! host key -> authentication.

use std::os::fd::OwnedFd;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ssh2::{MethodType, Session};

use super::auth;
use super::config::{ResolvedHost, StrictHostKeyChecking};
use super::hints::{self, ConnectFailure};
use super::known_hosts::{self, KnownHosts, Verdict};
use super::options::SshOptions;
use super::prompt::Prompter;
use super::stream::{Route, SessionStream};

/// libssh2's `LIBSSH2_ERROR_TIMEOUT`.
const LIBSSH2_ERROR_TIMEOUT: i32 = -9;

/// An authenticated session and what it needs to be driven.
pub struct Established {
    // Field order is drop order: the session goes before the route that carries it.
    pub session: Session,
    /// A duplicate of the session's socket, for `poll(2)`.
    pub socket: OwnedFd,
    pub host: ResolvedHost,
    pub _route: Route,
}

/// The shared pieces a connection attempt uses.
pub struct Connector<'a> {
    pub options: &'a SshOptions,
    pub prompter: &'a Prompter,
    /// Serializes appends to known_hosts across host threads.
    pub known_hosts_lock: &'a Mutex<()>,
}

impl Connector<'_> {
    /// Run the SSH session to `host` over `stream`; `route` is kept alive with it.
    pub fn establish_on(
        &self,
        host: ResolvedHost,
        stream: SessionStream,
        route: Route,
    ) -> Result<Established, ConnectFailure> {
        let io_failure = |error: std::io::Error| {
            ConnectFailure::new(format!("socket setup failed: {error}"), String::new())
        };
        let mut session = Session::new().map_err(|error| {
            ConnectFailure::new(
                format!("cannot create an SSH session: {error}"),
                String::new(),
            )
        })?;
        let socket = stream.poll_handle().map_err(io_failure)?;
        stream.attach(&mut session);
        session.set_blocking(true);
        session.set_timeout(millis(self.options.connect_timeout));

        let known = KnownHosts::load(&known_hosts::files(&host));
        let name = known_hosts::lookup_name(&host);
        if let Some(preference) = known_hosts::preferred_algorithms(&session, &known, &name) {
            if let Err(error) = session.method_pref(MethodType::HostKey, &preference) {
                tracing::debug!(%error, "host key algorithm preference refused");
            }
        }
        let started = Instant::now();
        session.handshake().map_err(|error| {
            let reason = if error.code() == ssh2::ErrorCode::Session(LIBSSH2_ERROR_TIMEOUT) {
                format!(
                    "{}:{} accepted the connection but did not complete the SSH handshake within {} s",
                    host.hostname,
                    host.port,
                    self.options.connect_timeout.as_secs_f64()
                )
            } else {
                format!("SSH handshake with {}:{} failed: {error}", host.hostname, host.port)
            };
            ConnectFailure::new(reason, hints::unreachable(&host.alias))
        })?;

        tracing::debug!(host = %host.alias, took = ?started.elapsed(), "SSH handshake done");
        self.check_host_key(&session, &host, &known, &name)?;
        let authenticating = Instant::now();
        auth::authenticate(&session, &host, self.prompter)?;
        tracing::debug!(
            host = %host.alias,
            took = ?authenticating.elapsed(),
            handshake_and_auth = ?started.elapsed(),
            "session established"
        );
        Ok(Established {
            session,
            socket,
            host,
            _route: route,
        })
    }

    fn check_host_key(
        &self,
        session: &Session,
        host: &ResolvedHost,
        known: &KnownHosts,
        name: &str,
    ) -> Result<(), ConnectFailure> {
        let (key, key_type) = session.host_key().ok_or_else(|| {
            ConnectFailure::new("the server sent no host key", hints::check_ssh(&host.alias))
        })?;
        let type_name = known_hosts::type_name(key_type);
        let fingerprint = known_hosts::fingerprint(session);
        let user_file = host.user_known_hosts.first();
        let shown_file = user_file.map_or_else(
            || "~/.ssh/known_hosts".to_owned(),
            |file| file.display().to_string(),
        );
        match known.verify(session, name, key, type_name) {
            Verdict::Trusted => {
                tracing::debug!(host = %host.alias, %name, "host key matches known_hosts");
                Ok(())
            }
            Verdict::Changed { file, line_number } => Err(ConnectFailure::new(
                format!(
                    "WARNING: THE HOST KEY OF {alias} HAS CHANGED. {name} now presents the \
                     {type_name} key {fingerprint}, but {file}:{line_number} records a different \
                     one. This can be a reinstalled Mac, or someone intercepting the connection \
                     (man-in-the-middle attack). rdma-setup refuses to connect",
                    alias = host.alias,
                    file = file.display(),
                ),
                format!(
                    "if you know {alias} was reinstalled, remove the old key with \
                     `ssh-keygen -R '{name}' -f {file}`, then run `ssh {alias}` once to check and \
                     record the new key; otherwise find out why the key changed before connecting",
                    alias = host.alias,
                    file = file.display(),
                ),
            )),
            Verdict::Unknown { other_types } => {
                let accept = self.options.accept_new_host_keys
                    || host.strict_host_key_checking == StrictHostKeyChecking::AcceptNew;
                if accept {
                    let file = user_file.ok_or_else(|| {
                        ConnectFailure::new(
                            "no UserKnownHostsFile to record the new host key in",
                            "set UserKnownHostsFile in your ssh config",
                        )
                    })?;
                    let _guard = self
                        .known_hosts_lock
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    known_hosts::append(file, name, type_name, key).map_err(|error| {
                        ConnectFailure::new(
                            format!("cannot record the host key in {}: {error}", file.display()),
                            format!("check that {} is writable", file.display()),
                        )
                    })?;
                    tracing::info!(
                        host = %host.alias,
                        %name,
                        %fingerprint,
                        file = %file.display(),
                        "recorded new host key"
                    );
                    return Ok(());
                }
                let also = if other_types.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (known_hosts has only {} keys for it)",
                        other_types.join(", ")
                    )
                };
                Err(ConnectFailure::new(
                    format!(
                        "the host key of {alias} ({name}, {type_name} {fingerprint}) is not in \
                         known_hosts{also}; rdma-setup does not trust unknown hosts",
                        alias = host.alias
                    ),
                    format!(
                        "check the fingerprint, then record the key with \
                         `ssh-keyscan -H -p {port} {hostname} >> {shown_file}` or by running \
                         `ssh {alias}` once and answering yes; or re-run with \
                         --accept-new-host-keys",
                        port = host.port,
                        hostname = host.hostname,
                        alias = host.alias,
                    ),
                ))
            }
        }
    }
}

fn millis(duration: Duration) -> u32 {
    u32::try_from(duration.as_millis())
        .unwrap_or(u32::MAX)
        .max(1)
}
