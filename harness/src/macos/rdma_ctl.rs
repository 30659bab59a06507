//! `rdma_ctl` (macOS 26.2+).

/// `rdma_ctl status`: one word on stdout.
pub fn status(enabled: bool) -> &'static str {
    if enabled {
        "enabled\n"
    } else {
        "disabled\n"
    }
}

/// `rdma_ctl enable|disable` outside Recovery: (stderr, exit code).
pub fn needs_recovery() -> (&'static str, i32) {
    (
        "rdma_ctl: This tool needs to be executed from Recovery OS.\n",
        77,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        assert_eq!(status(true), "enabled\n");
        assert_eq!(status(false), "disabled\n");
        assert_eq!(needs_recovery().1, 77);
    }
}
