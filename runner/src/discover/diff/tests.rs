use crate::cluster_file::{Cable, CableEnd, ClusterFile, SshSettings};

use super::*;

fn end(host: &str, port: &str, address: &str) -> CableEnd {
    CableEnd {
        host: host.into(),
        port: port.into(),
        address: address.into(),
    }
}

fn file(cables: Vec<Cable>) -> ClusterFile {
    ClusterFile {
        hosts: vec!["a".into(), "b".into(), "c".into()],
        netmask: "30".into(),
        cables,
        proxies: Vec::new(),
        ssh: SshSettings::default(),
        hostfile: None,
    }
}

fn cable(a: CableEnd, b: CableEnd) -> Cable {
    Cable { a, b }
}

#[test]
fn cables_are_matched_by_their_ends_whichever_way_round() {
    let old = file(vec![
        cable(end("a", "en2", "10.254.0.1"), end("b", "en2", "10.254.0.2")),
        cable(end("a", "en3", "10.254.0.5"), end("c", "en2", "10.254.0.6")),
        cable(
            end("b", "en3", "10.254.0.9"),
            end("c", "en3", "10.254.0.10"),
        ),
    ]);
    let mut new = file(vec![
        // Same cable, ends swapped, same addresses: no change.
        cable(end("b", "en2", "10.254.0.2"), end("a", "en2", "10.254.0.1")),
        // Readdressed.
        cable(
            end("a", "en3", "10.254.0.13"),
            end("c", "en2", "10.254.0.14"),
        ),
        // Added.
        cable(
            end("a", "en4", "10.254.0.17"),
            end("b", "en4", "10.254.0.18"),
        ),
    ]);
    new.hosts = vec!["b".into(), "a".into(), "c".into()];
    new.ssh.connect_timeout = Some(5);
    assert_eq!(
        changes(&old, &new),
        [
            "~ hosts (rank order): a b c -> b a c",
            "~ cable a en3 <-> c en2: 10.254.0.5 10.254.0.6 -> 10.254.0.13 10.254.0.14",
            "+ cable a en4 10.254.0.17 <-> b en4 10.254.0.18",
            "- cable b en3 10.254.0.9 <-> c en3 10.254.0.10",
            "~ ssh connect_timeout: (default) -> 5",
        ]
    );
    assert!(changes(&old, &old).is_empty());
}

#[test]
fn a_line_diff_shows_only_the_lines_that_differ() {
    let old = "# mine\nhosts = [\"a\"]\nnetmask = 30\n";
    let new = "hosts = [\"a\"]\nnetmask = 30\n# theirs\n";
    assert_eq!(lines(old, new), ["- # mine", "+ # theirs"]);
    assert!(lines(new, new).is_empty());
    assert_eq!(lines("", "x\n"), ["+ x"]);
}
