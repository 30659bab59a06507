//! One host's transcript: the commands it received, in order, with what each printed.
//!
//! ```text
//! $ ifconfig en5
//! | en5: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500
//! ! some stderr line
//! = 0
//! ```
//!
//! Every line of output keeps its bytes after the two-character marker, TABs and trailing
//! spaces included, so transcripts stay byte-exact and still read well in a diff.

use std::fmt::Write as _;

use rdma_phase::CommandOutput;

/// One command and its result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The command's canonical shell line (`RemoteCommand::shell_line`).
    pub command: String,
    pub stdin: Option<String>,
    pub output: CommandOutput,
}

/// All entries of one host, in the order the host received them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transcript {
    pub entries: Vec<Entry>,
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

impl Transcript {
    pub fn parse(text: &str) -> Result<Self, TranscriptError> {
        let mut entries = Vec::new();
        let mut current: Option<Entry> = None;
        for (index, line) in text.lines().enumerate() {
            let number = index + 1;
            let error = |reason: &str| TranscriptError {
                line: number,
                reason: reason.to_owned(),
            };
            if line.is_empty() || line.starts_with('#') {
                if current.is_some() && line.is_empty() {
                    return Err(error(
                        "blank line inside an entry; output lines need a '| ' or '! ' marker",
                    ));
                }
                continue;
            }
            let (marker, rest) = split_marker(line);
            match marker {
                "$" => {
                    if current.is_some() {
                        return Err(error(
                            "a new command before the previous one's '= EXIT' line",
                        ));
                    }
                    current = Some(Entry {
                        command: rest.to_owned(),
                        stdin: None,
                        output: CommandOutput::default(),
                    });
                }
                "<" | "|" | "!" | "%" | "=" => {
                    let entry = current.as_mut().ok_or_else(|| {
                        error("output outside an entry: start one with '$ COMMAND'")
                    })?;
                    match marker {
                        "<" => push_line(stream_mut(entry, Stream::Stdin), rest),
                        "|" => push_line(stream_mut(entry, Stream::Stdout), rest),
                        "!" => push_line(stream_mut(entry, Stream::Stderr), rest),
                        "%" => {
                            let stream = match rest {
                                "no newline at end of stdin" => Stream::Stdin,
                                "no newline at end of stdout" => Stream::Stdout,
                                "no newline at end of stderr" => Stream::Stderr,
                                _ => return Err(error("unknown '%' directive")),
                            };
                            let text = stream_mut(entry, stream);
                            if text.pop() != Some('\n') {
                                return Err(error("'%' directive after an empty stream"));
                            }
                        }
                        _ => {
                            entry.output.exit_code = rest
                                .parse()
                                .map_err(|_| error("'= ' needs an exit code number"))?;
                            entries.extend(current.take());
                        }
                    }
                }
                _ => return Err(error("unknown line marker: expected $ < | ! % = or #")),
            }
        }
        if current.is_some() {
            return Err(TranscriptError {
                line: text.lines().count(),
                reason: "the last entry has no '= EXIT' line".to_owned(),
            });
        }
        Ok(Self { entries })
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        for (index, entry) in self.entries.iter().enumerate() {
            if index > 0 {
                out.push('\n');
            }
            let _ = writeln!(out, "$ {}", entry.command);
            if let Some(stdin) = &entry.stdin {
                render_stream(&mut out, "<", "stdin", stdin);
            }
            render_stream(&mut out, "|", "stdout", &entry.output.stdout);
            render_stream(&mut out, "!", "stderr", &entry.output.stderr);
            let _ = writeln!(out, "= {}", entry.output.exit_code);
        }
        out
    }
}

fn split_marker(line: &str) -> (&str, &str) {
    let marker_len = line.chars().next().map_or(0, char::len_utf8);
    let (marker, rest) = line.split_at(marker_len);
    (marker, rest.strip_prefix(' ').unwrap_or(rest))
}

fn stream_mut(entry: &mut Entry, stream: Stream) -> &mut String {
    match stream {
        Stream::Stdin => entry.stdin.get_or_insert_with(String::new),
        Stream::Stdout => &mut entry.output.stdout,
        Stream::Stderr => &mut entry.output.stderr,
    }
}

fn push_line(text: &mut String, line: &str) {
    text.push_str(line);
    text.push('\n');
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
            output: CommandOutput {
                stdout: stdout.to_owned(),
                stderr: stderr.to_owned(),
                exit_code,
            },
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
        assert_eq!(transcript.entries[0].output.stdout, "enabled\n");
    }
}
