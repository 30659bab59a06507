//! Stamps the binary with the git commit it was built from, for `--version`: a bug report
//! then says exactly which code ran. Outside a git checkout the commit reads "unknown".

use std::path::Path;
use std::process::Command;

fn main() {
    let commit = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .filter(|commit| !commit.is_empty())
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=RDMA_SETUP_COMMIT={commit}");

    // Build again when HEAD moves (a commit, a checkout), not on every build.
    let git_dir = Command::new("git")
        .args(["rev-parse", "--git-dir"])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned());
    if let Some(git_dir) = git_dir {
        let git_dir = Path::new(&git_dir);
        for watched in ["HEAD", "packed-refs", "refs/heads"] {
            println!("cargo:rerun-if-changed={}", git_dir.join(watched).display());
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
