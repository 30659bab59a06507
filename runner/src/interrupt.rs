//! Ctrl-C: the run notices it, prints what finished and exits 130 instead of dying silently.
//!
//! The signal only sets a flag; the main thread, which waits on the host threads in short
//! ticks, sees it within one tick. A second Ctrl-C ends the process at once, in case printing
//! the report is what hangs.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use rustix::termios::{tcgetattr, tcsetattr, OptionalActions, Termios};
use signal_hook::consts::SIGINT;

use crate::report::INTERRUPTED;

pub struct Interrupt {
    requested: Arc<AtomicBool>,
    /// The terminal as it was before any password prompt turned echo off.
    terminal: Option<Termios>,
}

impl Interrupt {
    /// Catch SIGINT from now on.
    pub fn install() -> std::io::Result<Self> {
        let requested = Arc::new(AtomicBool::new(false));
        // Registered first, so it sees the flag before the second signal sets it again.
        signal_hook::flag::register_conditional_shutdown(
            SIGINT,
            INTERRUPTED,
            Arc::clone(&requested),
        )?;
        signal_hook::flag::register(SIGINT, Arc::clone(&requested))?;
        let stdin = std::io::stdin();
        let terminal = if stdin.is_terminal() {
            tcgetattr(&stdin).ok()
        } else {
            None
        };
        Ok(Self {
            requested,
            terminal,
        })
    }

    pub fn requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }

    /// Undo what an unfinished password prompt did to the terminal (echo off): the process
    /// is about to exit without the prompt's own clean-up.
    pub fn restore_terminal(&self) {
        if let Some(saved) = &self.terminal {
            let _ = tcsetattr(std::io::stdin(), OptionalActions::Now, saved);
        }
    }
}
