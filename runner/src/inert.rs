//! Text that came from a remote host or a transcript, made safe to print on a terminal.
//!
//! A Mac (or a shared recording) can put escape sequences in any output we quote: a window
//! title (`ESC ]0;...BEL`), a clear screen (`ESC [2J`), a clipboard write (OSC 52), a bare
//! `\r` that overprints a row, or bidirectional overrides that reorder what the user reads.
//! The renderer passes every such string through [`inert`] once, so no phase has to care.
//! Recordings keep the raw bytes; only the terminal view is escaped.

use std::borrow::Cow;
use std::fmt::Write as _;

/// `text` with every control character shown as an escape (`\e`, `\r`, `\x07`, `\u{9b}`),
/// so that what reaches the terminal is exactly what the user reads. Tabs stay tabs.
pub fn inert(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_active) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !is_active(c) {
            shown.push(c);
            continue;
        }
        match c {
            '\x1b' => shown.push_str("\\e"),
            '\r' => shown.push_str("\\r"),
            '\n' => shown.push_str("\\n"),
            '\0'..='\x7f' => {
                let _ = write!(shown, "\\x{:02x}", u32::from(c));
            }
            _ => {
                let _ = write!(shown, "\\u{{{:x}}}", u32::from(c));
            }
        }
    }
    Cow::Owned(shown)
}

/// Whether a terminal would act on `c` instead of printing it.
fn is_active(c: char) -> bool {
    match c {
        '\t' => false,
        // C0, DEL and C1 (0x9b is an 8-bit CSI: a one-byte escape sequence).
        '\0'..='\x1f' | '\x7f'..='\u{9f}' => true,
        // Bidirectional marks, embeddings, overrides and isolates ("Trojan Source").
        '\u{061c}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}' => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;

    #[rstest]
    #[case("RDMA: enabled", "RDMA: enabled")]
    #[case("a\tb", "a\tb")]
    #[case("\x1b]0;pwned\x07enabled", "\\e]0;pwned\\x07enabled")]
    #[case("\x1b[2Jdisabled", "\\e[2Jdisabled")]
    #[case(
        "\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07",
        "\\e]52;c;Y3VybCBldmlsLnNoIHwgc2g=\\x07"
    )]
    #[case("ok\rFAIL", "ok\\rFAIL")]
    #[case("two\nlines", "two\\nlines")]
    #[case("nul\0del\x7f", "nul\\x00del\\x7f")]
    #[case("csi\u{9b}2J", "csi\\u{9b}2J")]
    #[case("abc\u{202e}fed", "abc\\u{202e}fed")]
    #[case("GID ::ffff:10.254.0.5 — ✓ é", "GID ::ffff:10.254.0.5 — ✓ é")]
    fn control_characters_are_shown_not_obeyed(#[case] raw: &str, #[case] shown: &str) {
        assert_eq!(inert(raw), shown);
    }

    proptest! {
        #[test]
        fn nothing_active_survives(text in any::<String>()) {
            let shown = inert(&text);
            prop_assert!(!shown.chars().any(is_active), "{shown:?}");
        }

        #[test]
        fn plain_text_is_untouched(text in "[ -~\t]*") {
            prop_assert_eq!(inert(&text), text.as_str());
        }
    }
}
