//! `sw_vers`: every simulated Mac runs macOS 26.2.

use super::Reply;
use crate::macos::{sw_vers, sw_vers_field, SwVersField, SW_VERS_USAGE};

/// Options as `getopt_long_only` takes them: one or two dashes, the three historical
/// casings (compared without case here), the last one wins.
pub fn run(args: &[String]) -> Reply {
    let mut field = None;
    for arg in args {
        let name = arg.trim_start_matches('-').to_ascii_lowercase();
        field = Some(match name.as_str() {
            _ if !arg.starts_with('-') => return usage_error(),
            "productname" => SwVersField::ProductName,
            "productversion" => SwVersField::ProductVersion,
            "productversionextra" => SwVersField::ProductVersionExtra,
            "buildversion" => SwVersField::BuildVersion,
            "help" => return Reply::out(SW_VERS_USAGE),
            _ => return usage_error(),
        });
    }
    Reply::out(field.map_or_else(sw_vers, sw_vers_field))
}

fn usage_error() -> Reply {
    Reply {
        stdout: SW_VERS_USAGE.to_owned(),
        stderr: String::new(),
        code: 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_with(args: &[&str]) -> Reply {
        run(&args.iter().map(|arg| (*arg).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn options() {
        assert_eq!(run_with(&[]).stdout, sw_vers());
        assert_eq!(run_with(&["-productVersion"]).stdout, "26.2\n");
        assert_eq!(run_with(&["--buildVersion"]).stdout, "25C56\n");
        assert_eq!(run_with(&["-ProductName"]).stdout, "macOS\n");
        assert_eq!(run_with(&["--help"]).code, 0);
        let bad = run_with(&["-bogus"]);
        assert_eq!((bad.stdout.as_str(), bad.code), (SW_VERS_USAGE, 1));
        assert_eq!(run_with(&["productName"]).code, 1);
    }
}
