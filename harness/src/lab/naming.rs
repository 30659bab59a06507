//! Unique, short lab names, so parallel tests never share a namespace or directory.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU32, Ordering};

use super::LabError;

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// `rl` and six hex digits: random per process, distinct per call.
pub fn fresh_name() -> String {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    hasher.write_u32(COUNTER.fetch_add(1, Ordering::Relaxed));
    format!("rl{:06x}", hasher.finish() & 0xff_ffff)
}

/// Refuse a name [`fresh_name`] could not have made: `..` or `a/b` would point outside the
/// lab's directory, `rl1a2b3c-h` at another lab's namespaces.
pub fn check_lab_name(name: &str) -> Result<(), LabError> {
    let plain = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        Ok(())
    } else {
        Err(LabError::NotALabName(name.to_owned()))
    }
}

/// Every namespace of a lab starts with this, which is how teardown finds them all.
pub fn ns_prefix(lab: &str) -> String {
    format!("{lab}-")
}

pub fn switch_ns(lab: &str) -> String {
    format!("{lab}-sw")
}

pub fn controller_ns(lab: &str) -> String {
    format!("{lab}-ctl")
}

pub fn host_ns(lab: &str, host: &str) -> String {
    format!("{lab}-h-{host}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_differ_and_share_the_prefix_rule() {
        let (a, b) = (fresh_name(), fresh_name());
        assert_ne!(a, b);
        assert_eq!(a.len(), 8);
        assert!(host_ns(&a, "hwstudio1").starts_with(&ns_prefix(&a)));
        assert!(!host_ns(&b, "x").starts_with(&ns_prefix(&a)));
    }

    #[test]
    fn only_plain_names_are_lab_names() {
        assert!(check_lab_name(&fresh_name()).is_ok());
        for bad in ["", "..", ".", "a/b", "/run", "rl1a2b3c-h", "rl 1"] {
            assert!(check_lab_name(bad).is_err(), "{bad:?}");
        }
    }
}
