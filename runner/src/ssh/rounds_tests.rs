//! Tests of `rounds.rs`: the planner alone, rounds and sudo's answers, with scripted
//! outputs.

use super::*;
use crate::ssh::prompt::Secret;

const ACCOUNT: Account<'static> = Account {
    user: "admin",
    host: "studio",
};

fn output(stdout: &str, stderr: &str, exit_code: i32) -> Answer {
    Ok(CommandOutput::new(stdout, stderr, exit_code))
}

fn lines(round: &Round) -> Vec<&str> {
    round.outgoing.iter().map(|out| out.line.as_str()).collect()
}

fn password(confirmed: bool) -> SudoState {
    SudoState::Password {
        secret: Secret::new("pw"),
        confirmed,
    }
}

/// Answer every command of a round with `answer(line)`.
fn answer_all(
    rounds: &mut Rounds<'_>,
    round: Round,
    sudo: &mut SudoState,
    answer: impl Fn(&str) -> Answer,
    asked: &mut u32,
) {
    let answers = round.outgoing.iter().map(|out| answer(&out.line)).collect();
    rounds.absorb(round, answers, sudo, &ACCOUNT, &mut || {
        *asked += 1;
        password(false)
    });
}

#[test]
fn plain_commands_go_in_one_round_and_sudo_is_never_touched() {
    let commands = [
        RemoteCommand::read(["a"]),
        RemoteCommand::change(["b"]).with_stdin("in"),
    ];
    let mut sudo = SudoState::Unprobed;
    let mut rounds = Rounds::new("studio", &commands);
    let round = rounds.next(&sudo).expect("a round");
    assert_eq!(lines(&round), ["a", "b"]);
    assert_eq!(
        round.outgoing[1].stdin.as_deref().map(Vec::as_slice),
        Some(&b"in"[..])
    );
    let mut asked = 0;
    answer_all(
        &mut rounds,
        round,
        &mut sudo,
        |line| output(line, "", 0),
        &mut asked,
    );
    assert!(rounds.next(&sudo).is_none());
    let results = rounds.finish();
    assert_eq!(results[1].as_ref().map(|out| out.stdout.as_str()), Ok("b"));
    assert!(matches!(sudo, SudoState::Unprobed));
    assert_eq!(asked, 0);
}

#[test]
fn the_first_sudo_n_is_the_probe_and_an_unconfirmed_password_goes_with_one() {
    let commands = [
        RemoteCommand::privileged(["p1"]),
        RemoteCommand::read(["r"]),
        RemoteCommand::privileged(["p2"]),
        RemoteCommand::privileged(["p3"]),
    ];
    let mut sudo = SudoState::Unprobed;
    let mut asked = 0;
    let mut rounds = Rounds::new("studio", &commands);
    let sudo_says = |line: &str| {
        if line.starts_with("sudo -n ") {
            output("", "sudo: a password is required\n", 1)
        } else {
            output(line, "", 0)
        }
    };

    // No round of its own for the probe: the privileged commands go with `sudo -n`.
    let round = rounds.next(&sudo).expect("first round");
    assert_eq!(
        lines(&round),
        ["r", "sudo -n p1", "sudo -n p2", "sudo -n p3"]
    );
    answer_all(&mut rounds, round, &mut sudo, sudo_says, &mut asked);
    assert_eq!(asked, 1);

    let round = rounds.next(&sudo).expect("second round");
    assert_eq!(lines(&round), ["sudo -S -p '' p1"]);
    assert_eq!(round.outgoing[0].shown, "sudo p1");
    assert_eq!(
        round.outgoing[0].stdin.as_deref().map(Vec::as_slice),
        Some(&b"pw\n"[..])
    );
    answer_all(&mut rounds, round, &mut sudo, sudo_says, &mut asked);
    assert!(matches!(
        sudo,
        SudoState::Password {
            confirmed: true,
            ..
        }
    ));

    let round = rounds.next(&sudo).expect("third round");
    assert_eq!(lines(&round), ["sudo -S -p '' p2", "sudo -S -p '' p3"]);
    answer_all(&mut rounds, round, &mut sudo, sudo_says, &mut asked);
    assert!(rounds.next(&sudo).is_none());
    let stdout: Vec<String> = rounds
        .finish()
        .into_iter()
        .map(|result| result.expect("ok").stdout)
        .collect();
    assert_eq!(
        stdout,
        [
            "sudo -S -p '' p1",
            "r",
            "sudo -S -p '' p2",
            "sudo -S -p '' p3"
        ]
    );
    assert_eq!(asked, 1);
}

