//! Validated names that end up inside remote shell commands.
//!
//! Parsing happens once, at the command-line boundary; everything past it holds these types,
//! so a shell metacharacter can never reach a remote host.

use std::fmt;

use serde::Serialize;

/// Why a host or interface name was refused. The text completes "... is not valid: ".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("the SSH host is empty")]
    EmptyHost,
    #[error("SSH host '{0}' may only use letters, digits, '.', '-', '_' and one optional 'user@'")]
    BadHost(String),
    #[error("the interface is empty")]
    EmptyIface,
    #[error("interface '{0}' is not a macOS interface name like en5")]
    BadIface(String),
}

/// An SSH destination as users write it: a host name, an address or an ssh config alias,
/// optionally with `user@`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct HostName(String);

impl HostName {
    pub fn parse(text: &str) -> Result<Self, NameError> {
        if text.is_empty() {
            return Err(NameError::EmptyHost);
        }
        let (user, host) = match text.split_once('@') {
            Some((user, host)) => (Some(user), host),
            None => (None, text),
        };
        let word_ok = |word: &str| {
            !word.is_empty()
                && !word.starts_with('-')
                && word
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        };
        if user.is_some_and(|user| !word_ok(user)) || !word_ok(host) || text.len() > 253 {
            return Err(NameError::BadHost(text.to_owned()));
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after `user@`, if any.
    pub fn host_part(&self) -> &str {
        self.0.split_once('@').map_or(&self.0, |(_, host)| host)
    }

    /// The part before `@`, if the name has one.
    pub fn user_part(&self) -> Option<&str> {
        self.0.split_once('@').map(|(user, _)| user)
    }
}

impl fmt::Display for HostName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A BSD network interface name such as `en5`: lowercase letters then a unit number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct IfaceName(String);

impl IfaceName {
    pub fn parse(text: &str) -> Result<Self, NameError> {
        if text.is_empty() {
            return Err(NameError::EmptyIface);
        }
        let letters = text.bytes().take_while(u8::is_ascii_lowercase).count();
        let digits = &text[letters..];
        let ok = (1..=8).contains(&letters)
            && (1..=3).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit());
        if !ok {
            return Err(NameError::BadIface(text.to_owned()));
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The RDMA device macOS creates for this Thunderbolt interface: `en5` -> `rdma_en5`.
    pub fn rdma_device(&self) -> String {
        format!("rdma_{}", self.0)
    }
}

impl fmt::Display for IfaceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("hwstudio1")]
    #[case("admin@hwstudio1")]
    #[case("mac-studio_2.local")]
    #[case("10.0.0.7")]
    fn accepts_host_names(#[case] text: &str) {
        assert_eq!(
            HostName::parse(text).map(|h| h.to_string()),
            Ok(text.to_owned())
        );
    }

    #[rstest]
    #[case("", NameError::EmptyHost)]
    #[case("host;rm -rf /", NameError::BadHost("host;rm -rf /".into()))]
    #[case("$(reboot)", NameError::BadHost("$(reboot)".into()))]
    #[case("-oProxyCommand=x", NameError::BadHost("-oProxyCommand=x".into()))]
    #[case("a@b@c", NameError::BadHost("a@b@c".into()))]
    #[case("@host", NameError::BadHost("@host".into()))]
    #[case("host name", NameError::BadHost("host name".into()))]
    fn rejects_bad_hosts(#[case] text: &str, #[case] error: NameError) {
        assert_eq!(HostName::parse(text), Err(error));
    }

    #[rstest]
    #[case("en5")]
    #[case("en10")]
    #[case("bridge0")]
    fn accepts_interfaces(#[case] text: &str) {
        assert!(IfaceName::parse(text).is_ok());
    }

    #[rstest]
    #[case("")]
    #[case("en")]
    #[case("5")]
    #[case("EN5")]
    #[case("en5;ls")]
    #[case("eth 0")]
    #[case("en5000")]
    fn rejects_bad_interfaces(#[case] text: &str) {
        assert!(IfaceName::parse(text).is_err());
    }

    #[test]
    fn rdma_device_name_follows_interface() {
        let iface = IfaceName::parse("en5").expect("valid");
        assert_eq!(iface.rdma_device(), "rdma_en5");
    }
}
