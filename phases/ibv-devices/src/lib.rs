//! Phase `ibv-devices` (being written).
