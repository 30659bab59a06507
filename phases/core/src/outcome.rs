//! What a phase reports: one row per fact it checked or change it made.

use serde::Serialize;

use crate::plan::NodeId;

/// The verdict of one row, from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Already right; nothing done.
    Ok,
    /// Was wrong, has been fixed and verified.
    Changed,
    /// Not run (dry-run of a probe, or a host that was unreachable).
    Skipped,
    /// Would be changed by a real run (check mode and dry-run).
    Pending,
    /// Usable, but something deserves attention.
    Warn,
    /// Broken: the cluster will not work until this is fixed.
    Fail,
}

impl Status {
    /// Whether this row makes the run fail (exit code 1).
    pub fn is_failure(self) -> bool {
        self == Self::Fail
    }
}

/// One reported row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub status: Status,
    /// The line shown after the status mark, e.g. `Static IP set: 10.254.0.5/30`.
    pub message: String,
    /// What the user should do about it, shown under the line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// For cluster phases: who this row is about, e.g. `hwstudio1 -> hwstudio2`; the
    /// renderer prints `subject: mark message`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// A short machine-readable value for the summary table (the RDMA state).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// For cluster phases: the node spec on the running host this row is about, so the
    /// summary can count it against that node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<NodeId>,
    /// What a pending row says once its change is made (see [`Outcome::once_done`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub once_done: Option<String>,
    /// A failure that makes the node's later phases pointless or harmful (a cable that does
    /// not go where the plan says): the runner runs none of them for this node.
    #[serde(skip)]
    pub stops_node: bool,
}

impl Outcome {
    pub fn new(status: Status, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            hint: None,
            subject: None,
            value: None,
            node: None,
            once_done: None,
            stops_node: false,
        }
    }

    pub fn ok(message: impl Into<String>) -> Self {
        Self::new(Status::Ok, message)
    }

    pub fn changed(message: impl Into<String>) -> Self {
        Self::new(Status::Changed, message)
    }

    pub fn pending(message: impl Into<String>) -> Self {
        Self::new(Status::Pending, message)
    }

    pub fn skipped(message: impl Into<String>) -> Self {
        Self::new(Status::Skipped, message)
    }

    pub fn warn(message: impl Into<String>) -> Self {
        Self::new(Status::Warn, message)
    }

    pub fn fail(message: impl Into<String>) -> Self {
        Self::new(Status::Fail, message)
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    pub fn with_node(mut self, node: NodeId) -> Self {
        self.node = Some(node);
        self
    }

    pub fn with_value(mut self, value: impl Into<String>) -> Self {
        self.value = Some(value.into());
        self
    }

    /// Run no later phase for this row's node (see [`Outcome::stops_node`]).
    pub fn stopping_node(mut self) -> Self {
        self.stops_node = true;
        self
    }

    /// For a pending row: what it says once the change is made and verified
    /// (`Static IP set: 10.254.0.5/30`). A run that makes its changes together, ahead of the
    /// phases' own verification, reports the change with it.
    pub fn once_done(mut self, message: impl Into<String>) -> Self {
        self.once_done = Some(message.into());
        self
    }
}
