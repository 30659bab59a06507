//! The conventions users know from their other tools, on the real binary: colour under
//! `--color` and the environment (on a pipe and on a pseudo-terminal), `--quiet`, the recap
//! line, and the marks of a dry-run.

mod child;

use std::process::Command;
use std::time::Duration;

use child::{binary, Finished, Running};
use rdma_harness::examples::TWO_NODE_PAIR;

/// A dry-run of the README's two-node example.
fn dry_run() -> Vec<&'static str> {
    [&["--dry-run"][..], &TWO_NODE_PAIR].concat()
}

/// The binary on a pipe, with `env` set on top of a colour-neutral environment.
fn on_a_pipe(args: &[&str], env: &[(&str, &str)]) -> Finished {
    let mut command = Command::new(binary());
    command.args(args);
    for name in ["NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE"] {
        command.env_remove(name);
    }
    command.env("TERM", "xterm-256color");
    command.envs(env.iter().copied());
    Running::start(command).wait(Duration::from_secs(20))
}

/// The binary on a pseudo-terminal (`script` from util-linux), as a person runs it.
fn on_a_terminal(args: &[&str], env: &[(&str, &str)]) -> Finished {
    let line = std::iter::once(binary().display().to_string())
        .chain(args.iter().map(|arg| (*arg).to_owned()))
        .collect::<Vec<_>>()
        .join(" ");
    let mut command = Command::new("script");
    command.args(["-qec", &line, "/dev/null"]);
    for name in ["NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE"] {
        command.env_remove(name);
    }
    command.env("TERM", "xterm-256color");
    command.envs(env.iter().copied());
    Running::start(command).wait(Duration::from_secs(20))
}

fn coloured(finished: &Finished) -> bool {
    finished.stdout.contains("\x1b[")
}

/// Flags, environment, and whether the report should be coloured.
type ColourCase<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], bool);

#[test]
fn colour_follows_the_flag_and_the_environment_on_a_pipe() {
    let cases: [ColourCase; 7] = [
        (&[], &[], false),
        (&["--color", "always"], &[], true),
        (&["--color=never"], &[("CLICOLOR_FORCE", "1")], false),
        (&[], &[("CLICOLOR_FORCE", "1")], true),
        (&[], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")], false),
        // An empty NO_COLOR does not count.
        (&[], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "")], true),
        (&["--color", "always"], &[("NO_COLOR", "1")], true),
    ];
    for (flags, env, expected) in cases {
        let mut args = dry_run();
        args.extend(flags);
        let finished = on_a_pipe(&args, env);
        assert_eq!(finished.code(), Some(0), "{}", finished.log());
        assert_eq!(
            coloured(&finished),
            expected,
            "{flags:?} {env:?}\n{}",
            finished.log()
        );
    }
}

#[test]
fn colour_follows_the_environment_on_a_terminal() {
    if Command::new("script").arg("--version").output().is_err() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "script(1) missing in CI"
        );
        eprintln!("SKIPPED: no script(1) for a pseudo-terminal");
        return;
    }
    let cases: [(&[(&str, &str)], bool); 4] = [
        (&[], true),
        (&[("NO_COLOR", "1")], false),
        (&[("TERM", "dumb")], false),
        (&[("CLICOLOR", "0")], false),
    ];
    for (env, expected) in cases {
        let finished = on_a_terminal(&dry_run(), env);
        assert_eq!(finished.code(), Some(0), "{}", finished.log());
        assert_eq!(coloured(&finished), expected, "{env:?}\n{}", finished.log());
    }
}

/// Escape codes shown as text, so the snapshot can be read.
fn visible(text: &str) -> String {
    text.replace('\x1b', "␛")
}

#[test]
fn a_coloured_dry_run() {
    let mut args = dry_run();
    args.extend(["--color", "always", "--only", "ip,rdma-status"]);
    let finished = on_a_pipe(&args, &[]);
    insta::assert_snapshot!(visible(&finished.stdout));
}

#[test]
fn quiet_shows_only_what_needs_attention_and_the_summary() {
    let mut args = dry_run();
    args.push("-q");
    let finished = on_a_pipe(&args, &[]);
    assert_eq!(finished.code(), Some(0), "{}", finished.log());
    insta::assert_snapshot!(finished.stdout);
}

#[test]
fn quiet_and_verbose_do_not_go_together() {
    let mut args = dry_run();
    args.extend(["-q", "-v"]);
    let finished = on_a_pipe(&args, &[]);
    assert_eq!(finished.code(), Some(2), "{}", finished.log());
    assert!(
        finished.stderr.contains("cannot be used with"),
        "{}",
        finished.log()
    );
}
