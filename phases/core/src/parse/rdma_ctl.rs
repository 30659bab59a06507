//! `rdma_ctl status`: whether RDMA over Thunderbolt is enabled.

use serde::Serialize;

use crate::CommandOutput;

/// What `rdma_ctl status` says about the host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RdmaState {
    Enabled,
    Disabled,
    /// No `rdma_ctl` at all: macOS older than 26.2.
    Missing,
    /// Anything else, with what the command printed.
    Other(String),
}

/// The exit code POSIX shells give a command they cannot find.
const COMMAND_NOT_FOUND: i32 = 127;

/// Classify the output of `rdma_ctl status`.
///
/// The word on stdout decides, not the exit code (which is unconfirmed for `disabled`), and
/// the word is compared whole: `enabled` is a substring of `disabled`.
pub fn parse_rdma_ctl_status(output: &CommandOutput) -> RdmaState {
    match output.stdout.trim() {
        "enabled" => return RdmaState::Enabled,
        "disabled" => return RdmaState::Disabled,
        _ => {}
    }
    if output.stdout.trim().is_empty() && is_command_missing(output) {
        return RdmaState::Missing;
    }
    RdmaState::Other(output.combined_trimmed())
}

/// zsh: `zsh:1: command not found: rdma_ctl`; bash: `bash: rdma_ctl: command not found`;
/// dash: `sh: 1: rdma_ctl: not found`; a direct exec: `No such file or directory`.
fn is_command_missing(output: &CommandOutput) -> bool {
    let stderr = output.stderr.to_ascii_lowercase();
    output.exit_code == COMMAND_NOT_FOUND
        || stderr.contains("command not found")
        || (stderr.contains("rdma_ctl")
            && (stderr.contains(": not found") || stderr.contains("no such file or directory")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;

    #[rstest]
    #[case(CommandOutput::new("enabled\n", "", 0), RdmaState::Enabled)]
    #[case(CommandOutput::new("disabled\n", "", 0), RdmaState::Disabled)]
    #[case(CommandOutput::new("disabled\n", "", 1), RdmaState::Disabled)]
    #[case(CommandOutput::new("  enabled  \r\n", "", 0), RdmaState::Enabled)]
    #[case(
        CommandOutput::new("", "zsh:1: command not found: rdma_ctl\n", 127),
        RdmaState::Missing
    )]
    #[case(
        CommandOutput::new("", "bash: rdma_ctl: command not found\n", 127),
        RdmaState::Missing
    )]
    #[case(
        CommandOutput::new("", "sh: 1: rdma_ctl: not found\n", 127),
        RdmaState::Missing
    )]
    #[case(
        CommandOutput::new("", "bash: line 1: rdma_ctl: command not found\n", 1),
        RdmaState::Missing
    )]
    #[case(CommandOutput::new("", "", 127), RdmaState::Missing)]
    #[case(
        CommandOutput::new("", "rdma_ctl: This tool needs to be executed from Recovery OS.\n", 77),
        RdmaState::Other("rdma_ctl: This tool needs to be executed from Recovery OS.".into())
    )]
    #[case(CommandOutput::new("", "", 0), RdmaState::Other(String::new()))]
    #[case(CommandOutput::new("enabled disabled\n", "", 0), RdmaState::Other("enabled disabled".into()))]
    #[case(CommandOutput::new("not enabled\n", "", 0), RdmaState::Other("not enabled".into()))]
    #[case(CommandOutput::new("Enabled\n", "", 0), RdmaState::Other("Enabled".into()))]
    fn classifies(#[case] output: CommandOutput, #[case] state: RdmaState) {
        assert_eq!(parse_rdma_ctl_status(&output), state);
    }

    proptest! {
        #[test]
        fn never_panics(stdout in "\\PC*", stderr in "\\PC*", exit_code in any::<i32>()) {
            let _ = parse_rdma_ctl_status(&CommandOutput::new(&stdout, &stderr, exit_code));
        }
    }
}
