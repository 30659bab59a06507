//! Serial numbers and unique IDs: JSON values under keys naming a serial, a UDID or ending in
//! `_uid_key` (system_profiler), and `Serial Number ...:`/`... UDID:` lines: `SERIAL-N`, or
//! hex of the same width for a `0x` value.

use std::sync::LazyLock;

use regex::Regex;

use super::scan::{literal, scan, value, Kind, Span};
use super::{in_case_of, Numbering};

/// `"serial_num_key" : "C02XYZ"` (system_profiler puts a space before the colon).
pub(super) static JSON_SERIAL: LazyLock<Regex> = LazyLock::new(|| {
    literal(r#"(?i)"(?:[^"\\\n]*(?:serial|udid)[^"\\\n]*|[^"\\\n]*_uid_key)"\s*:\s*"([^"\\\n]+)""#)
});
/// `Serial Number (system): C02XYZ`, `Provisioning UDID: 00008112-...`.
pub(super) static LINE_SERIAL: LazyLock<Regex> =
    LazyLock::new(|| literal(r"(?i)(?:serial number|udid)[^:\n]*:[ \t]*([0-9a-z][0-9a-z._-]*)"));

/// JSON values first, then lines.
pub(super) fn find(spans: &mut Vec<Span>, text: &str) {
    scan(spans, text, &JSON_SERIAL, Kind::Serial, value, |_| false);
    scan(spans, text, &LINE_SERIAL, Kind::Serial, value, |_| false);
}

pub(super) fn placeholder(serials: &mut Numbering, original: &str) -> Option<String> {
    let number = serials.number(original.to_ascii_lowercase());
    // `0x80D2A6B5C3B2A100` (switch_uid_key) stays a hex number of that width.
    let hex = original
        .get(..2)
        .filter(|prefix| prefix.eq_ignore_ascii_case("0x"))
        .zip(original.get(2..))
        .filter(|(_, digits)| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_hexdigit()));
    Some(match hex {
        Some((prefix, digits)) => {
            let digits = in_case_of(digits, format!("{number:0width$x}", width = digits.len()));
            format!("{prefix}{digits}")
        }
        None => format!("SERIAL-{number}"),
    })
}

#[cfg(test)]
mod tests {
    use crate::redact::testing::bare;

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
}
