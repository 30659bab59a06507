//! The cluster file's tests: a complete example file, the round trip render -> parse,
//! errors at their lines, and the file planned as the command line would be.

use std::path::Path;

use proptest::prelude::*;
use rstest::rstest;

use super::*;

/// A complete cluster file, as a person would write it: the README's three-node mesh,
/// machine-c reached through machine-a, every optional part set.
const EXAMPLE: &str = r#"
# Three Mac Studios in a triangle of Thunderbolt 5 cables.
hosts = ["machine-a", "machine-b", "machine-c"]   # rank 0, 1, 2
netmask = 30
hostfile = "mlx-hostfile.json"

[ssh]
config = "ssh_config"
connect_timeout = 5
command_timeout = 60
lock_wait = 0

[[cable]]
a = { host = "machine-a", port = "en3", address = "10.254.0.1" }
b = { host = "machine-b", port = "en3", address = "10.254.0.2" }

[[cable]]
a = { host = "machine-a", port = "en5", address = "10.254.0.5" }
b = { host = "machine-c", port = "en5", address = "10.254.0.6" }

[[cable]]
a = { host = "machine-b", port = "en5", address = "10.254.0.9" }
b = { host = "machine-c", port = "en3", address = "10.254.0.10" }

[[proxy]]
via = "machine-a"
target = "machine-c"
"#;

fn path() -> &'static Path {
    Path::new("cluster.toml")
}

fn example() -> Located {
    parse_located(EXAMPLE, path()).unwrap_or_else(|e| panic!("the example parses: {e}"))
}

#[test]
fn the_example_reads_as_written() {
    let located = example();
    let file = &located.file;
    assert_eq!(file.hosts, ["machine-a", "machine-b", "machine-c"]);
    assert_eq!(file.netmask, "30");
    assert_eq!(file.hostfile.as_deref(), Some("mlx-hostfile.json"));
    assert_eq!(
        file.ssh,
        SshSettings {
            config: Some("ssh_config".into()),
            connect_timeout: Some(5),
            command_timeout: Some(60),
            lock_wait: Some(0),
        }
    );
    assert_eq!(file.cables.len(), 3);
    assert_eq!(file.cables[2].b.node_spec(), "machine-c:en3:10.254.0.10");
    assert_eq!(file.proxies[0].spec(), "machine-a:machine-c");
    assert_eq!(located.lines.hosts, 3);
    assert_eq!(located.lines.netmask, Some(4));
    assert_eq!(located.lines.cables, [(14, 15), (18, 19), (22, 23)]);
    assert_eq!(located.line_of_spec("machine-c:en3:10.254.0.10"), Some(23));
    assert_eq!(located.line_of_spec("machine-a:machine-c"), Some(25));
}

#[test]
fn the_example_plans_like_the_readme_command_line() {
    let file = example().file;
    let line = file.command_line();
    assert_eq!(
        line.nodes,
        [
            "machine-a:en3:10.254.0.1",
            "machine-a:en5:10.254.0.5",
            "machine-b:en3:10.254.0.2",
            "machine-b:en5:10.254.0.9",
            "machine-c:en5:10.254.0.6",
            "machine-c:en3:10.254.0.10",
        ]
    );
    let mut argv: Vec<std::ffi::OsString> = vec!["rdma-setup".into()];
    argv.extend(file.argv(Path::new("/etc/rdma")));
    let args =
        <crate::cli::Args as clap::Parser>::try_parse_from(argv).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        args.ssh_config.as_deref(),
        Some(Path::new("/etc/rdma/ssh_config"))
    );
    assert_eq!(
        (args.connect_timeout, args.command_timeout, args.lock_wait),
        (5, 60, 0)
    );
    let plan = crate::app::plan(&args).unwrap_or_else(|e| panic!("plans: {e}"));
    let names: Vec<_> = plan.hosts.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(names, ["machine-a", "machine-b", "machine-c"]);
    assert_eq!(
        plan.ibv_json(),
        r#"[[null,"rdma_en3","rdma_en5"],["rdma_en3",null,"rdma_en5"],["rdma_en5","rdma_en3",null]]"#
    );
    assert_eq!(
        plan.hosts[2].via.as_ref().map(|h| h.as_str()),
        Some("machine-a")
    );
}

