//! Phase `ibv-config`: write JACCL's device matrix to `/tmp/mlx_ibv_devices.json`.
//!
//! `/tmp` is emptied by every reboot. Every host gets the same file (rank r reads row r).

mod device_file;
mod write;

#[cfg(test)]
mod run_tests;

use rdma_phase::parse::one_line;
use rdma_phase::{
    Applied, CommandOutput, Context, Outcome, Phase, PhaseError, RemoteCommand, Scope,
    IBV_DEVICES_PATH,
};

pub use device_file::{judge, Found};
pub use write::{atomic_write, ATOMIC_WRITE_SCRIPT, TARGET_IS_A_DIRECTORY};

/// The `ibv-config` phase.
pub struct IbvConfigPhase;

pub static IBV_CONFIG: IbvConfigPhase = IbvConfigPhase;

inventory::submit! { rdma_phase::PhaseRegistration(&IBV_CONFIG) }

impl Phase for IbvConfigPhase {
    fn name(&self) -> &'static str {
        "ibv-config"
    }

    fn order(&self) -> u32 {
        30
    }

    fn description(&self) -> &'static str {
        "Write JACCL's RDMA device matrix to /tmp/mlx_ibv_devices.json (same file on every host)"
    }

    fn scope(&self) -> Scope {
        Scope::Host
    }

    fn reads(&self, _cx: &Context<'_>) -> Vec<RemoteCommand> {
        vec![rdma_phase::reads::cat(IBV_DEVICES_PATH)]
    }

    fn dry_run(&self, cx: &mut Context<'_>) -> Result<Vec<Outcome>, PhaseError> {
        let wanted = format!("{}\n", cx.plan().ibv_json());
        let read_back = rdma_phase::reads::cat(IBV_DEVICES_PATH);
        cx.would_read(&read_back);
        cx.change(&atomic_write(IBV_DEVICES_PATH, &wanted))?;
        cx.would_read(&read_back);
        Ok(vec![Outcome::pending(format!(
            "would write {IBV_DEVICES_PATH}: {}",
            wanted.trim()
        ))])
    }

    fn run(&self, cx: &mut Context<'_>) -> Result<Vec<Outcome>, PhaseError> {
        let host = cx.host().name.as_str();
        let wanted = format!("{}\n", cx.plan().ibv_json());
        let read_back = rdma_phase::reads::cat(IBV_DEVICES_PATH);

        let found = judge(&cx.read(&read_back)?, &wanted);
        if found == Found::Current {
            return Ok(vec![Outcome::ok(format!(
                "IBV config current: {IBV_DEVICES_PATH}"
            ))]);
        }
        // An invalid file is named in the rows, so the user learns what was wrong with it.
        let (replaced, replacing) = match &found {
            Found::Invalid(why) => (format!(" (replaced {why})"), format!(" (replacing {why})")),
            _ => (String::new(), String::new()),
        };
        // The row a successful write prints; a pending row carries the same text, since the
        // runner reports a change made ahead of this phase with it.
        let written = format!("IBV config written: {IBV_DEVICES_PATH}{replaced}");

        let output = match cx.change(&atomic_write(IBV_DEVICES_PATH, &wanted))? {
            Applied::NotSent => {
                return Ok(vec![Outcome::pending(format!(
                    "would write {IBV_DEVICES_PATH}: {}{replacing}",
                    wanted.trim()
                ))
                .once_done(written)]);
            }
            Applied::Ran(output) => output,
        };
        if !output.success() {
            return Ok(vec![write_failed(host, &output)]);
        }

        if is_current(&cx.read(&read_back)?, &wanted) {
            Ok(vec![Outcome::changed(written)])
        } else {
            Ok(vec![Outcome::fail(format!(
                "IBV config differs after writing: {IBV_DEVICES_PATH}"
            ))
            .with_hint(format!(
                "Something else on {host} writes {IBV_DEVICES_PATH}; compare it with `cat {IBV_DEVICES_PATH}` there and stop the other writer, then re-run"
            ))])
        }
    }
}

/// The row for a write that failed, with the fix for its cause.
fn write_failed(host: &str, output: &CommandOutput) -> Outcome {
    let said = output.combined_trimmed();
    if output.exit_code == TARGET_IS_A_DIRECTORY {
        return Outcome::fail(format!("{IBV_DEVICES_PATH} is a directory")).with_hint(format!(
            "JACCL needs a file there: on {host}, look at what is in it, remove it with `sudo rm -r {IBV_DEVICES_PATH}`, and re-run"
        ));
    }
    let row = Outcome::fail(format!(
        "could not write {IBV_DEVICES_PATH}: {}",
        one_line(&said)
    ));
    if said.contains("No space left on device") || said.contains("Disc quota exceeded") {
        row.with_hint(format!(
            "/tmp on {host} is full: free some space there (`df -h /tmp` shows it), then re-run"
        ))
    } else if said.contains("Permission denied") || said.contains("Operation not permitted") {
        row.with_hint(format!(
            "Check /tmp on {host}: a {IBV_DEVICES_PATH} owned by another user cannot be replaced there; remove it with `sudo rm {IBV_DEVICES_PATH}` and re-run"
        ))
    } else {
        row.with_hint(format!(
            "Check that /tmp on {host} is writable (`ls -ld /tmp {IBV_DEVICES_PATH}` there), then re-run"
        ))
    }
}

/// Whether `cat` found the file with the wanted content, compared as JSON values (spacing
/// and a final newline do not count); a missing or unreadable file is not current.
pub fn is_current(cat: &CommandOutput, wanted: &str) -> bool {
    judge(cat, wanted) == Found::Current
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const WANTED: &str = "[[null,\"rdma_en5\"],[\"rdma_en5\",null]]\n";

    fn cat(stdout: &str, stderr: &str, exit_code: i32) -> CommandOutput {
        CommandOutput::new(stdout, stderr, exit_code)
    }

    #[rstest]
    #[case(cat(WANTED, "", 0), true)]
    #[case(cat("[[null,\"rdma_en5\"],[\"rdma_en5\",null]]", "", 0), true)]
    #[case(cat("  [[null,\"rdma_en5\"],[\"rdma_en5\",null]]\r\n\n", "", 0), true)]
    #[case(cat("[[null, \"rdma_en5\"], [\"rdma_en5\", null]]", "", 0), true)]
    #[case(cat("[[null, \"rdma_en5\"], [\"rdma_en5\", null]]\n", "", 0), true)]
    #[case(cat("[[null,\"rdma_en4\"],[\"rdma_en5\",null]]\n", "", 0), false)]
    #[case(cat("{\"devices\": [\"rdma_en5\"]}", "", 0), false)]
    #[case(
        cat("", "cat: /tmp/mlx_ibv_devices.json: No such file or directory\n", 1),
        false
    )]
    #[case(cat(WANTED, "", 1), false)]
    fn currency(#[case] output: CommandOutput, #[case] current: bool) {
        assert_eq!(is_current(&output, WANTED), current);
    }
}
