//! Writing a cluster file, with comments that explain every part to a person who has not
//! read the README. Unset optional values are written as commented-out lines with the
//! default, so a person sees what can be set; [`super::parse`] reads the result back equal.

use std::fmt::Write;

use super::{ClusterFile, SshSettings};

const HEADER: &str = "\
# rdma-setup cluster file: the Macs of one cluster and the Thunderbolt cables between them.
# rdma-setup reads it to bring RDMA over Thunderbolt back after a reboot. Edit it by hand
# when you recable: every [[cable]] below is one physical cable. Lines starting with # are
# comments.
";

const HOSTS: &str = "
# The Macs, as you reach them with ssh: a name from your ssh config, a host name or an
# address, optionally user@. Their order is the JACCL rank order: the first is rank 0.
";

const NETMASK: &str = "
# The prefix length of every cable's subnet: 30 gives each cable 4 addresses, the two in
# the middle for its two ends (10.254.0.5 and 10.254.0.6 in 10.254.0.4/30).
";

const HOSTFILE: &str = "
# Where to write the hostfile for `mlx.launch --backend jaccl --hostfile FILE` (jaccl-ring
# when the cables form a ring); a relative path is taken from this file's folder.
";

const SSH: &str = "
# How to reach the Macs over ssh. A commented-out line shows the default.
[ssh]
";

const CABLES: &str = "
# One [[cable]] per Thunderbolt cable, with its two ends a and b: the Mac (one of the hosts
# above), its Thunderbolt port (as `networksetup -listallhardwareports` names it, e.g. en5)
# and the IPv4 address that port gets. The two ends of a cable share a subnet of the
# netmask above; no two cables share one. A pair of Macs may have several cables.
";

const PROXIES: &str = "
# A Mac you cannot reach directly: `via` (a host you can reach) runs `ssh TARGET ...` for
# it. One [[proxy]] per such Mac.
";

/// The cluster file for `file`, comments included.
pub fn render(file: &ClusterFile) -> String {
    let mut out = String::from(HEADER);
    out.push_str(HOSTS);
    let hosts: Vec<String> = file.hosts.iter().map(|host| quote(host)).collect();
    let _ = writeln!(out, "hosts = [{}]", hosts.join(", "));

    out.push_str(NETMASK);
    let _ = writeln!(out, "netmask = {}", netmask(&file.netmask));

    out.push_str(HOSTFILE);
    match &file.hostfile {
        Some(path) => {
            let _ = writeln!(out, "hostfile = {}", quote(path));
        }
        None => out.push_str("# hostfile = \"mlx-hostfile.json\"\n"),
    }

    out.push_str(SSH);
    render_ssh(&mut out, &file.ssh);

    out.push_str(CABLES);
    for (index, cable) in file.cables.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        out.push_str("[[cable]]\n");
        for (name, end) in [("a", &cable.a), ("b", &cable.b)] {
            let _ = writeln!(
                out,
                "{name} = {{ host = {}, port = {}, address = {} }}",
                quote(&end.host),
                quote(&end.port),
                quote(&end.address)
            );
        }
    }

    out.push_str(PROXIES);
    if file.proxies.is_empty() {
        out.push_str("# [[proxy]]\n# via = \"hwstudio1\"\n# target = \"hwstudio2\"\n");
    }
    for proxy in &file.proxies {
        let _ = writeln!(
            out,
            "[[proxy]]\nvia = {}\ntarget = {}",
            quote(&proxy.via),
            quote(&proxy.target)
        );
    }
    out
}

fn render_ssh(out: &mut String, ssh: &SshSettings) {
    out.push_str(
        "# the ssh config to read host names from; a relative path is from this file's folder\n",
    );
    match &ssh.config {
        Some(path) => {
            let _ = writeln!(out, "config = {}", quote(path));
        }
        None => out.push_str("# config = \"~/.ssh/config\"\n"),
    }
    let seconds = [
        (
            "connect_timeout",
            ssh.connect_timeout,
            10,
            "give up on a Mac that has not answered within this many seconds",
        ),
        (
            "command_timeout",
            ssh.command_timeout,
            30,
            "give up on a remote command that runs longer than this",
        ),
        (
            "lock_wait",
            ssh.lock_wait,
            30,
            "wait this long for another rdma-setup run on the same Mac (0: do not wait)",
        ),
    ];
    for (key, value, default, meaning) in seconds {
        let _ = writeln!(out, "# {meaning}");
        match value {
            Some(value) => {
                let _ = writeln!(out, "{key} = {value}");
            }
            None => {
                let _ = writeln!(out, "# {key} = {default}");
            }
        }
    }
}

/// A netmask that TOML can hold as an integer (`30`) is written as one, anything else as a
/// string, so it reads back as the same text.
fn netmask(text: &str) -> String {
    match text.parse::<u8>() {
        Ok(bits) if bits.to_string() == text => text.to_owned(),
        _ => quote(text),
    }
}

/// A TOML basic string: quotes, backslashes and control characters escaped.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
