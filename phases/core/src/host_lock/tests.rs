//! The lock script run by the local `sh`, as a Mac's `sh` runs it, and its answers parsed.

use std::path::Path;
use std::process::Command;

use super::*;

/// Run the script as the remote end would: `sh -c SCRIPT rdma-setup-lock ARGS...`.
fn sh(args: &[&str]) -> (String, i32) {
    shell(&["sh"], args)
}

fn shell(shell: &[&str], args: &[&str]) -> (String, i32) {
    let output = Command::new(shell[0])
        .args(&shell[1..])
        .args(["-c", LOCK_SCRIPT, LOCK_SCRIPT_NAME])
        .args(args)
        .output()
        .expect("sh runs");
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        output.status.code().unwrap_or(-1),
    )
}

fn lock_in(dir: &Path) -> String {
    dir.join("rdma-setup.lock").display().to_string()
}

#[test]
fn the_script_and_the_constant_agree_on_the_maximum_age() {
    assert!(LOCK_SCRIPT.contains(&format!("-lt {MAX_AGE_SECS} ]")));
    assert!(LOCK_SCRIPT.contains(&format!("exit {HELD}; fi")));
    assert!(
        !LOCK_SCRIPT.contains('\''),
        "single quotes make the quoted command line hard to read"
    );
    assert!(
        LOCK_SCRIPT.len() < 1000,
        "every run sends it twice per host"
    );
    assert!(LOCK_SCRIPT.contains(&format!("exit {STALE_KEPT};;")));
}

#[test]
fn take_hold_release_and_take_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let lock = lock_in(dir.path());

    let (out, code) = sh(&["take", &lock, "alice@laptop:11", "age"]);
    assert_eq!(code, 0, "{out}");
    let Some(LockReply::Acquired { content }) = parse_reply(&out) else {
        panic!("not acquired: {out}");
    };
    assert!(content.ends_with(" age alice@laptop:11"), "{content}");

    // A second run is refused and told who holds it.
    let (out, code) = sh(&["take", &lock, "bob@desk:22", "age"]);
    assert_eq!(code, HELD, "{out}");
    let Some(LockReply::Held(holder)) = parse_reply(&out) else {
        panic!("not held: {out}");
    };
    assert_eq!(holder.by, "alice@laptop:11");
    assert!(holder.age_secs < 5);
    assert!(matches!(
        parse_reply(&sh(&["peek", &lock]).0),
        Some(LockReply::Held(_))
    ));

    // Only the holder can give it back.
    assert_eq!(
        sh(&["release", &lock, "1 2 age bob@desk:22"]).0,
        "not-ours\n"
    );
    assert_eq!(sh(&["release", &lock, &content]).0, "released\n");
    let left = std::fs::read_to_string(&lock).expect("lock file");
    assert!(left.starts_with("done "), "{left}");
    let Some(LockReply::Free {
        finished_at: Some(done),
        now,
    }) = parse_reply(&sh(&["peek", &lock]).0)
    else {
        panic!("not free after release");
    };
    assert!(now >= done);

    let (out, code) = sh(&["take", &lock, "bob@desk:22", "age"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_lock_whose_run_is_gone_is_taken_over() {
    let dir = tempfile::tempdir().expect("temp dir");
    let lock = lock_in(dir.path());
    let cases = [
        // Older than any run.
        "1 1000 age alice@laptop:11\n".to_owned(),
        // Its SSH session is gone (no sshd with that PID).
        format!("999999999 {} session alice@laptop:11\n", unix_now()),
        // Given back.
        format!("done {}\n", unix_now()),
        // Not a lock line at all.
        "\x1b[2J garbage\n".to_owned(),
        String::new(),
    ];
    for stale in cases {
        std::fs::write(&lock, &stale).expect("stale lock");
        let (out, code) = sh(&["take", &lock, "bob@desk:22", "age"]);
        assert_eq!(code, 0, "{stale:?}: {out}");
        assert!(out.starts_with("acquired "), "{stale:?}: {out}");
        assert_eq!(
            parse_reply(&sh(&["peek", &lock]).0).map(|r| matches!(r, LockReply::Held(_))),
            Some(true)
        );
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

#[test]
fn peek_on_no_lock_is_free() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (out, code) = sh(&["peek", &lock_in(dir.path())]);
    assert_eq!(code, 0);
    assert!(matches!(
        parse_reply(&out),
        Some(LockReply::Free {
            finished_at: None,
            ..
        })
    ));
}

#[test]
fn commands_name_the_script_and_declare_what_they_do() {
    let taking = take("alice@laptop:11", Liveness::Session);
    assert_eq!(
        &taking.argv()[3..],
        [
            LOCK_SCRIPT_NAME,
            "take",
            LOCK_PATH,
            "alice@laptop:11",
            "session"
        ]
    );
    assert!(taking.changes_host() && !taking.needs_root());
    assert!(!peek().changes_host());
    assert!(release("1 2 age a@b:1").changes_host());
}

#[test]
fn replies_that_are_not_the_scripts_are_not_understood() {
    for stdout in [
        "",
        "sh: ps: command not found\n",
        "acquired\n",
        "free x\n",
        "held 1 2\n",
    ] {
        assert_eq!(parse_reply(stdout), None, "{stdout:?}");
    }
    assert_eq!(
        parse_reply("held 4 100 session a@b:1 130\n"),
        Some(LockReply::Held(Holder {
            by: "a@b:1".to_owned(),
            age_secs: 30
        }))
    );
}

/// macOS's `/bin/sh` is bash in POSIX mode (where `echo` also reads escapes).
#[test]
fn the_script_runs_under_bash_in_posix_mode_as_on_a_mac() {
    if Command::new("bash").arg("-c").arg("true").status().is_err() {
        eprintln!("SKIPPED: no bash here");
        return;
    }
    let bash = ["bash", "--posix", "-O", "xpg_echo"];
    let dir = tempfile::tempdir().expect("temp dir");
    let lock = lock_in(dir.path());
    let (out, code) = shell(&bash, &["take", &lock, "alice@laptop:11", "age"]);
    assert_eq!(code, 0, "{out}");
    let Some(LockReply::Acquired { content }) = parse_reply(&out) else {
        panic!("{out}");
    };
    let (out, code) = shell(&bash, &["take", &lock, "bob@desk:22", "age"]);
    assert_eq!((code, parse_reply(&out).is_some()), (HELD, true), "{out}");
    assert_eq!(shell(&bash, &["release", &lock, &content]).0, "released\n");
}
