//! User authentication: the keys ssh would offer, in an order that spends few round trips.
//!
//! Each key offered costs a round trip, the accepted one two (libssh2 asks whether the key
//! would do, then signs), so the order is where the time goes:
//! 1. the agent's keys that match an IdentityFile the config names (ssh offers these first
//!    too), in the agent's order;
//! 2. the named identity files the agent does not hold, unless encrypted;
//! 3. the agent's other keys (with IdentitiesOnly only those matching an identity file);
//! 4. the identity files not yet offered, in config order: ssh's default files, and the
//!    encrypted ones, whose passphrase is asked for on the terminal only now (an agent key
//!    might have done without it), and only when there is a terminal.
//!
//! "Named": `ssh -G` lists ssh's default files when the config sets no IdentityFile; those
//! say nothing about this host, so the agent goes first, as with ssh. libssh2's own
//! `userauth_agent` offers only the agent's first identity; we walk them ourselves.
//!
//! The `none` request, whose answer lists the methods the server accepts, costs a round trip
//! too; it is sent only when no key was accepted: to tell "accepts only passwords" from
//! "refused every key", and for the rare server that lets `none` in.

use std::time::Instant;

use ssh2::Session;

use super::config::ResolvedHost;
use super::hints::{self, ConnectFailure};
use super::identity::{agent_key_base64, public_key_base64, AgentKeys, IdentityFile};
use super::prompt::{PromptError, Prompter};

pub fn authenticate(
    session: &Session,
    host: &ResolvedHost,
    prompter: &Prompter,
) -> Result<(), ConnectFailure> {
    let user = host.user.as_str();
    let mut tried: Vec<String> = Vec::new();
    if host.pubkey_authentication && offer_keys(session, host, prompter, &mut tried) {
        return Ok(());
    }
    let started = Instant::now();
    let methods = match session.auth_methods(user) {
        Ok(methods) => methods,
        // After refused keys a server may hang up (MaxAuthTries): the keys are the story.
        Err(_) if !tried.is_empty() => return Err(refused_every_key(host, &tried)),
        Err(error) => {
            return Err(ConnectFailure::new(
                format!("the server did not answer the authentication request: {error}"),
                hints::check_ssh(&host.alias),
            ))
        }
    };
    tracing::debug!(%methods, took = ?started.elapsed(), "`none` request answered");
    // The "none" method that auth_methods sends can succeed (rare, but legal).
    if session.authenticated() {
        return Ok(());
    }
    if !methods.split(',').any(|method| method == "publickey") || !host.pubkey_authentication {
        return Err(ConnectFailure::new(
            format!(
                "{user}@{} accepts only {methods}; rdma-setup logs in with SSH keys",
                host.hostname
            ),
            hints::authentication(&host.alias),
        ));
    }
    Err(refused_every_key(host, &tried))
}

fn refused_every_key(host: &ResolvedHost, tried: &[String]) -> ConnectFailure {
    let tried = if tried.is_empty() {
        "no key was available (no ssh-agent keys, no identity files)".to_owned()
    } else {
        format!("tried {}", tried.join("; "))
    };
    ConnectFailure::new(
        format!("{}@{} refused every key: {tried}", host.user, host.hostname),
        hints::authentication(&host.alias),
    )
}

