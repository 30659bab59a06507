//! Whether the report is coloured: `--color always|never`, or for `auto` the conventions
//! people's other tools follow: `NO_COLOR` (when set and not empty) turns colour off,
//! `CLICOLOR_FORCE` turns it on, `CLICOLOR=0` and `TERM=dumb` turn it off, and otherwise
//! only a terminal gets colour.

use clap::ValueEnum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

/// The decision for stdout, `terminal` saying whether it is one.
pub fn enabled(choice: ColorChoice, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            if anstyle_query::no_color() {
                false
            } else if anstyle_query::clicolor_force() {
                true
            } else if anstyle_query::clicolor() == Some(false) {
                false
            } else {
                terminal && anstyle_query::term_supports_color()
            }
        }
    }
}

/// `--color` as written in `argv`, for the one output printed before the command line is
/// understood (help and usage errors).
pub fn choice_in<S: AsRef<std::ffi::OsStr>>(argv: &[S]) -> ColorChoice {
    let mut choice = ColorChoice::Auto;
    let mut words = argv.iter().map(|word| word.as_ref().to_string_lossy());
    while let Some(word) = words.next() {
        let value = match word.strip_prefix("--color") {
            Some("") => words.next().map(|next| next.into_owned()),
            Some(rest) => rest.strip_prefix('=').map(str::to_owned),
            None => None,
        };
        if let Some(parsed) = value.and_then(|value| ColorChoice::from_str(&value, true).ok()) {
            choice = parsed;
        }
    }
    choice
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_is_found_in_either_spelling() {
        assert_eq!(
            choice_in(&["rdma-setup", "--color", "never"]),
            ColorChoice::Never
        );
        assert_eq!(
            choice_in(&["rdma-setup", "--color=always", "--help"]),
            ColorChoice::Always
        );
        assert_eq!(choice_in(&["rdma-setup", "--help"]), ColorChoice::Auto);
    }

    #[test]
    fn always_and_never_ignore_the_terminal() {
        assert!(enabled(ColorChoice::Always, false));
        assert!(!enabled(ColorChoice::Never, true));
    }
}
