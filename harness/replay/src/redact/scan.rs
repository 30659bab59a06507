//! How the identifier rules find what they replace: a `Span` of text and its `Kind` (whose
//! order settles which rule wins a span two rules claim), and `scan`, a regex search that
//! passes over matches that are only part of a longer token.

use std::ops::Range;

use regex::{Captures, Regex};

pub(super) fn literal(pattern: &str) -> Regex {
    Regex::new(pattern).expect("the pattern is a literal that the tests compile")
}

/// What a span of text is. The order is the priority when two rules claim the same span,
/// so a serial number that is a UUID takes the UUID rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Kind {
    Uuid,
    Mac,
    ColonGuid,
    WordGuid,
    LinkLocal,
    Serial,
    Name,
}

pub(super) struct Span {
    pub(super) range: Range<usize>,
    pub(super) kind: Kind,
}

/// Every match of `pattern` that no neighbouring character for which `inside` holds makes
/// part of a longer token; `part` picks the span to replace. The regex crate has no
/// look-around, hence the check by hand.
pub(super) fn scan(
    spans: &mut Vec<Span>,
    text: &str,
    pattern: &Regex,
    kind: Kind,
    part: impl Fn(&Captures<'_>) -> Option<Range<usize>>,
    inside: impl Fn(char) -> bool,
) {
    let mut at = 0;
    while let Some(caps) = pattern.captures_at(text, at) {
        let Some(whole) = caps.get(0) else { break };
        let before = text[..whole.start()].chars().next_back();
        let after = text[whole.end()..].chars().next();
        match part(&caps) {
            Some(range) if !before.is_some_and(&inside) && !after.is_some_and(&inside) => {
                spans.push(Span { range, kind });
                at = whole.end();
            }
            // A longer token may hold another match further in: look again one character on.
            _ => {
                at = whole.start()
                    + text[whole.start()..]
                        .chars()
                        .next()
                        .map_or(1, char::len_utf8)
            }
        }
        if at >= text.len() {
            break;
        }
    }
}

/// The span to replace is the whole match.
pub(super) fn whole(caps: &Captures<'_>) -> Option<Range<usize>> {
    caps.get(0).map(|m| m.range())
}

/// The span to replace is the first group: the value, not the key before it.
pub(super) fn value(caps: &Captures<'_>) -> Option<Range<usize>> {
    caps.get(1).map(|m| m.range())
}

pub(super) fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Hex digits and colons continue a MAC or colon GUID: a neighbour like that means the
/// match is part of an IPv6 address or a longer run.
pub(super) fn is_colon_run(c: char) -> bool {
    c.is_ascii_hexdigit() || c == ':'
}
