//! The test harness of `rdma-setup`: the replay transport and scenario loader, the
//! simulated macOS command output, and the lab of simulated Macs.

pub mod examples;
pub mod lab;
pub mod macos;
pub mod phase_test;
pub mod replay;
pub mod sim;
