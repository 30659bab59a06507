use std::sync::Mutex;

use clap::Parser;
use rdma_harness::examples::THREE_NODE_MESH;
use rdma_harness::macos::{ping_no_reply, ping_reply};
use rdma_phase::{HostId, Mode, Transport};

use super::*;
use crate::cli::Args;

const LAN: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 11);

fn args(extra: &[&str]) -> Args {
    let argv = ["rdma-setup"].iter().chain(&THREE_NODE_MESH).chain(extra);
    Args::try_parse_from(argv).unwrap_or_else(|e| panic!("{e}"))
}

fn plan() -> ClusterPlan {
    crate::app::plan(&args(&[])).unwrap_or_else(|e| panic!("{e}"))
}

fn rank0(address: Ipv4Addr, source: Rank0Source) -> Rank0 {
    Rank0::new(&plan(), address, source).expect("rank 0")
}

fn host(name: &str, answer: Answer) -> HostAnswer {
    HostAnswer {
        host: name.to_owned(),
        answer,
    }
}

/// How a fake host takes the check.
#[derive(Clone, Copy)]
enum Fake {
    Replies,
    Silent,
    Unreachable,
}

/// Hosts that answer as told, remembering who was asked what.
struct FakeHosts {
    machine_b: Fake,
    machine_c: Fake,
    asked: Mutex<Vec<String>>,
}

impl FakeHosts {
    fn new(machine_b: Fake, machine_c: Fake) -> Self {
        Self {
            machine_b,
            machine_c,
            asked: Mutex::new(Vec::new()),
        }
    }

    fn asked(&self) -> Vec<String> {
        let mut asked = self.asked.lock().expect("lock").clone();
        asked.sort();
        asked
    }
}

struct FakeSession {
    host: String,
    fake: Fake,
}

impl Connector for FakeHosts {
    fn connect(&self, host: &Host) -> Result<Box<dyn Transport>, TransportError> {
        let name = host.name.to_string();
        self.asked.lock().expect("lock").push(name.clone());
        let fake = match name.as_str() {
            "machine-b" => self.machine_b,
            "machine-c" => self.machine_c,
            _ => panic!("{name} is rank 0 and must not be asked"),
        };
        if let Fake::Unreachable = fake {
            return Err(TransportError::Connect {
                host: name,
                reason: "connection timed out\x1b[2J".into(),
                hint: "check it".into(),
            });
        }
        Ok(Box::new(FakeSession { host: name, fake }))
    }
}

impl Transport for FakeSession {
    fn host(&self) -> &str {
        &self.host
    }

    fn run(&mut self, command: &RemoteCommand) -> Result<CommandOutput, TransportError> {
        assert_eq!(command.shell_line(), format!("ping -c 1 -t 2 {LAN}"));
        Ok(match self.fake {
            Fake::Replies => CommandOutput::new(ping_reply(LAN, 0.4), "", 0),
            _ => CommandOutput::new(ping_no_reply(LAN), "", 2),
        })
    }
}

fn ask_fakes(fakes: &FakeHosts) -> Vec<HostAnswer> {
    let plan = plan();
    let report = crate::report::Report::new(Mode::Apply, plan.host_ids());
    ask_all(fakes, &plan.hosts, LAN, &report)
}

/// A connector for checks that must contact no host.
struct NoHosts;

impl Connector for NoHosts {
    fn connect(&self, host: &Host) -> Result<Box<dyn Transport>, TransportError> {
        panic!("{} contacted", host.name)
    }
}

/// What the hosts answered on their sessions in the run is used: no host is contacted again.
#[test]
fn answers_from_the_run_need_no_new_session() {
    let plan = plan();
    let mut report = crate::report::Report::new(Mode::Apply, plan.host_ids());
    for (rank, fake) in [(1, Fake::Replies), (2, Fake::Silent)] {
        let mut session = FakeSession {
            host: "x".to_owned(),
            fake,
        };
        let answer = session.run(&ping(LAN));
        report.apply(&crate::report::Event::Rank0Ping(HostId(rank), answer));
    }
    let answers = ask_all(&NoHosts, &plan.hosts, LAN, &report);
    assert_eq!(answers[0].answer, Answer::Replied);
    assert!(
        matches!(answers[1].answer, Answer::NoReply(_)),
        "{answers:?}"
    );
}

#[test]
fn the_ping_is_one_volatile_read_with_an_overall_timeout() {
    let command = ping(LAN);
    assert_eq!(command.shell_line(), "ping -c 1 -t 2 192.0.2.11");
    assert!(!command.changes_host());
    assert!(!command.needs_root());
    assert!(!command.is_cacheable());
}

