//! `rdma-setup`: the command line, the transports and the orchestration of phases.
//!
//! The binary is a thin `main` over [`app::execute`] so that tests drive the same code.

pub mod app;
pub mod cli;
pub mod cluster_file;
mod cluster_source;
pub mod color;
pub mod discover;
pub mod dry_run;
mod gate;
pub mod host_run;
pub mod hostfile;
mod hostfile_output;
mod hostfile_reach;
mod inert;
pub mod interrupt;
pub mod linked_phases;
mod live;
mod local_steps;
pub mod lock_step;
mod logging;
pub mod orchestrate;
mod progress;
mod proxy_view;
pub mod render;
mod replay_source;
pub mod report;
pub mod selection;
pub mod session;
pub mod ssh;
mod write_whole;
