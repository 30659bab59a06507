//! Host names and users: the SSH destinations of the command line and of the transcripts,
//! and the names the Macs report for themselves in `uname`, become `host-N` and `user-N`.
//! A Mac's own name shares its SSH name's placeholder; names are replaced as whole tokens,
//! case-insensitively, the longest first. IP addresses and the names every Mac has stay.

use std::collections::HashMap;
use std::net::IpAddr;

use super::scan::{Kind, Span};
use crate::{Scenario, Transcript};

/// Names every Mac has: replacing them identifies no one and would rewrite ifconfig's
/// `root id` bridge lines and uname's `root:xnu-...` kernel version.
const PUBLIC_NAMES: &[&str] = &["root", "localhost"];

/// The suffix macOS adds to the name it reports for itself.
const MDNS_SUFFIX: &str = ".local";

/// Every host and user name of one scenario and its placeholder.
#[derive(Debug, Default)]
pub(super) struct Names {
    /// Lowercase host or user name -> its placeholder.
    names: HashMap<String, String>,
    /// The same names, longest first, so `hwstudio1.lan` wins over `hwstudio1`.
    by_length: Vec<(String, String)>,
    hosts: u64,
    users: u64,
}

impl Names {
    /// Give every host and user of the scenario its placeholder; names already known keep
    /// theirs, so learning the same scenario twice changes nothing.
    pub(super) fn learn(&mut self, scenario: &Scenario) {
        for destination in command_line_hosts(&scenario.args) {
            self.learn_destination(destination);
        }
        for destination in scenario.transcripts.keys() {
            self.learn_destination(destination);
        }
        for (destination, transcript) in transcript_order(scenario) {
            let host = destination
                .split_once('@')
                .map_or(destination.as_str(), |(_, host)| host);
            for name in reported_names(transcript) {
                match self.names.get(&host.to_ascii_lowercase()).cloned() {
                    // One machine: the Mac's own name gets its SSH name's placeholder.
                    Some(placeholder) => {
                        if is_redactable_name(name) {
                            self.names
                                .entry(name.to_ascii_lowercase())
                                .or_insert(placeholder);
                        }
                    }
                    // Reached by address: the address stays, the name it reports does not.
                    None => self.add_name(name, "host"),
                }
            }
        }
        self.by_length = self
            .names
            .iter()
            .map(|(name, placeholder)| (name.clone(), placeholder.clone()))
            .collect();
        self.by_length
            .sort_by(|(a, _), (b, _)| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    }

    fn learn_destination(&mut self, destination: &str) {
        let host = match destination.split_once('@') {
            Some((user, host)) => {
                self.add_name(user, "user");
                host
            }
            None => destination,
        };
        self.add_name(host, "host");
    }

    fn add_name(&mut self, name: &str, prefix: &str) {
        if !is_redactable_name(name) || self.names.contains_key(&name.to_ascii_lowercase()) {
            return;
        }
        let counter = if prefix == "user" {
            &mut self.users
        } else {
            &mut self.hosts
        };
        *counter += 1;
        let placeholder = format!("{prefix}-{counter}");
        self.names.insert(name.to_ascii_lowercase(), placeholder);
    }

    /// Known names as whole tokens, case-insensitively, longest first.
    pub(super) fn find(&self, spans: &mut Vec<Span>, text: &str) {
        let bytes = text.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            let starts_token = at == 0 || bytes.get(at - 1).is_some_and(|&b| !is_name_byte(b));
            let found = starts_token
                .then(|| {
                    self.by_length.iter().find(|(name, _)| {
                        let end = at + name.len();
                        bytes
                            .get(at..end)
                            .is_some_and(|word| word.eq_ignore_ascii_case(name.as_bytes()))
                            && bytes.get(end).is_none_or(|&b| !is_name_byte(b))
                    })
                })
                .flatten();
            // Names are ASCII, so a match starts and ends on character boundaries.
            match found {
                Some((name, _)) => {
                    spans.push(Span {
                        range: at..at + name.len(),
                        kind: Kind::Name,
                    });
                    at += name.len();
                }
                None => at += 1,
            }
        }
    }

    /// The placeholder of a known name in any letter case.
    pub(super) fn placeholder(&self, original: &str) -> Option<String> {
        self.names.get(&original.to_ascii_lowercase()).cloned()
    }
}

/// Host-name tokens are made of these; anything else (`.`, `@`, `:`, space) ends one.
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

fn is_redactable_name(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| is_name_byte(b) || b == b'.')
        && name.parse::<IpAddr>().is_err()
        && !PUBLIC_NAMES
            .iter()
            .any(|public| public.eq_ignore_ascii_case(name))
}

/// The SSH destinations of `--node HOST:IFACE:IP` and `--proxy PROXY:TARGET`, in order.
fn command_line_hosts(args: &[String]) -> Vec<&str> {
    let mut hosts = Vec::new();
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let (flag, value) = match word.split_once('=') {
            Some((flag, value)) => (flag, Some(value)),
            None => (word.as_str(), None),
        };
        if flag != "--node" && flag != "--proxy" {
            continue;
        }
        let Some(value) = value.or_else(|| words.next().map(String::as_str)) else {
            break;
        };
        let mut fields = value.split(':');
        hosts.extend(fields.next());
        if flag == "--proxy" {
            hosts.extend(fields.next());
        }
    }
    let mut seen = Vec::new();
    hosts.retain(|host| {
        let new = !seen.contains(host);
        seen.push(*host);
        new
    });
    hosts
}

