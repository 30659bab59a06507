//! Asking the user for a secret on the terminal: a sudo password, a key passphrase.
//!
//! Hosts connect in parallel threads; two prompts at once would interleave on one terminal,
//! so every prompt goes through [`Prompter`], which holds a lock while asking.

use std::fmt;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};

use zeroize::Zeroizing;

/// A secret typed or supplied by the user. Its `Debug` never shows the value, so it cannot
/// leak through `{:?}` in a log line or an error.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(Zeroizing::new(value.into()))
    }

    /// The value, for the one place that sends it (a channel's stdin, libssh2).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Why no secret was obtained.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PromptError {
    /// Nobody can answer: standard input is not a terminal (CI, a pipe, cron).
    #[error("there is no terminal to ask on")]
    NoTerminal,
    #[error("reading from the terminal failed: {0}")]
    Io(String),
}

/// Where secrets come from. The real one reads the terminal; tests and embedders supply
/// their own with [`crate::ssh::SshConnector::with_prompt`].
pub trait SecretPrompt: Send + Sync {
    /// Show `prompt` and read one line without echo.
    fn ask(&self, prompt: &str) -> Result<Secret, PromptError>;
}

/// The terminal, through `rpassword` (no echo; reads `/dev/tty`).
#[derive(Debug, Default, Clone, Copy)]
pub struct TtyPrompt;

impl SecretPrompt for TtyPrompt {
    fn ask(&self, prompt: &str) -> Result<Secret, PromptError> {
        // rpassword would open /dev/tty even when stdin is a pipe; a run whose stdin is not a
        // terminal (CI, scripts) must fail with advice instead of hanging on a hidden prompt.
        if !std::io::stdin().is_terminal() {
            return Err(PromptError::NoTerminal);
        }
        rpassword::prompt_password(prompt)
            .map(Secret::new)
            .map_err(|error| PromptError::Io(error.to_string()))
    }
}

/// The connector's single prompt, shared by all host threads.
pub(crate) struct Prompter {
    inner: Arc<dyn SecretPrompt>,
    lock: Mutex<()>,
}

impl Prompter {
    pub fn new(inner: Arc<dyn SecretPrompt>) -> Self {
        Self {
            inner,
            lock: Mutex::new(()),
        }
    }

    pub fn ask(&self, prompt: &str) -> Result<Secret, PromptError> {
        // A thread that panicked while prompting leaves nothing inconsistent behind the lock.
        let _guard = self
            .lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.inner.ask(prompt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_value() {
        let secret = Secret::new("hunter2");
        assert!(!format!("{secret:?}").contains("hunter2"));
    }
}
