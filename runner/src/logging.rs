//! `-v` / `-vv`: tracing to stderr, so stdout stays the report.
//!
//! Host threads log while the main thread waits for them, so nothing may hold the stderr lock
//! for the length of a run: each event takes it just long enough to write its line.

use std::io::IsTerminal;

use tracing_subscriber::fmt;

pub fn init(verbosity: u8) {
    let level = match verbosity {
        0 => return,
        1 => tracing::Level::DEBUG,
        _ => tracing::Level::TRACE,
    };
    // Colour codes only for a person at a terminal: a log file or a pipe gets plain text.
    let ansi = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty());
    // A second init (tests call `execute` many times) keeps the first subscriber.
    let _ = fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_target(false)
        .try_init();
}
