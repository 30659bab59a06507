//! `uname` of a Mac Studio (M3 Ultra) on macOS 26.2: Darwin 25.2.0.
//!
//! The kernel version string is the one published `uname -a` captures of macOS 26.2 show for
//! the T6031 kernel, which the brief names for the M3 Ultra; the build date is taken from
//! such a capture and may differ by seconds from Apple's own Mac Studio build (UNCONFIRMED).
//! Options and usage are BSD `uname`'s: `-a` means `-mnrsv` (no `-p`), fields print in the
//! order s n r v m p whatever order the options came in.

pub const SYSNAME: &str = "Darwin";
pub const RELEASE: &str = "25.2.0";
pub const VERSION: &str = "Darwin Kernel Version 25.2.0: Tue Nov 18 21:09:41 PST 2025; \
                           root:xnu-12377.61.12~1/RELEASE_ARM64_T6031";
pub const MACHINE: &str = "arm64";
/// `uname -p` on Apple silicon.
pub const PROCESSOR: &str = "arm";

pub const UNAME_USAGE: &str = "usage: uname [-amnprsv]\n";

/// Which fields to print; none selected means `-s`, like plain `uname`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct UnameFields {
    pub sysname: bool,
    pub nodename: bool,
    pub release: bool,
    pub version: bool,
    pub machine: bool,
    pub processor: bool,
}

impl UnameFields {
    /// `-a`.
    pub const ALL: Self = Self {
        sysname: true,
        nodename: true,
        release: true,
        version: true,
        machine: true,
        processor: false,
    };

    /// Select the field of one option letter; `false` for a letter `uname` does not know.
    pub fn select(&mut self, option: char) -> bool {
        match option {
            'a' => {
                let processor = self.processor;
                *self = Self::ALL;
                self.processor = processor;
            }
            's' => self.sysname = true,
            'n' => self.nodename = true,
            'r' => self.release = true,
            'v' => self.version = true,
            'm' => self.machine = true,
            'p' => self.processor = true,
            _ => return false,
        }
        true
    }
}

/// A Mac's nodename: its local hostname with `.local`, as Bonjour names it.
pub fn darwin_nodename(hostname: &str) -> String {
    format!("{hostname}.local")
}

/// The selected fields, space separated, and a newline.
pub fn uname(fields: UnameFields, nodename: &str) -> String {
    let fields = if fields == UnameFields::default() {
        UnameFields {
            sysname: true,
            ..UnameFields::default()
        }
    } else {
        fields
    };
    let words: Vec<&str> = [
        (fields.sysname, SYSNAME),
        (fields.nodename, nodename),
        (fields.release, RELEASE),
        (fields.version, VERSION),
        (fields.machine, MACHINE),
        (fields.processor, PROCESSOR),
    ]
    .into_iter()
    .filter_map(|(on, word)| on.then_some(word))
    .collect();
    format!("{}\n", words.join(" "))
}

/// An unknown option letter: (stderr, exit code).
pub fn uname_illegal_option(option: char) -> (String, i32) {
    (
        format!("uname: illegal option -- {option}\n{UNAME_USAGE}"),
        1,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(options: &str) -> UnameFields {
        let mut fields = UnameFields::default();
        for option in options.chars() {
            assert!(fields.select(option));
        }
        fields
    }

    #[test]
    fn all_fields() {
        assert_eq!(
            uname(UnameFields::ALL, &darwin_nodename("hwstudio1")),
            "Darwin hwstudio1.local 25.2.0 Darwin Kernel Version 25.2.0: Tue Nov 18 21:09:41 PST \
             2025; root:xnu-12377.61.12~1/RELEASE_ARM64_T6031 arm64\n"
        );
    }

    #[test]
    fn single_fields_and_the_bare_command() {
        let node = "hwstudio1.local";
        assert_eq!(uname(UnameFields::default(), node), "Darwin\n");
        assert_eq!(uname(with("n"), node), "hwstudio1.local\n");
        assert_eq!(uname(with("s"), node), "Darwin\n");
        assert_eq!(uname(with("m"), node), "arm64\n");
        assert_eq!(uname(with("r"), node), "25.2.0\n");
        assert_eq!(uname(with("p"), node), "arm\n");
        // Options in any order print in the fixed order.
        assert_eq!(uname(with("rs"), node), "Darwin 25.2.0\n");
        assert_eq!(
            uname(with("pa"), node).split(' ').next_back(),
            Some("arm\n")
        );
    }

    #[test]
    fn unknown_option() {
        let mut fields = UnameFields::default();
        assert!(!fields.select('-'));
        assert_eq!(
            uname_illegal_option('-'),
            (
                "uname: illegal option -- -\nusage: uname [-amnprsv]\n".to_owned(),
                1
            )
        );
    }
}
