//! `cargo xtask record --redact`: replace what identifies a cluster with stable placeholders
//! before a scenario is attached to a public bug report.
//!
//! Replaced, consistently across every host of one scenario (the same value always gets the
//! same placeholder, so port pairings across hosts still match):
//!
//! - host names of the command line, and the name each Mac reports in `uname`: `host-N`;
//!   the user of `user@host`: `user-N`;
//! - MAC addresses: `00:00:5e:00:53:NN` (RFC 7042 documentation range), padded or not as
//!   the original was;
//! - node GUIDs, in both spellings `8396a9d9edbaac05` and `8396:a9d9:edba:ac05` (one key
//!   space): `00005e0053000001`, `0000:5e00:5300:0001`;
//! - UUIDs: `00000000-0000-4000-8000-000000000001`, in the original's letter case;
//! - serial numbers and unique IDs (JSON values under keys naming a serial, a UDID or ending
//!   in `_uid_key`; `Serial Number ...:` lines): `SERIAL-N`, or hex of the same width for a
//!   `0x` value;
//! - IPv6 link-local addresses, which embed MAC and GUID bits: `fe80::N`.
//!
//! Addresses are NOT redacted: IPv4 addresses (the RDMA addresses and subnets the report is
//! about), IPv4-mapped GIDs (`::ffff:10.254.0.5`), other IPv6 addresses, and host names that
//! are IP addresses all stay as recorded. Every placeholder keeps the syntax of what it
//! replaces and everything else stays byte-identical, so the redacted scenario still replays
//! to the same report, names aside.

mod names;
mod scan;
#[cfg(test)]
mod testing;

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use rdma_phase::CommandOutput;
use regex::Regex;

use crate::{Entry, Failure, Scenario, Transcript};
use names::{transcript_order, Names};
use scan::{is_colon_run, is_word, literal, scan, value, whole, Kind, Span};

static UUID: LazyLock<Regex> =
    LazyLock::new(|| literal(r"(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"));
static MAC: LazyLock<Regex> = LazyLock::new(|| literal(r"(?i)[0-9a-f]{1,2}(?::[0-9a-f]{1,2}){5}"));
static COLON_GUID: LazyLock<Regex> =
    LazyLock::new(|| literal(r"(?i)[0-9a-f]{4}(?::[0-9a-f]{4}){3}"));
static WORD_GUID: LazyLock<Regex> = LazyLock::new(|| literal(r"(?i)[0-9a-f]{16}"));
/// inet_ntop (ifconfig, ibv_devinfo) always compresses a link-local address's zero bits
/// after `fe80`, so only the `fe80::` spelling occurs.
static LINK_LOCAL: LazyLock<Regex> =
    LazyLock::new(|| literal(r"(?i)fe80::[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,6}"));
