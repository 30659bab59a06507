//! Writing a transcript: entries, streams and `@` failures as the lines `read` parses.

use std::fmt::Write as _;

use super::escape::escape;
use super::{Failure, Transcript};

impl Transcript {
    pub fn render(&self) -> String {
        let mut out = String::new();
        for note in &self.notes {
            if note.is_empty() {
                out.push_str("#\n");
            } else {
                let _ = writeln!(out, "# {note}");
            }
        }
        let mut blocks = 0;
        if let Some(failure) = &self.unreachable {
            if !self.notes.is_empty() {
                out.push('\n');
            }
            render_failure(&mut out, failure);
            blocks += 1;
        }
        for entry in &self.entries {
            if blocks > 0 || !self.notes.is_empty() {
                out.push('\n');
            }
            blocks += 1;
            let _ = writeln!(out, "$ {}", entry.command);
            if let Some(stdin) = &entry.stdin {
                render_stream(&mut out, "<", "stdin", stdin);
            }
            match &entry.output {
                Ok(output) => {
                    render_stream(&mut out, "|", "stdout", &output.stdout);
                    render_stream(&mut out, "!", "stderr", &output.stderr);
                    let _ = writeln!(out, "= {}", output.exit_code);
                }
                Err(failure) => render_failure(&mut out, failure),
            }
        }
        out
    }
}

fn render_stream(out: &mut String, marker: &str, name: &str, text: &str) {
    if text.is_empty() {
        return;
    }
    for line in text.split_inclusive('\n') {
        let line = line.strip_suffix('\n').unwrap_or(line);
        if line.is_empty() {
            let _ = writeln!(out, "{marker}");
        } else {
            let _ = writeln!(out, "{marker} {line}");
        }
    }
    if !text.ends_with('\n') {
        let _ = writeln!(out, "% no newline at end of {name}");
    }
}

fn render_failure(out: &mut String, failure: &Failure) {
    let _ = writeln!(
        out,
        "@ {}: {}",
        failure.kind.marker(),
        escape(&failure.reason)
    );
    let _ = writeln!(out, "@ hint: {}", escape(&failure.hint));
}
