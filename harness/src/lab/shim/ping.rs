//! macOS `ping` flags and output over the real iputils ping.

use std::net::Ipv4Addr;
use std::process::Command;

use super::Reply;
use crate::macos::ping_report;

const USAGE: &str =
    "usage: ping [-b boundif] [-c count] [-i wait] [-t timeout] [-W waittime] host\n";

pub fn run(args: &[String]) -> Reply {
    let mut count: u32 = 0;
    let mut linux: Vec<String> = vec!["-n".into()];
    let mut host = None;
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let mut value = || words.next().cloned().ok_or(());
        match word.as_str() {
            "-c" => match value().ok().and_then(|v| v.parse::<u32>().ok()) {
                Some(n) => count = n,
                None => return Reply::err(USAGE, 64),
            },
            // macOS -t is the overall timeout in seconds: iputils calls it -w.
            "-t" => match value() {
                Ok(v) => linux.extend(["-w".into(), v]),
                Err(()) => return Reply::err(USAGE, 64),
            },
            // macOS -W is the per-reply wait in milliseconds: iputils takes seconds.
            "-W" => match value().ok().and_then(|v| v.parse::<f64>().ok()) {
                Some(ms) => linux.extend(["-W".into(), format!("{:.3}", ms / 1000.0)]),
                None => return Reply::err(USAGE, 64),
            },
            // Apple's `-b boundif`: only over that interface (iputils binds with `-I`).
            // Darwin's ping refuses a name that is no interface before sending anything.
            "-b" => match value() {
                Ok(iface) if is_interface(&iface) => linux.extend(["-I".into(), iface]),
                Ok(_) => return Reply::err("ping: bad interface name\n", 1),
                Err(()) => return Reply::err(USAGE, 64),
            },
            "-i" | "-s" => match value() {
                Ok(v) => linux.extend([word.clone(), v]),
                Err(()) => return Reply::err(USAGE, 64),
            },
            "-q" | "-n" => {}
            other if other.starts_with('-') => {
                return Reply::err(
                    format!("ping: illegal option -- {}\n{USAGE}", &other[1..]),
                    64,
                )
            }
            other => host = Some(other.to_owned()),
        }
    }
    let Some(host) = host else {
        return Reply::err(USAGE, 64);
    };
    let Ok(ip) = host.parse::<Ipv4Addr>() else {
        return Reply::err(format!("ping: cannot resolve {host}: Unknown host\n"), 68);
    };
    if count > 0 {
        linux.extend(["-c".into(), count.to_string()]);
    }
    linux.push(ip.to_string());
    let output = match Command::new("/usr/bin/ping").args(&linux).output() {
        Ok(output) => output,
        Err(err) => return Reply::err(format!("ping: {err}\n"), 71),
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let (transmitted, rtts) = parse_iputils(&stdout);
    let transmitted = transmitted.unwrap_or(count.max(1));
    let stderr = if String::from_utf8_lossy(&output.stderr).contains("unreachable") {
        "ping: sendto: No route to host\n".to_owned()
    } else {
        String::new()
    };
    Reply {
        stdout: ping_report(ip, transmitted, &rtts),
        stderr,
        code: if rtts.is_empty() { 2 } else { 0 },
    }
}

/// Whether the host has an interface of that (Linux) name.
fn is_interface(name: &str) -> bool {
    super::kernel::links(None).is_ok_and(|links| links.iter().any(|link| link.ifname == name))
}

/// Packets transmitted and the round-trip time of each reply, from iputils' output.
pub fn parse_iputils(text: &str) -> (Option<u32>, Vec<f64>) {
    let rtts = text
        .lines()
        .filter(|line| line.contains("bytes from"))
        .filter_map(|line| {
            let time = line.split("time=").nth(1)?;
            time.split_whitespace().next()?.parse::<f64>().ok()
        })
        .collect();
    let transmitted = text
        .lines()
        .find(|line| line.contains("packets transmitted"))
        .and_then(|line| line.split_whitespace().next()?.parse().ok());
    (transmitted, rtts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_iputils_output() {
        let text = "PING 10.254.0.6 (10.254.0.6) 56(84) bytes of data.\n\
                    64 bytes from 10.254.0.6: icmp_seq=1 ttl=64 time=0.052 ms\n\
                    \n--- 10.254.0.6 ping statistics ---\n\
                    1 packets transmitted, 1 received, 0% packet loss, time 0ms\n\
                    rtt min/avg/max/mdev = 0.052/0.052/0.052/0.000 ms\n";
        assert_eq!(parse_iputils(text), (Some(1), vec![0.052]));
        assert_eq!(parse_iputils(""), (None, vec![]));
    }
}
