//! The setup most of the tests share: one loopback sshd that lets the client's key in, its
//! host key trusted, named in the client's ssh_config.

use std::path::PathBuf;

use super::{proxy_host_for, Client, HostBlock, Sshd, SshdSetup};

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
