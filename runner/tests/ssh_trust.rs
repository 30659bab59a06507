//! Host keys, authentication and ssh_config resolution against a real loopback sshd.

mod support;

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use rdma_phase::{RemoteCommand, TransportError};
use rdma_setup::ssh::SshConnector;
use support::agent::Agent;
use support::{
    host, serve, sshd_available, Client, HostBlock, Key, ScriptedPrompt, Sshd, SshdSetup,
};

fn server_for(keys: &[&Key]) -> Sshd {
    Sshd::start(&SshdSetup {
        authorized: keys.to_vec(),
        ..SshdSetup::default()
    })
}

fn studio(client: &Client, sshd: &Sshd, extra: &str) -> PathBuf {
    client.config(&[HostBlock {
        alias: "studio",
        port: sshd.port,
        extra,
    }])
}

fn connect_error(connector: &SshConnector, name: &str) -> (String, String) {
    match connector.connect(&host(name)) {
        Ok(_) => panic!("connecting to {name} should fail"),
        Err(TransportError::Connect { host, reason, hint }) => {
            assert_eq!(host, name);
            (reason, hint)
        }
        Err(other) => panic!("expected a connect error, got {other:?}"),
    }
}

fn whoami(connector: &SshConnector, name: &str) -> String {
    let mut session = connector.connect(&host(name)).expect("connect");
    let output = session
        .run(&RemoteCommand::read(["id", "-un"]))
        .expect("run");
    output.stdout.trim().to_owned()
}

#[test]
fn unknown_host_key_is_refused_with_the_fix() {
    if !sshd_available("unknown_host_key") {
        return;
    }
    let client = Client::new();
    let sshd = server_for(&[&client.key]);
    let config = studio(&client, &sshd, "");
    let connector = SshConnector::new(client.options(&config));
    let (reason, hint) = connect_error(&connector, "studio");
    assert!(reason.contains("not in known_hosts"), "{reason}");
    assert!(reason.contains("SHA256:"), "{reason}");
    assert!(
        hint.contains(&format!("ssh-keyscan -H -p {} 127.0.0.1 >>", sshd.port)),
        "{hint}"
    );
    assert!(hint.contains("--accept-new-host-keys"), "{hint}");
    assert_eq!(
        fs::read_to_string(client.known_hosts()).expect("read"),
        "",
        "nothing recorded without the flag"
    );
}

#[test]
fn accept_new_host_keys_records_the_key() {
    if !sshd_available("accept_new_host_keys") {
        return;
    }
    let client = Client::new();
    let sshd = server_for(&[&client.key]);
    let config = studio(&client, &sshd, "");
    let mut options = client.options(&config);
    options.accept_new_host_keys = true;
    assert_eq!(whoami(&SshConnector::new(options), "studio"), "root");
    let recorded = fs::read_to_string(client.known_hosts()).expect("read");
    assert_eq!(recorded, sshd.known_hosts_line());

    // Recorded means trusted from now on, without the flag.
    let connector = SshConnector::new(client.options(&config));
    assert_eq!(whoami(&connector, "studio"), "root");
}

#[test]
fn changed_host_key_is_refused_even_with_accept_new() {
    if !sshd_available("changed_host_key") {
        return;
    }
    let client = Client::new();
    let sshd = server_for(&[&client.key]);
    // Another ed25519 key recorded for the same [127.0.0.1]:port.
    let impostor = Key::generate(client.dir.path(), "impostor", "");
    let other_key: Vec<&str> = impostor.public_line.split_whitespace().take(2).collect();
    fs::write(
        client.known_hosts(),
        format!("[127.0.0.1]:{} {}\n", sshd.port, other_key.join(" ")),
    )
    .expect("write");
    let config = studio(&client, &sshd, "");
    let mut options = client.options(&config);
    options.accept_new_host_keys = true;
    let (reason, hint) = connect_error(&SshConnector::new(options), "studio");
    assert!(reason.contains("HAS CHANGED"), "{reason}");
    assert!(reason.contains("reinstalled"), "{reason}");
    assert!(reason.contains("man-in-the-middle"), "{reason}");
    assert!(
        hint.contains(&format!("ssh-keygen -R '[127.0.0.1]:{}'", sshd.port)),
        "{hint}"
    );
}

