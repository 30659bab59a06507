//! Phase `rdma-status`: is RDMA over Thunderbolt enabled on the host?
//!
//! Nothing to change from here: `rdma_ctl enable` works only from Recovery, so this phase
//! reports and tells the user how.

use rdma_phase::parse::{one_line, parse_rdma_ctl_status, RdmaState};
use rdma_phase::{Context, Outcome, Phase, PhaseError, RemoteCommand, Scope};

/// The `rdma-status` phase.
pub struct RdmaStatusPhase;

pub static RDMA_STATUS: RdmaStatusPhase = RdmaStatusPhase;

inventory::submit! { rdma_phase::PhaseRegistration(&RDMA_STATUS) }

impl Phase for RdmaStatusPhase {
    fn name(&self) -> &'static str {
        "rdma-status"
    }

    fn order(&self) -> u32 {
        40
    }

    fn description(&self) -> &'static str {
        "Check that RDMA is enabled (rdma_ctl status); it can only be enabled from Recovery"
    }

    fn scope(&self) -> Scope {
        Scope::Host
    }

    fn reads(&self, _cx: &Context<'_>) -> Vec<RemoteCommand> {
        vec![rdma_phase::reads::rdma_ctl_status()]
    }

    fn dry_run(&self, cx: &mut Context<'_>) -> Result<Vec<Outcome>, PhaseError> {
        cx.would_read(&rdma_phase::reads::rdma_ctl_status());
        Ok(vec![Outcome::skipped("RDMA: not checked (dry-run)")])
    }

    fn run(&self, cx: &mut Context<'_>) -> Result<Vec<Outcome>, PhaseError> {
        let output = cx.read(&rdma_phase::reads::rdma_ctl_status())?;
        Ok(vec![report(
            &parse_rdma_ctl_status(&output),
            cx.host().name.as_str(),
        )])
    }
}

/// The row for a state; its value feeds the summary table (`RDMA:enabled`).
pub fn report(state: &RdmaState, host: &str) -> Outcome {
    match state {
        RdmaState::Enabled => Outcome::ok("RDMA: enabled").with_value("enabled"),
        RdmaState::Disabled => Outcome::warn("RDMA: disabled (enable via Recovery Mode)")
            .with_value("disabled")
            .with_hint(format!(
                "Start {host} in Recovery (press and hold the power button until the startup options show), choose Utilities > Terminal, run `rdma_ctl enable`, restart normally, then run rdma-setup again"
            )),
        RdmaState::Missing => Outcome::fail("RDMA: rdma_ctl not found (needs macOS 26.2 or later)")
            .with_value("missing")
            .with_hint(format!(
                "Update {host} to macOS 26.2 or later, the same version as the other Macs; RDMA over Thunderbolt also needs Apple silicon and Thunderbolt 5 ports"
            )),
        RdmaState::Other(text) => {
            let shown = if text.trim().is_empty() {
                "nothing".to_owned()
            } else {
                one_line(text)
            };
            Outcome::fail(format!("RDMA: unknown (rdma_ctl status printed {shown})"))
                .with_value("unknown")
                .with_hint(format!(
                    "Run `rdma_ctl status` on {host} by hand: it should print enabled or disabled"
                ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdma_phase::Status;
    use rstest::rstest;

    #[rstest]
    #[case(RdmaState::Enabled, Status::Ok, "RDMA: enabled", "enabled", false)]
    #[case(
        RdmaState::Disabled,
        Status::Warn,
        "RDMA: disabled (enable via Recovery Mode)",
        "disabled",
        true
    )]
    #[case(
        RdmaState::Missing,
        Status::Fail,
        "RDMA: rdma_ctl not found (needs macOS 26.2 or later)",
        "missing",
        true
    )]
    #[case(
        RdmaState::Other("rdma_ctl: This tool needs to be executed from Recovery OS.".into()),
        Status::Fail,
        "RDMA: unknown (rdma_ctl status printed rdma_ctl: This tool needs to be executed from Recovery OS.)",
        "unknown",
        true
    )]
    #[case(
        RdmaState::Other(String::new()),
        Status::Fail,
        "RDMA: unknown (rdma_ctl status printed nothing)",
        "unknown",
        true
    )]
    fn rows(
        #[case] state: RdmaState,
        #[case] status: Status,
        #[case] message: &str,
        #[case] value: &str,
        #[case] hinted: bool,
    ) {
        let outcome = report(&state, "hwstudio1");
        assert_eq!(outcome.status, status);
        assert_eq!(outcome.message, message);
        assert_eq!(outcome.value.as_deref(), Some(value));
        assert_eq!(
            outcome
                .hint
                .as_deref()
                .is_some_and(|hint| hint.contains("hwstudio1")),
            hinted
        );
    }
}
