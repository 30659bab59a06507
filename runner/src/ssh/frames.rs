//! A joint batch's reply, split back into one result per command.
//!
//! The reply (the script's stdout, `script`) is [`MAGIC`], then one frame per command in
//! the order they ended:
//!
//! ```text
//! INDEX EXIT STDOUT-LENGTH STDERR-LENGTH CAPPED\n  <stdout bytes><stderr bytes>
//! ```
//!
//! in ASCII decimal; CAPPED is 0, or 1 / 2 when the command printed more than [`MAX_OUTPUT`]
//! on stdout / stderr (its output is then not sent, and it gets the cap error it would get
//! alone). The lengths make it binary-safe. Nothing here trusts the host: a header must be
//! short and well formed, name a command of the batch not yet answered, and announce at most
//! [`MAX_OUTPUT`] a stream; the first frame that is not is where decoding stops.

use rdma_phase::CommandOutput;

use super::exec::{output, ExecError, Stream, MAX_OUTPUT};
use super::script::MAGIC;

/// The longest header line: five numbers and their separators.
pub const MAX_HEADER: usize = 64;

/// What a reply held.
#[derive(Debug, Default)]
pub struct Decoded {
    /// One slot per command: its result, if its frame arrived whole.
    pub results: Vec<Option<Result<CommandOutput, ExecError>>>,
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
        match frame(rest, &decoded.results) {
            Ok(Some((index, result, used))) => {
                decoded.results[index] = Some(result);
                rest = &rest[used..];
            }
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

type Frame = (usize, Result<CommandOutput, ExecError>, usize);

/// The frame at the start of `bytes`: its command, result and length; `None` if it is not
/// all there; `Err` if it is malformed.
fn frame(
    bytes: &[u8],
    results: &[Option<Result<CommandOutput, ExecError>>],
) -> Result<Option<Frame>, String> {
    let window = &bytes[..bytes.len().min(MAX_HEADER)];
    let Some(end) = window.iter().position(|&byte| byte == b'\n') else {
        return if bytes.len() >= MAX_HEADER {
            Err(format!("no frame header in {}", shown(window)))
        } else {
            Ok(None)
        };
    };
    let header = &bytes[..end];
    let garbled = || format!("garbled frame header {}", shown(header));
    let fields: Vec<usize> = std::str::from_utf8(header)
        .ok()
        .map(|text| text.split(' ').map(str::parse).collect::<Result<_, _>>())
        .and_then(Result::ok)
        .ok_or_else(garbled)?;
    let [index, exit_code, out, err, capped] = fields[..] else {
        return Err(garbled());
    };
    if index >= results.len() || results[index].is_some() {
        return Err(format!("frame for command {index}, which is not awaited"));
    }
    let exit_code = i32::try_from(exit_code)
        .ok()
        .filter(|code| *code <= 255)
        .ok_or_else(garbled)?;
    if out > MAX_OUTPUT || err > MAX_OUTPUT {
        return Err(format!("frame for command {index} announces over 4 MiB"));
    }
    let capped = match capped {
        0 => None,
        1 => Some(Stream::Stdout),
        2 => Some(Stream::Stderr),
        _ => return Err(garbled()),
    };
    let body = end + 1;
    let used = body + out + err;
    if bytes.len() < used {
        return Ok(None);
    }
    let result = match capped {
        Some(stream) => Err(ExecError::TooMuchOutput(stream)),
        None => Ok(output(
            &bytes[body..body + out],
            &bytes[body + out..used],
            exit_code,
        )),
    };
    Ok(Some((index, result, used)))
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

    fn frame_of(index: usize, exit: i32, out: &[u8], err: &[u8]) -> Vec<u8> {
        let mut bytes = format!("{index} {exit} {} {} 0\n", out.len(), err.len()).into_bytes();
        bytes.extend_from_slice(out);
        bytes.extend_from_slice(err);
        bytes
    }

    fn reply(frames: &[Vec<u8>]) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        for frame in frames {
            bytes.extend_from_slice(frame);
        }
        bytes
    }

    fn ok(result: &Option<Result<CommandOutput, ExecError>>) -> &CommandOutput {
        match result {
            Some(Ok(output)) => output,
            other => panic!("expected an output, got {other:?}"),
        }
    }

    #[test]
    fn frames_in_any_order_binary_safe() {
        let bytes = reply(&[
            frame_of(2, 127, b"", b"sh: nope: not found\n"),
            frame_of(0, 0, b"a\0b\r\n\n", b""),
            frame_of(1, 3, b"no newline", b"err\n"),
        ]);
        let decoded = decode(&bytes, 3);
        assert_eq!(decoded.problem, None);
        assert_eq!(ok(&decoded.results[0]).stdout, "a\0b\r\n\n");
        assert_eq!(
            ok(&decoded.results[1]),
            &CommandOutput::new("no newline", "err\n", 3)
        );
        assert_eq!(ok(&decoded.results[2]).exit_code, 127);
    }

    #[test]
    fn output_before_the_magic_is_skipped_and_a_reply_cut_short_is_no_problem() {
        let mut bytes = b"motd from .zshenv\n".to_vec();
        bytes.extend(reply(&[frame_of(1, 0, b"one\n", b"")]));
        let full = frame_of(0, 0, b"zero\n", b"");
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
    fn capped_frames_fail_with_the_cap_error_of_their_stream() {
        let bytes = reply(&[b"0 141 0 0 1\n".to_vec(), b"1 0 0 0 2\n".to_vec()]);
        let decoded = decode(&bytes, 2);
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
    fn malformed_frames_stop_decoding_with_a_problem() {
        let cases: [(&[u8], &str); 8] = [
            (b"0 0 1 0\nx", "garbled"),
            (b"0 0 1 0 0 0\nx", "garbled"),
            (b"0 -1 0 0 0\n", "garbled"),
            (b"0 256 0 0 0\n", "garbled"),
            (b"0 0 0 0 3\n", "garbled"),
            (b"5 0 0 0 0\n", "not awaited"),
            (b"0 0 4194305 0 0\n", "over 4 MiB"),
            (&[b'7'; 100], "no frame header"),
        ];
        for (frame, expected) in cases {
            let decoded = decode(&reply(&[frame.to_vec()]), 2);
            let problem = decoded.problem.unwrap_or_default();
            assert!(problem.contains(expected), "{frame:?}: {problem}");
            assert!(decoded.results.iter().all(Option::is_none));
        }
        // A command answered twice: the first answer stands, the second is the problem.
        let bytes = reply(&[frame_of(0, 0, b"a", b""), frame_of(0, 0, b"b", b"")]);
        let decoded = decode(&bytes, 1);
        assert_eq!(ok(&decoded.results[0]).stdout, "a");
        assert!(decoded.problem.unwrap_or_default().contains("not awaited"));
    }

    #[test]
    fn exactly_the_cap_is_accepted() {
        let big = vec![b'o'; MAX_OUTPUT];
        let decoded = decode(&reply(&[frame_of(0, 0, &big, &big)]), 1);
        assert_eq!(ok(&decoded.results[0]).stdout.len(), MAX_OUTPUT);
        assert_eq!(ok(&decoded.results[0]).stderr.len(), MAX_OUTPUT);
    }
}
