//! Who started which lab on this machine, and the one lab `cargo xtask lab down` may remove
//! when it is not told which: other shells and test runs have labs of their own.

use super::state::{base_dir, LabState, Starter};
use super::{sys, teardown};

/// One lab on this machine, as the list of running labs shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabEntry {
    pub name: String,
    /// `None` when unknown: a lab from before this was recorded, or one whose `lab.json`
    /// cannot be read.
    pub started_by: Option<Starter>,
    /// Seconds since the Unix epoch.
    pub started_at: Option<u64>,
    pub scenario: Option<String>,
    /// The running process (a test) whose `Lab` owns this lab and removes it when it ends.
    pub held_by: Option<u32>,
}

impl LabEntry {
    fn from_state(name: String, state: Option<LabState>) -> Self {
        let state = state.as_ref();
        Self {
            name,
            started_by: state.and_then(|s| s.started_by.clone()),
            started_at: state.and_then(|s| s.started_at),
            scenario: state.and_then(|s| s.scenario.clone()),
            held_by: state
                .and_then(|s| s.owner_pid)
                .filter(|pid| sys::alive(*pid)),
        }
    }
}

/// Every lab recorded on this machine, by name.
pub fn labs() -> Vec<LabEntry> {
    teardown::all_labs()
        .into_iter()
        .map(|name| {
            let state = LabState::load(&base_dir().join(&name)).ok();
            LabEntry::from_state(name, state)
        })
        .collect()
}

/// The user of this process: its real uid, and `SUDO_UID`/`SUDO_USER` when run by sudo.
pub fn whoami() -> Starter {
    let uid = sys::real_uid().unwrap_or(u32::MAX);
    let sudo_uid = std::env::var("SUDO_UID")
        .ok()
        .and_then(|text| text.trim().parse().ok());
    Starter {
        uid,
        user: user_name(uid).unwrap_or_else(|| format!("uid {uid}")),
        sudo_uid,
        sudo_user: sudo_uid.and_then(|_| std::env::var("SUDO_USER").ok()),
    }
}

fn user_name(uid: u32) -> Option<String> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let id: u32 = fields.nth(1)?.parse().ok()?;
        (id == uid).then(|| name.to_owned())
    })
}

/// What `lab down` without `--lab` does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefaultDown {
    /// There is no lab on this machine at all.
    NoLab,
    /// Remove this lab: the only one this user started, and no running test holds it.
    Remove(String),
    /// Remove nothing, for this reason; the caller lists the labs and asks for `--lab`.
    Refuse(String),
}

/// The lab `me` may remove without naming it: the only lab `me` started, unless a running
/// process (a test) holds it. Anything else is refused.
pub fn default_down(labs: &[LabEntry], me: &Starter) -> DefaultDown {
    if labs.is_empty() {
        return DefaultDown::NoLab;
    }
    let mine: Vec<&LabEntry> = labs
        .iter()
        .filter(|lab| lab.started_by.as_ref().is_some_and(|who| who.same_user(me)))
        .collect();
    match mine.as_slice() {
        [] => DefaultDown::Refuse(format!(
            "none of the {} running labs was started by {me}",
            labs.len()
        )),
        [lab] => match lab.held_by {
            Some(pid) => DefaultDown::Refuse(format!(
                "the one lab {me} started, {}, belongs to running process {pid} \
                 (a test), which removes it when it ends",
                lab.name
            )),
            None => DefaultDown::Remove(lab.name.clone()),
        },
        several => DefaultDown::Refuse(format!(
            "{me} started {} running labs ({})",
            several.len(),
            several
                .iter()
                .map(|lab| lab.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// The labs as a table: name, who started it, when (UTC), scenario, and the running
/// process that holds it, if any.
pub fn table(labs: &[LabEntry]) -> String {
    let unknown = || "?".to_owned();
    let mut rows = vec![[
        "NAME".to_owned(),
        "STARTED BY".to_owned(),
        "STARTED (UTC)".to_owned(),
        "SCENARIO".to_owned(),
    ]];
    for lab in labs {
        let mut scenario = lab.scenario.clone().unwrap_or_else(unknown);
        if let Some(pid) = lab.held_by {
            scenario.push_str(&format!("  [held by running process {pid}]"));
        }
        rows.push([
            lab.name.clone(),
            lab.started_by
                .as_ref()
                .map_or_else(unknown, ToString::to_string),
            lab.started_at.map_or_else(unknown, utc),
            scenario,
        ]);
    }
    let width = |column: usize| rows.iter().map(|row| row[column].len()).max().unwrap_or(0);
    let widths = [width(0), width(1), width(2)];
    rows.iter()
        .map(|row| {
            format!(
                "  {:w0$}  {:w1$}  {:w2$}  {}\n",
                row[0],
                row[1],
                row[2],
                row[3],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2]
            )
        })
        .collect()
}

/// Seconds since the Unix epoch as `YYYY-MM-DD HH:MM:SS` (UTC).
pub fn utc(secs: u64) -> String {
    let days = i64::try_from(secs / 86_400).unwrap_or(i64::MAX / 2);
    let rest = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
#[path = "roster_tests.rs"]
mod tests;
