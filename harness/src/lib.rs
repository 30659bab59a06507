//! The test harness of `rdma-setup`, never part of the shipped binary: the simulated macOS
//! command output, in-memory simulated Macs, phase test helpers, and the lab of simulated
//! Macs. Recorded scenarios and their replay are the product crate `rdma-replay`.

pub mod examples;
pub mod lab;
pub mod macos;
pub mod phase_test;
pub mod sim;
