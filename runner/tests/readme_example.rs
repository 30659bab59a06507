//! The README's Quick start shows a real report: the one a replay of
//! `fixtures/two-node-reboot` prints. A change to the report shows up here first.

mod child;

use std::time::Duration;

use child::{binary, fixture, Running};

#[test]
fn the_quick_start_report_is_what_the_replay_prints() {
    let readme = include_str!("../../README.md");
    let quick_start = readme
        .find("## Quick start")
        .expect("a Quick start section");
    let section = &readme[quick_start..];
    let start = section
        .find("```\nRDMA Network Setup")
        .expect("a report in the Quick start")
        + "```\n".len();
    let shown = &section[start..];
    let shown = &shown[..shown.find("```\n").expect("the report's fence closes")];

    let mut command = std::process::Command::new(binary());
    command
        .arg("--replay")
        .arg(fixture("two-node-reboot"))
        .env("NO_COLOR", "1");
    let replayed = Running::start(command).wait(Duration::from_secs(30));
    assert_eq!(replayed.code(), Some(0), "{}", replayed.log());
    assert_eq!(
        shown, replayed.stdout,
        "README.md's Quick start report is out of date"
    );
}
