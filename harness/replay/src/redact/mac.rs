//! MAC addresses: each unicast address becomes `00:00:5e:00:53:NN` (RFC 7042 documentation
//! range), padded or not and in the letter case the original was; `36:4d:4:ea:4e:45` and
//! `36:4d:04:ea:4e:45` are one address. All-zero and group addresses stay.

use std::sync::LazyLock;

use regex::Regex;

use super::scan::{is_colon_run, literal, scan, whole, Kind, Span};
use super::{in_case_of, Numbering};

pub(super) static MAC: LazyLock<Regex> =
    LazyLock::new(|| literal(r"(?i)[0-9a-f]{1,2}(?::[0-9a-f]{1,2}){5}"));

pub(super) fn find(spans: &mut Vec<Span>, text: &str) {
    scan(spans, text, &MAC, Kind::Mac, whole, is_colon_run);
}

pub(super) fn placeholder(macs: &mut Numbering, original: &str) -> Option<String> {
    let octets = original
        .split(':')
        .map(|octet| u8::from_str_radix(octet, 16))
        .collect::<Result<Vec<u8>, _>>()
        .ok()?;
    // All-zero (bridge ids) and group addresses (broadcast, multicast) name no machine.
    if octets.iter().all(|&o| o == 0) || octets.first().is_some_and(|o| o & 1 == 1) {
        return None;
    }
    let value = 0x5e00_5300 + macs.number(colon_hex(&octets, true));
    let padded = original.split(':').all(|octet| octet.len() == 2);
    let placeholder = [0, 0, value >> 24, value >> 16, value >> 8, value].map(|o| (o & 0xff) as u8);
    Some(in_case_of(original, colon_hex(&placeholder, padded)))
}

/// Octets as lowercase hex joined by colons, each two digits when `padded`.
fn colon_hex(octets: &[u8], padded: bool) -> String {
    octets
        .iter()
        .map(|o| {
            if padded {
                format!("{o:02x}")
            } else {
                format!("{o:x}")
            }
        })
        .collect::<Vec<_>>()
        .join(":")
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::colon_hex;
    use crate::redact::scan::literal;
    use crate::redact::testing::bare;

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

    /// A MAC as macOS prints it: six octets, padded or not, either case.
    fn mac() -> impl Strategy<Value = String> {
        (
            proptest::array::uniform6(any::<u8>()),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(octets, padded, upper)| {
                let text = colon_hex(&octets, padded);
                if upper {
                    text.to_ascii_uppercase()
                } else {
                    text
                }
            })
    }

    /// A MAC padded and in lowercase, so that its forms compare equal.
    fn normalized(mac: &str) -> String {
        mac.split(':')
            .map(|o| format!("{:0>2}", o.to_ascii_lowercase()))
            .collect::<Vec<_>>()
            .join(":")
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
                            let normal = normalized(middle);
                            let earlier =
                                seen.entry(normalized(mac)).or_insert_with(|| normal.clone());
                            prop_assert_eq!(&*earlier, &normal);
                        }
                    }
                }
            }
        }
    }
}
