//! The per-host lock that keeps two runs from changing one Mac at the same time.
//!
//! Two runs at once (a cron `--check` and a person's run, two team members) read each other's
//! half-made changes and report them as failures. A run therefore looks at
//! `/tmp/rdma-setup.lock` ([`peek`]) with its first reads, waiting while another run holds
//! it, and a run with changes to make takes it ([`take`]) in the request that makes them,
//! giving it back ([`release`]) in that request too, once they are made and verified. It
//! uses only what every Mac has out of the box: `sh`'s noclobber (`set -C`, an `O_EXCL`
//! create, atomic), `cat`, `date`, `ps` and `awk`.
//!
//! The lock records who holds it and how to tell that its run is gone, so a killed run never
//! blocks the next one:
//! - `session`: the holder's SSH connection is one session for the whole run; the lock lives
//!   while the `sshd` process serving it does (`ps -p PID` shows it).
//! - `age`: each command arrives on its own connection (`--proxy`), so only age counts.
//! - Either way a lock older than [`MAX_AGE_SECS`] is stale: no run lasts that long.
//!
//! Releasing rewrites the file as `done WHEN`, so a `--check` that saw odd state can still
//! tell that a run finished changing the host while it was reading.
//!
//! The protocol is shared by the runner and by the simulated Macs, which answer the same
//! commands without a shell.

use crate::RemoteCommand;

/// Where the lock lives: `/tmp` is on every Mac, and emptied by a reboot, as the lock should be.
pub const LOCK_PATH: &str = "/tmp/rdma-setup.lock";

/// A lock older than this is stale whatever else it says (seconds).
pub const MAX_AGE_SECS: u64 = 30 * 60;

/// `$0` of the lock script: how a simulated host recognises it.
pub const LOCK_SCRIPT_NAME: &str = "rdma-setup-lock";

/// Exit code when another live run holds the lock.
pub const HELD: i32 = 75;
/// Exit code when the holder is gone but its file cannot be removed (another user's, in the
/// sticky `/tmp`).
pub const STALE_KEPT: i32 = 76;

/// POSIX sh: `$1` is take, peek or release; `$2` the lock path; for take `$3` is who takes it
/// and `$4` the liveness rule; for release `$3` is who took it (known before the take's
/// answer, so a release can go in the same request as the take). A lock file
/// holds one line, `PID SINCE LIVE WHO`, or `done WHEN` once given back. PID is the nearest
/// `sshd` above the script (the connection's own process, whatever shells and wrappers sit
/// between); with none found (or no `ps`) only age counts.
///
/// `take` runs on every host at the start of every run, so it reads the process table once
/// (`ps -A`) and walks it in one `awk`: a `ps` per level cost ~8 ms of CPU each on Linux.
/// "sshd" may be anywhere in a line because macOS prints `comm` as a full path and OpenSSH
/// 9.8 names the process `sshd-session`. The walk stops after 64 steps: a table read while
/// processes come and go can hold a loop. The program has no `$` (`getline` and `split`
/// instead of fields) so that inside the shell's double quotes it needs no backslashes,
/// which the quoted command line would show as `'"\\"'`.
pub const LOCK_SCRIPT: &str = r#"f=$2 now=$(date +%s)
alive() { { read p s l w < "$f"; } 2>/dev/null || return 1; case $p$s in ""|*[!0-9]*) return 1;; esac
  [ $((now - s)) -lt 1800 ] && { [ "$l" = age ] || case $(ps -o comm= -p "$p" 2>/dev/null) in *sshd*) ;; *) false;; esac; }; }
case $1 in
take) p=$(ps -A -o pid= -o ppid= -o comm= 2>/dev/null | awk -v p="$PPID" "BEGIN {
    while ((getline l) > 0) {split(l, w); u[w[1]] = w[2]; if (l ~ /sshd/) s[w[1]] = 1}
    for (; p > 1 && n++ < 64; p = u[p]) if (s[p]) {print p; exit}}")
  l=$4; [ "${p:-0}" -gt 1 ] || { p=$PPID; l=age; }; me="$p $now $l $3"
  for i in 1 2; do
    if (set -C; echo "$me" > "$f") 2>/dev/null; then echo "acquired $me"; exit 0; fi
    c=$(cat "$f" 2>/dev/null); if alive; then echo "held $c $now"; exit 75; fi
    [ "$(cat "$f" 2>/dev/null)" = "$c" ] && rm -f "$f" 2>/dev/null
  done; echo "stale $c $now"; exit 76;;
