//! UUIDs (Thunderbolt domain ids, platform UUIDs): `00000000-0000-4000-8000-00000000000N`
//! in the original's letter case; the nil UUID stays.

use std::sync::LazyLock;

use regex::Regex;

use super::scan::{is_word, literal, scan, whole, Kind, Span};
use super::{in_case_of, Numbering};

pub(super) static UUID: LazyLock<Regex> =
    LazyLock::new(|| literal(r"(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"));

pub(super) fn find(spans: &mut Vec<Span>, text: &str) {
    scan(spans, text, &UUID, Kind::Uuid, whole, |c| {
        is_word(c) || c == '-'
    });
}

pub(super) fn placeholder(uuids: &mut Numbering, original: &str) -> Option<String> {
    let key = original.to_ascii_lowercase();
    if key.bytes().all(|b| b == b'0' || b == b'-') {
        return None;
    }
    let number = uuids.number(key);
    Some(in_case_of(
        original,
        format!("00000000-0000-4000-8000-{number:012x}"),
    ))
}