#[test]
fn answers_from_what_ping_printed() {
    let replied = Ok(CommandOutput::new(ping_reply(LAN, 0.3), "", 0));
    assert_eq!(answer(replied), Answer::Replied);
    let silent = Ok(CommandOutput::new(ping_no_reply(LAN), "", 2));
    assert_eq!(
        answer(silent),
        Answer::NoReply("1 packets transmitted, 0 packets received, 100.0% packet loss".into())
    );
    let no_route = CommandOutput::new(
        ping_no_reply(LAN),
        "ping: sendto: No route to host\nping: sendto: No route to host\n",
        2,
    );
    assert_eq!(
        answer(Ok(no_route)),
        Answer::NoReply("ping: sendto: No route to host".into())
    );
    let unknown = CommandOutput::new("", "", 68);
    assert_eq!(answer(Ok(unknown)), Answer::NoReply("exit code 68".into()));
    // A reply is only what the statistics say: exit code 0 without them is not one.
    let odd = CommandOutput::new("hello\n", "", 0);
    assert_eq!(answer(Ok(odd)), Answer::NoReply("hello".into()));
}

#[test]
fn remote_text_is_inert_and_bounded() {
    let hostile = CommandOutput::new("", format!("\x1b]0;owned\x07{}", "x".repeat(500)), 2);
    let Answer::NoReply(said) = answer(Ok(hostile)) else {
        panic!("not a no-reply");
    };
    assert!(!said.contains('\x1b') && !said.contains('\x07'), "{said}");
    assert!(said.starts_with("\\e]0;owned\\x07xxx"), "{said}");
    assert!(said.ends_with("..."), "{said}");
    assert!(said.len() < 200, "{said}");
    let broken = Err(TransportError::Command {
        host: "machine-b".into(),
        command: "ping".into(),
        reason: "timed\rout".into(),
        hint: String::new(),
    });
    assert_eq!(
        answer(broken),
        Answer::NotAsked("`ping` failed: timed\\rout".into())
    );
}

#[test]
fn rank_0_says_where_its_address_came_from() {
    let flag = rank0(LAN, Rank0Source::Flag);
    assert_eq!(
        flag.describe(),
        "rank 0 (machine-a) at 192.0.2.11, from --rank0-ip"
    );
    assert_eq!(flag.thunderbolt, None);
    let config = rank0(LAN, Rank0Source::SshConfig(None));
    assert_eq!(
        config.describe(),
        "rank 0 (machine-a) at 192.0.2.11, its HostName in the ssh config"
    );
    let file = rank0(
        LAN,
        Rank0Source::SshConfig(Some("/tmp/lab/ssh_config".into())),
    );
    assert_eq!(
        file.describe(),
        "rank 0 (machine-a) at 192.0.2.11, its HostName in /tmp/lab/ssh_config"
    );
    let cable = rank0(Ipv4Addr::new(10, 254, 0, 1), Rank0Source::Flag);
    assert_eq!(cable.thunderbolt, Some(("machine-a".into(), "en3".into())));
}

#[test]
fn every_host_replying_passes() {
    let rank0 = rank0(LAN, Rank0Source::SshConfig(None));
    let answers = [
        host("machine-b", Answer::Replied),
        host("machine-c", Answer::Replied),
    ];
    assert_eq!(
        verdict(&rank0, &answers),
        Ok("rank 0 (machine-a) at 192.0.2.11, its HostName in the ssh config; every other host reached it (ping -c 1)".into())
    );
    assert_eq!(
        verdict(&rank0, &[]),
        Ok("rank 0 (machine-a) at 192.0.2.11, its HostName in the ssh config; no other host to check it from".into())
    );
}

#[test]
fn a_silent_host_fails_with_the_address_fix() {
    let rank0 = rank0(LAN, Rank0Source::SshConfig(None));
    let answers = [
        host("machine-b", Answer::Replied),
        host(
            "machine-c",
            Answer::NoReply("1 packets transmitted, 0 packets received, 100.0% packet loss".into()),
        ),
    ];
    let text = verdict(&rank0, &answers).expect_err("machine-c fails");
    assert_eq!(
        text,
        "rank 0 (machine-a) at 192.0.2.11, its HostName in the ssh config, is not reachable from every host:\n  \
         machine-c: no reply to `ping -c 1 -t 2 192.0.2.11` (1 packets transmitted, 0 packets received, 100.0% packet loss)\n  \
         fix: give --rank0-ip ADDRESS with an address of machine-a that machine-c can reach (its LAN or management interface, e.g. `ipconfig getifaddr en0` on machine-a), not a Thunderbolt address"
    );
}

#[test]
fn a_thunderbolt_address_is_named_as_one() {
    let own = rank0(Ipv4Addr::new(10, 254, 0, 5), Rank0Source::Flag);
    let answers = [host("machine-b", Answer::NoReply("no route".into()))];
    let text = verdict(&own, &answers).expect_err("fails");
    assert!(
        text.contains("10.254.0.5 is machine-a's Thunderbolt address on en5, which only the far end of that cable reaches; give --rank0-ip ADDRESS"),
        "{text}"
    );
    let other = rank0(Ipv4Addr::new(10, 254, 0, 2), Rank0Source::Flag);
    let text = verdict(&other, &answers).expect_err("fails");
    assert!(
        text.contains(
            "10.254.0.2 is machine-b's Thunderbolt address on en3, not an address of machine-a;"
        ),
        "{text}"
    );
}

