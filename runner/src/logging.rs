//! `-v` / `-vv`: tracing to stderr, so stdout stays the report.

use tracing_subscriber::fmt;

pub fn init(verbosity: u8) {
    let level = match verbosity {
        0 => return,
        1 => tracing::Level::DEBUG,
        _ => tracing::Level::TRACE,
    };
    // A second init (tests call `execute` many times) keeps the first subscriber.
    let _ = fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
