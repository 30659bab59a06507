//! `--replay DIR`: a recorded scenario instead of SSH, and what it takes from its recording.
//!
//! The recording says which cluster it saw and how it was run (`DIR/command`). Without
//! `--node` a replay uses that cluster; without `--only`/`--skip` it uses the recorded phase
//! selection (a recording of `--only ping` has nothing for the other phases); and a
//! recording of a run that changed hosts is not replayed as `--check`, which would report
//! the recorded changes as contradictions.

use std::path::Path;

use clap::Parser;
use rdma_phase::Connector;
use rdma_replay::{ReplayConnector, Scenario};

use crate::cli::Args;
use crate::proxy_view::ProxyView;

/// A scenario opened for replay.
pub struct Replay {
    /// The command line it was recorded with.
    pub recorded: Args,
    pub connector: Box<dyn Connector>,
    /// The first line of the output: which scenario is replayed.
    pub banner: String,
}

pub fn open(dir: &Path, args: &Args) -> Result<Replay, String> {
    let scenario = Scenario::load(dir).map_err(|e| e.to_string())?;
    let recorded = recorded_args(&scenario, dir)?;
    if args.check && !recorded.check {
        return Err(format!(
            "{} was recorded without --check, from a run that changed its hosts: replay it without --check, or record the cluster again with `cargo xtask record`",
            dir.display()
        ));
    }
    let banner = format!(
        "Replaying {}: recorded outputs, no host is contacted.\n",
        dir.display()
    );
    let origin = dir.display().to_string();
    let connector = Box::new(ProxyView(ReplayConnector::new(scenario, origin)));
    Ok(Replay {
        recorded,
        connector,
        banner,
    })
}

/// The phase selection of a replay: the command line's if it names one, else the recording's.
pub fn selection<'a>(args: &'a Args, recorded: &'a Args) -> (&'a [String], &'a [String]) {
    if args.only.is_empty() && args.skip.is_empty() {
        (&recorded.only, &recorded.skip)
    } else {
        (&args.only, &args.skip)
    }
}

fn recorded_args(scenario: &Scenario, dir: &Path) -> Result<Args, String> {
    let argv = std::iter::once("rdma-setup".to_owned()).chain(scenario.args.iter().cloned());
    Args::try_parse_from(argv).map_err(|error| {
        format!(
            "{}/command is not a valid rdma-setup command line: {}",
            dir.display(),
            error
                .render()
                .to_string()
                .lines()
                .next()
                .unwrap_or_default()
        )
    })
}
