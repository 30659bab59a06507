//! `%` token and `~` expansion in ssh_config values (`IdentityFile`, `ProxyCommand`, ...)
//! and the local facts it needs (`LocalUser`).

use std::path::PathBuf;

/// The local facts token expansion needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalUser {
    pub home: PathBuf,
    pub name: String,
}

impl LocalUser {
    pub fn from_env() -> Self {
        let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("/"), PathBuf::from);
        let name = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_else(|_| "root".to_owned());
        Self { home, name }
    }
}

/// The `%` tokens and `~` ssh_config allows in file names (`ssh -G` leaves `IdentityFile`
/// unexpanded).
pub struct Tokens<'a> {
    pub local: &'a LocalUser,
    pub alias: &'a str,
    pub hostname: &'a str,
    pub user: &'a str,
    pub port: u16,
}

impl Tokens<'_> {
    pub fn expand(&self, text: &str) -> String {
        let text = match text.strip_prefix("~/") {
            Some(rest) => format!("{}/{rest}", self.local.home.display()),
            None if text == "~" => self.local.home.display().to_string(),
            None => text.to_owned(),
        };
        let mut out = String::with_capacity(text.len());
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('%') => out.push('%'),
                Some('d') => out.push_str(&self.local.home.display().to_string()),
                Some('u') => out.push_str(&self.local.name),
                Some('h') => out.push_str(self.hostname),
                Some('n') => out.push_str(self.alias),
                Some('r') => out.push_str(self.user),
                Some('p') => out.push_str(&self.port.to_string()),
                // Tokens we cannot compute stay as written, so the file simply is not found
                // and the message shows what ssh_config said.
                Some(other) => {
                    out.push('%');
                    out.push(other);
                }
                None => out.push('%'),
            }
        }
        out
    }
}