#[test]
fn a_wrong_password_is_sent_once_and_fails_every_privileged_command() {
    let commands = [
        RemoteCommand::privileged(["p1"]),
        RemoteCommand::privileged(["p2"]),
    ];
    let mut sudo = password(false);
    let mut asked = 0;
    let mut rounds = Rounds::new("studio", &commands);
    let round = rounds.next(&sudo).expect("one command tries the password");
    assert_eq!(round.outgoing.len(), 1);
    answer_all(
        &mut rounds,
        round,
        &mut sudo,
        |_| output("", "Sorry, try again.\n", 1),
        &mut asked,
    );
    assert!(rounds.next(&sudo).is_none(), "nothing more is sent");
    for result in rounds.finish() {
        assert!(
            matches!(&result, Err(TransportError::Sudo { reason, .. })
                if reason.contains("rejected")),
            "{result:?}"
        );
    }
    assert_eq!(asked, 0);
}

#[test]
fn a_nopasswd_host_asking_for_a_password_gets_it_once_and_the_command_again() {
    let commands = [
        RemoteCommand::privileged(["p1"]),
        RemoteCommand::privileged(["p2"]),
    ];
    let mut sudo = SudoState::NoPassword;
    let mut asked = 0;
    let mut rounds = Rounds::new("studio", &commands);
    let round = rounds.next(&sudo).expect("both at once");
    assert_eq!(lines(&round), ["sudo -n p1", "sudo -n p2"]);
    let needs = |line: &str| {
        if line.starts_with("sudo -n") {
            output("", "sudo: a password is required\n", 1)
        } else {
            output("done", "", 0)
        }
    };
    answer_all(&mut rounds, round, &mut sudo, needs, &mut asked);
    assert_eq!(asked, 1, "asked once for both");
    let round = rounds.next(&sudo).expect("one with the password");
    assert_eq!(lines(&round), ["sudo -S -p '' p1"]);
    answer_all(&mut rounds, round, &mut sudo, needs, &mut asked);
    let round = rounds.next(&sudo).expect("the other");
    assert_eq!(lines(&round), ["sudo -S -p '' p2"]);
    answer_all(&mut rounds, round, &mut sudo, needs, &mut asked);
    assert!(rounds.next(&sudo).is_none());
    assert!(rounds.finish().iter().all(|result| result.is_ok()));
}

#[test]
fn a_probe_that_could_not_run_gives_its_error_to_the_privileged_commands() {
    let commands = [
        RemoteCommand::privileged(["p1"]),
        RemoteCommand::read(["r"]),
    ];
    let mut sudo = SudoState::Unprobed;
    let mut rounds = Rounds::new("studio", &commands);
    let round = rounds.next(&sudo).expect("first round");
    let timeout = TransportError::Command {
        host: "studio".into(),
        command: "sudo -n true".into(),
        reason: "no result within 2 s".into(),
        hint: String::new(),
    };
    let answers = vec![output("r", "", 0), Err(timeout.clone())];
    rounds.absorb(round, answers, &mut sudo, &ACCOUNT, &mut || {
        unreachable!("no password question")
    });
    assert!(rounds.next(&sudo).is_none());
    let results = rounds.finish();
    assert_eq!(results[0], Err(timeout));
    assert!(results[1].is_ok());
    assert!(
        matches!(sudo, SudoState::Unprobed),
        "probed again next time"
    );
}

#[test]
fn the_first_sudo_n_tells_sudos_refusal_from_the_commands_own_failure() {
    let commands = [RemoteCommand::privileged(["ifconfig", "en9", "up"])];
    for (stderr, sudo_failed) in [
        ("admin is not in the sudoers file.  This incident will be reported.\n", true),
        ("sudo: unable to resolve host studio\n", true),
        ("Sorry, user admin is not allowed to execute '/sbin/ifconfig en9 up' as root on studio.\n", true),
        ("ifconfig: interface en9 does not exist\n", false),
    ] {
        let mut sudo = SudoState::Unprobed;
        let mut asked = 0;
        let mut rounds = Rounds::new("studio", &commands);
        let round = rounds.next(&sudo).expect("first round");
        assert_eq!(lines(&round), ["sudo -n ifconfig en9 up"]);
        answer_all(&mut rounds, round, &mut sudo, |_| output("", stderr, 1), &mut asked);
        assert!(rounds.next(&sudo).is_none(), "{stderr}");
        let result = rounds.finish().remove(0);
        assert_eq!(asked, 0);
        if sudo_failed {
            assert!(matches!(sudo, SudoState::Failed { .. }), "{stderr}");
            assert!(matches!(result, Err(TransportError::Sudo { .. })), "{stderr}");
        } else {
            assert!(matches!(sudo, SudoState::NoPassword), "{stderr}");
            assert_eq!(result.map(|out| out.stderr), Ok(stderr.to_owned()));
        }
    }
}
