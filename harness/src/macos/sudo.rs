//! What `sudo` prints over a non-interactive SSH channel when it cannot run the command.

/// `sudo -n CMD` when a password is needed (exit 1).
pub const PASSWORD_REQUIRED: &str = "sudo: a password is required\n";

/// Plain `sudo CMD` without a TTY and without `-S` when a password is needed (exit 1).
pub const TERMINAL_REQUIRED: &str = "sudo: a terminal is required to read the password; \
either use the -S option to read from standard input or configure an askpass helper\n\
sudo: a password is required\n";

/// Printed for each wrong password read with `-S`.
pub const SORRY: &str = "Sorry, try again.\n";

/// The closing line once standard input holds no further attempt (exit 1).
pub fn incorrect_attempts(count: u32) -> String {
    let plural = if count == 1 { "" } else { "s" };
    format!("sudo: {count} incorrect password attempt{plural}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closing_line() {
        assert_eq!(
            incorrect_attempts(1),
            "sudo: 1 incorrect password attempt\n"
        );
        assert_eq!(
            incorrect_attempts(3),
            "sudo: 3 incorrect password attempts\n"
        );
        assert!(TERMINAL_REQUIRED.ends_with("helper\nsudo: a password is required\n"));
    }
}
