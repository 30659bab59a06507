//! Finding the `mac-shim` binary the simulated Macs run as their macOS commands.

use std::path::{Path, PathBuf};

use super::{sys, LabError};

pub const SHIM_NAME: &str = "mac-shim";

/// `RDMA_LAB_SHIM`, else next to the running executable (cargo puts test binaries in
/// `target/<profile>/deps/` and binaries in `target/<profile>/`).
pub fn shim() -> Result<PathBuf, LabError> {
    let mut looked = Vec::new();
    if let Some(path) = std::env::var_os("RDMA_LAB_SHIM") {
        let path = PathBuf::from(path);
        if sys::is_executable(&path) {
            return Ok(path);
        }
        looked.push(format!("RDMA_LAB_SHIM={}", path.display()));
    }
    if let Ok(exe) = std::env::current_exe() {
        let mut dir: Option<&Path> = exe.parent();
        for _ in 0..2 {
            let Some(current) = dir else { break };
            let candidate = current.join(SHIM_NAME);
            if sys::is_executable(&candidate) {
                return Ok(candidate);
            }
            looked.push(candidate.display().to_string());
            dir = current.parent();
        }
    }
    Err(LabError::ShimMissing {
        looked: looked.join(", "),
    })
}
