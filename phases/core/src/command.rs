//! A command for a remote host, built from validated parts and rendered with shell quoting.

use serde::Serialize;

/// One command a phase wants run on a host.
///
/// `argv` is quoted word by word when rendered, so no part can be interpreted by the remote
/// shell. Whether the command changes the host is declared here, once, so check mode and the
/// recorder can refuse it in one place instead of trusting every phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemoteCommand {
    argv: Vec<String>,
    root: bool,
    changes: bool,
    /// A read whose answer changes by itself (a ping, who holds a lock): never answered
    /// from an earlier read of the same command.
    volatile: bool,
    /// What part of the host's state it reads or changes (see [`topic`]); `None`: anything.
    topic: Option<&'static str>,
    stdin: Option<String>,
}

/// Parts of a host's state, so that a change forgets only the earlier reads it may have
/// made wrong: setting an address does not change which RDMA devices exist.
pub mod topic {
    /// Interfaces, their addresses and bridges, and what follows from them (GID tables).
    pub const NETWORK: &str = "network";
    /// Whether RDMA is on and which RDMA devices exist (only Recovery and reboots change it).
    pub const RDMA: &str = "rdma";
    /// The default routes (read for their gateways): setting a cable's address never
    /// changes them, so that change does not make an earlier `netstat` read wrong.
    pub const DEFAULT_ROUTES: &str = "default-routes";
    /// Where the SSH session comes from.
    pub const SESSION: &str = "session";
}

impl RemoteCommand {
    /// A command that only reads state.
    pub fn read<I, S>(argv: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            argv: argv.into_iter().map(Into::into).collect(),
            root: false,
            changes: false,
            volatile: false,
            topic: None,
            stdin: None,
        }
    }

    /// Say which part of the host's state this command reads or changes: one of [`topic`],
    /// or a file's path.
    #[must_use]
    pub fn about(mut self, topic: &'static str) -> Self {
        self.topic = Some(topic);
        self
    }

    /// Whether an earlier read `read` may be wrong once this change is made.
    pub fn may_change(&self, read: &RemoteCommand) -> bool {
        match (self.topic, read.topic) {
            (Some(changed), Some(read)) => changed == read,
            _ => true,
        }
    }

    /// Mark a read as measuring something that changes by itself (a ping), so it is sent
    /// every time instead of being answered from an earlier identical read.
    #[must_use]
    pub fn volatile(mut self) -> Self {
        self.volatile = true;
        self
    }

    /// Whether an earlier answer to this same command still holds until the host is
    /// changed: a read that is not volatile.
    pub fn is_cacheable(&self) -> bool {
        !self.changes && !self.volatile
    }

    /// A command that changes the host and runs as the SSH user.
    pub fn change<I, S>(argv: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            changes: true,
            ..Self::read(argv)
        }
    }

    /// A command that changes the host and needs root (run through `sudo`).
    ///
    /// Privileged commands take no standard input: with a sudo password the transport
    /// owns stdin.
    pub fn privileged<I, S>(argv: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            root: true,
            ..Self::change(argv)
        }
    }

    /// Attach data for the command's standard input (file contents, never secrets).
    ///
    /// Ignored for privileged commands, whose stdin belongs to the transport's sudo handling.
    pub fn with_stdin(mut self, stdin: impl Into<String>) -> Self {
        if !self.root {
            self.stdin = Some(stdin.into());
        }
        self
    }

    pub fn argv(&self) -> &[String] {
        &self.argv
    }

    pub fn needs_root(&self) -> bool {
        self.root
    }

    pub fn changes_host(&self) -> bool {
        self.changes
    }

    pub fn stdin(&self) -> Option<&str> {
        self.stdin.as_deref()
    }

    /// The command as one shell line, with a plain `sudo ` in front when it needs root.
    ///
    /// This is the canonical form: dry-run prints it, transcripts record it and replays match
    /// on it. A transport that supplies a sudo password renders its own variant with
    /// [`RemoteCommand::shell_line_with_sudo`].
    pub fn shell_line(&self) -> String {
        self.shell_line_with_sudo("sudo")
    }

    /// The command as one shell line, with `sudo_prefix` (e.g. `sudo -S -p ''`) when it
    /// needs root.
    pub fn shell_line_with_sudo(&self, sudo_prefix: &str) -> String {
        let words = join_quoted(&self.argv);
        if self.root {
            format!("{sudo_prefix} {words}")
        } else {
            words
        }
    }
}

/// Quote one word for a POSIX shell, leaving plain words readable.
pub fn quote(word: &str) -> String {
    shlex::try_quote(word).map_or_else(
        // Only a NUL byte makes shlex refuse; our inputs are validated before this, but
        // a quoted NUL-free replacement keeps the function total.
        |_| format!("'{}'", word.replace('\0', "").replace('\'', r"'\''")),
        |quoted| quoted.into_owned(),
    )
}

/// Quote and join words into a shell command line.
pub fn join_quoted<S: AsRef<str>>(words: &[S]) -> String {
    words
        .iter()
        .map(|word| quote(word.as_ref()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The old tool's proxy semantics: the proxy host runs `ssh TARGET '<command>'`.
///
/// `BatchMode` keeps the inner ssh from prompting on a terminal nobody can see.
pub fn through_proxy(target: &str, command_line: &str) -> String {
    format!(
        "ssh -o BatchMode=yes {} {}",
        quote(target),
        quote(command_line)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_words_stay_readable() {
        let cmd = RemoteCommand::privileged([
            "ifconfig",
            "en5",
            "10.254.0.5",
            "netmask",
            "255.255.255.252",
        ]);
        assert_eq!(
            cmd.shell_line(),
            "sudo ifconfig en5 10.254.0.5 netmask 255.255.255.252"
        );
        assert_eq!(
            cmd.shell_line_with_sudo("sudo -S -p ''"),
            "sudo -S -p '' ifconfig en5 10.254.0.5 netmask 255.255.255.252"
        );
    }

    #[test]
    fn metacharacters_are_quoted() {
        let cmd = RemoteCommand::read(["echo", "a b", "$(x)", "it's"]);
        assert_eq!(cmd.shell_line(), r#"echo 'a b' '$(x)' "it's""#);
    }

    #[test]
    fn proxy_wraps_the_whole_line() {
        assert_eq!(
            through_proxy(
                "hwstudio2",
                "sudo ifconfig en5 10.254.0.6 netmask 255.255.255.252"
            ),
            "ssh -o BatchMode=yes hwstudio2 'sudo ifconfig en5 10.254.0.6 netmask 255.255.255.252'"
        );
    }

    #[test]
    fn privileged_commands_refuse_stdin() {
        let cmd = RemoteCommand::privileged(["true"]).with_stdin("secret");
        assert_eq!(cmd.stdin(), None);
    }
}
