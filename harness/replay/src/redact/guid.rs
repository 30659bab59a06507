//! Node GUIDs, in both spellings `8396a9d9edbaac05` (`ibv_devices`) and
//! `8396:a9d9:edba:ac05` (`ibv_devinfo`), one key space: `00005e0053000001`,
//! `0000:5e00:5300:0001`, each in its original's spelling and letter case; all-zero stays.

use std::sync::LazyLock;

use regex::Regex;

use super::scan::{is_colon_run, is_word, literal, scan, whole, Kind, Span};
use super::{in_case_of, Numbering};

pub(super) static COLON_GUID: LazyLock<Regex> =
    LazyLock::new(|| literal(r"(?i)[0-9a-f]{4}(?::[0-9a-f]{4}){3}"));
pub(super) static WORD_GUID: LazyLock<Regex> = LazyLock::new(|| literal(r"(?i)[0-9a-f]{16}"));

/// Colon GUIDs first, then word GUIDs.
pub(super) fn find(spans: &mut Vec<Span>, text: &str) {
    scan(
        spans,
        text,
        &COLON_GUID,
        Kind::ColonGuid,
        whole,
        is_colon_run,
    );
    scan(spans, text, &WORD_GUID, Kind::WordGuid, whole, |c| {
        is_word(c) || c == ':'
    });
}

/// `kind` is the spelling found, `Kind::ColonGuid` or `Kind::WordGuid`.
pub(super) fn placeholder(guids: &mut Numbering, kind: Kind, original: &str) -> Option<String> {
    let key = original.replace(':', "").to_ascii_lowercase();
    if key.bytes().all(|b| b == b'0') {
        return None;
    }
    let word = format!("{:016x}", 0x0000_5e00_5300_0000 + guids.number(key));
    let rendered = if kind == Kind::WordGuid {
        word
    } else {
        let groups: Vec<&str> = (0..4).filter_map(|i| word.get(i * 4..i * 4 + 4)).collect();
        groups.join(":")
    };
    Some(in_case_of(original, rendered))
}
