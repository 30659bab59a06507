//! The lab's files on disk: directories and files created with their modes, and removal
//! that does not mind a file already gone.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::LabError;

pub(super) fn mkdir(path: &Path, mode: u32) -> Result<(), LabError> {
    std::fs::create_dir_all(path).map_err(LabError::io(format!("create {}", path.display())))?;
    set_mode(path, mode)
}

pub(super) fn set_mode(path: &Path, mode: u32) -> Result<(), LabError> {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(LabError::io(format!("chmod {}", path.display())))
}

pub(super) fn write(path: &Path, text: &str, mode: u32) -> Result<(), LabError> {
    write_bytes(path, text.as_bytes(), mode)
}

pub(super) fn write_bytes(path: &Path, bytes: &[u8], mode: u32) -> Result<(), LabError> {
    std::fs::write(path, bytes).map_err(LabError::io(format!("write {}", path.display())))?;
    set_mode(path, mode)
}

/// Remove a file; one that is not there is not an error.
pub(super) fn remove(path: &Path) -> Result<(), LabError> {
    match std::fs::remove_file(path) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
            Err(LabError::io(format!("remove {}", path.display()))(err))
        }
        _ => Ok(()),
    }
}