/// Rank order comes from `hosts`, not from which host a cable names first.
#[test]
fn hosts_order_is_the_rank_order() {
    let text = r#"
hosts = ["b", "a"]
[[cable]]
a = { host = "a", port = "en3", address = "10.254.0.1" }
b = { host = "b", port = "en3", address = "10.254.0.2" }
"#;
    let file = parse(text, path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(file.netmask, DEFAULT_NETMASK);
    assert_eq!(file.command_line().nodes[0], "b:en3:10.254.0.2");
}

#[test]
fn a_command_line_round_trips_through_a_file() {
    // The README's mesh as its command line gives it, the `--node` words left out.
    let nodes: Vec<String> = rdma_harness::examples::THREE_NODE_MESH
        .into_iter()
        .filter(|word| *word != "--node")
        .map(String::from)
        .collect();
    let extras = Extras {
        ssh_config: Some("ssh_config".into()),
        lock_wait: Some(0),
        ..Extras::default()
    };
    let file = from_args(&nodes, &["machine-a:machine-c".into()], "/30", extras)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parse(&render(&file), path()), Ok(file.clone()));
    let mut mine = example().file;
    mine.hostfile = None;
    mine.ssh.connect_timeout = None;
    mine.ssh.command_timeout = None;
    assert_eq!(file, mine);
}

#[test]
fn from_args_refuses_what_the_planner_refuses() {
    let nodes = ["a:en5:10.254.0.5".to_owned()];
    let error = from_args(&nodes, &[], "30", Extras::default()).expect_err("lonely");
    assert!(
        error.to_string().contains("holds only 'a:en5:10.254.0.5'"),
        "{error}"
    );
}

#[rstest]
#[case::not_toml("hosts = [\"a\"\n", Some(1), "array")]
#[case::typo("hosts = [\"a\", \"b\"]\nnetmsk = 30\n", Some(2), "netmsk")]
#[case::no_hosts("hosts = []\n", Some(1), "'hosts' is empty")]
#[case::missing_hosts("netmask = 30\n", Some(1), "missing field `hosts`")]
#[case::twice("hosts = [\"a\",\n  \"a\"]\n", Some(2), "'a' is listed twice")]
#[case::no_cable("hosts = [\"a\", \"b\"]\n", None, "no [[cable]]")]
#[case::unknown_host(
    "hosts = [\"a\", \"b\"]\n[[cable]]\na = { host = \"a\", port = \"en3\", address = \"10.254.0.1\" }\nb = { host = \"c\", port = \"en3\", address = \"10.254.0.2\" }\n",
    Some(4),
    "on 'c', which is not in 'hosts'"
)]
#[case::uncabled(
    "hosts = [\"a\", \"b\", \"c\"]\n[[cable]]\na = { host = \"a\", port = \"en3\", address = \"10.254.0.1\" }\nb = { host = \"b\", port = \"en3\", address = \"10.254.0.2\" }\n",
    Some(1),
    "'c' in 'hosts' has no [[cable]]"
)]
#[case::missing_port(
    "hosts = [\"a\", \"b\"]\n[[cable]]\na = { host = \"a\", address = \"10.254.0.1\" }\n",
    Some(3),
    "port"
)]
#[case::timeout(
    "hosts = [\"a\"]\n[ssh]\nconnect_timeout = 0\n[[cable]]\na = { host = \"a\", port = \"en3\", address = \"10.254.0.1\" }\nb = { host = \"a\", port = \"en5\", address = \"10.254.0.2\" }\n",
    Some(3),
    "connect_timeout = 0: give 1 to 86400 seconds"
)]
fn errors_name_the_line(#[case] text: &str, #[case] line: Option<usize>, #[case] expected: &str) {
    let error = parse(text, path()).expect_err("refused");
    assert_eq!(error.location.line, line, "{error}");
    let shown = error.to_string();
    let prefix = match line {
        Some(line) => format!("cluster.toml:{line}: "),
        None => "cluster.toml: ".to_owned(),
    };
    assert!(shown.starts_with(&prefix), "{shown}");
    assert!(shown.contains(expected), "{shown}");
}

