//! Indirect routes over real loopback sshds: `ProxyJump`, `ProxyCommand` and the old tool's
//! `--proxy PROXY:TARGET`.

mod support;

use rdma_phase::{RemoteCommand, TransportError};
use rdma_setup::ssh::SshConnector;
use support::{host, proxied, sshd_available, Client, HostBlock, Sshd, SshdSetup};

fn two_servers(client: &Client) -> (Sshd, Sshd) {
    let setup = SshdSetup {
        authorized: vec![&client.key],
        ..SshdSetup::default()
    };
    (Sshd::start(&setup), Sshd::start(&setup))
}

fn accepted_logins(sshd: &Sshd) -> usize {
    sshd.log().matches("Accepted publickey").count()
}

#[test]
fn proxy_jump_from_the_config_is_followed() {
    if !sshd_available("proxy_jump") {
        return;
    }
    let client = Client::new();
    let (jump, target) = two_servers(&client);
    client.trust(&jump);
    client.trust(&target);
    let config = client.config(&[
        HostBlock {
            alias: "jumpbox",
            port: jump.port,
            extra: "",
        },
        HostBlock {
            alias: "studio2",
            port: target.port,
            extra: "  ProxyJump jumpbox\n",
        },
    ]);
    let connector = SshConnector::new(client.options(&config));
    let mut session = connector.connect(&host("studio2")).expect("connect");
    assert_eq!(
        session.describe(&RemoteCommand::read(["true"])),
        "ssh studio2 true"
    );
    let output = session
        .run(&RemoteCommand::read([
            "sh",
            "-c",
            "echo hi; echo there >&2; exit 4",
        ]))
        .expect("run");
    assert_eq!(
        (
            output.stdout.as_str(),
            output.stderr.as_str(),
            output.exit_code
        ),
        ("hi\n", "there\n", 4)
    );
    // Bulk through the tunnel, both directions.
    let big = "y".repeat(2 * 1024 * 1024);
    let output = session
        .run(
            &RemoteCommand::change(["sh", "-c", "wc -c; head -c 1048576 /dev/zero >&2"])
                .with_stdin(big),
        )
        .expect("run bulk");
    assert_eq!(output.stdout.trim(), (2 * 1024 * 1024).to_string());
    assert_eq!(output.stderr.len(), 1_048_576);
    assert_eq!(accepted_logins(&jump), 1, "logged in on the jump host");
    assert_eq!(accepted_logins(&target), 1, "and on the target");
    drop(session);
}

#[test]
fn proxy_jump_checks_the_targets_own_host_key() {
    if !sshd_available("proxy_jump_host_key") {
        return;
    }
    let client = Client::new();
    let (jump, target) = two_servers(&client);
    client.trust(&jump); // but not the target
    let config = client.config(&[
        HostBlock {
            alias: "jumpbox",
            port: jump.port,
            extra: "",
        },
        HostBlock {
            alias: "studio2",
            port: target.port,
            extra: "  ProxyJump jumpbox\n",
        },
    ]);
    let connector = SshConnector::new(client.options(&config));
    let Err(TransportError::Connect { reason, hint, .. }) = connector.connect(&host("studio2"))
    else {
        panic!("the target's unknown key must be refused");
    };
    assert!(
        reason.contains(&format!("[127.0.0.1]:{}", target.port)),
        "{reason}"
    );
    assert!(hint.contains(&format!("-p {}", target.port)), "{hint}");
}

#[test]
fn proxy_jump_to_a_dead_target_names_the_jump_host() {
    if !sshd_available("proxy_jump_dead_target") {
        return;
    }
    let client = Client::new();
    let jump = Sshd::start(&SshdSetup {
        authorized: vec![&client.key],
        ..SshdSetup::default()
    });
    client.trust(&jump);
    let config = client.config(&[
        HostBlock {
            alias: "jumpbox",
            port: jump.port,
            extra: "",
        },
        HostBlock {
            alias: "ghost",
            port: support::free_port(),
            extra: "  ProxyJump jumpbox\n",
        },
    ]);
    let connector = SshConnector::new(client.options(&config));
    let Err(TransportError::Connect { host, reason, hint }) = connector.connect(&host("ghost"))
    else {
        panic!("must fail");
    };
    assert_eq!(host, "ghost");
    assert!(reason.contains("jump host jumpbox"), "{reason}");
    assert!(hint.contains("ssh -J jumpbox ghost"), "{hint}");
}

#[test]
fn proxy_command_from_the_config_is_followed() {
    if !sshd_available("proxy_command") {
        return;
    }
    let client = Client::new();
    let (jump, target) = two_servers(&client);
    client.trust(&jump);
    client.trust(&target);
    // OpenSSH's own client as the ProxyCommand, reading the same config for the jump host.
    let config_path = client.path("ssh_config");
    let config = client.config(&[
        HostBlock {
            alias: "jumpbox",
            port: jump.port,
            extra: "",
        },
        HostBlock {
            alias: "studio3",
            port: target.port,
            extra: &format!(
                "  ProxyCommand /usr/bin/ssh -F {} -W %h:%p jumpbox\n",
                config_path.display()
            ),
        },
    ]);
    let connector = SshConnector::new(client.options(&config));
    let mut session = connector.connect(&host("studio3")).expect("connect");
    let output = session
        .run(&RemoteCommand::read(["echo", "via command"]))
        .expect("run");
    assert_eq!(output.stdout, "via command\n");
    assert_eq!(accepted_logins(&jump), 1);
}

#[test]
fn proxy_form_runs_commands_through_the_proxys_ssh() {
    if !sshd_available("proxy_form") {
        return;
    }
    let client = Client::new();
    // The proxy's own ssh knows the target as "studio2" (its config, key and known_hosts),
    // as on a real cluster; the machine running rdma-setup does not.
    let (target, _proxy, config) =
        support::serve::serve_behind_proxy(&client, SshdSetup::default());
    let connector = SshConnector::new(client.options(&config));

    let mut session = connector
        .connect(&proxied("proxybox", "studio2"))
        .expect("connect");
    assert_eq!(session.host(), "studio2");
    let command = RemoteCommand::read(["sh", "-c", "echo \"$SSH_CONNECTION\" | wc -w; exit 3"]);
    assert_eq!(
        session.describe(&RemoteCommand::privileged(["ifconfig", "en5", "up"])),
        "ssh proxybox ssh -o BatchMode=yes studio2 'sudo ifconfig en5 up'"
    );
    assert_eq!(
        session.describe(&command),
        format!(
            "ssh proxybox {}",
            rdma_phase::command::through_proxy("studio2", &command.shell_line())
        )
    );
    let output = session.run(&command).expect("run");
    assert_eq!(output.stdout.trim(), "4", "ran on the target over ssh");
    assert_eq!(output.exit_code, 3);
    let output = session
        .run(&RemoteCommand::change(["cat"]).with_stdin("through the proxy\n"))
        .expect("stdin");
    assert_eq!(output.stdout, "through the proxy\n");
    assert!(accepted_logins(&target) >= 2, "commands reached the target");

    // A target the proxy cannot reach: a connection error with the old tool's advice.
    let Err(TransportError::Connect { host, reason, hint }) =
        connector.connect(&proxied("proxybox", "ghost"))
    else {
        panic!("an unreachable target must fail to connect");
    };
    assert_eq!(host, "ghost");
    assert!(reason.contains("proxybox"), "{reason}");
    assert_eq!(
        hint,
        "If proxy commands time out, verify that the proxy host can reach the target host via \
         SSH: ssh proxybox \"ssh ghost hostname\""
    );
}
