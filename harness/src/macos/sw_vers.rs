//! `sw_vers` of macOS 26.2 (build 25C56), the first release with RDMA over Thunderbolt.
//!
//! Layout: the key, a colon and two TABs (`ProductName:\t\tmacOS`), the form every capture of
//! macOS 11 and later shows. macOS 26.2 has no `ProductVersionExtra` (that appears only on
//! Rapid Security Responses), so the report is exactly three lines. The usage line, and that
//! it goes to standard output, follow a published reimplementation of Apple's tool
//! (UNCONFIRMED on a real Mac).

pub const PRODUCT_NAME: &str = "macOS";
pub const PRODUCT_VERSION: &str = "26.2";
pub const BUILD_VERSION: &str = "25C56";

/// Printed for `--help` (exit 0) and for an unknown option (exit 1).
pub const SW_VERS_USAGE: &str =
    "Usage: sw_vers [--help|--productName|--productVersion|--productVersionExtra|--buildVersion]\n";

/// One property, as `sw_vers -productName` and friends select it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwVersField {
    ProductName,
    ProductVersion,
    /// Empty on a release without a Rapid Security Response: prints nothing.
    ProductVersionExtra,
    BuildVersion,
}

/// `sw_vers` without arguments.
pub fn sw_vers() -> String {
    format!(
        "ProductName:\t\t{PRODUCT_NAME}\nProductVersion:\t\t{PRODUCT_VERSION}\nBuildVersion:\t\t{BUILD_VERSION}\n"
    )
}

/// `sw_vers -<field>`: the bare value and a newline.
pub fn sw_vers_field(field: SwVersField) -> String {
    match field {
        SwVersField::ProductName => format!("{PRODUCT_NAME}\n"),
        SwVersField::ProductVersion => format!("{PRODUCT_VERSION}\n"),
        SwVersField::ProductVersionExtra => String::new(),
        SwVersField::BuildVersion => format!("{BUILD_VERSION}\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_tab_separated_lines() {
        assert_eq!(
            sw_vers(),
            "ProductName:\t\tmacOS\nProductVersion:\t\t26.2\nBuildVersion:\t\t25C56\n"
        );
    }

    #[test]
    fn single_fields() {
        assert_eq!(sw_vers_field(SwVersField::ProductName), "macOS\n");
        assert_eq!(sw_vers_field(SwVersField::ProductVersion), "26.2\n");
        assert_eq!(sw_vers_field(SwVersField::BuildVersion), "25C56\n");
        assert_eq!(sw_vers_field(SwVersField::ProductVersionExtra), "");
    }
}
