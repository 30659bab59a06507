//! A joint batch's reply, split back into one result per command.
//!
//! The reply (the script's stdout, `script`) is [`MAGIC`], then groups of frames: the
//! commands that had ended when the script last sent (it sends every second, and once all
//! have ended; one `wc` and one `cat` per group, not per command):
//!
//! ```text
//! = COUNT\n
//! INDEX EXIT STDOUT-LENGTH STDERR-LENGTH CAPPED\n     (COUNT header lines)
//! <stdout bytes><stderr bytes>                       (each frame's, in header order)
//! ```
//!
//! in ASCII decimal; CAPPED is 0, or 1 / 2 when the command printed more than [`MAX_OUTPUT`]
//! on stdout / stderr (its output is then not sent, and it gets the cap error it would get
//! alone), or 3 when it was not run (a staged batch whose earlier command failed). The lengths make it binary-safe. Nothing here trusts the host: a line must be
//! short and well formed, a header must name a command of the batch not yet answered and
//! announce at most [`MAX_OUTPUT`] a stream; the first line that is not is where decoding
//! stops. A group cut short keeps the frames whose bytes all arrived.

use rdma_phase::CommandOutput;

use super::exec::{output, ExecError, Stream, MAX_OUTPUT};
use super::script::MAGIC;

/// The longest header line: five numbers and their separators.
pub const MAX_HEADER: usize = 64;

type Slot = Option<Result<CommandOutput, ExecError>>;

/// What a reply held.
#[derive(Debug, Default)]
pub struct Decoded {
    /// One slot per command: its result, if its frame arrived whole.
    pub results: Vec<Slot>,
    /// Why decoding stopped before the end of the reply, if the reply was not well formed
    /// (a reply merely cut short is not a problem: the missing results say it).
    pub problem: Option<String>,
}

/// Split `reply` into the results of a batch of `count` commands.
pub fn decode(reply: &[u8], count: usize) -> Decoded {
    let mut decoded = Decoded {
        results: (0..count).map(|_| None).collect(),
        problem: None,
    };
    let Some(start) = find(reply, MAGIC) else {
        return decoded;
    };
    if start > 0 {
        tracing::debug!(bytes = start, "skipped output before the batch's reply");
    }
    let mut rest = &reply[start + MAGIC.len()..];
    while !rest.is_empty() {
        match group(rest, &mut decoded.results) {
            Ok(Some(used)) => rest = &rest[used..],
            // Cut short: the rest never arrived.
            Ok(None) => break,
            Err(problem) => {
                decoded.problem = Some(problem);
                break;
            }
        }
    }
    decoded
}

/// One frame's header.
struct Header {
    index: usize,
    exit_code: i32,
    out: usize,
    err: usize,
    ended: Ended,
}

/// How a command of the batch ended, as its frame's CAPPED field says.
enum Ended {
    Ran,
    Capped(Stream),
    NotRun,
}

/// Take the group at the start of `bytes` into `results`: how many bytes it took, or `None`
/// if it is not all there (its whole frames are taken all the same); `Err` if malformed.
fn group(bytes: &[u8], results: &mut [Slot]) -> Result<Option<usize>, String> {
    let Some((first, mut used)) = line(bytes)? else {
        return Ok(None);
    };
    let awaited = results.iter().filter(|slot| slot.is_none()).count();
    let count = std::str::from_utf8(first)
        .ok()
        .and_then(|text| text.strip_prefix("= "))
        .and_then(|count| count.parse::<usize>().ok())
        .filter(|count| (1..=awaited).contains(count))
        .ok_or_else(|| format!("garbled group line {}", shown(first)))?;
    let mut headers: Vec<Header> = Vec::with_capacity(count);
    for _ in 0..count {
        let Some((text, length)) = line(&bytes[used..])? else {
            return Ok(None);
        };
        let header = header(text)?;
        let answered = headers.iter().any(|seen| seen.index == header.index);
        if header.index >= results.len() || results[header.index].is_some() || answered {
            return Err(format!(
                "frame for command {}, which is not awaited",
                header.index
            ));
        }
        headers.push(header);
        used += length;
    }
    for header in headers {
        let end = used + header.out + header.err;
        if bytes.len() < end {
            return Ok(None);
        }
        results[header.index] = Some(match header.ended {
            Ended::Capped(stream) => Err(ExecError::TooMuchOutput(stream)),
            Ended::NotRun => Err(ExecError::NotRun),
            Ended::Ran => Ok(output(
                &bytes[used..used + header.out],
                &bytes[used + header.out..end],
                header.exit_code,
            )),
        });
        used = end;
    }
    Ok(Some(used))
}

