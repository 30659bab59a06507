//! `discover` after the reads: from hosts' command output (inline fixtures in the formats
//! of shared/reference/macos-commands.md) to the printed cables and the file on disk.

use std::path::{Path, PathBuf};

use clap::Parser;
use rdma_phase::plan::Host;
use rdma_phase::{CommandOutput, HostName};
use serde_json::{json, Value};

use super::*;

/// A port: (host index, receptacle).
type End = (usize, u32);

/// A small cluster: hosts with Thunderbolt 1..=4 on en2..en5, cables between receptacles.
struct Fixture {
    hosts: Vec<&'static str>,
    /// (host, receptacle) <-> (host, receptacle), speed.
    cables: Vec<(End, End, &'static str)>,
    /// Extra `ifconfig -a` text per host.
    extra_ifconfig: Vec<(usize, &'static str)>,
}

fn uuid(host: usize, receptacle: u32) -> String {
    format!("00000000-0000-4000-8000-{host:06}{receptacle:06}")
}

impl Fixture {
    fn new(hosts: &[&'static str]) -> Self {
        Self {
            hosts: hosts.to_vec(),
            cables: Vec::new(),
            extra_ifconfig: Vec::new(),
        }
    }

    fn cable(mut self, a: End, b: End, speed: &'static str) -> Self {
        self.cables.push((a, b, speed));
        self
    }

    fn system_profiler(&self, host: usize) -> String {
        let buses: Vec<Value> = (1..=4)
            .map(|receptacle| {
                let far = self.cables.iter().find_map(|&(a, b, speed)| {
                    if a == (host, receptacle) {
                        Some((b, speed))
                    } else if b == (host, receptacle) {
                        Some((a, speed))
                    } else {
                        None
                    }
                });
                let mut bus = json!({
                    "_name": format!("thunderboltusb4_bus_{}", receptacle - 1),
                    "domain_uuid_key": uuid(host, receptacle),
                    "receptacle_1_tag": {
                        "current_speed_key": far.map_or("Up to 120 Gb/s", |(_, speed)| speed),
                        "receptacle_id_key": receptacle.to_string(),
                        "receptacle_status_key": if far.is_some() { "receptacle_connected" } else { "receptacle_no_devices_connected" },
                    }
                });
                if let Some(((peer, peer_receptacle), _)) = far {
                    bus["_items"] = json!([{ "_name": "Mac Studio", "domain_uuid_key": uuid(peer, peer_receptacle) }]);
                }
                bus
            })
            .collect();
        json!({ "SPThunderboltDataType": buses }).to_string()
    }

    fn networksetup() -> String {
        let mut text = String::from(
            "Hardware Port: Ethernet\nDevice: en0\nEthernet Address: 02:00:00:00:00:01\n\n",
        );
        for n in 1..=4 {
            text.push_str(&format!(
                "Hardware Port: Thunderbolt {n}\nDevice: en{}\nEthernet Address: 02:00:00:00:00:0{n}\n\n",
                n + 1
            ));
        }
        text + "VLAN Configurations\n===================\n"
    }

    fn facts(&self) -> Vec<HostFacts> {
        self.hosts
            .iter()
            .enumerate()
            .map(|(index, name)| {
                let mut ifconfig = String::from("en0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\tinet 192.168.1.1 netmask 0xffffff00 broadcast 192.168.1.255\n\tstatus: active\n");
                for (_, text) in self.extra_ifconfig.iter().filter(|(h, _)| *h == index) {
                    ifconfig.push_str(text);
                }
                let outputs = [
                    self.system_profiler(index),
                    Self::networksetup(),
                    ifconfig,
                    "Routing tables\n\nInternet:\nDestination        Gateway            Flags               Netif Expire\ndefault            192.168.1.254      UGScg                 en0\n".to_owned(),
                ]
                .map(|text| CommandOutput::new(text, "", 0));
                let host = Host {
                    name: HostName::parse(name).expect("valid"),
                    via: None,
                    nodes: Vec::new(),
                };
                collect::facts(&host, &outputs).expect("parsed")
            })
            .collect()
    }
}

/// A 3-host full mesh: a en2-b en2, a en3-c en2, b en3-c en3.
fn mesh() -> Fixture {
    Fixture::new(&["a", "b", "c"])
        .cable((0, 1), (1, 1), "80 Gb/s")
        .cable((0, 2), (2, 1), "80 Gb/s")
        .cable((1, 2), (2, 2), "80 Gb/s")
}

struct Outcome {
    code: i32,
    out: String,
    err: String,
}

fn discover(fixture: &Fixture, path: &Path, flags: &[&str]) -> Outcome {
    let mut argv = vec!["rdma-setup".to_owned(), "discover".to_owned()];
    argv.extend(["--cluster".to_owned(), path.display().to_string()]);
    argv.extend(flags.iter().map(|f| (*f).to_owned()));
    argv.extend(fixture.hosts.iter().map(|h| (*h).to_owned()));
    let args = crate::cli::Args::try_parse_from(argv).unwrap_or_else(|e| panic!("{e}"));
    let Some(crate::cli::Command::Discover(args)) = args.command else {
        panic!("not discover")
    };
    let request = request::check(&args).expect("valid request");
    let existing = Existing::read(path).expect("readable");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = discover_from(&request, &fixture.facts(), &existing, &mut out, &mut err);
    Outcome {
        code,
        out: String::from_utf8(out).expect("utf-8"),
        err: String::from_utf8(err).expect("utf-8"),
    }
}

fn temp_file() -> (tempfile::TempDir, PathBuf) {
    let folder = tempfile::tempdir().expect("temp dir");
    let path = folder.path().join("rdma-cluster.toml");
    (folder, path)
}

#[test]
fn a_mesh_is_found_planned_and_written() {
    let (_folder, path) = temp_file();
    let run = discover(&mesh(), &path, &[]);
    assert_eq!(run.code, WRITTEN, "{}{}", run.out, run.err);
    let written = std::fs::read_to_string(&path).expect("written");
    let shown = run.out.replace(&path.display().to_string(), "FILE");
    insta::assert_snapshot!(shown);
    assert!(run.out.ends_with(&written));
    assert!(run.err.contains("Wrote "), "{}", run.err);
    // Again: the same file, unchanged.
    let again = discover(&mesh(), &path, &[]);
    assert_eq!(again.code, WRITTEN, "{}", again.err);
    assert!(
        again.err.contains("already holds this cluster"),
        "{}",
        again.err
    );
    assert_eq!(std::fs::read_to_string(&path).expect("read"), written);
}

#[test]
fn a_different_file_is_refused_without_force_and_its_addresses_kept_with_it() {
    let (_folder, path) = temp_file();
    // An earlier plan gave a-b other addresses, and had a cable that is gone.
    let old = mesh().cable((0, 4), (1, 4), "80 Gb/s");
    assert_eq!(discover(&old, &path, &[]).code, WRITTEN);
    let before = std::fs::read_to_string(&path).expect("written");
    let run = discover(&mesh(), &path, &[]);
    assert_eq!(run.code, FAILED, "{}{}", run.out, run.err);
    assert_eq!(std::fs::read_to_string(&path).expect("read"), before);
    assert!(
        run.out
            .contains("- cable a en5 10.254.0.9 <-> b en5 10.254.0.10"),
        "{}",
        run.out
    );
    assert!(run.err.contains("--force"), "{}", run.err);
    // The cables still there keep their addresses: no `~ cable` row.
    assert!(!run.out.contains("~ cable"), "{}", run.out);
    let forced = discover(&mesh(), &path, &["--force"]);
    assert_eq!(forced.code, WRITTEN, "{}", forced.err);
    let after = std::fs::read_to_string(&path).expect("read");
    assert!(!after.contains("port = \"en5\""), "{after}");
    assert!(after.contains("address = \"10.254.0.13\""), "{after}");
    assert!(!after.contains("address = \"10.254.0.9\""), "{after}");
}

#[test]
fn the_plan_avoids_a_subnet_a_host_uses() {
    let (_folder, path) = temp_file();
    let mut fixture = mesh();
    fixture.extra_ifconfig.push((
        1,
        "en1: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\tinet 10.254.0.20 netmask 0xffffff00 broadcast 10.254.0.255\n\tstatus: active\n",
    ));
    let run = discover(&fixture, &path, &[]);
    assert_eq!(run.code, WRITTEN, "{}", run.err);
    let written = std::fs::read_to_string(&path).expect("written");
    assert!(!written.contains("\"10.254.0."), "{written}");
    assert!(written.contains("\"10.254.1.1\""), "{written}");
}

#[test]
fn thunderbolt_4_is_shown_and_not_planned() {
    let (_folder, path) = temp_file();
    let fixture = mesh().cable((0, 4), (2, 4), "40 Gb/s");
    let run = discover(&fixture, &path, &[]);
    assert_eq!(run.code, WRITTEN, "{}", run.err);
    assert!(
        run.out
            .contains("a en5 <-> c en5, 40 Gb/s: Thunderbolt 4, no RDMA on it (not planned)"),
        "{}",
        run.out
    );
    assert!(!std::fs::read_to_string(&path)
        .expect("written")
        .contains("port = \"en5\""));
}

#[test]
fn no_cable_and_a_lonely_host_write_nothing() {
    let (_folder, path) = temp_file();
    let run = discover(&Fixture::new(&["a", "b"]), &path, &[]);
    assert_eq!(run.code, FAILED);
    assert!(
        run.err
            .contains("no Thunderbolt 5 cable between these hosts"),
        "{}",
        run.err
    );
    assert!(
        run.out.contains("a en2, en3, en4, en5: nothing attached"),
        "{}",
        run.out
    );
    let lonely = Fixture::new(&["a", "b", "c"]).cable((0, 1), (1, 1), "80 Gb/s");
    let run = discover(&lonely, &path, &[]);
    assert_eq!(run.code, FAILED);
    assert!(
        run.err.contains("c has no Thunderbolt 5 cable"),
        "{}",
        run.err
    );
    assert!(run.out.contains("for a full mesh"), "{}", run.out);
    assert!(!path.exists());
}
