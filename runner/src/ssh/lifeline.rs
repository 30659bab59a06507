//! The remote wrapper that ties a command's life to its SSH channel.
//!
//! Closing a channel does not end the command behind it: sshd only closes the command's
//! pipes, so a command that neither reads nor writes (`sleep 120`, a hung `ibv_devinfo`)
//! lives on after `--command-timeout` gave up on it. RFC 4254's "signal" channel request is
//! what would end it (OpenSSH's sshd honours it with `killpg`), but libssh2 sends channel
//! requests only through `libssh2_channel_process_startup`, which refuses any request on a
//! channel that already ran `exec` ("Channel can not be reused"), and its newer
//! `libssh2_channel_signal_ex` is wrapped by neither `libssh2-sys` nor `ssh2` (and the
//! workspace forbids the `unsafe` a binding would need).
//!
//! So every command run alone runs inside a small POSIX `sh` script (a batch of several runs
//! inside `script`, which has the same lifeline for all its commands): it hands the command
//! exactly the stdin bytes it was sent, runs it with the user's shell (as sshd would), and
//! meanwhile keeps reading the channel's stdin, on which the client sends nothing more. EOF
//! there means the channel was closed (the client gave up, or the connection died): the
//! script then sends TERM to the session's process group (sshd makes every session its own
//! group, so that is exactly this command and its children), and KILL after a short grace.
//! The client therefore must not send EOF itself (see `exec::AfterStdin::KeepOpen`).
//!
//! Through `--proxy` the script wraps the innermost command, on the target: the proxy's
//! `ssh` passes the closed stdin on as EOF, so the command on the target is ended too.
//!
//! The command's exit code passes through unchanged. One thing differs from a bare `exec`:
//! a command killed by a signal reports the shell's 128+N instead of an SSH exit-signal,
//! which no phase tells apart from any other failure.

use rdma_phase::command::quote;

/// `$1`: how many stdin bytes are the command's; `$2`: the command line.
///
/// - fd 3 keeps the channel's stdin; everything else gets /dev/null. Background jobs of a
///   non-interactive shell get /dev/null as stdin anyway, so they read fd 3 explicitly.
/// - The command's bytes are read before it starts (`.` keeps trailing newlines through the
///   command substitution): only then is the rest of stdin the lifeline's alone. They are
///   small (a sudo password, a device file), text, and never on any command line.
/// - `kill -TERM -$$` is the process group of this script, which sshd made a session
///   leader; should it not be one, the group does not exist and only the command is ended.
///   The lifeline ignores TERM itself so it lives to send KILL.
/// - `wait` reports to /dev/null: dash prints a child's death by a signal ("Killed") on its
///   own stderr, the channel's, which sshd running the command bare would not.
/// - `read` is a builtin: ending the lifeline at a normal exit leaves no child behind, and
///   it holds neither stdout nor stderr, so it never delays the channel's close.
const SCRIPT: &str = r#"n=$1
exec 3<&0 </dev/null
if [ "$n" -gt 0 ]; then
  d=$(head -c "$n" <&3; echo .)
  d=${d%.}
  printf %s "$d" | "${SHELL:-/bin/sh}" -c "$2" 3<&- &
else
  "${SHELL:-/bin/sh}" -c "$2" 3<&- &
fi
c=$!
(
  while read -r x; do :; done
  trap "" TERM
  kill -TERM -$$ 2>/dev/null || kill -TERM "$c"
  sleep 2
  kill -KILL -$$ 2>/dev/null || kill -KILL "$c"
) <&3 >/dev/null 2>&1 &
l=$!
exec 3<&-
wait "$c" 2>/dev/null
s=$?
kill "$l" 2>/dev/null
exit "$s""#;

/// The name the script runs under (its `$0`), so it is recognisable in `ps` on the Mac.
const NAME: &str = "rdma-setup-lifeline";

/// `line` wrapped so that it ends when its channel closes. `stdin_len` is the number of
/// bytes that will be written to the channel for the command; nothing may follow them, not
/// even EOF.
pub fn wrap(line: &str, stdin_len: usize) -> String {
    // `exec`: the script replaces the login shell, so it is the session's leader and `$$`
    // names the session's process group.
    format!(
        "exec /bin/sh -c {} {NAME} {stdin_len} {}",
        quote(SCRIPT),
        quote(line)
    )
}

#[cfg(test)]
mod tests {
    //! The script run locally by `/bin/sh`, in a process group of its own as sshd would
    //! give it (never in the test runner's group: the lifeline signals its whole group).

    use std::io::Write;
    use std::os::unix::process::CommandExt;
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    use super::wrap;

    fn spawn(line: &str, stdin_len: usize) -> Child {
        Command::new("/bin/sh")
            .arg("-c")
            .arg(wrap(line, stdin_len))
            .env("SHELL", "/bin/sh")
            .process_group(0)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn /bin/sh")
    }

    /// Whether `pid` is a live process (a zombie waiting for its reaper is not).
    fn running(pid: u32) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
            // The state follows the parenthesised name, which may itself hold spaces.
            stat.rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next())
                .is_some_and(|state| state != "Z" && state != "X")
        })
    }

    #[test]
    fn the_command_gets_its_stdin_bytes_and_its_exit_code_is_kept() {
        let input = "pw\nline 'two'\n\n\n";
        let mut child = spawn("cat; echo err >&2; exit 3", input.len());
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(input.as_bytes()).expect("write");
        // The channel's stdin stays open, as over SSH: the command must end on its own.
        let output = child.wait_with_output().expect("wait");
        drop(stdin);
        assert_eq!(String::from_utf8_lossy(&output.stdout), input);
        assert_eq!(String::from_utf8_lossy(&output.stderr), "err\n");
        assert_eq!(output.status.code(), Some(3));
    }

    #[test]
    fn without_stdin_bytes_the_command_reads_eof() {
        let mut child = spawn("cat; echo done", 0);
        // Held open, as the client holds the channel's stdin.
        let stdin = child.stdin.take();
        let output = child.wait_with_output().expect("wait");
        drop(stdin);
        assert_eq!(String::from_utf8_lossy(&output.stdout), "done\n");
        assert_eq!(output.status.code(), Some(0));
    }

    #[test]
    fn closing_stdin_ends_the_command_and_its_children() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pid_file = dir.path().join("pid");
        // A child that would outlive its shell: its pid tells whether it is gone.
        let line = format!("sleep 60 & echo $! > {}; wait", pid_file.display());
        let mut child = spawn(&line, 0);
        let deadline = Instant::now() + Duration::from_secs(5);
        let pid = loop {
            if let Some(pid) = std::fs::read_to_string(&pid_file)
                .ok()
                .and_then(|text| text.trim().parse::<u32>().ok())
            {
                break pid;
            }
            assert!(Instant::now() < deadline, "the command did not start");
            std::thread::sleep(Duration::from_millis(10));
        };
        let started = Instant::now();
        drop(child.stdin.take());
        let status = child.wait().expect("wait");
        assert!(!status.success());
        while running(pid) && started.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(!running(pid), "sleep {pid} outlived its channel");
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
    }
}
