//! Phase `ping` (being written).
