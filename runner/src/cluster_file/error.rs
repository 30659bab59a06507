//! Why a cluster file was refused: the file, the line when known, and what is wrong there.

use std::fmt;
use std::path::PathBuf;

use rdma_phase::PlanError;

/// Where in a cluster file a problem is: `cluster.toml:12`, or the file alone when the
/// problem has no one line (a key that is missing altogether).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    /// 1-based.
    pub line: Option<usize>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.path.display()),
            None => write!(f, "{}", self.path.display()),
        }
    }
}

/// A cluster file that cannot be used, as `cluster.toml:12: <problem>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {problem}")]
pub struct ClusterFileError {
    pub location: Location,
    pub problem: Problem,
}

/// What is wrong at a [`Location`]. Checks of the values themselves (names, addresses,
/// subnets) are the planner's, on the `--node`/`--proxy` strings the file turns into.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("cannot read the cluster file: {0}")]
    Read(String),
    /// Not TOML, or not the shape of a cluster file (the `toml` crate's message).
    #[error("{0}")]
    Toml(String),
    #[error("'hosts' is empty: list the SSH hosts in rank order, e.g. hosts = [\"hwstudio1\", \"hwstudio2\"]")]
    NoHosts,
    #[error("'{0}' is listed twice in 'hosts': each host is one rank, listed once")]
    HostTwice(String),
    #[error("there is no [[cable]]: add one per Thunderbolt cable, with its two ends a and b")]
    NoCables,
    #[error("this cable end is on '{0}', which is not in 'hosts': add it there, at its rank")]
    UnknownHost(String),
    #[error("'{0}' in 'hosts' has no [[cable]]: every rank needs at least one cable end")]
    HostWithoutCable(String),
    #[error("{key} = {value}: give {least} to {most} seconds")]
    Seconds {
        key: &'static str,
        value: i64,
        least: u64,
        most: u64,
    },
}

/// Why [`super::from_args`] could not describe a command line as a cluster file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FromArgsError {
    /// The command line itself does not plan (the planner's own message).
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error("'{}' cannot be written to a cluster file: the path is not UTF-8", .0.display())]
    NotUtf8(PathBuf),
}
