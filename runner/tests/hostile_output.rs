//! A Mac, or a recording someone shared, that prints terminal escape sequences: the report
//! shows them as text and never passes them to the terminal.

use std::ffi::OsString;
use std::path::Path;

use rdma_setup::app::execute;

/// Copy a fixture and replace one output line of hwstudio1's transcript.
fn tampered(dir: &Path, original: &str, replacement: &str) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/two-node-configured");
    std::fs::create_dir_all(dir.join("hosts")).expect("scenario dir");
    std::fs::copy(source.join("command"), dir.join("command")).expect("command");
    for host in ["hwstudio1", "hwstudio2"] {
        let name = format!("hosts/{host}.transcript");
        let text = std::fs::read_to_string(source.join(&name)).expect("transcript");
        let text = if host == "hwstudio1" {
            assert!(text.contains(original), "the fixture changed: {original:?}");
            text.replacen(original, replacement, 1)
        } else {
            text
        };
        std::fs::write(dir.join(&name), text).expect("write transcript");
    }
}

fn replay(dir: &Path) -> String {
    let argv = ["rdma-setup", "--replay"]
        .into_iter()
        .map(OsString::from)
        .chain([dir.as_os_str().to_owned()]);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    execute(argv, false, &mut out, &mut err);
    String::from_utf8(out).expect("the report is UTF-8")
}

/// Title, clear screen, clipboard write (OSC 52), 8-bit CSI, bell, carriage return, and a
/// right-to-left override.
const HOSTILE: &str =
    "\x1b]0;owned\x07\x1b[2J\x1b]52;c;cm0gLXJmIH4=\x07\u{9b}31mred\rdis\u{202e}abled";

fn assert_inert(report: &str) {
    for active in ['\x1b', '\x07', '\r', '\u{9b}', '\u{202e}'] {
        assert!(
            !report.contains(active),
            "{active:?} reached the report:\n{report}"
        );
    }
}

#[test]
fn escape_sequences_in_rdma_ctl_output_are_shown_as_text() {
    let dir = tempfile::tempdir().expect("temp dir");
    tampered(dir.path(), "| enabled\n", &format!("| {HOSTILE}\n"));
    let report = replay(dir.path());
    assert_inert(&report);
    assert!(
        report
            .contains(r"\e]0;owned\x07\e[2J\e]52;c;cm0gLXJmIH4=\x07\u{9b}31mred\rdis\u{202e}abled"),
        "{report}"
    );
}

#[test]
fn escape_sequences_in_a_port_state_from_ibv_devinfo_are_shown_as_text() {
    let dir = tempfile::tempdir().expect("temp dir");
    tampered(
        dir.path(),
        "| \t\t\tstate:\t\t\tPORT_ACTIVE (4)\n",
        &format!("| \t\t\tstate:\t\t\t{HOSTILE}\n"),
    );
    let report = replay(dir.path());
    assert_inert(&report);
    assert!(report.contains(r"\e]0;owned"), "{report}");
}
