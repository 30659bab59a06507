//! Reading a cluster file: TOML through serde with spans, then the checks that need the
//! whole file (every cable end on a listed host, every host with a cable), each error at
//! its line.

use std::fmt;
use std::ops::Range;
use std::path::Path;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use toml::Spanned;

use crate::cli::MAX_TIMEOUT_SECS;

use super::{
    Cable, CableEnd, ClusterFile, ClusterFileError, EndRef, Location, Problem, Proxy, SshSettings,
    DEFAULT_NETMASK,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    hosts: Spanned<Vec<Spanned<String>>>,
    netmask: Option<Spanned<Netmask>>,
    hostfile: Option<String>,
    ssh: Option<RawSsh>,
    #[serde(default)]
    cable: Vec<Spanned<RawCable>>,
    #[serde(default)]
    proxy: Vec<Spanned<RawProxy>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSsh {
    config: Option<String>,
    connect_timeout: Option<Spanned<i64>>,
    command_timeout: Option<Spanned<i64>>,
    lock_wait: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCable {
    a: Spanned<RawEnd>,
    b: Spanned<RawEnd>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEnd {
    host: String,
    port: String,
    address: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProxy {
    via: String,
    target: String,
}

/// `netmask = 30` or `netmask = "30"`, kept as the text `--netmask` takes.
struct Netmask(String);

impl<'de> Deserialize<'de> for Netmask {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Text;
        impl Visitor<'_> for Text {
            type Value = Netmask;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a prefix length such as 30")
            }
            fn visit_i64<E: de::Error>(self, value: i64) -> Result<Netmask, E> {
                Ok(Netmask(value.to_string()))
            }
            fn visit_u64<E: de::Error>(self, value: u64) -> Result<Netmask, E> {
                Ok(Netmask(value.to_string()))
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<Netmask, E> {
                Ok(Netmask(value.to_owned()))
            }
        }
        deserializer.deserialize_any(Text)
    }
}

/// Where each part of a parsed file was written (1-based lines), to point the planner's
/// errors at the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLines {
    pub hosts: usize,
    pub netmask: Option<usize>,
    /// The lines of each cable's ends `a` and `b`.
    pub cables: Vec<(usize, usize)>,
    pub proxies: Vec<usize>,
}

impl SourceLines {
    /// The line of one cable end.
    pub fn end(&self, at: EndRef) -> Option<usize> {
        self.cables
            .get(at.cable)
            .map(|&(a, b)| if at.is_b { b } else { a })
    }
}

/// A parsed file and where its parts are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub file: ClusterFile,
    pub lines: SourceLines,
}

impl Located {
    /// The line that wrote a `--node` or `--proxy` string of [`ClusterFile::command_line`]
    /// (the planner's errors quote these strings).
    pub fn line_of_spec(&self, spec: &str) -> Option<usize> {
        let line = self.file.command_line();
        let node = line.nodes.iter().position(|node| node == spec);
        if let Some(at) = node.and_then(|index| line.node_ends.get(index)) {
            return self.lines.end(*at);
        }
        let proxy = line.proxies.iter().position(|proxy| proxy == spec)?;
        self.lines.proxies.get(proxy).copied()
    }
}

/// Read and parse the cluster file at `path`.
pub fn load(path: &Path) -> Result<Located, ClusterFileError> {
    let text = std::fs::read_to_string(path).map_err(|error| ClusterFileError {
        location: Location {
            path: path.to_owned(),
            line: None,
        },
        problem: Problem::Read(error.to_string()),
    })?;
    parse_located(&text, path)
}

/// Parse a cluster file's text; `path` only names the file in errors.
pub fn parse(text: &str, path: &Path) -> Result<ClusterFile, ClusterFileError> {
    parse_located(text, path).map(|located| located.file)
}

