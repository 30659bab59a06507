//! Reading a transcript: the line-by-line parser and the checks that keep it well formed.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, Read as _};
use std::path::Path;

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

/// The largest scenario file read. Recordings are tens of kilobytes (the biggest outputs are
/// `ifconfig -a` and the Thunderbolt JSON); a file a thousand times that is no recording,
/// and a shared one is untrusted: reading it whole could exhaust the replaying machine.
pub(super) const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// A scenario file's text, refused without reading it whole when it exceeds
/// [`MAX_FILE_BYTES`]. The caller names the file in the error.
pub(crate) fn read_file(path: &Path) -> io::Result<String> {
    let too_large = || {
        io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!(
                "larger than {} MiB, which no recording comes close to",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        )
    };
    let file = File::open(path)?;
    if file.metadata()?.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    // The size checked above can grow, and pipes have none: the read itself is bounded too.
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large());
    }
    String::from_utf8(bytes).map_err(|error| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "not UTF-8 text (byte {} is not)",
                error.utf8_error().valid_up_to()
            ),
        )
    })
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
            if line.is_empty() {
                if !matches!(state, State::Between) {
                    return Err(error(
                        "blank line inside an entry; output lines need a '| ' or '! ' marker",
                    ));
                }
                continue;
            }
            let (marker, rest) = split_marker(line).map_err(error)?;
            if marker == "#" {
                if !seen_entry_or_failure {
                    transcript.notes.push(rest.into_owned());
                }
                continue;
            }
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
                ("@", State::Between) => match failure_line(&rest) {
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
                ("@", State::Unreachable(reason)) => match failure_line(&rest) {
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
                ("@", State::Entry(entry)) => match failure_line(&rest) {
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
                ("@", State::EntryFailure(mut entry, kind, reason)) => match failure_line(&rest) {
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
                    append(&mut entry, marker, &rest).map_err(error)?;
                    State::Entry(entry)
                }
                ("<" | "|" | "!" | "%" | "=", _) => {
                    return Err(error("output outside an entry: start one with '$ COMMAND'"))
                }
                _ => return Err(error("unknown line marker: expected $ < | ! % = @ # (or \\ before $ < | ! #)")),
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

/// The line's marker and its text. A `\` in front of the marker says the text is escaped
/// (see `escape.rs`); only the lines whose text is free-form can be.
fn split_marker(line: &str) -> Result<(&str, Cow<'_, str>), &'static str> {
    let (escaped, line) = match line.strip_prefix('\\') {
        Some(line) => (true, line),
        None => (false, line),
    };
    let marker_len = line.chars().next().map_or(0, char::len_utf8);
    let (marker, rest) = line.split_at(marker_len);
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    if !escaped {
        return Ok((marker, Cow::Borrowed(rest)));
    }
    match marker {
        "$" | "<" | "|" | "!" | "#" => Ok((marker, Cow::Owned(unescape(rest)))),
        _ => Err("unknown escaped line: '\\' goes only in front of $ < | ! or #"),
    }
}
