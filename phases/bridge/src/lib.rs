//! Phase `bridge` (being written).
