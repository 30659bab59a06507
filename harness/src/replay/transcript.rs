//! One host's transcript: the commands it received, in order, with what each printed.
//!
//! ```text
//! # recorded by cargo xtask record (notes before the first entry are kept)
//!
//! $ ifconfig en5
//! | en5: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500
//! ! some stderr line
//! = 0
//!
//! $ ibv_devinfo -v
//! @ failed: no result within 30 s
//! @ hint: the Mac may be overloaded
//! ```
//!
//! Every line of output keeps its bytes after the two-character marker, TABs and trailing
//! spaces included, so transcripts stay byte-exact and still read well in a diff.
//!
//! `@` lines record what the transport itself reported instead of an exit code: a host that
//! could not be reached (`@ unreachable:` before any entry, or inside the entry whose command
//! found the session gone), a command the transport gave up on (`@ failed:`), or a sudo
//! failure (`@ sudo failed:`); each is followed by `@ hint:`. Replaying one returns the same
//! error, so a scenario reproduces a broken cluster as faithfully as a healthy one.

use std::fmt::Write as _;

use rdma_phase::{CommandOutput, TransportError};

/// One command and its result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The command's canonical shell line (`RemoteCommand::shell_line`).
    pub command: String,
    pub stdin: Option<String>,
    /// What the command printed, or why the transport could not run it.
    pub output: Result<CommandOutput, Failure>,
}

impl Entry {
    /// An entry for a command that ran and printed `output`.
    pub fn ran(command: impl Into<String>, stdin: Option<String>, output: CommandOutput) -> Self {
        Self {
            command: command.into(),
            stdin,
            output: Ok(output),
        }
    }
}

/// All entries of one host, in the order the host received them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transcript {
    /// The comment lines before the first entry, without their `# `: who recorded the
    /// transcript and what was held back. Comments further down are not kept.
    pub notes: Vec<String>,
    /// Set when the host could not be reached at all; such a transcript has no entries.
    pub unreachable: Option<Failure>,
    pub entries: Vec<Entry>,
}

/// What the transport reported instead of a command's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    pub reason: String,
    pub hint: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// No session (`TransportError::Connect`).
    Unreachable,
    /// The command did not finish (`TransportError::Command`).
    Failed,
    /// sudo could not be satisfied (`TransportError::Sudo`).
    Sudo,
}

impl FailureKind {
    fn marker(self) -> &'static str {
        match self {
            Self::Unreachable => "unreachable",
            Self::Failed => "failed",
            Self::Sudo => "sudo failed",
        }
    }
}

impl Failure {
    /// The recordable part of a transport error. `Refused` is not: it never reached the
    /// host, it is a decision of the transport in front of it.
    pub fn from_error(error: &TransportError) -> Option<Self> {
        let (kind, reason, hint) = match error {
            TransportError::Connect { reason, hint, .. } => {
                (FailureKind::Unreachable, reason, hint)
            }
            TransportError::Command { reason, hint, .. } => (FailureKind::Failed, reason, hint),
            TransportError::Sudo { reason, hint, .. } => (FailureKind::Sudo, reason, hint),
            TransportError::Refused { .. } => return None,
        };
        Some(Self {
            kind,
            reason: reason.clone(),
            hint: hint.clone(),
        })
    }

