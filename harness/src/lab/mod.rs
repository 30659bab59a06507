//! The lab of simulated Macs (being written).
