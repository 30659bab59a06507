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
        !LOCK_SCRIPT.contains('\\'),
        r#"so do backslashes (quoted as '"\\"')"#
    );
    assert!(
        LOCK_SCRIPT.len() < 1150,
        "a fresh run sends it three times per host (peek, take, release)"
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
    assert_eq!(sh(&["release", &lock, "bob@desk:22"]).0, "not-ours\n");
    assert_eq!(sh(&["release", &lock, "alice@laptop"]).0, "not-ours\n");
    assert_eq!(sh(&["release", &lock, "alice@laptop:11"]).0, "released\n");
    // Given back once: a second release finds it done, not ours.
    assert_eq!(sh(&["release", &lock, "alice@laptop:11"]).0, "not-ours\n");
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
    assert!(release("a@b:1").changes_host());
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
    assert!(content.ends_with(" alice@laptop:11"), "{content}");
    assert_eq!(
        shell(&bash, &["release", &lock, "alice@laptop:11"]).0,
        "released\n"
    );
}

/// A shell under another name: its processes' `comm` is that name, as an `sshd` would show.
/// bash where there is one, because a Mac's `/bin/sh` execs bash and so loses the name.
fn shell_named(dir: &Path, name: &str) -> std::path::PathBuf {
    let real = ["/bin/bash", "/bin/sh"]
        .iter()
        .find_map(|path| std::fs::canonicalize(path).ok())
        .expect("a shell");
    let link = dir.join(name);
    std::os::unix::fs::symlink(real, &link).expect("symlink");
    link
}

/// The lock's shells: the local `sh`, and bash as a Mac's `/bin/sh` runs.
const LOCK_SHELLS: [&str; 2] = ["sh", "bash --posix -O xpg_echo"];

/// `PATH` with the awk that macOS has (the one true awk, POSIX only) in front, when this
/// machine has it (Debian's `original-awk`), so the walk is tried with it too.
fn paths_with_each_awk(dir: &Path) -> Vec<String> {
    let path = std::env::var("PATH").unwrap_or_default();
    let mut paths = vec![path.clone()];
    match std::env::split_paths(&path)
        .map(|bin| bin.join("original-awk"))
        .find(|awk| awk.exists())
    {
        Some(awk) => {
            let bsd = dir.join("bsd-awk");
            std::fs::create_dir(&bsd).expect("bsd-awk dir");
            std::os::unix::fs::symlink(awk, bsd.join("awk")).expect("awk symlink");
            paths.push(format!("{}:{path}", bsd.display()));
        }
        None => eprintln!("SKIPPED with BSD awk: no original-awk here"),
    }
    paths
}

/// The first line `sh` printed (a `$$`), and the lock's reply on the next.
fn pid_and_reply(output: &std::process::Output) -> (String, String) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut lines = stdout.lines();
    let pid = lines.next().unwrap_or_default().to_owned();
    (pid, lines.next().unwrap_or_default().to_owned())
}

/// `sshd` -> `sh` -> `sshd-session` -> `sh` -> the script: the lock names `sshd-session`,
/// the nearest, not the script's parent and not the farther `sshd`.
#[test]
fn take_records_the_nearest_sshd_above_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let outer = shell_named(dir.path(), "sshd");
    let inner = shell_named(dir.path(), "sshd-session");
    let lock = lock_in(dir.path());
    for path in paths_with_each_awk(dir.path()) {
        for lock_shell in LOCK_SHELLS {
            // Each `; :` keeps its shell alive (no exec of the last command), so every level
            // is a process of its own.
            let output = Command::new(&outer)
                .args(["-c", r#"sh -c "$OUTER"; :"#])
                .env("OUTER", r#""$INNER" -c "$SESSION"; :"#)
                .env("SESSION", r#"echo $$; sh -c '$LOCK_SHELL -c "$LOCK" rdma-setup-lock take "$LOCK_FILE" alice@laptop:11 session; :'; :"#)
                .env("INNER", &inner)
                .env("LOCK_SHELL", lock_shell)
                .env("LOCK", LOCK_SCRIPT)
                .env("LOCK_FILE", &lock)
                .env("PATH", &path)
                .output()
                .expect("the fake sshd runs");
            let (session, reply) = pid_and_reply(&output);
            let want = format!("acquired {session} ");
            assert!(
                reply.starts_with(&want) && reply.ends_with(" session alice@laptop:11"),
                "{lock_shell} with PATH={path}: want {want}..., got {reply:?} ({})",
                String::from_utf8_lossy(&output.stderr)
            );
            std::fs::remove_file(&lock).expect("lock taken");
        }
    }
}

/// No `sshd` above the script (ps hides them, fails, or prints nothing): only age counts,
/// and the PID is the script's parent.
#[test]
fn take_without_an_sshd_above_falls_back_to_age_and_its_parent() {
    let dir = tempfile::tempdir().expect("temp dir");
    let lock = lock_in(dir.path());
    let real_ps = ["/bin/ps", "/usr/bin/ps"]
        .into_iter()
        .find(|ps| Path::new(ps).exists())
        .expect("ps");
    let fakes = [
        format!("{real_ps} \"$@\" | sed s/sshd/sshX/g"),
        "echo 'ps: broken' >&2; exit 1".to_owned(),
        "exit 0".to_owned(),
    ];
    for fake in fakes {
        let bin = tempfile::tempdir().expect("fake ps dir");
        let ps = bin.path().join("ps");
        std::fs::write(&ps, format!("#!/bin/sh\n{fake}\n")).expect("fake ps");
        let mut mode = std::fs::metadata(&ps).expect("fake ps").permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut mode, 0o755);
        std::fs::set_permissions(&ps, mode).expect("chmod");
        let path = format!(
            "{}:{}",
            bin.path().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        for lock_shell in LOCK_SHELLS {
            let output = Command::new("sh")
                .args(["-c", r#"echo $$; $LOCK_SHELL -c "$LOCK" rdma-setup-lock take "$LOCK_FILE" bob@desk:22 session; :"#])
                .env("LOCK_SHELL", lock_shell)
                .env("LOCK", LOCK_SCRIPT)
                .env("LOCK_FILE", &lock)
                .env("PATH", &path)
                .output()
                .expect("sh runs");
            let (parent, reply) = pid_and_reply(&output);
            let want = format!("acquired {parent} ");
            assert!(
                reply.starts_with(&want) && reply.ends_with(" age bob@desk:22"),
                "{lock_shell}, ps: {fake}: want {want}..., got {reply:?}"
            );
            std::fs::remove_file(&lock).expect("lock taken");
        }
    }
}

/// A `session` lock lives while its PID is an sshd, and not once the PID is anything else.
#[test]
fn a_session_lock_lives_while_its_pid_is_an_sshd() {
    struct Reaped(std::process::Child);
    impl Drop for Reaped {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let lock = lock_in(dir.path());
    let session = Reaped(
        Command::new(shell_named(dir.path(), "sshd-session"))
            .args(["-c", "sleep 60; :"])
            .spawn()
            .expect("the fake sshd runs"),
    );
    for lock_shell in LOCK_SHELLS {
        let shell_words: Vec<&str> = lock_shell.split(' ').collect();
        for (pid, held) in [(session.0.id(), true), (std::process::id(), false)] {
            std::fs::write(&lock, format!("{pid} {} session a@b:1\n", unix_now())).expect("lock");
            let (out, code) = shell(&shell_words, &["take", &lock, "bob@desk:22", "age"]);
            let want = if held { HELD } else { 0 };
            assert_eq!(code, want, "{lock_shell}, PID {pid}: {out}");
            std::fs::remove_file(&lock).expect("lock");
        }
    }
}
