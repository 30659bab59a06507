//! Phase `ibv-config` (being written).
