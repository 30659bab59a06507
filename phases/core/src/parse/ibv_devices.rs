//! `ibv_devices`: the RDMA devices the host offers.

/// The device names, in the order printed (rdma-core does not sort them).
///
/// A device line is a name followed by a hexadecimal node GUID; the two header lines and
/// anything else (error text on stdout) are not devices. Header-only output means none.
/// Whitespace is any run of it: published copies lose the indent or turn the TAB into
/// spaces. A GUID redacted with `X` (`9016aXXX`, as users post them) still makes a device.
pub fn parse_ibv_devices(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let (name, guid) = (words.next()?, words.next()?);
            let is_device = words.next().is_none()
                && name != "device"
                && guid
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() || b.eq_ignore_ascii_case(&b'x'));
            is_device.then(|| name.to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;

    const HEADER: &str =
        "    device          \t   node GUID\n    ------          \t----------------\n";

    #[rstest]
    #[case(
        "    rdma_en2        \t8096a9d9edbaac05\n    rdma_en3        \t8196a9d9edbaac05\n    rdma_en5        \t8396a9d9edbaac05\n    rdma_en4        \t8296a9d9edbaac05\n",
        &["rdma_en2", "rdma_en3", "rdma_en5", "rdma_en4"]
    )]
    #[case("    rdma_en5        \t8396a9d9edbaac05\n", &["rdma_en5"])]
    #[case("", &[])]
    fn after_the_header(#[case] body: &str, #[case] devices: &[&str]) {
        assert_eq!(parse_ibv_devices(&format!("{HEADER}{body}")), devices);
    }

    #[rstest]
    #[case("")]
    #[case("No IB devices found\n")]
    #[case("Failed to get IB devices list: Function not implemented\n")]
    #[case("    device          \t   node GUID\r\n    ------          \t----------------\r\n")]
    fn no_devices(#[case] text: &str) {
        assert_eq!(parse_ibv_devices(text), Vec::<String>::new());
    }

    /// Published copies: the indent lost, the TAB turned into spaces, the GUIDs redacted.
    #[rstest]
    #[case("device          node GUID\n------          ----------------\nrdma_en2        8096a9d9edbaac05\nrdma_en5        8396a9d9edbaac05\n")]
    #[case("    device             node GUID\n    ------          ----------------\n    rdma_en2           8096a9d9edbaac05\n    rdma_en5           8396a9d9edbaac05\n")]
    #[case("    device          \t   node GUID\n    ------          \t----------------\n    rdma_en2        \t9016aXXX\n    rdma_en5        \tXXXXXXXXXXXXXXXX\n")]
    fn published_copies(#[case] text: &str) {
        assert_eq!(parse_ibv_devices(text), ["rdma_en2", "rdma_en5"]);
    }

    #[test]
    fn crlf_line_endings() {
        let text =
            format!("{HEADER}    rdma_en5        \t8396a9d9edbaac05\n").replace('\n', "\r\n");
        assert_eq!(parse_ibv_devices(&text), ["rdma_en5"]);
    }

    proptest! {
        #[test]
        fn never_panics(text in "\\PC*") {
            let _ = parse_ibv_devices(&text);
        }
    }
}
