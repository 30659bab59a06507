//! Shows `--proxy` hosts' commands as they would travel (`ssh PROXY ssh ... TARGET '...'`)
//! for transports that never open a real route: dry-run and replay. The libssh2 transport
//! describes its own route.

use rdma_phase::command::through_proxy;
use rdma_phase::plan::Host;
use rdma_phase::{CommandOutput, Connector, HostName, RemoteCommand, Transport, TransportError};

pub struct ProxyView<C>(pub C);

impl<C: Connector> Connector for ProxyView<C> {
    fn connect(&self, host: &Host) -> Result<Box<dyn Transport>, TransportError> {
        let inner = self.0.connect(host)?;
        Ok(match &host.via {
            Some(proxy) => Box::new(Proxied {
                inner,
                proxy: proxy.clone(),
            }),
            None => inner,
        })
    }
}

struct Proxied {
    inner: Box<dyn Transport>,
    proxy: HostName,
}

impl Transport for Proxied {
    fn host(&self) -> &str {
        self.inner.host()
    }

    fn run(&mut self, command: &RemoteCommand) -> Result<CommandOutput, TransportError> {
        self.inner.run(command)
    }

    fn describe(&self, command: &RemoteCommand) -> String {
        format!(
            "ssh {} {}",
            self.proxy,
            through_proxy(self.inner.host(), &command.shell_line())
        )
    }
}
