//! The host lock's script (`rdma_phase::host_lock`) answered by a simulated Mac: the same
//! replies, kept in the host's files, with a clock that stands still so that generated
//! scenarios do not change from one generation to the next.

use rdma_phase::host_lock::HELD;
use rdma_phase::CommandOutput;

use super::host::SimHost;

/// The simulated Macs' clock (seconds since 1970): 2025-12-01.
pub const SIM_CLOCK: u64 = 1_764_547_200;

/// The PID of every simulated Mac's sshd session.
const SESSION_PID: u32 = 4242;

/// The sshd session of another run on a simulated Mac.
const OTHER_SESSION_PID: u32 = 5151;

/// `args` after `sh -c SCRIPT rdma-setup-lock`.
pub fn answer(host: &mut SimHost, args: &[&str]) -> CommandOutput {
    let held = |host: &SimHost, path: &str| {
        host.files
            .get(path)
            .map(|content| content.trim_end().to_owned())
            .filter(|content| !content.starts_with("done"))
    };
    // The other run of `another_run_after_the_look` is done once it has refused its takes.
    if let (["take", path, ..], Some(0)) = (args, host.another_run_refuses_takes) {
        host.another_run_refuses_takes = None;
        host.files
            .insert((*path).to_owned(), format!("done {SIM_CLOCK}\n"));
    }
    match args {
        ["take", path, who, live] => match held(host, path) {
            // Every lock a simulated Mac holds belongs to a live run.
            Some(content) => {
                if let Some(left) = host.another_run_refuses_takes.as_mut() {
                    *left = left.saturating_sub(1);
                }
                held_reply(&content)
            }
            None => {
                let content = format!("{SESSION_PID} {SIM_CLOCK} {live} {who}");
                host.files
                    .insert((*path).to_owned(), format!("{content}\n"));
                CommandOutput::new(format!("acquired {content}\n"), "", 0)
            }
        },
        ["peek", path] => match held(host, path) {
            Some(content) => held_reply(&content),
            None => {
                let left = host
                    .files
                    .get(*path)
                    .map_or("", |content| content.trim_end());
                let gap = if left.is_empty() { "" } else { " " };
                let reply = CommandOutput::new(format!("free {left}{gap}{SIM_CLOCK}\n"), "", 0);
                if let Some(who) = host.another_run_after_the_look.take() {
                    let content = format!("{OTHER_SESSION_PID} {SIM_CLOCK} session {who}\n");
                    host.files.insert((*path).to_owned(), content);
                }
                reply
            }
        },
        ["release", path, who] => {
            let holder = held(host, path);
            let holder = holder
                .as_deref()
                .and_then(|content| content.split(' ').nth(3));
            if holder != Some(*who) {
                return CommandOutput::new("not-ours\n", "", 0);
            }
            host.files
                .insert((*path).to_owned(), format!("done {SIM_CLOCK}\n"));
            CommandOutput::new("released\n", "", 0)
        }
        _ => CommandOutput::new("", "rdma-setup-lock: unknown operation\n", 2),
    }
}

fn held_reply(content: &str) -> CommandOutput {
    CommandOutput::new(format!("held {content} {SIM_CLOCK}\n"), "", HELD)
}

#[cfg(test)]
mod tests {
    use rdma_phase::host_lock::{parse_reply, LockReply, LOCK_PATH};

    use super::*;

    #[test]
    fn answers_as_the_script_does() {
        let mut host = SimHost::rebooted("hwstudio1", 1, &["en5"]);
        let taken = answer(&mut host, &["take", LOCK_PATH, "a@b:1", "session"]);
        let Some(LockReply::Acquired { .. }) = parse_reply(&taken.stdout) else {
            panic!("{taken:?}");
        };
        let again = answer(&mut host, &["take", LOCK_PATH, "c@d:2", "session"]);
        assert_eq!(again.exit_code, HELD);
        assert!(matches!(
            parse_reply(&again.stdout),
            Some(LockReply::Held(_))
        ));
        assert_eq!(
            answer(&mut host, &["release", LOCK_PATH, "c@d:2"]).stdout,
            "not-ours\n"
        );
        assert_eq!(
            answer(&mut host, &["release", LOCK_PATH, "a@b:1"]).stdout,
            "released\n"
        );
        let peek = answer(&mut host, &["peek", LOCK_PATH]);
        assert_eq!(
            parse_reply(&peek.stdout),
            Some(LockReply::Free {
                finished_at: Some(SIM_CLOCK),
                now: SIM_CLOCK
            })
        );
    }
}
