//! What identifies a simulated Thunderbolt port: its MAC address and its node GUID, derived
//! from the host's place in the lab and the port's number, so they are stable.

/// MAC of a Thunderbolt port: locally administered, host and port number visible in it.
pub fn port_mac(host_index: usize, port: &str) -> String {
    format!(
        "36:4d:04:{:02x}:{:02x}:44",
        host_index & 0xff,
        port_number(port)
    )
}

/// Node GUID in the style of a Mac's: the first byte steps with the port (en2 -> 0x80).
pub fn port_guid(host_index: usize, port: &str) -> u64 {
    let first = (0x7e + port_number(port)) & 0xff;
    (first << 56) | 0x0096_a9d9_edba_0005 | ((host_index as u64 & 0xff) << 8)
}

fn port_number(port: &str) -> u64 {
    port.trim_start_matches(|c: char| c.is_ascii_alphabetic())
        .parse()
        .unwrap_or(0)
}

/// `ip` arguments that give `port` configd's self-assigned address `cidr` (a /16), with the
/// broadcast a Mac shows for it.
pub fn self_assigned_addr_args<'a>(cidr: &'a str, port: &'a str) -> [&'a str; 7] {
    [
        "addr",
        "add",
        cidr,
        "broadcast",
        "169.254.255.255",
        "dev",
        port,
    ]
}
