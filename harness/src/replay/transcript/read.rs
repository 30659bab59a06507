//! Reading a transcript: the line-by-line parser and the checks that keep it well formed.

use rdma_phase::CommandOutput;

use super::escape::unescape;
use super::{Entry, Failure, FailureKind, Transcript, TranscriptError};

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