#[test]
fn a_host_that_cannot_be_asked_is_named_with_its_own_fix() {
    let rank0 = rank0(LAN, Rank0Source::Flag);
    let answers = [
        host(
            "machine-b",
            Answer::NotAsked("cannot connect: refused".into()),
        ),
        host("machine-c", Answer::NoReply("no route".into())),
    ];
    let text = verdict(&rank0, &answers).expect_err("fails");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert_eq!(
        lines[1],
        "  machine-b: could not be asked: cannot connect: refused"
    );
    assert!(lines[2].starts_with("  machine-c: no reply"), "{text}");
    assert!(lines[3].contains("that machine-c can reach"), "{text}");
    assert_eq!(
        lines[4],
        "  fix: check that machine-b can be reached over SSH, then run again"
    );
}

#[test]
fn every_host_but_rank_0_is_asked_and_answers_come_in_rank_order() {
    let fakes = FakeHosts::new(Fake::Silent, Fake::Replies);
    let answers = ask_fakes(&fakes);
    assert_eq!(fakes.asked(), ["machine-b", "machine-c"]);
    assert_eq!(
        answers,
        [
            host(
                "machine-b",
                Answer::NoReply(
                    "1 packets transmitted, 0 packets received, 100.0% packet loss".into()
                )
            ),
            host("machine-c", Answer::Replied),
        ]
    );
    let fakes = FakeHosts::new(Fake::Replies, Fake::Unreachable);
    let answers = ask_fakes(&fakes);
    assert_eq!(
        answers[1],
        host(
            "machine-c",
            Answer::NotAsked("cannot connect: connection timed out\\e[2J".into())
        )
    );
}

/// `finish` after a run that proved the cables: the file only when every host reached rank 0.
#[test]
fn the_hostfile_is_written_only_when_every_host_reached_rank_0() {
    let plan = plan();
    let phases = crate::linked_phases::registered();
    let report = crate::report::Report::new(Mode::Apply, plan.host_ids());
    let cases = [
        (Fake::Replies, Fake::Replies, 0),
        (Fake::Replies, Fake::Silent, 1),
        (Fake::Unreachable, Fake::Replies, 1),
    ];
    for (machine_b, machine_c, want) in cases {
        let folder = tempfile::tempdir().expect("temp dir");
        let path = folder.path().join("hostfile.json");
        let shown = path.display().to_string();
        let args = args(&["--hostfile", &shown, "--rank0-ip", "192.0.2.11"]);
        let pending = crate::hostfile_output::prepare(&args, &plan, None)
            .expect("prepared")
            .expect("asked for");
        let fakes = FakeHosts::new(machine_b, machine_c);
        let mut err = Vec::new();
        let code = pending.finish(&phases, &report, 0, &fakes, None, &mut err);
        let err = String::from_utf8(err).expect("UTF-8");
        assert_eq!(code, want, "{err}");
        assert_eq!(path.exists(), want == 0, "{err}");
        if want == 0 {
            assert!(
                err.starts_with("rank 0 (machine-a) at 192.0.2.11, from --rank0-ip; every other host reached it"),
                "{err}"
            );
            assert!(err.contains("written: mlx.launch --backend jaccl"), "{err}");
        } else {
            assert!(err.starts_with(&format!("hostfile {shown} not written: rank 0 (machine-a) at 192.0.2.11, from --rank0-ip, is not reachable from every host:")), "{err}");
        }
    }
}

/// A replay has no real host to ping from: the file is written, and stderr says the address
/// was not checked.
#[test]
fn a_replay_writes_the_hostfile_unchecked() {
    let plan = plan();
    let phases = crate::linked_phases::registered();
    let report = crate::report::Report::new(Mode::Check, plan.host_ids());
    let folder = tempfile::tempdir().expect("temp dir");
    let path = folder.path().join("hostfile.json");
    let shown = path.display().to_string();
    let args = args(&[
        "--replay",
        "fixtures/x",
        "--hostfile",
        &shown,
        "--rank0-ip",
        "192.0.2.11",
    ]);
    let pending = crate::hostfile_output::prepare(&args, &plan, None)
        .expect("prepared")
        .expect("asked for");
    let mut err = Vec::new();
    let code = pending.finish(&phases, &report, 0, &NoHosts, None, &mut err);
    let err = String::from_utf8(err).expect("UTF-8");
    assert_eq!(code, 0, "{err}");
    assert!(path.exists(), "{err}");
    assert!(
        err.starts_with("rank 0 (machine-a) at 192.0.2.11, from --rank0-ip; not checked: a replay has no hosts to ping it from\n"),
        "{err}"
    );
}

#[test]
fn lists_read_as_english() {
    assert_eq!(and_list(&["a"]), "a");
    assert_eq!(and_list(&["a", "b"]), "a and b");
    assert_eq!(and_list(&["a", "b", "c"]), "a, b and c");
}
