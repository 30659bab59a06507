//! macOS `ping` output (Apple's `network_cmds`, not iputils).

use std::fmt::Write as _;
use std::net::Ipv4Addr;

/// One reply to `ping -c 1`.
pub fn ping_reply(ip: Ipv4Addr, rtt_ms: f64) -> String {
    ping_report(ip, 1, &[rtt_ms])
}

/// No reply to `ping -c 1 -t N`: header, blank line, statistics, no `round-trip` line.
pub fn ping_no_reply(ip: Ipv4Addr) -> String {
    ping_report(ip, 1, &[])
}

/// A whole run: `transmitted` probes, one reply line per round-trip time given (sequence
/// numbers from 0), then the statistics. Exit code: 0 when `rtts` is non-empty, else 2.
pub fn ping_report(ip: Ipv4Addr, transmitted: u32, rtts: &[f64]) -> String {
    let mut out = format!("PING {ip} ({ip}): 56 data bytes\n");
    for (seq, rtt) in rtts.iter().enumerate() {
        let _ = writeln!(
            out,
            "64 bytes from {ip}: icmp_seq={seq} ttl=64 time={rtt:.3} ms"
        );
    }
    let received = rtts.len();
    let loss = if transmitted == 0 {
        0.0
    } else {
        100.0 * (f64::from(transmitted) - received as f64) / f64::from(transmitted)
    };
    let _ = write!(
        out,
        "\n--- {ip} ping statistics ---\n\
         {transmitted} packets transmitted, {received} packets received, {loss:.1}% packet loss\n"
    );
    if !rtts.is_empty() {
        let min = rtts.iter().copied().fold(f64::INFINITY, f64::min);
        let max = rtts.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let avg = rtts.iter().sum::<f64>() / received as f64;
        let var = rtts.iter().map(|rtt| (rtt - avg).powi(2)).sum::<f64>() / received as f64;
        let _ = writeln!(
            out,
            "round-trip min/avg/max/stddev = {min:.3}/{avg:.3}/{max:.3}/{:.3} ms",
            var.sqrt()
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEER: Ipv4Addr = Ipv4Addr::new(10, 254, 0, 6);

    #[test]
    fn one_reply() {
        assert_eq!(
            ping_reply(PEER, 0.118),
            "PING 10.254.0.6 (10.254.0.6): 56 data bytes\n\
             64 bytes from 10.254.0.6: icmp_seq=0 ttl=64 time=0.118 ms\n\
             \n\
             --- 10.254.0.6 ping statistics ---\n\
             1 packets transmitted, 1 packets received, 0.0% packet loss\n\
             round-trip min/avg/max/stddev = 0.118/0.118/0.118/0.000 ms\n"
        );
    }

    #[test]
    fn no_reply() {
        assert_eq!(
            ping_no_reply(PEER),
            "PING 10.254.0.6 (10.254.0.6): 56 data bytes\n\
             \n\
             --- 10.254.0.6 ping statistics ---\n\
             1 packets transmitted, 0 packets received, 100.0% packet loss\n"
        );
    }

    #[test]
    fn several_replies() {
        let text = ping_report(PEER, 3, &[0.1, 0.2, 0.3]);
        assert!(text.contains("icmp_seq=2 ttl=64 time=0.300 ms\n"));
        assert!(text.contains("3 packets transmitted, 3 packets received, 0.0% packet loss\n"));
        assert!(text.ends_with("round-trip min/avg/max/stddev = 0.100/0.200/0.300/0.082 ms\n"));
    }
}
