//! The old tool's `--proxy PROXY:TARGET`: a session to PROXY runs every command for TARGET
//! as `ssh -o BatchMode=yes TARGET '<command>'`.
//!
//! This differs from `ProxyJump`: the proxy's own ssh (its config, keys and known_hosts)
//! reaches the target, which is what users of the old tool set up.

use rdma_phase::command::through_proxy;
use rdma_phase::CommandOutput;

/// The inner ssh's exit code when it, not the remote command, failed.
const SSH_FAILURE_EXIT: i32 = 255;

/// A target reached through a proxy host's ssh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Via {
    pub proxy: String,
    pub target: String,
}

impl Via {
    /// The line the proxy's session runs.
    pub fn wrap(&self, line: &str) -> String {
        through_proxy(&self.target, line)
    }

    /// How a user would type it: `ssh PROXY <ssh -o BatchMode=yes TARGET '...'>`.
    pub fn describe(&self, line: &str) -> String {
        format!("ssh {} {}", self.proxy, self.wrap(line))
    }

    /// Whether the proxy's ssh failed to reach the target (rather than the command failing
    /// on it): exit 255 with ssh's own kind of message.
    pub fn inner_ssh_failed(output: &CommandOutput) -> bool {
        const SSH_MESSAGES: [&str; 7] = [
            "ssh:",
            "Permission denied",
            "Host key verification failed",
            "Connection closed",
            "Connection timed out",
            "Could not resolve",
            "kex_exchange_identification",
        ];
        output.exit_code == SSH_FAILURE_EXIT
            && SSH_MESSAGES
                .iter()
                .any(|message| output.stderr.contains(message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_like_the_old_tool() {
        let via = Via {
            proxy: "hwstudio1".into(),
            target: "hwstudio2".into(),
        };
        assert_eq!(
            via.describe("sudo ifconfig en5 10.254.0.6 netmask 255.255.255.252"),
            "ssh hwstudio1 ssh -o BatchMode=yes hwstudio2 'sudo ifconfig en5 10.254.0.6 netmask 255.255.255.252'"
        );
    }

    #[test]
    fn recognises_inner_ssh_failures() {
        let failed = CommandOutput {
            stdout: String::new(),
            stderr: "ssh: connect to host hwstudio2 port 22: Connection refused\n".into(),
            exit_code: 255,
        };
        assert!(Via::inner_ssh_failed(&failed));
        let command_failed = CommandOutput {
            exit_code: 1,
            ..failed
        };
        assert!(!Via::inner_ssh_failed(&command_failed));
    }
}
