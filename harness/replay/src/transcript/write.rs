//! Writing a transcript: entries, streams and `@` failures as the lines `read` parses.

use std::fmt::Write as _;

use super::escape::{escape, needs_escaping};
use super::{Failure, Transcript};

impl Transcript {
    pub fn render(&self) -> String {
        let mut out = String::new();
        for note in &self.notes {
            render_line(&mut out, "#", note);
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
            render_line(&mut out, "$", &entry.command);
            if let Some(stdin) = &entry.stdin {
                render_stream(&mut out, "<", "stdin", stdin);
            }
            match &entry.output {
                Ok(output) => {
                    // No lines at all is how an empty stdout or stderr reads back.
                    if !output.stdout.is_empty() {
                        render_stream(&mut out, "|", "stdout", &output.stdout);
                    }
                    if !output.stderr.is_empty() {
                        render_stream(&mut out, "!", "stderr", &output.stderr);
                    }
                    let _ = writeln!(out, "= {}", output.exit_code);
                }
                Err(failure) => render_failure(&mut out, failure),
            }
        }
        out
    }
}

/// Every line of `text`, then `%` if it has no final newline. Empty text is written as one
/// empty line without a newline, so that an empty stdin reads back as given, not as none.
fn render_stream(out: &mut String, marker: &str, name: &str, text: &str) {
    if text.is_empty() {
        render_line(out, marker, "");
    }
    for line in text.split_inclusive('\n') {
        render_line(out, marker, line.strip_suffix('\n').unwrap_or(line));
    }
    if !text.ends_with('\n') {
        let _ = writeln!(out, "% no newline at end of {name}");
    }
}

/// One line as it is, which keeps recordings readable, unless something in it would not
/// come back from a text file unchanged: then escaped, with a `\\` in front of the marker.
fn render_line(out: &mut String, marker: &str, text: &str) {
    if needs_escaping(text) {
        let _ = writeln!(out, "\\{marker} {}", escape(text));
    } else if text.is_empty() {
        let _ = writeln!(out, "{marker}");
    } else {
        let _ = writeln!(out, "{marker} {text}");
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