/// Offer the keys in the order the module doc gives; whether one was accepted. What was
/// refused goes into `tried`, for the error.
fn offer_keys(
    session: &Session,
    host: &ResolvedHost,
    prompter: &Prompter,
    tried: &mut Vec<String>,
) -> bool {
    let agent = AgentKeys::connect(session, host);
    let agent_keys = agent.as_ref().map_or(&[][..], |agent| &agent.keys[..]);
    let agent_blobs: Vec<String> = agent_keys.iter().map(agent_key_base64).collect();
    let files: Vec<IdentityFile> = host
        .identity_files
        .iter()
        .filter_map(|path| IdentityFile::read(path))
        .collect();
    // The `.pub` of every identity file, private half present or not.
    let configured: Vec<String> = host
        .identity_files
        .iter()
        .filter_map(|path| public_key_base64(path))
        .collect();
    let named: &[String] = if host.identity_files_named {
        &configured
    } else {
        &[]
    };
    let mut agent_offered = vec![false; agent_keys.len()];
    let mut file_offered = vec![false; files.len()];

    // 1. The agent's copies of the named keys.
    if let Some(agent) = &agent {
        for (index, blob) in agent_blobs.iter().enumerate() {
            if named.contains(blob) {
                agent_offered[index] = true;
                if offer_agent_key(agent, index, host, tried) {
                    return true;
                }
            }
        }
    }
    // 2. Named files the agent does not hold, if no passphrase is needed.
    if host.identity_files_named {
        for (index, file) in files.iter().enumerate() {
            let in_agent = file
                .blob
                .as_ref()
                .is_some_and(|blob| agent_blobs.contains(blob));
            if !file.encrypted && !in_agent {
                file_offered[index] = true;
                if offer_file(session, host, file, prompter, tried) {
                    return true;
                }
            }
        }
    }
    // 3. The agent's other keys.
    if let Some(agent) = &agent {
        // IdentitiesOnly: only agent keys that match a configured identity file.
        let allowed = host.identities_only.then_some(&configured);
        for (index, blob) in agent_blobs.iter().enumerate() {
            if agent_offered[index] {
                continue;
            }
            if allowed
                .as_ref()
                .is_some_and(|allowed| !allowed.contains(blob))
            {
                let key = agent_keys[index].comment();
                tracing::debug!(key = %key, "IdentitiesOnly: skipping agent key");
                continue;
            }
            if offer_agent_key(agent, index, host, tried) {
                return true;
            }
        }
    }
    // 4. The identity files not yet offered.
    files
        .iter()
        .zip(file_offered)
        .filter(|(_, offered)| !offered)
        .any(|(file, _)| offer_file(session, host, file, prompter, tried))
}

fn offer_agent_key(
    agent: &AgentKeys,
    index: usize,
    host: &ResolvedHost,
    tried: &mut Vec<String>,
) -> bool {
    let Some(key) = agent.keys.get(index) else {
        return false;
    };
    let comment = key.comment();
    let started = Instant::now();
    match agent.agent.userauth(&host.user, key) {
        Ok(()) => {
            tracing::debug!(
                key = %comment,
                host = %host.alias,
                took = ?started.elapsed(),
                "authenticated with agent key"
            );
            true
        }
        Err(error) => {
            tracing::debug!(
                key = %comment,
                %error,
                took = ?started.elapsed(),
                "agent key refused"
            );
            tried.push(format!("agent key '{comment}'"));
            false
        }
    }
}

fn offer_file(
    session: &Session,
    host: &ResolvedHost,
    file: &IdentityFile,
    prompter: &Prompter,
    tried: &mut Vec<String>,
) -> bool {
    let shown = file.path.display();
    let passphrase = if file.encrypted {
        let prompt = format!("Enter passphrase for key '{shown}': ");
        match prompter.ask(&prompt) {
            Ok(secret) => Some(secret),
            Err(PromptError::NoTerminal) => {
                tried.push(format!(
                    "{shown} (encrypted, and no terminal to ask its passphrase: load it with \
                     `ssh-add {shown}` first)"
                ));
                return false;
            }
            Err(error) => {
                tried.push(format!("{shown} ({error})"));
                return false;
            }
        }
    } else {
        None
    };
    let started = Instant::now();
    match session.userauth_pubkey_file(
        &host.user,
        file.public.as_deref(),
        &file.path,
        passphrase.as_ref().map(|secret| secret.expose()),
    ) {
        Ok(()) => {
            tracing::debug!(
                file = %shown,
                host = %host.alias,
                took = ?started.elapsed(),
                "authenticated with identity file"
            );
            true
        }
        Err(error) => {
            tracing::debug!(
                file = %shown,
                %error,
                took = ?started.elapsed(),
                "identity file refused"
            );
            tried.push(format!("{shown} ({})", error.message()));
            false
        }
    }
}
