//! Condense what a command printed into one line for an outcome message.

/// The longest excerpt a message carries; the full text belongs in verbose logs.
const MAX_CHARS: usize = 200;

/// Non-empty lines, trimmed and joined with `; `, cut at a char boundary with `...`.
pub fn one_line(text: &str) -> String {
    let joined = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    if joined.chars().count() <= MAX_CHARS {
        return joined;
    }
    let mut cut: String = joined.chars().take(MAX_CHARS).collect();
    cut.push_str("...");
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;

    #[rstest]
    #[case("", "")]
    #[case(
        "ifconfig: BRDGDEL en5: Operation not permitted\n",
        "ifconfig: BRDGDEL en5: Operation not permitted"
    )]
    #[case(
        "sudo: a terminal is required\n\nsudo: a password is required\n",
        "sudo: a terminal is required; sudo: a password is required"
    )]
    #[case("  \r\n\t\n", "")]
    fn condenses(#[case] text: &str, #[case] line: &str) {
        assert_eq!(one_line(text), line);
    }

    #[test]
    fn long_text_is_cut() {
        let line = one_line(&"é".repeat(500));
        assert_eq!(line.chars().count(), MAX_CHARS + 3);
        assert!(line.ends_with("..."));
    }

    proptest! {
        #[test]
        fn never_panics_and_stays_on_one_line(text in "\\PC*") {
            let line = one_line(&text);
            prop_assert!(!line.contains('\n'));
        }
    }
}
