//! How a simulated Mac can be messier than a freshly rebooted Mac Studio, the way real Macs
//! in use are (the reference's "What real Macs show that a clean lab does not"). Unlike a
//! [`Fault`](super::Fault), nothing here is broken: the tool has to live with it.
//!
//! Every lab Mac already holds a self-assigned 169.254 address on each cabled port; these
//! add the rest on request: `lab up --busy HOST`, `--tb4 HOST`, `--old-device-file
//! HOST:predecessor|invalid`.

use rdma_phase::plan::IbvMatrix;

use super::{scenario, LabError, LabSpec};
use crate::macos::{predecessor_device_file, INVALID_DEVICE_FILE};

/// A device file another tool left in `/tmp/mlx_ibv_devices.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OldDeviceFile {
    /// The Python predecessor's `[[null, "rdma_en5"], ["rdma_en5", null]]` (spaces, no final
    /// newline), for the matrix the tool plans from the lab's cables (`scenario::node_args`).
    Predecessor,
    /// `{"devices": ["rdma_en5"]}`, which JACCL rejects.
    Invalid,
}

impl OldDeviceFile {
    pub fn word(self) -> &'static str {
        match self {
            Self::Predecessor => "predecessor",
            Self::Invalid => "invalid",
        }
    }

    pub fn from_word(word: &str) -> Option<Self> {
        [Self::Predecessor, Self::Invalid]
            .into_iter()
            .find(|kind| kind.word() == word)
    }

    /// The file's bytes in a lab built from `spec`.
    pub fn content(self, spec: &LabSpec) -> Result<String, LabError> {
        match self {
            Self::Predecessor => Ok(predecessor_device_file(&planned_matrix(spec)?)),
            Self::Invalid => Ok(INVALID_DEVICE_FILE.to_owned()),
        }
    }
}

/// A departure from a clean Mac that real Macs commonly show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Quirk {
    /// A Mac in daily use (`macos::busy`): a `10.254.254.254/8` loopback alias (a real
    /// address on `lo`), VM bridges `bridge100`/`bridge101` with members `vmenet0`/`vmenet1`
    /// (real kernel bridges), and, in the shims' listings only, `gif0`, `stf0`, `anpi0/1`,
    /// `ap1`, `awdl0`, `llw0` and `utun0`..`utun4`, the last a VPN on 10.254.0.0/16.
    Busy { host: String },
    /// A Thunderbolt 4 Mac: `rdma_ctl status` says enabled, no RDMA device, 40 Gb/s links.
    Thunderbolt4 { host: String },
    /// A device file left by another tool.
    OldDeviceFile { host: String, file: OldDeviceFile },
}

impl Quirk {
    pub fn host(&self) -> &str {
        match self {
            Self::Busy { host }
            | Self::Thunderbolt4 { host }
            | Self::OldDeviceFile { host, .. } => host,
        }
    }

    /// The `lab up` flag that asks for it.
    pub fn flag(&self) -> String {
        match self {
            Self::Busy { host } => format!("--busy {host}"),
            Self::Thunderbolt4 { host } => format!("--tb4 {host}"),
            Self::OldDeviceFile { host, file } => {
                format!("--old-device-file {host}:{}", file.word())
            }
        }
    }
}

/// A lab spec and the quirks of its Macs: what [`Lab::up`](super::Lab::up) builds. A plain
/// [`LabSpec`] converts into one without quirks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuirkySpec {
    pub spec: LabSpec,
    pub quirks: Vec<Quirk>,
}

impl From<LabSpec> for QuirkySpec {
    fn from(spec: LabSpec) -> Self {
        Self {
            spec,
            quirks: Vec::new(),
        }
    }
}

impl LabSpec {
    /// This spec with a quirk on one of its Macs.
    #[must_use]
    pub fn quirk(self, quirk: Quirk) -> QuirkySpec {
        QuirkySpec::from(self).quirk(quirk)
    }
}

impl QuirkySpec {
    #[must_use]
    pub fn quirk(mut self, quirk: Quirk) -> Self {
        self.quirks.push(quirk);
        self
    }

    pub fn validate(&self) -> Result<(), LabError> {
        self.spec.validate()?;
        for quirk in &self.quirks {
            if !self.spec.hosts.iter().any(|host| host == quirk.host()) {
                return Err(LabError::Spec(format!(
                    "quirk {quirk:?} names an unknown host"
                )));
            }
            if let Quirk::OldDeviceFile { file, .. } = quirk {
                file.content(&self.spec)?;
            }
        }
        Ok(())
    }

    /// How `lab up` would have been asked for it (for the list of running labs).
    pub fn describe(&self) -> String {
        let mut words = vec![scenario::describe(&self.spec)];
        words.extend(self.quirks.iter().map(Quirk::flag));
        words.join(" ")
    }

    pub fn is(&self, host: &str, wanted: impl Fn(&Quirk) -> bool) -> bool {
        self.quirks
            .iter()
            .any(|quirk| quirk.host() == host && wanted(quirk))
    }
}

/// JACCL's device matrix as the tool plans it for the lab's cables, addressed the way the
/// lab's tests address them.
fn planned_matrix(spec: &LabSpec) -> Result<IbvMatrix, LabError> {
    scenario::planned(spec)
        .map(|plan| plan.matrix)
        .map_err(|err| LabError::Spec(format!("planning the device file: {err}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_predecessors_file_follows_the_cables() {
        let two = OldDeviceFile::Predecessor
            .content(&scenario::two_node())
            .expect("plans");
        assert_eq!(two, r#"[[null, "rdma_en5"], ["rdma_en5", null]]"#);
        let three = OldDeviceFile::Predecessor
            .content(&scenario::three_node())
            .expect("plans");
        assert_eq!(
            three,
            r#"[[null, "rdma_en3", "rdma_en5"], ["rdma_en3", null, "rdma_en5"], ["rdma_en5", "rdma_en3", null]]"#
        );
        assert_eq!(
            OldDeviceFile::Invalid
                .content(&scenario::two_node())
                .expect("fixed"),
            "{\"devices\": [\"rdma_en5\"]}\n"
        );
    }

    #[test]
    fn quirks_name_known_hosts_and_read_as_flags() {
        let spec = scenario::two_node()
            .quirk(Quirk::Busy {
                host: "hwstudio1".into(),
            })
            .quirk(Quirk::OldDeviceFile {
                host: "hwstudio2".into(),
                file: OldDeviceFile::Predecessor,
            });
        spec.validate().expect("valid");
        assert_eq!(
            spec.describe(),
            "two-node --busy hwstudio1 --old-device-file hwstudio2:predecessor"
        );
        let bad = scenario::two_node().quirk(Quirk::Thunderbolt4 { host: "x".into() });
        assert!(bad.validate().is_err());
        assert_eq!(
            OldDeviceFile::from_word("invalid"),
            Some(OldDeviceFile::Invalid)
        );
        assert_eq!(OldDeviceFile::from_word("other"), None);
    }
}