/// The line at the start of `bytes` without its newline, and its length with it; `None` if
/// it is not all there; `Err` if it is longer than any line of the script's.
fn line(bytes: &[u8]) -> Result<Option<(&[u8], usize)>, String> {
    let window = &bytes[..bytes.len().min(MAX_HEADER)];
    match window.iter().position(|&byte| byte == b'\n') {
        Some(end) => Ok(Some((&bytes[..end], end + 1))),
        None if bytes.len() >= MAX_HEADER => Err(format!("no frame header in {}", shown(window))),
        None => Ok(None),
    }
}

fn header(line: &[u8]) -> Result<Header, String> {
    let garbled = || format!("garbled frame header {}", shown(line));
    let fields: Vec<usize> = std::str::from_utf8(line)
        .ok()
        .map(|text| text.split(' ').map(str::parse).collect::<Result<_, _>>())
        .and_then(Result::ok)
        .ok_or_else(garbled)?;
    let [index, exit_code, out, err, capped] = fields[..] else {
        return Err(garbled());
    };
    let exit_code = i32::try_from(exit_code)
        .ok()
        .filter(|code| *code <= 255)
        .ok_or_else(garbled)?;
    if out > MAX_OUTPUT || err > MAX_OUTPUT {
        return Err(format!("frame for command {index} announces over 4 MiB"));
    }
    let ended = match capped {
        0 => Ended::Ran,
        1 => Ended::Capped(Stream::Stdout),
        2 => Ended::Capped(Stream::Stderr),
        3 => Ended::NotRun,
        _ => return Err(garbled()),
    };
    Ok(Header {
        index,
        exit_code,
        out,
        err,
        ended,
    })
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// A few bytes of a reply for a message: escaped, never raw.
fn shown(bytes: &[u8]) -> String {
    format!(
        "{:?}",
        String::from_utf8_lossy(&bytes[..bytes.len().min(40)])
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One frame: its header line and its body.
    fn frame_of(index: usize, exit: i32, out: &[u8], err: &[u8]) -> (String, Vec<u8>) {
        let header = format!("{index} {exit} {} {} 0\n", out.len(), err.len());
        (header, [out, err].concat())
    }

    /// A group of `frames`, as the script sends it.
    fn group_of(frames: &[(String, Vec<u8>)]) -> Vec<u8> {
        let mut bytes = format!("= {}\n", frames.len()).into_bytes();
        for (header, _) in frames {
            bytes.extend_from_slice(header.as_bytes());
        }
        for (_, body) in frames {
            bytes.extend_from_slice(body);
        }
        bytes
    }

    /// A reply of one group per frame.
    fn reply(frames: &[(String, Vec<u8>)]) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        for frame in frames {
            bytes.extend(group_of(std::slice::from_ref(frame)));
        }
        bytes
    }

    fn raw(lines: &[u8]) -> Vec<u8> {
        [MAGIC, lines].concat()
    }

    fn ok(result: &Slot) -> &CommandOutput {
        match result {
            Some(Ok(output)) => output,
            other => panic!("expected an output, got {other:?}"),
        }
    }

    #[test]
    fn frames_in_any_order_binary_safe() {
        let frames = [
            frame_of(2, 127, b"", b"sh: nope: not found\n"),
            frame_of(0, 0, b"a\0b\r\n\n", b""),
            frame_of(1, 3, b"no newline", b"err\n"),
        ];
        for bytes in [reply(&frames), raw(&group_of(&frames))] {
            let decoded = decode(&bytes, 3);
            assert_eq!(decoded.problem, None);
            assert_eq!(ok(&decoded.results[0]).stdout, "a\0b\r\n\n");
            assert_eq!(
                ok(&decoded.results[1]),
                &CommandOutput::new("no newline", "err\n", 3)
            );
            assert_eq!(ok(&decoded.results[2]).exit_code, 127);
        }
    }

    #[test]
    fn output_before_the_magic_is_skipped_and_a_reply_cut_short_is_no_problem() {
        let mut bytes = b"motd from .zshenv\n".to_vec();
        bytes.extend(reply(&[frame_of(1, 0, b"one\n", b"")]));
        let full = group_of(&[frame_of(0, 0, b"zero\n", b"")]);
        bytes.extend_from_slice(&full[..full.len() - 2]);
        let decoded = decode(&bytes, 2);
        assert_eq!(decoded.problem, None);
        assert!(decoded.results[0].is_none());
        assert_eq!(ok(&decoded.results[1]).stdout, "one\n");
        // No magic at all: nothing, and no problem either (the script never started).
        let decoded = decode(b"sh: mktemp: not found\n", 2);
        assert!(decoded.results.iter().all(Option::is_none));
        assert_eq!(decoded.problem, None);
    }

    #[test]
    fn a_group_cut_short_keeps_the_frames_that_arrived_whole() {
        let group = group_of(&[
            frame_of(1, 0, b"first\n", b""),
            frame_of(0, 0, b"second\n", b""),
        ]);
        let decoded = decode(&raw(&group[..group.len() - 1]), 2);
        assert_eq!(decoded.problem, None);
        assert_eq!(ok(&decoded.results[1]).stdout, "first\n");
        assert!(decoded.results[0].is_none());
        // Cut inside the headers: nothing yet.
        let decoded = decode(&raw(&group[..12]), 2);
        assert!(decoded.results.iter().all(Option::is_none));
        assert_eq!(decoded.problem, None);
    }

    #[test]
    fn capped_frames_fail_with_the_cap_error_of_their_stream() {
        let decoded = decode(&raw(b"= 2\n0 141 0 0 1\n1 0 0 0 2\n"), 2);
        assert!(matches!(
            decoded.results[0],
            Some(Err(ExecError::TooMuchOutput(Stream::Stdout)))
        ));
        assert!(matches!(
            decoded.results[1],
            Some(Err(ExecError::TooMuchOutput(Stream::Stderr)))
        ));
    }

    #[test]
    fn malformed_replies_stop_decoding_with_a_problem() {
        let cases: [(&[u8], &str); 12] = [
            (b"= 1\n0 0 1 0\nx", "garbled frame"),
            (b"= 1\n0 0 1 0 0 0\nx", "garbled frame"),
            (b"= 1\n0 -1 0 0 0\n", "garbled frame"),
            (b"= 1\n0 256 0 0 0\n", "garbled frame"),
            (b"= 1\n0 0 0 0 4\n", "garbled frame"),
            (b"= 1\n5 0 0 0 0\n", "not awaited"),
            (b"= 2\n1 0 0 0 0\n1 0 0 0 0\n", "not awaited"),
            (b"= 1\n0 0 4194305 0 0\n", "over 4 MiB"),
            (b"= 0\n", "garbled group"),
            (b"= 3\n", "garbled group"),
            (b"0 0 0 0 0\n", "garbled group"),
            (&[b'7'; 100], "no frame header"),
        ];
        for (lines, expected) in cases {
            let decoded = decode(&raw(lines), 2);
            let problem = decoded.problem.unwrap_or_default();
            assert!(problem.contains(expected), "{lines:?}: {problem}");
            assert!(decoded.results.iter().all(Option::is_none));
        }
        // A command answered twice: the first answer stands, the second is the problem.
        let bytes = reply(&[frame_of(0, 0, b"a", b""), frame_of(0, 0, b"b", b"")]);
        let decoded = decode(&bytes, 1);
        assert_eq!(ok(&decoded.results[0]).stdout, "a");
        assert!(decoded
            .problem
            .unwrap_or_default()
            .contains("garbled group"));
    }

    #[test]
    fn exactly_the_cap_is_accepted() {
        let big = vec![b'o'; MAX_OUTPUT];
        let decoded = decode(&reply(&[frame_of(0, 0, &big, &big)]), 1);
        assert_eq!(ok(&decoded.results[0]).stdout.len(), MAX_OUTPUT);
        assert_eq!(ok(&decoded.results[0]).stderr.len(), MAX_OUTPUT);
    }
}
