use serde::Serialize;

/// One cell of JACCL's device matrix: no device, one, or several (several cables between
/// the same pair of hosts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum IbvEntry {
    None,
    One(String),
    Many(Vec<String>),
}

impl IbvEntry {
    fn push(&mut self, device: String) {
        *self = match std::mem::replace(self, Self::None) {
            Self::None => Self::One(device),
            Self::One(first) => Self::Many(vec![first, device]),
            Self::Many(mut all) => {
                all.push(device);
                Self::Many(all)
            }
        };
    }

    pub fn is_none(&self) -> bool {
        matches!(self, Self::None)
    }

    pub fn devices(&self) -> Vec<&str> {
        match self {
            Self::None => Vec::new(),
            Self::One(device) => vec![device],
            Self::Many(all) => all.iter().map(String::as_str).collect(),
        }
    }
}

/// `matrix[i][j]`: the RDMA device on rank i that reaches rank j (`null` on the diagonal).
///
/// Row i names host i's own interfaces, which differ per peer in a mesh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct IbvMatrix(pub Vec<Vec<IbvEntry>>);

impl IbvMatrix {
    pub fn empty(size: usize) -> Self {
        Self(vec![vec![IbvEntry::None; size]; size])
    }

    pub(super) fn add(&mut self, from: usize, to: usize, device: String) {
        self.0[from][to].push(device);
    }

    pub fn size(&self) -> usize {
        self.0.len()
    }

    pub fn entry(&self, from: usize, to: usize) -> &IbvEntry {
        &self.0[from][to]
    }

    /// Compact JSON, the exact bytes written to every host's device file.
    pub fn to_json(&self) -> String {
        // Serializing strings, nulls and arrays cannot fail.
        serde_json::to_string(self).unwrap_or_else(|_| "[]".to_owned())
    }
}
