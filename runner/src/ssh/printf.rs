//! A command's stdin bytes as a `printf` format, so that they can travel inside a shell
//! script as text and reach the command exactly (`script` sends a batch's stdin this way).
//!
//! `printf` is a builtin of every `sh`, so the bytes reach no argv; the format is
//! single-quoted in the script, and holds no NUL, `'`, `%` or `\` of its own.

/// `bytes` as a `printf` format (for inside single quotes) that prints exactly them: the
/// payload stays text without NUL, `'`, `%` or `\` of its own, whatever the bytes are.
///
/// Printable ASCII and newline stay as they are, everything else is a three-digit octal
/// escape. An octal digit right after an escape is escaped too (some `printf`s read `\0`
/// and three more digits), and so is a leading `-` (`printf` would take it for an option).
pub fn printf_format(bytes: &[u8]) -> String {
    // Room for the worst case (`\ooo` for every byte): the string never grows, so no copy of
    // a password it may hold is left behind in a freed buffer.
    let mut format = String::with_capacity(bytes.len() * 4);
    let mut after_escape = false;
    for (at, &byte) in bytes.iter().enumerate() {
        let literal = match byte {
            b'%' | b'\\' | b'\'' => false,
            b'-' => at > 0,
            b'0'..=b'7' => !after_escape,
            b'\n' | b' '..=b'~' => true,
            _ => false,
        };
        if literal {
            format.push(char::from(byte));
        } else {
            format.push_str(&format!("\\{byte:03o}"));
        }
        after_escape = !literal;
    }
    format
}

#[cfg(test)]
mod tests {
    //! Every format printed by dash and by bash in POSIX mode (macOS's `/bin/sh` is bash 3.2
    //! in POSIX mode).

    use std::process::Command;

    use proptest::prelude::*;

    use super::printf_format;

    const SHELLS: [&[&str]; 2] = [&["dash"], &["bash", "--posix"]];

    /// What `printf FORMAT` prints under `shell`.
    fn printf_output(shell: &[&str], format: &str) -> Vec<u8> {
        let output = Command::new(shell[0])
            .args(&shell[1..])
            .arg("-c")
            .arg(format!("printf '{format}'"))
            .output()
            .expect("printf");
        assert!(output.status.success(), "{output:?}");
        output.stdout
    }

    #[test]
    fn printf_format_escapes_what_printf_or_quotes_would_change() {
        assert_eq!(printf_format(b"plain text 1.2\n"), "plain text 1.2\n");
        assert_eq!(printf_format(b"-n"), "\\055n");
        assert_eq!(printf_format(b"a-b"), "a-b");
        assert_eq!(printf_format(b"%'\\"), "\\045\\047\\134");
        assert_eq!(printf_format(b"\x001"), "\\000\\061");
        assert_eq!(printf_format(b"\x009"), "\\0009");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn printf_format_prints_exactly_the_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let format = printf_format(&bytes);
            for shell in SHELLS {
                prop_assert_eq!(&printf_output(shell, &format), &bytes);
            }
        }
    }
}
