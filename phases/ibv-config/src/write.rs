//! Replace a file atomically with content sent on standard input.

use rdma_phase::RemoteCommand;

/// POSIX sh. `$1` is the target path. The content arrives on stdin, never in an argument,
/// so it can be any size and is never shell-parsed. `mktemp` next to the target keeps the
/// final `mv` a same-filesystem rename, so readers see the old file or the new one, never a
/// half-written one; a failure removes the temporary file.
///
/// A directory at the target (or a symlink to one) is refused up front with exit code
/// [`TARGET_IS_A_DIRECTORY`]: `mv` would move the file *into* it, succeed, and leave a stray
/// temporary file there on every run.
pub const ATOMIC_WRITE_SCRIPT: &str = "if [ -d \"$1\" ]; then \
echo \"$1 is a directory\" >&2; exit 3; fi; \
t=$(mktemp \"$1.XXXXXX\") || exit 1; \
if cat > \"$t\" && chmod 644 \"$t\" && mv -f \"$t\" \"$1\"; then exit 0; fi; \
rm -f \"$t\"; exit 1";

/// The exit code of [`ATOMIC_WRITE_SCRIPT`] when the target is a directory.
pub const TARGET_IS_A_DIRECTORY: i32 = 3;

/// The command that writes `content` to `path` on the host.
pub fn atomic_write(path: &'static str, content: &str) -> RemoteCommand {
    RemoteCommand::change(["sh", "-c", ATOMIC_WRITE_SCRIPT, "sh", path])
        .with_stdin(content)
        .about(path)
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

        // A directory in the file's place: refused, nothing moved into it, nothing left over.
        let in_the_way = dir.join("in-the-way.json");
        std::fs::create_dir(&in_the_way).expect("directory in the way");
        let linked = dir.join("linked.json");
        std::os::unix::fs::symlink(&in_the_way, &linked).expect("symlink to it");
        for target in [&in_the_way, &linked] {
            let output = Command::new("sh")
                .args(["-c", ATOMIC_WRITE_SCRIPT, "sh"])
                .arg(target)
                .stdin(Stdio::null())
                .output()
                .expect("sh runs");
            assert_eq!(output.status.code(), Some(TARGET_IS_A_DIRECTORY));
            assert_eq!(
                String::from_utf8_lossy(&output.stderr),
                format!("{} is a directory\n", target.display())
            );
        }
        assert_eq!(std::fs::read_dir(&in_the_way).expect("list").count(), 0);
        assert_eq!(std::fs::read_dir(&dir).expect("list dir").count(), 3);

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