/// [`parse`], keeping the line of every part.
pub fn parse_located(text: &str, path: &Path) -> Result<Located, ClusterFileError> {
    let line_of = |span: Range<usize>| line_at(text, span.start);
    let fail = |line: Option<usize>, problem| ClusterFileError {
        location: Location {
            path: path.to_owned(),
            line,
        },
        problem,
    };
    let raw: RawFile = toml::from_str(text).map_err(|error| {
        let line = error.span().map(line_of);
        fail(line, Problem::Toml(error.message().trim().to_owned()))
    })?;

    let hosts_line = line_of(raw.hosts.span());
    let mut hosts: Vec<String> = Vec::new();
    for host in raw.hosts.into_inner() {
        let line = line_of(host.span());
        let host = host.into_inner();
        if hosts.contains(&host) {
            return Err(fail(Some(line), Problem::HostTwice(host)));
        }
        hosts.push(host);
    }
    if hosts.is_empty() {
        return Err(fail(Some(hosts_line), Problem::NoHosts));
    }
    if raw.cable.is_empty() {
        return Err(fail(None, Problem::NoCables));
    }

    let mut cables = Vec::new();
    let mut cable_lines = Vec::new();
    for cable in raw.cable {
        let cable = cable.into_inner();
        let (a_line, b_line) = (line_of(cable.a.span()), line_of(cable.b.span()));
        let [a, b] = [(cable.a, a_line), (cable.b, b_line)].map(|(end, line)| {
            let end = end.into_inner();
            let end = CableEnd {
                host: end.host,
                port: end.port,
                address: end.address,
            };
            (end, line)
        });
        for (end, line) in [&a, &b] {
            if !hosts.contains(&end.host) {
                return Err(fail(Some(*line), Problem::UnknownHost(end.host.clone())));
            }
        }
        cables.push(Cable { a: a.0, b: b.0 });
        cable_lines.push((a_line, b_line));
    }
    let cabled = |host: &String| {
        cables
            .iter()
            .any(|c| &c.a.host == host || &c.b.host == host)
    };
    if let Some(host) = hosts.iter().find(|host| !cabled(host)) {
        return Err(fail(
            Some(hosts_line),
            Problem::HostWithoutCable(host.clone()),
        ));
    }

    let ssh = match raw.ssh {
        None => SshSettings::default(),
        Some(ssh) => {
            let seconds = |key: &'static str, value: Option<Spanned<i64>>, least: u64| {
                value
                    .map(|value| {
                        let line = line_of(value.span());
                        let value = value.into_inner();
                        u64::try_from(value)
                            .ok()
                            .filter(|secs| (least..=MAX_TIMEOUT_SECS).contains(secs))
                            .ok_or_else(|| {
                                let most = MAX_TIMEOUT_SECS;
                                let problem = Problem::Seconds {
                                    key,
                                    value,
                                    least,
                                    most,
                                };
                                fail(Some(line), problem)
                            })
                    })
                    .transpose()
            };
            SshSettings {
                config: ssh.config,
                connect_timeout: seconds("connect_timeout", ssh.connect_timeout, 1)?,
                command_timeout: seconds("command_timeout", ssh.command_timeout, 1)?,
                lock_wait: seconds("lock_wait", ssh.lock_wait, 0)?,
            }
        }
    };

    let netmask_line = raw.netmask.as_ref().map(|n| line_of(n.span()));
    let netmask = raw
        .netmask
        .map_or_else(|| DEFAULT_NETMASK.to_owned(), |n| n.into_inner().0);
    let proxy_lines = raw.proxy.iter().map(|p| line_of(p.span())).collect();
    let proxies = raw
        .proxy
        .into_iter()
        .map(|proxy| {
            let proxy = proxy.into_inner();
            Proxy {
                via: proxy.via,
                target: proxy.target,
            }
        })
        .collect();

    Ok(Located {
        file: ClusterFile {
            hosts,
            netmask,
            cables,
            proxies,
            ssh,
            hostfile: raw.hostfile,
        },
        lines: SourceLines {
            hosts: hosts_line,
            netmask: netmask_line,
            cables: cable_lines,
            proxies: proxy_lines,
        },
    })
}

/// The 1-based line holding byte `offset` of `text`.
fn line_at(text: &str, offset: usize) -> usize {
    let before = text.get(..offset).unwrap_or(text);
    before.bytes().filter(|&b| b == b'\n').count() + 1
}