/// A file the planner refuses points at the line of the spec it quotes.
#[test]
fn planner_errors_find_their_line() {
    let text = example_with("10.254.0.10", "10.254.0.13");
    let located = parse_located(&text, path()).unwrap_or_else(|e| panic!("{e}"));
    let line = located.file.command_line();
    let nodes = line
        .nodes
        .iter()
        .map(|spec| rdma_phase::NodeSpec::parse(spec));
    let nodes = nodes
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_else(|e| panic!("{e}"));
    let prefix = rdma_phase::Prefix::parse(&line.netmask).unwrap_or_else(|e| panic!("{e}"));
    let error = rdma_phase::ClusterPlan::build(nodes, Vec::new(), prefix).expect_err("lonely");
    let rdma_phase::PlanError::LonelySubnet { spec, .. } = error else {
        panic!("{error}")
    };
    assert_eq!(located.line_of_spec(&spec), Some(22));
}

fn example_with(from: &str, to: &str) -> String {
    EXAMPLE.replace(from, to)
}

/// Any text at all, quotes, backslashes and control characters included.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9.@_-]{1,12}",
        any::<String>(),
        "[\"\\\\\n\t\u{7f}\u{1}é ]{0,6}",
    ]
}

fn arbitrary_file() -> impl Strategy<Value = ClusterFile> {
    let end = || (0usize..4, text(), text());
    let proxy = (text(), text());
    let seconds = proptest::option::of(0u64..=86_400);
    (
        proptest::collection::hash_set(text(), 1..4),
        prop_oneof!["[0-9]{1,3}", text()],
        proptest::collection::vec((end(), end()), 1..5),
        proptest::collection::vec(proxy, 0..3),
        (
            proptest::option::of(text()),
            seconds.clone(),
            seconds.clone(),
            seconds,
        ),
        proptest::option::of(text()),
    )
        .prop_map(|(hosts, netmask, ends, proxies, ssh, hostfile)| {
            let hosts: Vec<String> = hosts.into_iter().collect();
            let end = |(host, port, address): (usize, String, String)| CableEnd {
                host: hosts[host % hosts.len()].clone(),
                port,
                address,
            };
            let mut cables: Vec<Cable> = ends
                .into_iter()
                .map(|(a, b)| Cable {
                    a: end(a),
                    b: end(b),
                })
                .collect();
            for (index, host) in hosts.iter().enumerate() {
                if !cables
                    .iter()
                    .any(|c| &c.a.host == host || &c.b.host == host)
                {
                    cables.push(Cable {
                        a: end((index, "en1".into(), "10.0.0.1".into())),
                        b: end((0, "en2".into(), "10.0.0.2".into())),
                    });
                }
            }
            let (config, connect, command, lock) = ssh;
            ClusterFile {
                hosts,
                netmask,
                cables,
                proxies: proxies
                    .into_iter()
                    .map(|(via, target)| Proxy { via, target })
                    .collect(),
                ssh: SshSettings {
                    config,
                    connect_timeout: connect.map(|s| s.max(1)),
                    command_timeout: command.map(|s| s.max(1)),
                    lock_wait: lock,
                },
                hostfile,
            }
        })
}

proptest! {
    #[test]
    fn render_then_parse_is_the_identity(file in arbitrary_file()) {
        let text = render(&file);
        prop_assert_eq!(parse(&text, path()), Ok(file), "{}", text);
    }
}

#[test]
fn the_example_survives_a_render() {
    let file = example().file;
    let text = render(&file);
    assert_eq!(parse(&text, path()), Ok(file));
    assert!(text.contains("the JACCL rank order"), "{text}");
}