/// `"serial_num_key" : "C02XYZ"` (system_profiler puts a space before the colon).
static JSON_SERIAL: LazyLock<Regex> = LazyLock::new(|| {
    literal(r#"(?i)"(?:[^"\\\n]*(?:serial|udid)[^"\\\n]*|[^"\\\n]*_uid_key)"\s*:\s*"([^"\\\n]+)""#)
});
/// `Serial Number (system): C02XYZ`, `Provisioning UDID: 00008112-...`.
static LINE_SERIAL: LazyLock<Regex> =
    LazyLock::new(|| literal(r"(?i)(?:serial number|udid)[^:\n]*:[ \t]*([0-9a-z][0-9a-z._-]*)"));

/// Numbers values in order of first appearance, from 1.
#[derive(Debug, Default)]
struct Numbering(HashMap<String, u64>);

impl Numbering {
    fn number(&mut self, key: String) -> u64 {
        let next = self.0.len() as u64 + 1;
        *self.0.entry(key).or_insert(next)
    }
}

/// Replaces identifying values with placeholders; one redactor per scenario keeps them
/// consistent across its hosts and the report printed alongside.
#[derive(Debug, Default)]
pub struct Redactor {
    /// Host and user names and their placeholders.
    names: Names,
    macs: Numbering,
    guids: Numbering,
    uuids: Numbering,
    link_locals: Numbering,
    serials: Numbering,
}

impl Redactor {
    /// Placeholders for the command line's hosts come first, in command-line order, then
    /// hosts that only have a transcript, then the names the Macs report in `uname`.
    pub fn for_scenario(scenario: &Scenario) -> Self {
        let mut redactor = Self::default();
        redactor.names.learn(scenario);
        redactor
    }

    /// The scenario with every identifying value replaced (args, keys, all texts).
    pub fn scenario(&mut self, scenario: &Scenario) -> Scenario {
        self.names.learn(scenario);
        let args = scenario.args.iter().map(|arg| self.text(arg)).collect();
        let mut transcripts = BTreeMap::new();
        for (host, transcript) in transcript_order(scenario) {
            let host = self.text(host);
            let transcript = self.transcript(transcript);
            transcripts.insert(host, transcript);
        }
        Scenario {
            description: self.text(&scenario.description),
            args,
            transcripts,
        }
    }

    /// Apply the same replacements to any other text recorded alongside (the recorder's
    /// printed report).
    pub fn text(&mut self, text: &str) -> String {
        let mut spans = self.spans(text);
        // Earliest first; at one start the longest, then the higher-priority rule.
        spans.sort_by_key(|span| (span.range.start, Reverse(span.range.end), span.kind));
        let mut out = String::with_capacity(text.len());
        let mut done = 0;
        for Span { range, kind } in spans {
            if range.start < done {
                continue;
            }
            let original = &text[range.clone()];
            out.push_str(&text[done..range.start]);
            match self.placeholder(kind, original) {
                Some(placeholder) => out.push_str(&placeholder),
                None => out.push_str(original),
            }
            done = range.end;
        }
        out.push_str(&text[done..]);
        out
    }

    fn transcript(&mut self, transcript: &Transcript) -> Transcript {
        Transcript {
            notes: transcript
                .notes
                .iter()
                .map(|note| self.text(note))
                .collect(),
            unreachable: transcript.unreachable.as_ref().map(|f| self.failure(f)),
            entries: transcript
                .entries
                .iter()
                .map(|entry| Entry {
                    command: self.text(&entry.command),
                    stdin: entry.stdin.as_ref().map(|stdin| self.text(stdin)),
                    output: match &entry.output {
                        Ok(output) => Ok(CommandOutput {
                            stdout: self.text(&output.stdout),
                            stderr: self.text(&output.stderr),
                            exit_code: output.exit_code,
                        }),
                        Err(failure) => Err(self.failure(failure)),
                    },
                })
                .collect(),
        }
    }

    fn failure(&mut self, failure: &Failure) -> Failure {
        Failure {
            kind: failure.kind,
            reason: self.text(&failure.reason),
            hint: self.text(&failure.hint),
        }
    }

    /// Every span some rule would replace, overlapping ones included.
    fn spans(&self, text: &str) -> Vec<Span> {
        let mut spans = Vec::new();
        scan(&mut spans, text, &UUID, Kind::Uuid, whole, |c| {
            is_word(c) || c == '-'
        });
        scan(&mut spans, text, &MAC, Kind::Mac, whole, is_colon_run);
        scan(
            &mut spans,
            text,
            &COLON_GUID,
            Kind::ColonGuid,
            whole,
            is_colon_run,
        );
        scan(&mut spans, text, &WORD_GUID, Kind::WordGuid, whole, |c| {
            is_word(c) || c == ':'
        });
        scan_link_locals(&mut spans, text);
        scan(&mut spans, text, &JSON_SERIAL, Kind::Serial, value, |_| {
            false
        });
        scan(&mut spans, text, &LINE_SERIAL, Kind::Serial, value, |_| {
            false
        });
        self.names.find(&mut spans, text);
        spans
    }

    /// The placeholder for one matched value, or `None` to keep it.
    fn placeholder(&mut self, kind: Kind, original: &str) -> Option<String> {
        let upper = original.bytes().any(|b| b.is_ascii_uppercase());
        let case = |text: String| {
            if upper {
                text.to_ascii_uppercase()
            } else {
                text
            }
        };
        match kind {
            Kind::Name => self.names.placeholder(original),
            Kind::Mac => {
                let octets = original
                    .split(':')
                    .map(|octet| u8::from_str_radix(octet, 16))
                    .collect::<Result<Vec<u8>, _>>()
                    .ok()?;
                // All-zero (bridge ids) and group addresses (broadcast, multicast) name no
                // machine.
                if octets.iter().all(|&o| o == 0) || octets.first().is_some_and(|o| o & 1 == 1) {
                    return None;
                }
                let key = octets
                    .iter()
                    .map(|o| format!("{o:02x}"))
                    .collect::<Vec<_>>()
                    .join(":");
                let value = 0x5e00_5300 + self.macs.number(key);
                let padded = original.split(':').all(|octet| octet.len() == 2);
                let octets = [0, 0, value >> 24, value >> 16, value >> 8, value];
                let rendered = octets
                    .iter()
                    .map(|o| {
                        let o = o & 0xff;
                        if padded {
                            format!("{o:02x}")
                        } else {
                            format!("{o:x}")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(":");
                Some(case(rendered))
            }
            Kind::ColonGuid | Kind::WordGuid => {
                let key = original.replace(':', "").to_ascii_lowercase();
                if key.bytes().all(|b| b == b'0') {
                    return None;
                }
                let word = format!("{:016x}", 0x0000_5e00_5300_0000 + self.guids.number(key));
                let rendered = if kind == Kind::WordGuid {
                    word
                } else {
                    let groups: Vec<&str> =
                        (0..4).filter_map(|i| word.get(i * 4..i * 4 + 4)).collect();
                    groups.join(":")
                };
                Some(case(rendered))
            }
            Kind::Uuid => {
                let key = original.to_ascii_lowercase();
                if key.bytes().all(|b| b == b'0' || b == b'-') {
                    return None;
                }
                let number = self.uuids.number(key);
                Some(case(format!("00000000-0000-4000-8000-{number:012x}")))
            }
            Kind::LinkLocal => {
                let number = self.link_locals.number(original.to_ascii_lowercase());
                Some(case(format!("fe80::{number:x}")))
            }
            Kind::Serial => {
                let number = self.serials.number(original.to_ascii_lowercase());
                // `0x80D2A6B5C3B2A100` (switch_uid_key) stays a hex number of that width.
                let hex = original
                    .get(..2)
                    .filter(|prefix| prefix.eq_ignore_ascii_case("0x"))
                    .zip(original.get(2..))
                    .filter(|(_, digits)| {
                        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_hexdigit())
                    });
                Some(match hex {
                    Some((prefix, digits)) => {
                        let upper = digits.bytes().any(|b| b.is_ascii_uppercase());
                        let digits = format!("{number:0width$x}", width = digits.len());
                        let digits = if upper {
                            digits.to_ascii_uppercase()
                        } else {
                            digits
                        };
                        format!("{prefix}{digits}")
                    }
                    None => format!("SERIAL-{number}"),
                })
            }
        }
    }
}

/// Link-local addresses; `%en5` scopes stay outside, an embedded IPv4 (`fe80::1.2.3.4`)
/// or a longer colon run keeps the whole address as it is.
fn scan_link_locals(spans: &mut Vec<Span>, text: &str) {
    let mut found = Vec::new();
    scan(&mut found, text, &LINK_LOCAL, Kind::LinkLocal, whole, |c| {
        is_word(c) || c == ':'
    });
    spans.extend(found.into_iter().filter(|span| {
        let mut after = text[span.range.end..].chars();
        let (next, then) = (after.next(), after.next());
        !(matches!(next, Some('.' | ':')) && then.is_some_and(|c| c.is_ascii_alphanumeric()))
    }));
}

#[cfg(test)]
mod tests {
    use super::testing::{args, bare, ran, scenario, stdout};
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_patterns_compile() {
        for pattern in [
            &UUID,
            &MAC,
            &COLON_GUID,
            &WORD_GUID,
            &LINK_LOCAL,
            &JSON_SERIAL,
            &LINE_SERIAL,
        ] {
            LazyLock::force(pattern);
        }
    }

    #[test]
    fn values_stay_consistent_across_hosts() {
        let line = "--check --node hwstudio1:en5:10.254.0.5 --node hwstudio2:en5:10.254.0.6 \
                    --proxy hwstudio1:hwstudio2 --netmask 30";
        let recorded = scenario(
            line,
            vec![
                (
                    "hwstudio1",
                    vec![
                        ran(
                            "ibv_devices",
                            "    device          \t   node GUID\n    ------          \t----------------\n    rdma_en5        \t8396a9d9edbaac05\n",
                        ),
                        ran(
                            "ifconfig en5",
                            "en5: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\
                             \toptions=460<TSO4,TSO6,CHANNEL_IO>\n\
                             \tether 36:4d:04:ea:4e:44\n\
                             \tinet6 fe80::1021:1bac:fe1:b5e3%en5 prefixlen 64 secured scopeid 0xd\n\
                             \tinet 10.254.0.5 netmask 0xfffffffc broadcast 10.254.0.7\n",
                        ),
                        ran(
                            "system_profiler SPThunderboltDataType -json",
                            "{\n  \"SPThunderboltDataType\" : [\n    {\n      \"_name\" : \"thunderboltusb4_bus_1\",\n      \"domain_uuid_key\" : \"7F158861-C131-4D0D-83B6-CA50EF76C32B\",\n      \"_items\" : [\n        {\n          \"domain_uuid_key\" : \"88F10ACA-5CAA-4F5D-8361-03EED54ACB5A\"\n        }\n      ]\n    }\n  ]\n}\n",
                        ),
                    ],
                ),
                (
                    "hwstudio2",
                    vec![
                        ran(
                            "ibv_devinfo -d rdma_en5 -v",
                            "hca_id:\trdma_en5\n\ttransport:\t\t\tThunderbolt (100)\n\tnode_guid:\t\t\t8396:a9d9:edba:ac05\n\tsys_image_guid:\t\t\t8096:a9d9:edba:ac05\n",
                        ),
                        ran(
                            "networksetup -listallhardwareports",
                            "Hardware Port: Thunderbolt 4\nDevice: en5\nEthernet Address: 36:4D:04:EA:4E:44\n",
                        ),
                        ran(
                            "system_profiler SPThunderboltDataType -json",
                            "{\n  \"SPThunderboltDataType\" : [\n    {\n      \"_name\" : \"thunderboltusb4_bus_3\",\n      \"domain_uuid_key\" : \"88F10ACA-5CAA-4F5D-8361-03EED54ACB5A\",\n      \"_items\" : [\n        {\n          \"domain_uuid_key\" : \"7F158861-C131-4D0D-83B6-CA50EF76C32B\"\n        }\n      ]\n    }\n  ]\n}\n",
                        ),
                    ],
                ),
            ],
        );
        let redacted = Redactor::for_scenario(&recorded).scenario(&recorded);

        assert_eq!(
            redacted.args,
            args(
                "--check --node host-1:en5:10.254.0.5 --node host-2:en5:10.254.0.6 \
                  --proxy host-1:host-2 --netmask 30"
            )
        );
        assert_eq!(
            redacted.transcripts.keys().collect::<Vec<_>>(),
            ["host-1", "host-2"]
        );
        assert!(
            stdout(&redacted, "host-1", 0).ends_with("    rdma_en5        \t00005e0053000001\n")
        );
        assert_eq!(
            stdout(&redacted, "host-1", 1),
            "en5: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\
             \toptions=460<TSO4,TSO6,CHANNEL_IO>\n\
             \tether 00:00:5e:00:53:01\n\
             \tinet6 fe80::1%en5 prefixlen 64 secured scopeid 0xd\n\
             \tinet 10.254.0.5 netmask 0xfffffffc broadcast 10.254.0.7\n"
        );
        let devinfo = stdout(&redacted, "host-2", 0);
        assert!(
            devinfo.contains("\tnode_guid:\t\t\t0000:5e00:5300:0001\n"),
            "{devinfo}"
        );
        assert!(
            devinfo.contains("\tsys_image_guid:\t\t\t0000:5e00:5300:0002\n"),
            "{devinfo}"
        );
        assert!(stdout(&redacted, "host-2", 1).ends_with("Ethernet Address: 00:00:5E:00:53:01\n"));

        let (bus_a, item_a) = (
            "00000000-0000-4000-8000-000000000001",
            "00000000-0000-4000-8000-000000000002",
        );
        let one = stdout(&redacted, "host-1", 2);
        let two = stdout(&redacted, "host-2", 2);
        assert!(
            one.contains(&format!("\"domain_uuid_key\" : \"{bus_a}\",")),
            "{one}"
        );
        assert!(
            one.contains(&format!("\"domain_uuid_key\" : \"{item_a}\"\n")),
            "{one}"
        );
        assert!(
            two.contains(&format!("\"domain_uuid_key\" : \"{item_a}\",")),
            "{two}"
        );
        assert!(
            two.contains(&format!("\"domain_uuid_key\" : \"{bus_a}\"\n")),
            "{two}"
        );
    }

    #[test]
    fn unpadded_macs_share_the_padded_placeholder_and_zero_ids_stay() {
        let bridge = "bridge0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\
                      \tether 82:30:ea:68:4c:01\n\
                      \tConfiguration:\n\
                      \t\tid 82:30:ea:68:4c:1 priority 0 hellotime 0 fwddelay 0\n\
                      \t\troot id 0:0:0:0:0:0 priority 0 ifcost 0 port 0\n\
                      \t\tother 00:00:00:00:00:00 ff:ff:ff:ff:ff:ff 1:0:5e:0:0:fb\n";
        assert_eq!(
            bare().text(bridge),
            "bridge0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\
             \tether 00:00:5e:00:53:01\n\
             \tConfiguration:\n\
             \t\tid 0:0:5e:0:53:1 priority 0 hellotime 0 fwddelay 0\n\
             \t\troot id 0:0:0:0:0:0 priority 0 ifcost 0 port 0\n\
             \t\tother 00:00:00:00:00:00 ff:ff:ff:ff:ff:ff 1:0:5e:0:0:fb\n"
        );
    }

    #[test]
    fn mac_placeholders_carry_into_the_next_octet() {
        let mut redactor = bare();
        let text: String = (0..=256u32)
            .map(|n| format!("ether 36:4d:04:ea:{:02x}:{:02x}\n", n >> 8, n & 0xff))
            .collect();
        let redacted = redactor.text(&text);
        let lines: Vec<&str> = redacted.lines().collect();
        assert_eq!(lines[0], "ether 00:00:5e:00:53:01");
        assert_eq!(lines[254], "ether 00:00:5e:00:53:ff");
        assert_eq!(lines[255], "ether 00:00:5e:00:54:00");
        assert_eq!(lines[256], "ether 00:00:5e:00:54:01");
    }

    #[test]
    fn ipv6_groups_are_neither_macs_nor_guids() {
        let text = "\tinet6 fe80::364d:04ff:feea:0100%en0 prefixlen 64 secured scopeid 0x4\n\
                    \t\t\tGID[  0]:\t\tfe80::344d:4ff:feea:4e40\n\
                    \tinet6 2001:db8:1:2:3:4:5:6 prefixlen 64\n\
                    \tinet6 2001:db8::aa:bb:cc:dd:ee:ff prefixlen 64\n\
                    \tinet6 2001:db8::364d:04ff:feea:0100 prefixlen 64\n\
                    \tinet6 ::1 prefixlen 128\n\
                    run 1:2:3:4:5:6:7 and 364d:04ff:feea:0100:1\n";
        assert_eq!(
            bare().text(text),
            "\tinet6 fe80::1%en0 prefixlen 64 secured scopeid 0x4\n\
             \t\t\tGID[  0]:\t\tfe80::2\n\
             \tinet6 2001:db8:1:2:3:4:5:6 prefixlen 64\n\
             \tinet6 2001:db8::aa:bb:cc:dd:ee:ff prefixlen 64\n\
             \tinet6 2001:db8::364d:04ff:feea:0100 prefixlen 64\n\
             \tinet6 ::1 prefixlen 128\n\
             run 1:2:3:4:5:6:7 and 364d:04ff:feea:0100:1\n"
        );
    }

    #[test]
    fn ipv4_addresses_and_mapped_gids_stay() {
        let text = "\t\t\tGID[  0]:\t\tfe80::344d:4ff:feea:4e40\n\
                    \t\t\tGID[  1]:\t\t::ffff:10.254.0.5\n\
                    \tinet 10.254.0.5 netmask 0xfffffffc broadcast 10.254.0.7\n\
                    Internet:\n\
                    Destination        Gateway            Flags               Netif Expire\n\
                    default            192.168.1.1        UGScg                 en0       \n\
                    10.254.0.4/30      link#13            UC                    en5      !\n\
                    10.254.0.6         36:4d:4:ea:4e:45   UHLWIi                en5   1174\n\
                    PING 10.254.0.6 (10.254.0.6): 56 data bytes\n";
        let redacted = bare().text(text);
        let ipv4 = literal(r"\d+\.\d+\.\d+\.\d+(?:/\d+)?");
        let addresses = |text: &str| -> Vec<String> {
            ipv4.find_iter(text)
                .map(|m| m.as_str().to_owned())
                .collect()
        };
        assert_eq!(addresses(&redacted), addresses(text));
        assert!(
            redacted.contains("\t\t\tGID[  1]:\t\t::ffff:10.254.0.5\n"),
            "{redacted}"
        );
        assert!(
            redacted.contains("10.254.0.6         0:0:5e:0:53:1   UHLWIi"),
            "{redacted}"
        );
    }

    #[test]
    fn serial_numbers_and_unique_ids() {
        let json = "{\n  \"SPThunderboltDataType\" : [\n    {\n      \"_name\" : \"thunderboltusb4_bus_1\",\n      \"serial_num_key\" : \"C02XYZ123\",\n      \"switch_uid_key\" : \"0x80D2A6B5C3B2A100\",\n      \"platform_serial\": \"7F158861-C131-4D0D-83B6-CA50EF76C32B\",\n      \"provisioning_UDID\" : \"00008112-000A49A40C38201E\",\n      \"vendor_name_key\" : \"Apple Inc.\"\n    }\n  ]\n}\n";
        let mut redactor = bare();
        assert_eq!(
            redactor.text(json),
            "{\n  \"SPThunderboltDataType\" : [\n    {\n      \"_name\" : \"thunderboltusb4_bus_1\",\n      \"serial_num_key\" : \"SERIAL-1\",\n      \"switch_uid_key\" : \"0x0000000000000002\",\n      \"platform_serial\": \"00000000-0000-4000-8000-000000000001\",\n      \"provisioning_UDID\" : \"SERIAL-3\",\n      \"vendor_name_key\" : \"Apple Inc.\"\n    }\n  ]\n}\n"
        );
        assert_eq!(
            redactor.text("      Serial Number (system): C02XYZ123\n      Provisioning UDID: 00008112-000A49A40C38201E\n"),
            "      Serial Number (system): SERIAL-1\n      Provisioning UDID: SERIAL-3\n"
        );
    }

    #[test]
    fn redaction_is_deterministic() {
        let recorded = Scenario::load(&fixture("three-node-mesh")).expect("fixture loads");
        let first = Redactor::for_scenario(&recorded).scenario(&recorded);
        let second = Redactor::for_scenario(&recorded).scenario(&recorded);
        assert_eq!(first, second);
    }

    fn fixture(name: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures")
            .join(name)
    }

    #[test]
    fn a_recorded_fixture_redacts_to_a_scenario_that_still_parses() {
        let recorded = Scenario::load(&fixture("three-node-mesh")).expect("fixture loads");
        let redacted = Redactor::for_scenario(&recorded).scenario(&recorded);

        let mut everything = format!("{}\n{}\n", redacted.description, redacted.args.join(" "));
        for (host, transcript) in &redacted.transcripts {
            let text = transcript.render();
            assert_eq!(Transcript::parse(&text).as_ref(), Ok(transcript), "{host}");
            everything.push_str(host);
            everything.push_str(&text);
        }
        for original in ["machine-a", "machine-b", "machine-c"] {
            assert!(
                !everything.to_ascii_lowercase().contains(original),
                "{original} remains"
            );
        }
        assert!(!everything.contains("36:4d:04:ea"), "a MAC remains");

        let nodes = |args: &[String]| -> Vec<(String, String, String)> {
            args.windows(2)
                .filter(|pair| pair[0] == "--node")
                .map(|pair| {
                    let fields: Vec<&str> = pair[1].split(':').collect();
                    assert_eq!(fields.len(), 3, "{}", pair[1]);
                    (
                        fields[0].to_owned(),
                        fields[1].to_owned(),
                        fields[2].to_owned(),
                    )
                })
                .collect()
        };
        let before = nodes(&recorded.args);
        let after = nodes(&redacted.args);
        assert_eq!(after.len(), before.len());
        let placeholder = literal(r"^host-[1-9][0-9]*$");
        for ((_, old_iface, old_ip), (host, iface, ip)) in before.iter().zip(&after) {
            assert!(placeholder.is_match(host), "{host}");
            assert_eq!((old_iface, old_ip), (iface, ip));
        }
        let hosts: Vec<&str> = after.iter().map(|(host, _, _)| host.as_str()).collect();
        assert_eq!(
            hosts,
            ["host-1", "host-2", "host-1", "host-3", "host-2", "host-3"]
        );
        assert_eq!(
            redacted.transcripts.keys().collect::<Vec<_>>(),
            ["host-1", "host-2", "host-3"]
        );
    }

    /// A MAC as macOS prints it: six octets, padded or not, either case.
    fn mac() -> impl Strategy<Value = String> {
        (
            proptest::array::uniform6(any::<u8>()),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(octets, padded, upper)| {
                let text = octets
                    .iter()
                    .map(|o| {
                        if padded {
                            format!("{o:02x}")
                        } else {
                            format!("{o:x}")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(":");
                if upper {
                    text.to_ascii_uppercase()
                } else {
                    text
                }
            })
    }

    proptest! {
        #[test]
        fn ifconfig_like_text_keeps_every_byte_but_the_macs(
            lines in proptest::collection::vec(
                (
                    "(\tether |\tid |[ \t]*|en[0-9]: flags=8863<UP> mtu 1500 |\tstatus: )",
                    proptest::option::of(mac()),
                    "([ \t]*|[ \t]priority [0-9]|[ \t]UHLWIi[ \t]+en[0-9]+)",
                ),
                0..24,
            )
        ) {
            let text: String = lines
                .iter()
                .map(|(before, mac, after)| format!("{before}{}{after}\n", mac.as_deref().unwrap_or("")))
                .collect();
            let redacted = bare().text(&text);
            prop_assert_eq!(redacted.lines().count(), text.lines().count());
            let shape = literal(r"^[0-9a-fA-F]{1,2}(?::[0-9a-fA-F]{1,2}){5}$");
            let mut seen: HashMap<String, String> = HashMap::new();
            for ((before, mac, after), line) in lines.iter().zip(redacted.lines()) {
                prop_assert!(line.starts_with(before.as_str()), "{:?} lost {:?}", line, before);
                prop_assert!(line.ends_with(after.as_str()), "{:?} lost {:?}", line, after);
                let middle = &line[before.len()..line.len() - after.len()];
                match mac {
                    None => prop_assert_eq!(middle, ""),
                    Some(mac) => {
                        prop_assert!(shape.is_match(middle), "{:?}", middle);
                        let first = u8::from_str_radix(mac.split(':').next().unwrap_or("0"), 16)
                            .unwrap_or(0);
                        let zero = mac.split(':').all(|o| o.chars().all(|c| c == '0'));
                        if zero || first & 1 == 1 {
                            prop_assert_eq!(middle, mac.as_str());
                        } else {
                            prop_assert!(
                                middle.to_ascii_lowercase().starts_with("00:00:5e:")
                                    || middle.to_ascii_lowercase().starts_with("0:0:5e:"),
                                "{:?}",
                                middle
                            );
                            let key = mac
                                .split(':')
                                .map(|o| format!("{:0>2}", o.to_ascii_lowercase()))
                                .collect::<Vec<_>>()
                                .join(":");
                            let normal = middle
                                .split(':')
                                .map(|o| format!("{:0>2}", o.to_ascii_lowercase()))
                                .collect::<Vec<_>>()
                                .join(":");
                            let earlier = seen.entry(key).or_insert_with(|| normal.clone());
                            prop_assert_eq!(&*earlier, &normal);
                        }
                    }
                }
            }
        }
    }
}
