//! Parsers for what macOS commands print (formats in `shared/reference/macos-commands.md`).
//!
//! Pure functions over text; they never panic on arbitrary input.