peek) if alive; then echo "held $(cat "$f") $now"; exit 75; fi; echo "free $(cat "$f" 2>/dev/null) $now";;
release) { read p s l w < "$f"; } 2>/dev/null; if [ "$w" = "$3" ]; then echo "done $now" > "$f"; echo released; else echo not-ours; fi;;
esac"#;

/// How the holder's run is known to be alive; see the module doc.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Liveness {
    Session,
    Age,
}

impl Liveness {
    fn word(self) -> &'static str {
        match self {
            Self::Session => "session",
            Self::Age => "age",
        }
    }
}

fn script(args: &[&str]) -> Vec<String> {
    ["sh", "-c", LOCK_SCRIPT, LOCK_SCRIPT_NAME]
        .iter()
        .chain(args)
        .map(|word| (*word).to_owned())
        .collect()
}

/// Take the lock for `who` (`user@machine:pid`, one word).
pub fn take(who: &str, liveness: Liveness) -> RemoteCommand {
    RemoteCommand::change(script(&["take", LOCK_PATH, who, liveness.word()])).about(LOCK_PATH)
}

/// Who holds the lock, without taking it (for `--check`).
pub fn peek() -> RemoteCommand {
    RemoteCommand::read(script(&["peek", LOCK_PATH]))
        .volatile()
        .about(LOCK_PATH)
}

/// Give back the lock if `who` (as given to [`take`]) holds it.
pub fn release(who: &str) -> RemoteCommand {
    RemoteCommand::change(script(&["release", LOCK_PATH, who])).about(LOCK_PATH)
}

/// A lock holder as the script printed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    /// `user@machine:pid` of the run that holds it.
    pub by: String,
    /// How long ago it was taken, by the Mac's own clock (seconds).
    pub age_secs: u64,
}

/// What the lock script answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockReply {
    /// Ours now; `content` is the line the lock file holds.
    Acquired {
        content: String,
    },
    /// Another run that is still alive holds it.
    Held(Holder),
    /// Its run is gone but the file could not be removed.
    StaleKept(Holder),
    /// Nobody holds it; `finished_at` is when the last run gave it back (the Mac's clock),
    /// and `now` the Mac's time when it answered.
    Free {
        finished_at: Option<u64>,
        now: u64,
    },
    Released,
    NotOurs,
}

/// `PID SINCE LIVE WHO NOW`, as `held` and `stale` print it.
fn holder(words: &[&str]) -> Option<Holder> {
    let [_pid, since, _live, by, now] = words else {
        return None;
    };
    let (since, now): (u64, u64) = (since.parse().ok()?, now.parse().ok()?);
    Some(Holder {
        by: (*by).to_owned(),
        age_secs: now.saturating_sub(since),
    })
}

/// Read the script's one-line answer; `None` for anything else (not our script, or a Mac
/// without `sh`): the caller says so.
pub fn parse_reply(stdout: &str) -> Option<LockReply> {
    let words: Vec<&str> = stdout.lines().next()?.split_whitespace().collect();
    let (first, rest) = words.split_first()?;
    Some(match (*first, rest) {
        ("acquired", [pid, since, live, by]) if since.parse::<u64>().is_ok() => {
            LockReply::Acquired {
                content: [*pid, *since, *live, *by].join(" "),
            }
        }
        ("held", rest) => LockReply::Held(holder(rest)?),
        ("stale", rest) => LockReply::StaleKept(holder(rest).unwrap_or(Holder {
            by: "an unknown run".to_owned(),
            age_secs: 0,
        })),
        ("free", [now]) => LockReply::Free {
            finished_at: None,
            now: now.parse().ok()?,
        },
        ("free", ["done", when, now]) => LockReply::Free {
            finished_at: when.parse().ok(),
            now: now.parse().ok()?,
        },
        // Whatever else the file holds is not a lock.
        ("free", [.., now]) => LockReply::Free {
            finished_at: None,
            now: now.parse().ok()?,
        },
        ("released", []) => LockReply::Released,
        ("not-ours", []) => LockReply::NotOurs,
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
