//! What the device file on a host holds, judged as JACCL reads it: as a JSON value, not as
//! bytes. The Python predecessor wrote `[[null, "rdma_en5"], ["rdma_en5", null]]` (spaces,
//! no final newline): the same value as ours, so rewriting it would be a change for nothing.

use rdma_phase::CommandOutput;
use serde_json::Value;

/// The device file as `cat` found it, against the plan's matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// The same JSON value as the plan's matrix, however it is spelled.
    Current,
    /// No file, or `cat` could not read it.
    Absent,
    /// A matrix JACCL would read, but not the plan's.
    Different,
    /// Something JACCL refuses, and what is wrong with it: `an object where JACCL needs an
    /// array` (it completes "replaced ...").
    Invalid(String),
}

/// Judge what `cat` printed against `wanted`, the plan's matrix as JSON.
pub fn judge(cat: &CommandOutput, wanted: &str) -> Found {
    if !cat.success() {
        return Found::Absent;
    }
    let text = cat.stdout.trim();
    if text.is_empty() {
        return Found::Invalid("an empty file".to_owned());
    }
    let Ok(found) = serde_json::from_str::<Value>(text) else {
        return Found::Invalid("a file that is not JSON".to_owned());
    };
    let same = match serde_json::from_str::<Value>(wanted) {
        Ok(wanted) => found == wanted,
        // The plan's own JSON always parses; if it ever did not, bytes still decide.
        Err(_) => text == wanted.trim(),
    };
    if same {
        return Found::Current;
    }
    match refusal(&found) {
        Some(why) => Found::Invalid(why),
        None => Found::Different,
    }
}

/// Why JACCL would refuse `value` as its device file, in the order it checks: `[jaccl] The
/// device file should start with an array`, `... should have an array of arrays`, `Device
/// names should be null, a string or array of strings.`; `None` when it would read it.
fn refusal(value: &Value) -> Option<String> {
    let Some(rows) = value.as_array() else {
        return Some(format!("{} where JACCL needs an array", kind(value)));
    };
    if let Some(row) = rows.iter().find(|row| !row.is_array()) {
        return Some(format!(
            "an array holding {} where JACCL needs an array of arrays",
            kind(row)
        ));
    }
    let entries = rows.iter().filter_map(Value::as_array).flatten();
    let bad = entries.flat_map(bad_names).next()?;
    Some(format!(
        "a matrix with {bad} as a device name where JACCL needs null, a string or an array of strings"
    ))
}

/// What is not a device name in one matrix entry.
fn bad_names(entry: &Value) -> Option<String> {
    match entry {
        Value::Null | Value::String(_) => None,
        Value::Array(names) => names
            .iter()
            .find(|name| !name.is_string())
            .map(|name| format!("an array holding {}", kind(name))),
        other => Some(kind(other).to_owned()),
    }
}

/// A JSON value's kind as a phrase: `an object`, `a string`, ...
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;

    const WANTED: &str = "[[null,\"rdma_en5\"],[\"rdma_en5\",null]]\n";

    fn cat(stdout: &str) -> CommandOutput {
        CommandOutput::new(stdout, "", 0)
    }

    fn invalid(why: &str) -> Found {
        Found::Invalid(why.to_owned())
    }

    #[rstest]
    #[case::ours(cat(WANTED), Found::Current)]
    #[case::no_newline(cat("[[null,\"rdma_en5\"],[\"rdma_en5\",null]]"), Found::Current)]
    #[case::padded(
        cat("  [[null,\"rdma_en5\"],[\"rdma_en5\",null]]\r\n\n"),
        Found::Current
    )]
    #[case::python(cat("[[null, \"rdma_en5\"], [\"rdma_en5\", null]]"), Found::Current)]
    #[case::pretty(
        cat(
            "[\n  [\n    null,\n    \"rdma_en5\"\n  ],\n  [\n    \"rdma_en5\",\n    null\n  ]\n]\n"
        ),
        Found::Current
    )]
    #[case::other_port(cat("[[null, \"rdma_en4\"], [\"rdma_en5\", null]]"), Found::Different)]
    #[case::one_rank(cat("[[null]]"), Found::Different)]
    #[case::several_devices(
        cat("[[null, [\"rdma_en5\", \"rdma_en3\"]], [\"rdma_en5\", null]]"),
        Found::Different
    )]
    #[case::missing(
        CommandOutput::new("", "cat: /tmp/mlx_ibv_devices.json: No such file or directory\n", 1),
        Found::Absent
    )]
    #[case::unreadable(CommandOutput::new(WANTED, "", 1), Found::Absent)]
    #[case::guides_object(
        cat("{\"devices\": [\"rdma_en5\"]}"),
        invalid("an object where JACCL needs an array")
    )]
    #[case::a_string(cat("\"rdma_en5\"\n"), invalid("a string where JACCL needs an array"))]
    #[case::flat(
        cat("[null, \"rdma_en5\"]"),
        invalid("an array holding null where JACCL needs an array of arrays")
    )]
    #[case::a_number(cat("[[null, 5], [\"rdma_en5\", null]]"), invalid("a matrix with a number as a device name where JACCL needs null, a string or an array of strings"))]
    #[case::nested_null(cat("[[null, [\"rdma_en5\", null]], [\"rdma_en5\", null]]"), invalid("a matrix with an array holding null as a device name where JACCL needs null, a string or an array of strings"))]
    #[case::not_json(
        cat("[[null, 'rdma_en5'], ['rdma_en5', null]]"),
        invalid("a file that is not JSON")
    )]
    #[case::cut_short(
        cat("[[null, \"rdma_en5\"], [\"rdma_en5\""),
        invalid("a file that is not JSON")
    )]
    #[case::two_values(cat("[[null]] [[null]]"), invalid("a file that is not JSON"))]
    #[case::empty(cat("\n"), invalid("an empty file"))]
    fn judged(#[case] output: CommandOutput, #[case] found: Found) {
        assert_eq!(judge(&output, WANTED), found);
    }

    proptest! {
        #[test]
        fn never_panics(text in "\\PC*", exit_code in any::<i32>()) {
            let _ = judge(&CommandOutput::new(&text, "", exit_code), WANTED);
        }

        #[test]
        fn never_panics_on_json_like_text(text in "[\\[\\]{}\",: a-z0-9]{0,40}") {
            let _ = judge(&cat(&text), WANTED);
        }
    }
}
