//! Writing a file whole (the cluster file, the MLX hostfile): a temporary file in the same
//! folder, then a rename, so a reader (a bare `rdma-setup` or `mlx.launch` started at the
//! same moment) sees the old file or the new one, never half of one, and a failed write
//! leaves the old one.

use std::io::Write as _;
use std::path::Path;

/// Write `text` to `path` through a temporary file next to it.
pub fn write_whole(path: &Path, text: &str) -> std::io::Result<()> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = path.file_name().ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, "the path names no file")
    })?;
    let mut temporary_name = std::ffi::OsString::from(".");
    temporary_name.push(name);
    temporary_name.push(format!(".{}.tmp", std::process::id()));
    let temporary = folder.join(temporary_name);
    let written = std::fs::File::create_new(&temporary).and_then(|mut file| {
        file.write_all(text.as_bytes())?;
        file.sync_all()
    });
    let renamed = written.and_then(|()| std::fs::rename(&temporary, path));
    if renamed.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    renamed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_leaves_nothing_else() {
        let folder = tempfile::tempdir().expect("temp dir");
        let path = folder.path().join("rdma-cluster.toml");
        std::fs::write(&path, "old\n").expect("write");
        write_whole(&path, "new\n").expect("written");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "new\n");
        let names: Vec<_> = std::fs::read_dir(folder.path())
            .expect("list")
            .map(|entry| entry.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["rdma-cluster.toml"]);
    }

    #[test]
    fn a_missing_folder_is_an_error_and_nothing_is_left() {
        let folder = tempfile::tempdir().expect("temp dir");
        let path = folder.path().join("no-such-folder").join("c.toml");
        assert!(write_whole(&path, "x").is_err());
        assert!(!path.exists());
    }
}