    /// The error the transport reported when this was recorded.
    pub fn to_error(&self, host: &str, command: &str) -> TransportError {
        let host = host.to_owned();
        let reason = self.reason.clone();
        let hint = self.hint.clone();
        match self.kind {
            FailureKind::Unreachable => TransportError::Connect { host, reason, hint },
            FailureKind::Failed => TransportError::Command {
                host,
                command: command.to_owned(),
                reason,
                hint,
            },
            FailureKind::Sudo => TransportError::Sudo { host, reason, hint },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct TranscriptError {
    pub line: usize,
    pub reason: String,
}

#[derive(Clone, Copy)]
enum Stream {
    Stdin,
    Stdout,
    Stderr,
}

/// An `@` line, parsed.
enum FailureLine {
    Reason(FailureKind, String),
    Hint(String),
    Unknown,
}

fn failure_line(rest: &str) -> FailureLine {
    for kind in [
        FailureKind::Unreachable,
        FailureKind::Failed,
        FailureKind::Sudo,
    ] {
        if let Some(reason) = rest
            .strip_prefix(kind.marker())
            .and_then(|r| r.strip_prefix(':'))
        {
            return FailureLine::Reason(kind, unescape(reason.strip_prefix(' ').unwrap_or(reason)));
        }
    }
    match rest.strip_prefix("hint:") {
        Some(hint) => FailureLine::Hint(unescape(hint.strip_prefix(' ').unwrap_or(hint))),
        None => FailureLine::Unknown,
    }
}

/// Where the parser is.
enum State {
    /// Between entries.
    Between,
    /// Inside an entry, reading its streams.
    Entry(Entry),
    /// Inside an entry after its `@` reason, waiting for the `@ hint:` that closes it.
    EntryFailure(Entry, FailureKind, String),
    /// After a top-level `@ unreachable:`, waiting for its hint.
    Unreachable(String),
}

impl Transcript {
    pub fn parse(text: &str) -> Result<Self, TranscriptError> {
        let mut transcript = Self::default();
        let mut state = State::Between;
        let mut seen_entry_or_failure = false;
        for (index, line) in text.lines().enumerate() {
            let number = index + 1;
            let error = |reason: &str| TranscriptError {
                line: number,
                reason: reason.to_owned(),
            };
            if line.is_empty() || line.starts_with('#') {
                if line.is_empty() && !matches!(state, State::Between) {
                    return Err(error(
                        "blank line inside an entry; output lines need a '| ' or '! ' marker",
                    ));
                }
                if let (Some(note), false) = (line.strip_prefix('#'), seen_entry_or_failure) {
                    transcript
                        .notes
                        .push(note.strip_prefix(' ').unwrap_or(note).to_owned());
                }
                continue;
            }
            let (marker, rest) = split_marker(line);
            state = match (marker, state) {
                ("$", State::Between) => {
                    if transcript.unreachable.is_some() {
                        return Err(error("an unreachable host received no commands"));
                    }
                    seen_entry_or_failure = true;
                    State::Entry(Entry::ran(rest, None, CommandOutput::default()))
                }
                ("$", _) => {
                    return Err(error(
                        "a new command before the previous one's '= EXIT' or '@ hint:' line",
                    ))
                }
                ("@", State::Between) => match failure_line(rest) {
                    FailureLine::Reason(FailureKind::Unreachable, reason)
                        if !seen_entry_or_failure =>
                    {
                        seen_entry_or_failure = true;
                        State::Unreachable(reason)
                    }
                    _ => {
                        return Err(error(
                            "only '@ unreachable: REASON' may stand before the first entry",
                        ))
                    }
                },
                ("@", State::Unreachable(reason)) => match failure_line(rest) {
                    FailureLine::Hint(hint) => {
                        transcript.unreachable = Some(Failure {
                            kind: FailureKind::Unreachable,
                            reason,
                            hint,
                        });
                        State::Between
                    }
                    _ => return Err(error("'@ unreachable:' needs an '@ hint:' line next")),
                },
                ("@", State::Entry(entry)) => match failure_line(rest) {
                    FailureLine::Reason(kind, reason) => {
                        let output = entry.output.as_ref().ok();
                        if output.is_some_and(|o| !o.stdout.is_empty() || !o.stderr.is_empty()) {
                            return Err(error(
                                "an entry has either output and '= EXIT' or an '@' failure",
                            ));
                        }
                        State::EntryFailure(entry, kind, reason)
                    }
                    FailureLine::Hint(_) => {
                        return Err(error("'@ hint:' without a failure line before it"))
                    }
                    FailureLine::Unknown => {
                        return Err(error(
                            "unknown '@' line: expected 'unreachable:', 'failed:', 'sudo failed:' or 'hint:'",
                        ))
                    }
                },
                ("@", State::EntryFailure(mut entry, kind, reason)) => match failure_line(rest) {
                    FailureLine::Hint(hint) => {
                        entry.output = Err(Failure { kind, reason, hint });
                        transcript.entries.push(entry);
                        State::Between
                    }
                    _ => return Err(error("a failure line needs an '@ hint:' line next")),
                },
                ("=", State::Entry(mut entry)) => {
                    let code = rest
                        .parse()
                        .map_err(|_| error("'= ' needs an exit code number"))?;
                    if let Ok(output) = entry.output.as_mut() {
                        output.exit_code = code;
                    }
                    transcript.entries.push(entry);
                    State::Between
                }
                ("<" | "|" | "!" | "%", State::Entry(mut entry)) => {
                    append(&mut entry, marker, rest).map_err(error)?;
                    State::Entry(entry)
                }
                ("<" | "|" | "!" | "%" | "=", _) => {
                    return Err(error("output outside an entry: start one with '$ COMMAND'"))
                }
                _ => return Err(error("unknown line marker: expected $ < | ! % = @ or #")),
            };
        }
        if !matches!(state, State::Between) {
            return Err(TranscriptError {
                line: text.lines().count(),
                reason: "the last entry has no '= EXIT' or '@ hint:' line".to_owned(),
            });
        }
        Ok(transcript)
    }

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

/// Add one `<`, `|`, `!` or `%` line to an entry that is still reading its streams.
fn append(entry: &mut Entry, marker: &str, rest: &str) -> Result<(), &'static str> {
    let Ok(output) = entry.output.as_mut() else {
        return Err("output after an '@' failure line");
    };
    let stream = match marker {
        "<" => Stream::Stdin,
        "|" => Stream::Stdout,
        "!" => Stream::Stderr,
        _ => match rest {
            "no newline at end of stdin" => Stream::Stdin,
            "no newline at end of stdout" => Stream::Stdout,
            "no newline at end of stderr" => Stream::Stderr,
            _ => return Err("unknown '%' directive"),
        },
    };
    let text = match stream {
        Stream::Stdin => entry.stdin.get_or_insert_with(String::new),
        Stream::Stdout => &mut output.stdout,
        Stream::Stderr => &mut output.stderr,
    };
    if marker == "%" {
        if text.pop() != Some('\n') {
            return Err("'%' directive after an empty stream");
        }
    } else {
        text.push_str(rest);
        text.push('\n');
    }
    Ok(())
}

fn split_marker(line: &str) -> (&str, &str) {
    let marker_len = line.chars().next().map_or(0, char::len_utf8);
    let (marker, rest) = line.split_at(marker_len);
    (marker, rest.strip_prefix(' ').unwrap_or(rest))
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

/// Reasons and hints are one line in the file: a backslash and a newline are escaped.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('\n', "\\n")
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (c, chars.clone().next()) {
            ('\\', Some('n')) => {
                out.push('\n');
                chars.next();
            }
            ('\\', Some('\\')) => {
                out.push('\\');
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}
#[cfg(test)]
mod tests {
    use super::*;

    fn entry(
        command: &str,
        stdin: Option<&str>,
        stdout: &str,
        stderr: &str,
        exit_code: i32,
    ) -> Entry {
        Entry {
            command: command.to_owned(),
            stdin: stdin.map(str::to_owned),
            output: Ok(CommandOutput::new(stdout, stderr, exit_code)),
        }
    }

    #[test]
    fn round_trips_byte_exact_output() {
        let transcript = Transcript {
            entries: vec![
                entry(
                    "ifconfig en5",
                    None,
                    "en5: flags=8863<UP> mtu 1500\n\tinet 10.254.0.5 \n\n",
                    "",
                    0,
                ),
                entry(
                    "ifconfig en9",
                    None,
                    "",
                    "ifconfig: interface en9 does not exist\n",
                    1,
                ),
                entry("sh -c x sh /tmp/f", Some("[[null]]\n"), "", "", 0),
                entry("printf x", None, "no newline", "", 0),
            ],
            ..Transcript::default()
        };
        let text = transcript.render();
        assert!(text.contains("| \tinet 10.254.0.5 \n|\n= 0"), "{text}");
        assert!(text.contains("% no newline at end of stdout"), "{text}");
        assert_eq!(Transcript::parse(&text), Ok(transcript));
    }

    #[test]
    fn errors_point_at_the_line() {
        let error = Transcript::parse("$ ls\n| a\nbogus\n= 0\n").expect_err("bad marker");
        assert_eq!(error.line, 3);
        let error = Transcript::parse("| a\n").expect_err("no entry");
        assert_eq!(error.line, 1);
        let error = Transcript::parse("$ ls\n| a\n").expect_err("unterminated");
        assert!(error.reason.contains("no '= EXIT'"));
        let error = Transcript::parse("$ ls\n= x\n").expect_err("exit code");
        assert_eq!(error.line, 2);
    }

    #[test]
    fn comments_and_blank_lines_between_entries() {
        let text = "# recorded on hwstudio1\n\n$ rdma_ctl status\n| enabled\n= 0\n\n$ true\n= 0\n";
        let transcript = Transcript::parse(text).expect("valid");
        assert_eq!(transcript.entries.len(), 2);
        assert_eq!(
            transcript.entries[0].output,
            Ok(CommandOutput::new("enabled\n", "", 0))
        );
    }

    #[test]
    fn notes_failures_and_escapes_round_trip() {
        let transcript = Transcript {
            notes: vec![
                "recorded by cargo xtask record".to_owned(),
                String::new(),
                "not sent: sudo ifconfig en5 10.254.0.5".to_owned(),
            ],
            unreachable: None,
            entries: vec![
                entry("rdma_ctl status", None, "enabled\n", "", 0),
                Entry {
                    command: "ibv_devinfo -v".to_owned(),
                    stdin: None,
                    output: Err(Failure {
                        kind: FailureKind::Failed,
                        reason: "no result within 30 s".to_owned(),
                        hint: "two lines\nand a \\n that is not a newline".to_owned(),
                    }),
                },
                Entry {
                    command: "ping -c 1 -t 2 10.254.0.6".to_owned(),
                    stdin: None,
                    output: Err(Failure {
                        kind: FailureKind::Unreachable,
                        reason: "the session broke".to_owned(),
                        hint: "is it on?".to_owned(),
                    }),
                },
            ],
        };
        let text = transcript.render();
        assert!(
            text.starts_with("# recorded by cargo xtask record\n#\n# not sent"),
            "{text}"
        );
        assert!(
            text.contains("$ ibv_devinfo -v\n@ failed: no result within 30 s\n@ hint: two lines\\nand a \\\\n that"),
            "{text}"
        );
        assert_eq!(Transcript::parse(&text), Ok(transcript));
    }

    #[test]
    fn an_unreachable_host_round_trips_and_takes_no_commands() {
        let transcript = Transcript {
            notes: vec!["hwstudio2 did not answer".to_owned()],
            unreachable: Some(Failure {
                kind: FailureKind::Unreachable,
                reason: "connecting to 10.77.0.11:22 timed out after 2 s".to_owned(),
                hint: "is the Mac on and awake?".to_owned(),
            }),
            entries: Vec::new(),
        };
        let text = transcript.render();
        assert_eq!(
            text,
            "# hwstudio2 did not answer\n\n@ unreachable: connecting to 10.77.0.11:22 timed out after 2 s\n@ hint: is the Mac on and awake?\n"
        );
        assert_eq!(Transcript::parse(&text), Ok(transcript));

        let error = Transcript::parse(&format!("{text}\n$ ls\n= 0\n")).expect_err("commands");
        assert!(error.reason.contains("unreachable host"), "{error}");
        let error = Transcript::parse("$ ls\n= 0\n@ unreachable: x\n@ hint: y\n")
            .expect_err("late unreachable");
        assert_eq!(error.line, 3);
        let error = Transcript::parse("$ ls\n| out\n@ failed: x\n@ hint: y\n")
            .expect_err("output and failure");
        assert_eq!(error.line, 3);
        let error = Transcript::parse("$ ls\n@ failed: x\n= 0\n").expect_err("no hint");
        assert_eq!(error.line, 3);
        let error = Transcript::parse("$ ls\n@ failed: x\n").expect_err("unterminated");
        assert!(error.reason.contains("'@ hint:'"), "{error}");
    }

    #[test]
    fn only_the_leading_comments_are_notes() {
        let text = "# first\n#second\n\n$ true\n= 0\n\n# dropped\n$ false\n= 1\n";
        let transcript = Transcript::parse(text).expect("valid");
        assert_eq!(transcript.notes, ["first", "second"]);
        assert_eq!(transcript.entries.len(), 2);
    }
}
