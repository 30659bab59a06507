//! The real binary on a terminal (tmux), as a person watches it, with one slow host: the
//! fast host's block is on screen long before the run ends, live progress lines show the
//! busy hosts while it runs, and none is left on screen afterwards.
//!
//! Needs root and tmux. Without them these tests skip, loudly, unless `CI=true`, where they
//! fail.

mod child;

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use child::in_lab;
use rdma_harness::lab::testing::lab_for_test;
use rdma_harness::lab::{scenario, Fault, Lab};

/// A tmux server of this test's own (its own socket), removed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(lab: &Lab, args: &[String]) -> Option<Self> {
        let socket = format!("rdma-setup-test-{}", std::process::id());
        // The words `in_lab` runs, as one line for tmux's shell.
        let command = in_lab(lab, args);
        let line: Vec<String> = std::iter::once(command.get_program())
            .chain(command.get_args())
            .map(|word| word.to_string_lossy().into_owned())
            .collect();
        let started = Command::new("tmux")
            .args(["-L", &socket, "new-session", "-d", "-x", "160", "-y", "50"])
            .args(["-e", "TERM=xterm-256color"])
            .arg(line.join(" "))
            .output();
        match started {
            Ok(output) if output.status.success() => {}
            Ok(output) => panic!("tmux failed: {}", String::from_utf8_lossy(&output.stderr)),
            Err(_) => {
                assert!(
                    std::env::var("CI").as_deref() != Ok("true"),
                    "tmux missing in CI"
                );
                eprintln!("SKIPPED: no tmux");
                return None;
            }
        }
        let tmux = Self { socket };
        // Keep the pane, and what it shows, after the program ends.
        tmux.run(&["set-option", "-g", "remain-on-exit", "on"]);
        Some(tmux)
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux runs")
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p"]).stdout).into_owned()
    }

    fn program_ended(&self) -> bool {
        let out = self.run(&["display-message", "-p", "#{pane_dead}"]).stdout;
        String::from_utf8_lossy(&out).trim() == "1"
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}

#[test]
fn blocks_arrive_as_hosts_finish_and_progress_lines_are_cleared() {
    let spec = scenario::two_node().with(Fault::Delay {
        host: "hwstudio2".into(),
        delay: Duration::from_millis(150),
    });
    let Some(lab) = lab_for_test(spec.clone()) else {
        return;
    };
    let args = scenario::node_args(&spec);
    let Some(tmux) = Tmux::start(&lab, &args) else {
        return;
    };
    let started = Instant::now();
    let mut first_block = None;
    let mut saw_progress = false;
    while !tmux.program_ended() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{}",
            tmux.screen()
        );
        let screen = tmux.screen();
        if first_block.is_none() && screen.contains("[1/2] Configuring hwstudio1") {
            first_block = Some(started.elapsed());
        }
        saw_progress |= screen.contains("hwstudio2") && !screen.contains("[2/2]");
        std::thread::sleep(Duration::from_millis(50));
    }
    let ended = started.elapsed();
    let screen = tmux.screen();
    let first_block = first_block.expect("the first block was shown while the run went on");
    assert!(
        ended - first_block > Duration::from_millis(500),
        "block 1 at {first_block:?}, end at {ended:?}\n{screen}"
    );
    assert!(saw_progress, "no progress line for the slow host\n{screen}");
    assert!(screen.contains("Recap: 2 hosts: 2 ok"), "{screen}");
    for leftover in [
        "connecting",
        "phase ",
        "waiting for the other hosts",
        "taking the host lock",
    ] {
        assert!(
            !screen.contains(leftover),
            "{leftover:?} left on screen\n{screen}"
        );
    }
}
