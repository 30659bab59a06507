//! Replay transport and scenario files (being written).
