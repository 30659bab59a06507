//! `--only` / `--skip`: which registered phases this run uses.

use rdma_phase::Phase;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectionError {
    #[error("unknown phase '{name}' in --{flag}; the phases are: {valid}")]
    Unknown {
        name: String,
        flag: &'static str,
        valid: String,
    },
    #[error("--only and --skip leave no phase to run")]
    Empty,
}

/// The phases to run, in run order.
pub fn select(
    all: &[&'static dyn Phase],
    only: &[String],
    skip: &[String],
) -> Result<Vec<&'static dyn Phase>, SelectionError> {
    let valid = || {
        all.iter()
            .map(|phase| phase.name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (flag, names) in [("only", only), ("skip", skip)] {
        if let Some(name) = names
            .iter()
            .find(|name| !all.iter().any(|phase| phase.name() == name.trim()))
        {
            return Err(SelectionError::Unknown {
                name: name.clone(),
                flag,
                valid: valid(),
            });
        }
    }
    let chosen: Vec<_> = all
        .iter()
        .copied()
        .filter(|phase| only.is_empty() || only.iter().any(|name| name.trim() == phase.name()))
        .filter(|phase| !skip.iter().any(|name| name.trim() == phase.name()))
        .collect();
    if chosen.is_empty() {
        return Err(SelectionError::Empty);
    }
    Ok(chosen)
}
