//! `Destination`: where to connect, as typed on the command line or listed in `ProxyJump`,
//! and the parser of one `ProxyJump` entry (`[user@]host[:port]`, `ssh://...`, `[IPv6]`).

/// Where to connect, as written on the command line or in a `ProxyJump` list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    /// `host`, `alias` or `user@host`.
    pub text: String,
    /// An explicit port (`ProxyJump host:2222`); `None` lets the config decide.
    pub port: Option<u16>,
}

impl Destination {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            port: None,
        }
    }

    /// One element of a `ProxyJump` list: `[user@]host[:port]` or
    /// `ssh://[user@]host[:port]`, IPv6 hosts in brackets.
    pub fn parse_jump(spec: &str) -> Result<Self, String> {
        let spec = spec.trim();
        let spec = spec.strip_prefix("ssh://").unwrap_or(spec);
        let (user, rest) = match spec.rsplit_once('@') {
            Some((user, rest)) => (Some(user), rest),
            None => (None, spec),
        };
        let (host, port) = if let Some(inner) = rest.strip_prefix('[') {
            let (host, after) = inner
                .split_once(']')
                .ok_or_else(|| format!("unbalanced '[' in ProxyJump entry '{spec}'"))?;
            (host, after.strip_prefix(':'))
        } else {
            match rest.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (rest, None),
            }
        };
        let port = port
            .map(|port| {
                port.parse::<u16>()
                    .map_err(|_| format!("bad port '{port}' in ProxyJump entry '{spec}'"))
            })
            .transpose()?;
        if host.is_empty() || host.starts_with('-') || user.is_some_and(str::is_empty) {
            return Err(format!("bad ProxyJump entry '{spec}'"));
        }
        let text = match user {
            Some(user) => format!("{user}@{host}"),
            None => host.to_owned(),
        };
        Ok(Self { text, port })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jump_specs() {
        assert_eq!(
            Destination::parse_jump("ssh://u@[::1]:22").expect("valid"),
            Destination {
                text: "u@::1".into(),
                port: Some(22)
            }
        );
        assert!(Destination::parse_jump("-oProxyCommand=x").is_err());
        assert!(Destination::parse_jump("h:notaport").is_err());
    }
}
