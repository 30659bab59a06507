//! The setup most of the tests share: one loopback sshd that lets the client's key in, its
//! host key trusted, named in the client's ssh_config.

use std::path::PathBuf;
use std::time::Duration;

use rdma_setup::ssh::{SshConnector, SshTransport};

use super::{host, proxied, proxy_host_for, Client, HostBlock, Sshd, SshdSetup};

/// Start an sshd with `setup` that also lets `client`'s key in, trust its host key, and
/// write a config naming it `alias`: the sshd and that config.
pub fn serve<'a>(client: &'a Client, alias: &str, mut setup: SshdSetup<'a>) -> (Sshd, PathBuf) {
    setup.authorized.push(&client.key);
    let sshd = Sshd::start(&setup);
    client.trust(&sshd);
    let config = client.config(&[HostBlock {
        alias,
        port: sshd.port,
        extra: "",
    }]);
    (sshd, config)
}

/// [`serve`] as `studio`, and a session to it with this command timeout.
pub fn session<'a>(
    client: &'a Client,
    setup: SshdSetup<'a>,
    timeout: Duration,
) -> (Sshd, SshTransport) {
    let (sshd, config) = serve(client, "studio", setup);
    let mut options = client.options(&config);
    options.command_timeout = timeout;
    let session = SshConnector::new(options)
        .open(&host("studio"))
        .expect("connect");
    (sshd, session)
}

/// A target sshd started with `setup` that also lets `client`'s key in, and a `--proxy` host
/// whose own ssh knows it as `studio2` (as on a real cluster; the machine running
/// rdma-setup does not), named `proxybox` in the client's config: the target, the proxy and
/// that config, for `proxied("proxybox", "studio2")`.
pub fn serve_behind_proxy<'a>(
    client: &'a Client,
    mut setup: SshdSetup<'a>,
) -> (Sshd, Sshd, PathBuf) {
    setup.authorized.push(&client.key);
    let target = Sshd::start(&setup);
    let proxy = proxy_host_for(client, &target, "studio2");
    let config = client.config(&[HostBlock {
        alias: "proxybox",
        port: proxy.port,
        extra: "",
    }]);
    (target, proxy, config)
}

/// [`serve_behind_proxy`], and a session to the target through the proxy with this command
/// timeout: the target, the proxy and the session.
pub fn session_behind_proxy<'a>(
    client: &'a Client,
    setup: SshdSetup<'a>,
    timeout: Duration,
) -> (Sshd, Sshd, SshTransport) {
    let (target, proxy, config) = serve_behind_proxy(client, setup);
    let mut options = client.options(&config);
    options.command_timeout = timeout;
    let session = SshConnector::new(options)
        .open(&proxied("proxybox", "studio2"))
        .expect("connect");
    (target, proxy, session)
}
