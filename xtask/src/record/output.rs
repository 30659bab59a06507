//! Writing a recorded scenario folder without clobbering anything else in it.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use anyhow::{bail, Context as _, Result};
use rdma_replay::{FailureKind, Scenario, REFUSED_NOTE};

/// The check report the recording run printed, next to the scenario it replays from.
pub const REPORT_FILE: &str = "check-report.txt";

/// The files a recording writes; `--force` removes exactly these before writing.
const SCENARIO_FILES: &[&str] = &["command", REPORT_FILE];
const HOSTS_DIR: &str = "hosts";

/// Make sure `dir` can take a new recording: missing or empty, or `force` and only ours.
pub fn prepare(dir: &Path, force: bool) -> Result<()> {
    let Ok(listing) = fs::read_dir(dir) else {
        return Ok(());
    };
    if listing.count() == 0 {
        return Ok(());
    }
    if !force {
        bail!(
            "{} already exists and is not empty: choose another --out, or add --force to replace the scenario in it",
            dir.display()
        );
    }
    for file in SCENARIO_FILES {
        remove_if_present(&dir.join(file))?;
    }
    let hosts = dir.join(HOSTS_DIR);
    if let Ok(listing) = fs::read_dir(&hosts) {
        for item in listing {
            let path = item
                .with_context(|| format!("listing {}", hosts.display()))?
                .path();
            if path.extension().is_some_and(|ext| ext == "transcript") {
                remove_if_present(&path)?;
            }
        }
    }
    Ok(())
}

fn remove_if_present(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
            Err(error).with_context(|| format!("removing {}", path.display()))
        }
        _ => Ok(()),
    }
}

pub fn write_report(dir: &Path, report: &str) -> Result<()> {
    let path = dir.join(REPORT_FILE);
    fs::write(&path, report).with_context(|| format!("writing {}", path.display()))
}

/// What `rdma-setup --replay DIR` prints, run in this process.
pub fn replay(dir: &Path) -> Result<String> {
    let argv = [
        "rdma-setup".into(),
        "--replay".into(),
        dir.as_os_str().to_owned(),
    ];
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let execution = rdma_setup::app::execute(argv, false, &mut out, &mut err);
    if execution.report.is_none() {
        bail!(
            "the recording in {} does not replay: {}",
            dir.display(),
            String::from_utf8_lossy(&err).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Equal line by line, word by word: placeholders change the summary table's padding.
pub fn same_words(a: &str, b: &str) -> bool {
    let words = |text: &str| -> Vec<Vec<String>> {
        text.lines()
            .map(|line| line.split_whitespace().map(str::to_owned).collect())
            .collect()
    };
    words(a) == words(b)
}

/// What was written, for the user's terminal.
pub fn summary(dir: &Path, scenario: &Scenario, redacted: bool) -> String {
    let mut out = String::new();
    let commands: usize = scenario
        .transcripts
        .values()
        .map(|transcript| transcript.entries.len())
        .sum();
    let _ = writeln!(
        out,
        "Recorded {} hosts, {commands} commands, into {}{}.",
        scenario.transcripts.len(),
        dir.display(),
        if redacted { " (redacted)" } else { "" }
    );
    for (host, transcript) in &scenario.transcripts {
        if let Some(failure) = &transcript.unreachable {
            let _ = writeln!(out, "  {host} could not be reached: {}", failure.reason);
        }
        let lost = transcript.entries.iter().any(|entry| {
            entry
                .output
                .as_ref()
                .is_err_and(|failure| failure.kind == FailureKind::Unreachable)
        });
        if lost {
            let _ = writeln!(out, "  {host}: the session broke during the recording");
        }
        let refused = transcript
            .notes
            .iter()
            .filter(|note| note.starts_with(REFUSED_NOTE))
            .count();
        if refused > 0 {
            let _ = writeln!(
                out,
                "  {host}: {refused} changing commands were refused and never sent (a bug: please report it)"
            );
        }
    }
    let _ = writeln!(
        out,
        "Replay it with `rdma-setup --replay {}`; fixtures/README.md says how to attach it to a bug report.",
        dir.display()
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_with_files_is_kept_unless_forced_and_then_only_ours_go() {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("scenario");
        prepare(&out, false).expect("a missing folder is fine");
        fs::create_dir_all(&out).expect("mkdir");
        prepare(&out, false).expect("an empty folder is fine");
        fs::create_dir_all(out.join(HOSTS_DIR)).expect("mkdir");

        for file in [
            "command",
            REPORT_FILE,
            "notes.md",
            "hosts/a.transcript",
            "hosts/a.txt",
        ] {
            fs::write(out.join(file), "x").expect("write");
        }
        let refused = prepare(&out, false).expect_err("not empty");
        assert!(refused.to_string().contains("--force"), "{refused}");
        assert!(out.join("command").exists());

        prepare(&out, true).expect("forced");
        for gone in ["command", REPORT_FILE, "hosts/a.transcript"] {
            assert!(!out.join(gone).exists(), "{gone} left behind");
        }
        for kept in ["notes.md", "hosts/a.txt"] {
            assert!(out.join(kept).exists(), "{kept} removed");
        }
    }

    #[test]
    fn words_ignore_padding_but_not_content() {
        assert!(same_words(
            "  host-1    en5 ✓\n",
            "  host-1         en5 ✓\n"
        ));
        assert!(!same_words("host-1 en5 ✓\n", "host-1 en5 ✗\n"));
        assert!(!same_words("a\nb\n", "a b\n"));
    }
}
