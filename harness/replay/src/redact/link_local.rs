//! IPv6 link-local addresses, which embed MAC and GUID bits: `fe80::N`. Every other IPv6
//! address stays.

use std::sync::LazyLock;

use regex::Regex;

use super::scan::{is_word, literal, scan, whole, Kind, Span};
use super::{in_case_of, Numbering};

/// inet_ntop (ifconfig, ibv_devinfo) always compresses a link-local address's zero bits
/// after `fe80`, so only the `fe80::` spelling occurs.
pub(super) static LINK_LOCAL: LazyLock<Regex> =
    LazyLock::new(|| literal(r"(?i)fe80::[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,6}"));

/// Link-local addresses; `%en5` scopes stay outside, an embedded IPv4 (`fe80::1.2.3.4`)
/// or a longer colon run keeps the whole address as it is.
pub(super) fn find(spans: &mut Vec<Span>, text: &str) {
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

pub(super) fn placeholder(link_locals: &mut Numbering, original: &str) -> Option<String> {
    let number = link_locals.number(original.to_ascii_lowercase());
    Some(in_case_of(original, format!("fe80::{number:x}")))
}
