//! The setup most of the tests share: one loopback sshd that lets the client's key in, its
//! host key trusted, named in the client's ssh_config.

use std::path::PathBuf;

use super::{Client, HostBlock, Sshd, SshdSetup};

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