#[test]
fn hashed_known_hosts_entries_are_understood() {
    if !sshd_available("hashed_known_hosts") {
        return;
    }
    let client = Client::new();
    let sshd = server_for(&[&client.key]);
    client.trust(&sshd);
    let hashed = Command::new("ssh-keygen")
        .arg("-H")
        .arg("-f")
        .arg(client.known_hosts())
        .output()
        .expect("ssh-keygen -H");
    assert!(hashed.status.success());
    let text = fs::read_to_string(client.known_hosts()).expect("read");
    assert!(text.starts_with("|1|"), "{text}");
    let config = studio(&client, &sshd, "");
    assert_eq!(
        whoami(&SshConnector::new(client.options(&config)), "studio"),
        "root"
    );
}

#[test]
fn config_alias_resolves_hostname_port_user_and_identity() {
    if !sshd_available("config_alias") {
        return;
    }
    let client = Client::new();
    let sshd = server_for(&[&client.key]);
    client.trust(&sshd);
    // An alias with nothing in common with the address, and a User the server refuses, so
    // that `root@studio` must override it.
    let config = client.config(&[HostBlock {
        alias: "mac-studio-7",
        port: sshd.port,
        extra: "",
    }]);
    let connector = SshConnector::new(client.options(&config));
    assert_eq!(whoami(&connector, "mac-studio-7"), "root");

    let config = client.config(&[HostBlock {
        alias: "studio",
        port: sshd.port,
        extra: "  User nosuchuser\n",
    }]);
    let connector = SshConnector::new(client.options(&config));
    let (reason, hint) = connect_error(&connector, "studio");
    assert!(reason.contains("nosuchuser@127.0.0.1"), "{reason}");
    assert!(hint.contains("ssh-copy-id studio"), "{hint}");
    assert_eq!(whoami(&connector, "root@studio"), "root");
}

#[test]
fn wrong_key_fails_with_an_authentication_hint() {
    if !sshd_available("wrong_key") {
        return;
    }
    let client = Client::new();
    let stranger = Key::generate(client.dir.path(), "stranger", "");
    let sshd = server_for(&[&stranger]);
    client.trust(&sshd);
    let config = studio(&client, &sshd, "");
    let (reason, hint) = connect_error(&SshConnector::new(client.options(&config)), "studio");
    assert!(reason.contains("refused every key"), "{reason}");
    assert!(reason.contains("id_test"), "{reason}");
    assert!(hint.contains("ssh-copy-id studio"), "{hint}");
}

fn fingerprint(key: &Key) -> String {
    let output = Command::new("ssh-keygen")
        .arg("-lf")
        .arg(&key.private)
        .output()
        .expect("ssh-keygen -l");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.split_whitespace()
        .nth(1)
        .expect("fingerprint")
        .to_owned()
}

