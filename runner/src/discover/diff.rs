//! What writing the new cluster file would change in the one already there: cables added,
//! removed or given other addresses, and settings changed; when only comments or layout
//! differ, the lines that do.

use crate::cluster_file::{Cable, CableEnd, ClusterFile};

/// A cable's identity: its two ends' host and port, in a stable order.
fn ends(cable: &Cable) -> [(&str, &str); 2] {
    let mut ends = [
        (cable.a.host.as_str(), cable.a.port.as_str()),
        (cable.b.host.as_str(), cable.b.port.as_str()),
    ];
    ends.sort_unstable();
    ends
}

fn end(end: &CableEnd) -> String {
    format!("{} {} {}", end.host, end.port, end.address)
}

fn cable(cable: &Cable) -> String {
    format!("{} <-> {}", end(&cable.a), end(&cable.b))
}

/// `cable`'s address on `host:port`.
fn address_at<'a>(cable: &'a Cable, host: &str, port: &str) -> &'a str {
    if cable.a.host == host && cable.a.port == port {
        &cable.a.address
    } else {
        &cable.b.address
    }
}

/// One row per change, `+` added, `-` removed, `~` changed; empty when the two describe the
/// same cluster.
pub fn changes(old: &ClusterFile, new: &ClusterFile) -> Vec<String> {
    let mut rows = Vec::new();
    if old.hosts != new.hosts {
        rows.push(format!(
            "~ hosts (rank order): {} -> {}",
            old.hosts.join(" "),
            new.hosts.join(" ")
        ));
    }
    for new_cable in &new.cables {
        match old.cables.iter().find(|c| ends(c) == ends(new_cable)) {
            None => rows.push(format!("+ cable {}", cable(new_cable))),
            Some(old_cable) => {
                let [(h1, p1), (h2, p2)] = ends(new_cable);
                let before = (address_at(old_cable, h1, p1), address_at(old_cable, h2, p2));
                let after = (address_at(new_cable, h1, p1), address_at(new_cable, h2, p2));
                if before != after {
                    rows.push(format!(
                        "~ cable {h1} {p1} <-> {h2} {p2}: {} {} -> {} {}",
                        before.0, before.1, after.0, after.1
                    ));
                }
            }
        }
    }
    for old_cable in &old.cables {
        if !new.cables.iter().any(|c| ends(c) == ends(old_cable)) {
            rows.push(format!("- cable {}", cable(old_cable)));
        }
    }
    let mut setting = |name: &str, before: String, after: String| {
        if before != after {
            rows.push(format!("~ {name}: {before} -> {after}"));
        }
    };
    setting("netmask", old.netmask.clone(), new.netmask.clone());
    let proxies = |file: &ClusterFile| {
        let specs: Vec<String> = file.proxies.iter().map(|p| p.spec()).collect();
        if specs.is_empty() {
            "none".to_owned()
        } else {
            specs.join(" ")
        }
    };
    setting("proxies", proxies(old), proxies(new));
    let shown = |value: Option<String>| value.unwrap_or_else(|| "(default)".to_owned());
    setting(
        "ssh config",
        shown(old.ssh.config.clone()),
        shown(new.ssh.config.clone()),
    );
    let seconds = |value: Option<u64>| shown(value.map(|s| s.to_string()));
    setting(
        "ssh connect_timeout",
        seconds(old.ssh.connect_timeout),
        seconds(new.ssh.connect_timeout),
    );
    setting(
        "ssh command_timeout",
        seconds(old.ssh.command_timeout),
        seconds(new.ssh.command_timeout),
    );
    rows
}

/// The lines only one of the texts has, `-` for the old and `+` for the new, in the order of
/// a longest common subsequence (small files: quadratic is fine).
pub fn lines(old: &str, new: &str) -> Vec<String> {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    let mut common = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            common[i][j] = if a[i] == b[j] {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut rows) = (0, 0, Vec::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || common[i][j + 1] >= common[i + 1][j]) {
            rows.push(format!("+ {}", b[j]));
            j += 1;
        } else {
            rows.push(format!("- {}", a[i]));
            i += 1;
        }
    }
    rows
}

#[cfg(test)]
mod tests;
