//! Replay transport, fixtures and the lab.
