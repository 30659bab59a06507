//! `ping -c N`: how many probes were answered and the average round trip, in both the macOS
//! and the Linux iputils formats.

use serde::Serialize;

/// The statistics block of a ping run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PingStats {
    pub transmitted: u32,
    pub received: u32,
    /// From the `round-trip`/`rtt` line, which is absent when nothing came back.
    pub avg_rtt_ms: Option<f64>,
}

impl PingStats {
    pub fn replied(&self) -> bool {
        self.received > 0
    }
}

/// Parse ping's output; `None` when it has no statistics line (ping could not even start).
///
/// macOS: `1 packets transmitted, 1 packets received, 0.0% packet loss` and
/// `round-trip min/avg/max/stddev = 0.118/0.118/0.118/0.000 ms`; Linux iputils:
/// `1 packets transmitted, 1 received, 0% packet loss, time 0ms` and
/// `rtt min/avg/max/mdev = 0.045/0.045/0.045/0.000 ms`.
pub fn parse_ping(text: &str) -> Option<PingStats> {
    let mut counts = None;
    let mut avg_rtt_ms = None;
    for line in text.lines() {
        let line = line.trim();
        if line.contains("transmitted") {
            counts = counts.or_else(|| parse_counts(line));
        } else if line.starts_with("round-trip") || line.starts_with("rtt") {
            avg_rtt_ms = avg_rtt_ms.or_else(|| parse_average(line));
        }
    }
    let (transmitted, received) = counts?;
    Some(PingStats {
        transmitted,
        received,
        avg_rtt_ms,
    })
}

/// The number in front of `packets transmitted` and in front of `received` (macOS says
/// `packets received`, Linux just `received`).
fn parse_counts(line: &str) -> Option<(u32, u32)> {
    let mut transmitted = None;
    let mut received = None;
    for field in line.split(',') {
        let mut words = field.split_whitespace();
        let Some(count) = words.next().and_then(|word| word.parse::<u32>().ok()) else {
            continue;
        };
        match words.collect::<Vec<_>>()[..] {
            ["packets", "transmitted"] | ["transmitted"] => transmitted = Some(count),
            ["packets", "received"] | ["received"] => received = Some(count),
            _ => {}
        }
    }
    Some((transmitted?, received?))
}

/// The second of the slash-separated values after `=`.
fn parse_average(line: &str) -> Option<f64> {
    let (_, values) = line.split_once('=')?;
    let average = values.trim().split('/').nth(1)?;
    average
        .trim()
        .trim_end_matches("ms")
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|ms| ms.is_finite() && *ms >= 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;

    const MACOS_REPLY: &str = "PING 10.254.0.6 (10.254.0.6): 56 data bytes\n\
        64 bytes from 10.254.0.6: icmp_seq=0 ttl=64 time=0.118 ms\n\
        \n\
        --- 10.254.0.6 ping statistics ---\n\
        1 packets transmitted, 1 packets received, 0.0% packet loss\n\
        round-trip min/avg/max/stddev = 0.118/0.118/0.118/0.000 ms\n";

    const MACOS_NO_REPLY: &str = "PING 10.254.0.6 (10.254.0.6): 56 data bytes\n\
        \n\
        --- 10.254.0.6 ping statistics ---\n\
        1 packets transmitted, 0 packets received, 100.0% packet loss\n";

    const LINUX_REPLY: &str = "PING 10.254.0.6 (10.254.0.6) 56(84) bytes of data.\n\
        64 bytes from 10.254.0.6: icmp_seq=1 ttl=64 time=0.045 ms\n\
        \n\
        --- 10.254.0.6 ping statistics ---\n\
        1 packets transmitted, 1 received, 0% packet loss, time 0ms\n\
        rtt min/avg/max/mdev = 0.045/0.045/0.045/0.000 ms\n";

    const LINUX_NO_REPLY: &str = "PING 10.254.0.6 (10.254.0.6) 56(84) bytes of data.\n\
        \n\
        --- 10.254.0.6 ping statistics ---\n\
        1 packets transmitted, 0 received, 100% packet loss, time 0ms\n";

    const LINUX_ERRORS: &str = "--- 10.254.0.6 ping statistics ---\n\
        3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 2041ms\n";

    const MACOS_SEVERAL: &str = "--- 10.254.0.6 ping statistics ---\n\
        3 packets transmitted, 2 packets received, 33.3% packet loss\n\
        round-trip min/avg/max/stddev = 0.100/0.150/0.200/0.050 ms\n";

    #[rstest]
    #[case(MACOS_REPLY, Some((1, 1, Some(0.118))))]
    #[case(MACOS_NO_REPLY, Some((1, 0, None)))]
    #[case(LINUX_REPLY, Some((1, 1, Some(0.045))))]
    #[case(LINUX_NO_REPLY, Some((1, 0, None)))]
    #[case(LINUX_ERRORS, Some((3, 0, None)))]
    #[case(MACOS_SEVERAL, Some((3, 2, Some(0.150))))]
    #[case("round-trip min/avg/max = 0.1/0.2/0.3 ms\n1 packets transmitted, 1 packets received\n", Some((1, 1, Some(0.2))))]
    #[case("round-trip min/avg/max/stddev = 0.1/nan/0.3/0.0 ms\n1 packets transmitted, 1 packets received\n", Some((1, 1, None)))]
    #[case("", None)]
    #[case("ping: sendto: No route to host\n", None)]
    #[case("1 packets transmitted\n", None)]
    fn statistics(#[case] text: &str, #[case] expected: Option<(u32, u32, Option<f64>)>) {
        let stats = parse_ping(text);
        assert_eq!(
            stats.map(|s| (s.transmitted, s.received, s.avg_rtt_ms)),
            expected
        );
    }

    #[test]
    fn replied_means_at_least_one_answer() {
        assert_eq!(parse_ping(MACOS_REPLY).map(|s| s.replied()), Some(true));
        assert_eq!(parse_ping(MACOS_NO_REPLY).map(|s| s.replied()), Some(false));
    }

    proptest! {
        #[test]
        fn never_panics(text in "\\PC*") {
            let _ = parse_ping(&text);
        }

        #[test]
        fn never_panics_on_ping_like_lines(
            lines in proptest::collection::vec(
                "([0-9]{0,12} packets transmitted, [0-9]{0,12} (packets )?received.*|(round-trip|rtt) [a-z/]* = [0-9./a-z-]*( ms)?|.*)",
                0..8,
            )
        ) {
            let _ = parse_ping(&lines.join("\n"));
        }
    }
}
