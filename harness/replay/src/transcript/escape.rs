//! The escaping that keeps any text on one transcript line and every byte of it intact.
//!
//! Most lines are written as they are: that keeps recordings readable and diffs small. Text
//! that would not survive a line-based text file as it is (a line end, a `\r` that line
//! splitting would eat, a NUL or an ESC that would turn the file binary or drive the
//! terminal of whoever runs `cat` on it) is escaped instead: `\\`, `\n`, `\r`, and
//! `\u{HEX}` for every other such character. `@` reason and hint lines are always escaped;
//! other lines only when they need it, and then their marker carries a `\` in front.

/// Whether `c` cannot stand as itself in a transcript line. TAB can: outputs are full of it.
/// U+2028/U+2029 are line ends to many editors, and a U+FEFF is dropped by some.
fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\t') || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
}

/// Whether `text` must be written escaped to come back unchanged.
pub(super) fn needs_escaping(text: &str) -> bool {
    text.chars().any(needs_escape)
}

pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// The inverse of [`escape`]. A backslash that starts no escape stands for itself, as it
/// always has in `@` lines, so hand-written reasons such as `C:\dir` still read as written
/// (the writer never produces one: it doubles every backslash).
pub(super) fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (decoded, len) = match after.chars().next() {
            Some('\\') => (Some('\\'), 1),
            Some('n') => (Some('\n'), 1),
            Some('r') => (Some('\r'), 1),
            Some('u') => match code_point(after) {
                Some((c, len)) => (Some(c), len),
                None => (None, 0),
            },
            _ => (None, 0),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &after[len..];
            }
            None => {
                out.push('\\');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `u{HEX}` at the start of `after`: the character and how many bytes the escape spans.
fn code_point(after: &str) -> Option<(char, usize)> {
    let digits = after.strip_prefix("u{")?;
    let end = digits.find('}')?;
    let hex = &digits[..end];
    if hex.is_empty() || hex.len() > 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let c = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
    Some((c, "u{".len() + end + "}".len()))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_escapes() {
        let text = "a\\b\nc\r\0\x1b[0m\té\u{85}\u{2028}";
        let escaped = escape(text);
        assert_eq!(escaped, "a\\\\b\\nc\\r\\u{0}\\u{1b}[0m\té\\u{85}\\u{2028}");
        assert_eq!(unescape(&escaped), text);
    }

    #[test]
    fn a_backslash_that_starts_no_escape_stands_for_itself() {
        for text in [
            "C:\\dir",
            "\\",
            "a\\",
            "\\u",
            "\\u{",
            "\\u{}",
            "\\u{zz}",
            "\\u{d800}",
            "\\u{110000}",
            "\\u{0000041}",
        ] {
            assert_eq!(unescape(text), text);
        }
        assert_eq!(unescape("\\u{41}\\u{1F600}"), "A\u{1F600}");
    }

    proptest! {
        #[test]
        fn unescape_inverts_escape(text in any::<String>()) {
            let escaped = escape(&text);
            prop_assert!(!needs_escaping(&escaped));
            prop_assert_eq!(unescape(&escaped), text);
        }

        #[test]
        fn unescape_never_panics(text in "(\\\\|u|\\{|\\}|[0-9a-fA-F]|\\PC)*") {
            let _ = unescape(&text);
        }
    }
}
