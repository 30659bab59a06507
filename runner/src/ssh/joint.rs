//! A batch of several commands as ONE exec on one channel: two round trips (the channel
//! open; the exec request with the script right behind it, and the framed reply), however
//! many commands; one when the session's spare channel (`spare`) was open already.
//!
//! libssh2 keeps a channel open's state on the session, so opens go out one at a time: a
//! channel per command costs one round trip per command. Here the batch's script
//! (`script`) runs every command on the host at once and sends their results back framed
//! (`frames`), and [`run`] splits them into the results each command would have had alone.
//!
//! One deadline for the batch, from its start. When it passes the channel is closed, which
//! the script's lifeline takes as the signal to end every command still running and remove
//! its directory. Results that arrived before it are returned, as on separate channels: a
//! command that ended in time succeeds even though another of the batch hangs.
//!
//! What the reply may cost here is bounded: each command's frame carries at most
//! [`MAX_OUTPUT`] a stream (the script cuts at the source), so a reply is at most that per
//! command and stream, plus as much again for whatever a login shell prints before the
//! script starts.

use std::os::fd::BorrowedFd;
use std::time::Instant;

use rdma_phase::CommandOutput;
use ssh2::Session;

use super::batch;
use super::channel::Job;
use super::exec::{AfterStdin, ExecError, Ran, Stream, MAX_OUTPUT};
use super::frames::{self, MAX_HEADER as HEADER};
use super::script::{self, Command, MAGIC};
use super::spare::Spare;

/// Run `commands` at once as one script on one channel of `session`, in stages when
/// `stage_starts` has any (`script::build_staged`); one result per command, in order. `wrap` turns the script's exec line into the line the session runs (`--proxy`).
pub fn run(
    session: &Session,
    socket: BorrowedFd<'_>,
    spare: &mut Spare,
    (commands, stage_starts): (&[Command<'_>], &[usize]),
    wrap: &dyn Fn(&str) -> String,
    deadline: Instant,
) -> Vec<Result<CommandOutput, ExecError>> {
    let script = script::build_staged(commands, stage_starts);
    let line = wrap(&script.line);
    tracing::trace!(
        commands = commands.len(),
        payload_bytes = script.payload.len(),
        "joint batch"
    );
    let job = Job {
        line: &line,
        stdin: &script.payload,
        after: AfterStdin::KeepOpen,
        stdout_limit: reply_limit(commands.len()),
    };
    let ran = batch::run(session, socket, spare, &job, deadline);
    split(&ran, commands.len())
}

/// The most a batch of `count` commands may send on stdout.
fn reply_limit(count: usize) -> usize {
    // Each command's header and streams, and at most one group line per command.
    MAGIC.len() + MAX_OUTPUT + count * (2 * HEADER + 2 * MAX_OUTPUT)
}

/// The results of `count` commands in what the batch's channel read. Commands without a
/// whole frame fail with why the channel ended.
fn split(ran: &Ran, count: usize) -> Vec<Result<CommandOutput, ExecError>> {
    let decoded = frames::decode(&ran.stdout, count);
    let stderr = String::from_utf8_lossy(&ran.stderr).into_owned();
    if !stderr.trim().is_empty() {
        tracing::debug!(stderr = %stderr.trim(), "the batch script's own stderr");
    }
    let missing = || match &ran.end {
        Err(ExecError::TooMuchOutput(stream)) => ExecError::Unanswered {
            reason: match stream {
                Stream::Stdout => "the batch's reply ran past its bound".into(),
                Stream::Stderr => "the batch script printed over 4 MiB of its own".into(),
            },
            exit_code: None,
            stderr: String::new(),
        },
        Err(error) => error.clone(),
        Ok(exit_code) => ExecError::Unanswered {
            reason: match &decoded.problem {
                Some(problem) => format!("the batch's reply was garbled ({problem})"),
                None => "the batch script ended before this command's result".into(),
            },
            exit_code: Some(*exit_code),
            stderr: stderr.clone(),
        },
    };
    decoded
        .results
        .into_iter()
        .map(|result| result.unwrap_or_else(|| Err(missing())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ran(stdout: &[u8], end: Result<i32, ExecError>) -> Ran {
        Ran {
            stdout: stdout.to_vec(),
            stderr: b"sh: 1: mktemp: not found\n".to_vec(),
            end,
        }
    }

    fn reply(frames: &str) -> Vec<u8> {
        [MAGIC, frames.as_bytes()].concat()
    }

    #[test]
    fn commands_answered_before_a_timeout_keep_their_results() {
        let results = split(
            &ran(&reply("= 1\n1 0 3 0 0\nok\n"), Err(ExecError::TimedOut)),
            3,
        );
        assert_eq!(results[0], Err(ExecError::TimedOut));
        assert_eq!(results[1], Ok(CommandOutput::new("ok\n", "", 0)));
        assert_eq!(results[2], Err(ExecError::TimedOut));
    }

    #[test]
    fn a_lost_session_fails_the_unanswered_only() {
        let lost = ExecError::Lost("socket closed".into());
        let results = split(&ran(&reply("= 1\n0 1 0 0 0\n"), Err(lost.clone())), 2);
        assert_eq!(results[0], Ok(CommandOutput::new("", "", 1)));
        assert_eq!(results[1], Err(lost));
    }

    #[test]
    fn a_script_that_never_started_says_what_the_host_said() {
        let results = split(&ran(b"", Ok(127)), 2);
        for result in results {
            match result {
                Err(ExecError::Unanswered {
                    reason,
                    exit_code,
                    stderr,
                }) => {
                    assert!(reason.contains("ended before"), "{reason}");
                    assert_eq!(exit_code, Some(127));
                    assert!(stderr.contains("mktemp"), "{stderr}");
                }
                other => panic!("expected an unanswered command, got {other:?}"),
            }
        }
    }

    #[test]
    fn a_garbled_reply_is_named() {
        let results = split(&ran(&reply("= 1\n0 0 0 0 0\n0 x\n"), Ok(0)), 2);
        assert_eq!(results[0], Ok(CommandOutput::new("", "", 0)));
        assert!(matches!(
            &results[1],
            Err(ExecError::Unanswered { reason, .. }) if reason.contains("garbled")
        ));
    }

    #[test]
    fn the_reply_bound_holds_every_frame_at_the_cap() {
        let count = 8;
        // A group of one per command: the most group lines a reply can have.
        let most = MAGIC.len() + count * (2 * HEADER + 2 * MAX_OUTPUT);
        assert!(reply_limit(count) >= most + MAX_OUTPUT);
    }
}
