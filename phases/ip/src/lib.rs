//! Phase `ip` (being written).
