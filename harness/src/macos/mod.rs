//! macOS-format command output (being written).
