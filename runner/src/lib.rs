//! `rdma-setup`: the command line, the transports and the orchestration of phases.
//!
//! The binary is a thin `main` over this library so that integration tests can drive the
//! same code.

pub mod ssh;