/// Transcripts of the command line's hosts in command-line order, then the rest by name.
pub(super) fn transcript_order(scenario: &Scenario) -> Vec<(&String, &Transcript)> {
    let mut order: Vec<(&String, &Transcript)> = command_line_hosts(&scenario.args)
        .into_iter()
        .filter_map(|host| scenario.transcripts.get_key_value(host))
        .collect();
    for (host, transcript) in &scenario.transcripts {
        if !order.iter().any(|(known, _)| *known == host) {
            order.push((host, transcript));
        }
    }
    order
}

/// The names a Mac printed for itself: `uname -n` prints it first, `uname -a` second
/// (after the kernel name); `.local` is its Bonjour suffix, not part of the name.
fn reported_names(transcript: &Transcript) -> Vec<&str> {
    let mut names = Vec::new();
    for entry in &transcript.entries {
        let mut words = entry.command.split_whitespace();
        if words.next() != Some("uname") {
            continue;
        }
        let flags: Vec<&str> = words.collect();
        let field = if flags.iter().any(|f| f.starts_with('-') && f.contains('a')) {
            1
        } else if flags.iter().any(|f| f.starts_with('-') && f.contains('n')) {
            0
        } else {
            continue;
        };
        let Ok(output) = &entry.output else { continue };
        let Some(name) = output.stdout.split_whitespace().nth(field) else {
            continue;
        };
        let stripped = name
            .len()
            .checked_sub(MDNS_SUFFIX.len())
            .filter(|&cut| {
                name.get(cut..)
                    .is_some_and(|suffix| suffix.eq_ignore_ascii_case(MDNS_SUFFIX))
            })
            .and_then(|cut| name.get(..cut))
            .unwrap_or(name);
        names.push(stripped);
    }
    names
}

#[cfg(test)]
mod tests {
    use crate::redact::testing::{args, ran, scenario, stdout};
    use crate::Redactor;

    #[test]
    fn host_names_match_whole_tokens_only() {
        let recorded = scenario(
            "--node mac1:en5:10.254.0.5 --node admin@hwstudio1:en5:10.254.0.6 \
             --node 10.0.0.7:en5:10.254.0.9",
            vec![],
        );
        let mut redactor = Redactor::for_scenario(&recorded);
        assert_eq!(
            redactor.text("mac1 mac10 MAC1: mac1.local mac1_x x-mac1 admin@hwstudio1 hwstudio1.local 10.0.0.7 badmin"),
            "host-1 mac10 host-1: host-1.local mac1_x x-mac1 user-1@host-2 host-2.local 10.0.0.7 badmin"
        );
        assert_eq!(
            redactor.scenario(&recorded).args,
            args(
                "--node host-1:en5:10.254.0.5 --node user-1@host-2:en5:10.254.0.6 \
                  --node 10.0.0.7:en5:10.254.0.9"
            )
        );
    }

    #[test]
    fn longer_names_win_and_swapped_names_do_not_collide() {
        let recorded = scenario(
            "--node host-2:en5:10.254.0.5 --node host-1:en5:10.254.0.6 \
             --node host-2.lab:en3:10.254.0.9",
            vec![],
        );
        assert_eq!(
            Redactor::for_scenario(&recorded).text("host-2 host-1 host-2.lab host-2.labs"),
            "host-1 host-2 host-3 host-1.labs"
        );
    }

    #[test]
    fn the_name_a_mac_reports_is_its_hosts_placeholder() {
        let uname = |name: &str| {
            ran(
                "uname -a",
                &format!("Darwin {name} 25.2.0 Darwin Kernel Version 25.2.0: Tue Nov 18 21:09:56 PST 2025; root:xnu-12377.61.12~2/RELEASE_ARM64_T6031 arm64\n"),
            )
        };
        let recorded = scenario(
            "--check --node studio-a:en5:10.254.0.5 --node 10.0.0.7:en5:10.254.0.6",
            vec![
                ("studio-a", vec![uname("hwstudio1.local")]),
                ("10.0.0.7", vec![uname("Johns-Mac-Studio.local")]),
                ("studio-c", vec![ran("uname -n", "hwstudio3.local\n")]),
            ],
        );
        let redacted = Redactor::for_scenario(&recorded).scenario(&recorded);
        assert_eq!(
            redacted.transcripts.keys().collect::<Vec<_>>(),
            ["10.0.0.7", "host-1", "host-2"]
        );
        assert!(stdout(&redacted, "host-1", 0).starts_with("Darwin host-1.local 25.2.0 "));
        assert!(stdout(&redacted, "host-1", 0).contains("; root:xnu-12377"));
        assert!(stdout(&redacted, "10.0.0.7", 0).starts_with("Darwin host-3.local 25.2.0 "));
        assert_eq!(stdout(&redacted, "host-2", 0), "host-2.local\n");
    }
}
