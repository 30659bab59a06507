//! On a terminal, while hosts work: one live line per host that is still busy (connecting,
//! which phase, waiting for the lock or the other hosts), on stderr, cleared when it is done.
//! Nothing of it when stderr is not a terminal, with `-q`, or when logs (`-v`) go to stderr.
//! A password prompt hides the lines while it asks, so the two never fight.

use std::sync::Arc;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use rdma_phase::ClusterPlan;

use crate::report::{Event, LOCK_STEP};
use crate::ssh::{PromptError, Secret, SecretPrompt, TtyPrompt};

pub struct Progress {
    multi: MultiProgress,
    lines: Vec<ProgressBar>,
}

impl Progress {
    /// Lines for every host of `plan`, drawn on stderr (indicatif draws nothing when stderr
    /// is not a terminal).
    pub fn new(plan: &ClusterPlan) -> Self {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{spinner} {prefix:<14} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let lines = plan
            .hosts
            .iter()
            .map(|host| {
                let line = multi.add(ProgressBar::new_spinner());
                line.set_style(style.clone());
                line.set_prefix(host.name.to_string());
                line.set_message("connecting");
                line.enable_steady_tick(Duration::from_millis(120));
                line
            })
            .collect();
        Self { multi, lines }
    }

    /// Show what `event` says a host is doing now.
    pub fn update(&self, event: &Event) {
        let (host, state) = match event {
            Event::Connected(host) => (host, Some("connected".to_owned())),
            Event::PhaseStarted(host, LOCK_STEP) => (host, Some("the host lock".to_owned())),
            Event::PhaseStarted(host, phase) => (host, Some(format!("phase {phase}"))),
            Event::LocalDone(host) => (host, Some("waiting for the other hosts".to_owned())),
            Event::Lost(host, _) | Event::Finished(host) => (host, None),
            Event::PhaseFinished(..) | Event::Interfered(..) | Event::Rank0Ping(..) => return,
        };
        let Some(line) = self.lines.get(host.0) else {
            return;
        };
        match state {
            Some(state) => line.set_message(state),
            None => line.finish_and_clear(),
        }
    }

    /// Run `print` with the lines taken off the screen, and draw them again below what it
    /// printed: the report and the lines share the terminal.
    pub fn suspend<R>(&self, print: impl FnOnce() -> R) -> R {
        self.multi.suspend(print)
    }

    /// Remove every line (the run is over, or interrupted).
    pub fn clear(&self) {
        for line in &self.lines {
            line.finish_and_clear();
        }
        let _ = self.multi.clear();
    }

    /// A terminal prompt that hides the lines while it asks.
    pub fn prompt(&self) -> Arc<dyn SecretPrompt> {
        Arc::new(QuietPrompt {
            multi: self.multi.clone(),
        })
    }
}

struct QuietPrompt {
    multi: MultiProgress,
}

impl SecretPrompt for QuietPrompt {
    fn ask(&self, prompt: &str) -> Result<Secret, PromptError> {
        self.multi.suspend(|| TtyPrompt.ask(prompt))
    }
}
