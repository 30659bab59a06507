//! Replace a file atomically with content sent on standard input.

use rdma_phase::RemoteCommand;

/// POSIX sh. `$1` is the target path. The content arrives on stdin, never in an argument,
/// so it can be any size and is never shell-parsed. `mktemp` next to the target keeps the
/// final `mv` a same-filesystem rename, so readers see the old file or the new one, never a
/// half-written one; a failure removes the temporary file.
pub const ATOMIC_WRITE_SCRIPT: &str = "t=$(mktemp \"$1.XXXXXX\") || exit 1; \
if cat > \"$t\" && chmod 644 \"$t\" && mv -f \"$t\" \"$1\"; then exit 0; fi; \
rm -f \"$t\"; exit 1";

/// The command that writes `content` to `path` on the host.
pub fn atomic_write(path: &str, content: &str) -> RemoteCommand {
    RemoteCommand::change(["sh", "-c", ATOMIC_WRITE_SCRIPT, "sh", path]).with_stdin(content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_goes_on_stdin_only() {
        let command = atomic_write("/tmp/mlx_ibv_devices.json", "[[null]]\n");
        assert_eq!(command.stdin(), Some("[[null]]\n"));
        assert!(command.changes_host());
        assert!(!command.needs_root());
        assert!(!command.shell_line().contains("[[null]]"));
        assert_eq!(
            command.argv(),
            [
                "sh",
                "-c",
                ATOMIC_WRITE_SCRIPT,
                "sh",
                "/tmp/mlx_ibv_devices.json"
            ]
        );
    }

    /// Runs the script with the local `sh`, which is what the remote end does.
    #[cfg(unix)]
    #[test]
    fn script_replaces_the_file_and_cleans_up() {
        use std::io::Write;
        use std::process::{Command, Stdio};

        let dir = std::env::temp_dir().join(format!("ibv-config-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let target = dir.join("devices.json");
        std::fs::write(&target, "old").expect("seed old content");

        let mut child = Command::new("sh")
            .args(["-c", ATOMIC_WRITE_SCRIPT, "sh"])
            .arg(&target)
            .stdin(Stdio::piped())
            .spawn()
            .expect("sh runs");
        child
            .stdin
            .take()
            .expect("piped stdin")
            .write_all(b"[[null]]\n")
            .expect("write stdin");
        assert!(child.wait().expect("sh exits").success());
        assert_eq!(
            std::fs::read_to_string(&target).expect("read back"),
            "[[null]]\n"
        );
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(&target).expect("stat").permissions(),
        );
        assert_eq!(mode & 0o777, 0o644, "JACCL may run as another user");
        let leftovers = std::fs::read_dir(&dir).expect("list dir").count();
        assert_eq!(leftovers, 1, "temporary file left behind");

        let missing_dir = dir.join("missing").join("devices.json");
        let status = Command::new("sh")
            .args(["-c", ATOMIC_WRITE_SCRIPT, "sh"])
            .arg(&missing_dir)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("sh runs");
        assert!(!status.success());
        std::fs::remove_dir_all(&dir).expect("clean up");
    }
}
