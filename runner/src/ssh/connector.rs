//! [`SshConnector`]: the factory the runner shares across its host threads.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rdma_phase::plan::Host;
use rdma_phase::{Transport, TransportError};

use super::batch;
use super::config::Destination;
use super::exec::{AfterStdin, ExecError};
use super::hints::{self, ConnectFailure};
use super::options::SshOptions;
use super::prompt::{Prompter, SecretPrompt, TtyPrompt};
use super::proxy::Via;
use super::route;
use super::session::{Connector, Established};
use super::spare::Spare;
use super::transport::SshTransport;

/// Opens one session per host. `Send + Sync`: every host thread calls [`Self::connect`] on
/// the same connector, which serializes terminal prompts and known_hosts appends.
pub struct SshConnector {
    options: SshOptions,
    prompter: Arc<Prompter>,
    known_hosts_lock: Mutex<()>,
}

impl SshConnector {
    pub fn new(options: SshOptions) -> Self {
        Self {
            options,
            prompter: Arc::new(Prompter::new(Arc::new(TtyPrompt))),
            known_hosts_lock: Mutex::new(()),
        }
    }

    /// Replace the terminal prompt (sudo password, key passphrase) with another source.
    #[must_use]
    pub fn with_prompt(mut self, prompt: Arc<dyn SecretPrompt>) -> Self {
        self.prompter = Arc::new(Prompter::new(prompt));
        self
    }

    pub fn options(&self) -> &SshOptions {
        &self.options
    }

    /// Opens the one session this host uses for the whole run.
    pub fn connect(&self, host: &Host) -> Result<Box<dyn Transport>, TransportError> {
        Ok(Box::new(self.open(host)?))
    }

    /// [`Self::connect`], as the concrete transport (its round-trip counter, for tests and
    /// benchmarks).
    pub fn open(&self, host: &Host) -> Result<SshTransport, TransportError> {
        let name = host.name.as_str();
        let connector = Connector {
            options: &self.options,
            prompter: &self.prompter,
            known_hosts_lock: &self.known_hosts_lock,
        };
        let (via, established) = match &host.via {
            None => {
                tracing::debug!(host = %name, "connecting");
                let established = route::establish(&connector, &Destination::new(name), None, 0)
                    .map_err(|failure| failure.into_error(name))?;
                (None, established)
            }
            Some(proxy) => {
                let via = Via {
                    proxy: proxy.as_str().to_owned(),
                    target: name.to_owned(),
                };
                tracing::debug!(host = %name, proxy = %via.proxy, "connecting through --proxy");
                let established =
                    route::establish(&connector, &Destination::new(&via.proxy), None, 0).map_err(
                        |failure| {
                            failure
                                .context(&format!("proxy host {}", via.proxy))
                                .into_error(name)
                        },
                    )?;
                (Some(via), established)
            }
        };
        let mut spare = Spare::start(&established.session);
        if let Some(via) = &via {
            self.prove_proxy(name, via, &established, &mut spare)?;
        }
        Ok(SshTransport::new(
            name.to_owned(),
            via,
            established,
            spare,
            self.options.command_timeout,
            Arc::clone(&self.prompter),
        ))
    }

    /// Prove now that the proxy reaches the target, so an unreachable target is a
    /// connection error (the host is skipped) rather than a failure of its first command.
    fn prove_proxy(
        &self,
        name: &str,
        via: &Via,
        established: &Established,
        spare: &mut Spare,
    ) -> Result<(), TransportError> {
        let started = Instant::now();
        let probe = batch::run_one(
            &established.session,
            std::os::fd::AsFd::as_fd(&established.socket),
            spare,
            &via.wrap("true"),
            None,
            // `ssh TARGET true` ends by itself or by the timeout's channel close (its ssh
            // then reads EOF); no lifeline needed.
            AfterStdin::Eof,
            started + self.options.connect_timeout + Duration::from_secs(1),
        );
        let unreachable = |reason: String| {
            ConnectFailure::new(reason, hints::proxy_reach(&via.proxy, &via.target))
                .into_error(name)
        };
        tracing::debug!(
            host = %name,
            proxy = %via.proxy,
            took = ?started.elapsed(),
            "proxy probe answered"
        );
        let reason = match probe {
            Ok(output) if output.success() => return Ok(()),
            Ok(output) => format!(
                "{} cannot run commands on {} over SSH (exit {}): {}",
                via.proxy,
                via.target,
                output.exit_code,
                output.combined_trimmed()
            ),
            Err(ExecError::NotRun) => {
                format!("{} was not asked to reach {}", via.proxy, via.target)
            }
            Err(ExecError::TimedOut) => format!(
                "{} did not reach {} over SSH within {} s",
                via.proxy,
                via.target,
                started.elapsed().as_secs()
            ),
            Err(ExecError::TooMuchOutput(stream)) => format!(
                "{} printed endlessly on {} for `ssh {} true`",
                via.proxy,
                stream.name(),
                via.target
            ),
            Err(
                ExecError::Lost(reason)
                | ExecError::Refused(reason)
                | ExecError::Unanswered { reason, .. },
            ) => format!("the session to proxy host {} broke: {reason}", via.proxy),
        };
        Err(unreachable(reason))
    }
}

impl rdma_phase::Connector for SshConnector {
    fn connect(&self, host: &Host) -> Result<Box<dyn Transport>, TransportError> {
        SshConnector::connect(self, host)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connector_is_shareable() {
        fn shareable<T: Send + Sync>() {}
        shareable::<SshConnector>();
    }
}
