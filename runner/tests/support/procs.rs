//! Finding this machine's processes by their exact argv, read-only, from /proc: the loopback
//! sshd runs commands here, so a command the transport failed to end shows up.

use std::time::{Duration, Instant};

/// PIDs of live processes whose argv is exactly `argv` (zombies excluded). Exact words, so
/// the shells that merely carry the command as text in one argument do not match.
pub fn pids_with_argv(argv: &[&str]) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
                return false;
            };
            let words: Vec<&[u8]> = cmdline
                .strip_suffix(b"\0")
                .unwrap_or(&cmdline)
                .split(|byte| *byte == 0)
                .collect();
            words.len() == argv.len()
                && words
                    .iter()
                    .zip(argv)
                    .all(|(word, want)| *word == want.as_bytes())
                && running(*pid)
        })
        .collect()
}

/// Whether `pid` runs (a zombie waiting for its reaper does not).
pub fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X")
    })
}

/// Wait until `argv` appears; the PIDs found, or empty after `within`. Polls every
/// millisecond (a scan of /proc takes less): a command cut at the output cap on the host
/// lives only a few.
pub fn wait_for(argv: &[&str], within: Duration) -> Vec<u32> {
    let deadline = Instant::now() + within;
    loop {
        let pids = pids_with_argv(argv);
        if !pids.is_empty() || Instant::now() >= deadline {
            return pids;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// How long until none of `pids` runs, or `None` if some still do after `within`.
pub fn gone_within(pids: &[u32], within: Duration) -> Option<Duration> {
    let started = Instant::now();
    loop {
        if !pids.iter().any(|pid| running(*pid)) {
            return Some(started.elapsed());
        }
        if started.elapsed() >= within {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