#[test]
fn every_agent_identity_is_tried_not_just_the_first() {
    if !sshd_available("agent_identities") {
        return;
    }
    let client = Client::new();
    let decoy = Key::generate(client.dir.path(), "decoy", "");
    let sshd = server_for(&[&client.key]);
    client.trust(&sshd);
    let agent = Agent::start(client.dir.path(), &[&decoy, &client.key]);
    let listed = agent.listed();
    let decoy_at = listed.find("decoy").expect("decoy listed");
    let right_at = listed.find("id_test").expect("key listed");
    assert!(
        decoy_at < right_at,
        "the wrong key must come first:\n{listed}"
    );

    // No identity file usable: only the agent can succeed.
    let config = studio(
        &client,
        &sshd,
        &format!(
            "  IdentityAgent {}\n  IdentityFile /nonexistent/key\n  IdentitiesOnly no\n",
            agent.socket.display()
        ),
    );
    // `Host *`'s IdentityFile adds our key file too; hide it so only the agent can work, and
    // its .pub, which would name the agent's right key and have it offered first.
    fs::rename(&client.key.private, client.path("hidden")).expect("hide key");
    fs::rename(client.path("id_test.pub"), client.path("hidden.pub")).expect("hide .pub");
    assert_eq!(
        whoami(&SshConnector::new(client.options(&config)), "studio"),
        "root"
    );
    // The decoy was offered and refused first, then the right key accepted.
    let log = sshd.log();
    let decoy_print = fingerprint(&decoy);
    let refused = log
        .lines()
        .position(|line| line.contains("Failed publickey") && line.contains(&decoy_print));
    let accepted = log
        .lines()
        .position(|line| line.contains("Accepted publickey"));
    assert!(
        matches!((refused, accepted), (Some(r), Some(a)) if r < a),
        "decoy refused before the right key was accepted:\n{log}"
    );
}

#[test]
fn encrypted_identity_file_asks_for_its_passphrase_once() {
    if !sshd_available("encrypted_key") {
        return;
    }
    let client = Client::new();
    let locked = Key::generate(client.dir.path(), "locked", "correct horse");
    let sshd = server_for(&[&locked]);
    client.trust(&sshd);
    let config = studio(
        &client,
        &sshd,
        &format!("  IdentityFile {}\n", locked.private.display()),
    );

    let prompt = ScriptedPrompt::new(Some("correct horse"));
    let connector = SshConnector::new(client.options(&config)).with_prompt(prompt.clone());
    assert_eq!(whoami(&connector, "studio"), "root");
    let asked = prompt.asked();
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert!(
        asked[0].starts_with("Enter passphrase for key"),
        "{asked:?}"
    );

    // Without a terminal the key is skipped with advice, never a hidden prompt.
    let connector =
        SshConnector::new(client.options(&config)).with_prompt(ScriptedPrompt::new(None));
    let (reason, _hint) = connect_error(&connector, "studio");
    assert!(reason.contains("ssh-add"), "{reason}");
}

#[test]
fn a_server_without_publickey_is_named_as_such() {
    if !sshd_available("no_publickey") {
        return;
    }
    let client = Client::new();
    let setup = SshdSetup {
        config: "PubkeyAuthentication no\nPasswordAuthentication yes\n",
        ..SshdSetup::default()
    };
    let (_sshd, config) = serve(&client, "studio", setup);
    let (reason, hint) = connect_error(&SshConnector::new(client.options(&config)), "studio");
    assert!(reason.contains("accepts only password"), "{reason}");
    assert!(hint.contains("ssh-copy-id studio"), "{hint}");
}

#[test]
fn an_encrypted_named_key_is_not_unlocked_while_an_agent_key_works() {
    if !sshd_available("encrypted_after_agent") {
        return;
    }
    let client = Client::new();
    let locked = Key::generate(client.dir.path(), "locked", "correct horse");
    let sshd = server_for(&[&client.key]);
    client.trust(&sshd);
    let agent = Agent::start(client.dir.path(), &[&client.key]);
    let config = studio(
        &client,
        &sshd,
        &format!(
            "  IdentityAgent {}\n  IdentityFile {}\n",
            agent.socket.display(),
            locked.private.display()
        ),
    );
    // Only the agent holds the right key: `Host *`'s file and its .pub are hidden.
    fs::rename(&client.key.private, client.path("hidden")).expect("hide key");
    fs::rename(client.path("id_test.pub"), client.path("hidden.pub")).expect("hide .pub");
    let prompt = ScriptedPrompt::new(Some("correct horse"));
    let connector = SshConnector::new(client.options(&config)).with_prompt(prompt.clone());
    assert_eq!(whoami(&connector, "studio"), "root");
    assert!(prompt.asked().is_empty(), "{:?}", prompt.asked());
}
