//! The shared core of `rdma-setup`.
//!
//! Everything a phase needs and nothing that does I/O: the [`Phase`] trait and its
//! `inventory` registry, the [`Transport`] trait phases talk through, the [`plan`] of the
//! cluster built from the command line, the [`Outcome`] rows phases report, and parsers for
//! what macOS commands print.

pub mod command;
pub mod context;
pub mod discover;
pub mod facts;
pub mod host_lock;
pub mod names;
pub mod outcome;
pub mod parse;
pub mod phase;
pub mod plan;
pub mod reads;
pub mod shared;
pub mod transport;

pub use command::RemoteCommand;
pub use context::{Absent, Applied, Context, Mode};
pub use names::{HostName, IfaceName, NameError};
pub use outcome::{Outcome, Status};
pub use phase::{registered_phases, Phase, PhaseError, PhaseRegistration, Scope};
pub use plan::{ClusterPlan, HostId, Link, NodeId, NodeSpec, PlanError, Prefix};
pub use shared::SharedReads;
pub use transport::{CommandOutput, Connector, Staged, Transport, TransportError};

/// Where JACCL reads the device matrix from (`MLX_IBV_DEVICES` points here by convention).
pub const IBV_DEVICES_PATH: &str = "/tmp/mlx_ibv_devices.json";
