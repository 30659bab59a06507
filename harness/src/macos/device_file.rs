//! Device files (`/tmp/mlx_ibv_devices.json`) that other tools leave on a Mac, after the
//! reference's "Existing device files".

use rdma_phase::plan::IbvMatrix;
use serde_json::Value;

/// An object some guides wrote; JACCL rejects it ("The device file should start with an
/// array"). The reference gives the JSON only; `echo` would have ended it with a newline.
pub const INVALID_DEVICE_FILE: &str = "{\"devices\": [\"rdma_en5\"]}\n";

/// What the Python predecessor wrote for `matrix`: `json.dumps` spacing (`", "` between
/// items) through `printf '%s'`, so no final newline. The same JSON value as the tool's
/// own file, in other bytes.
pub fn predecessor_device_file(matrix: &IbvMatrix) -> String {
    let value = serde_json::to_value(matrix).unwrap_or(Value::Null);
    python_dumps(&value)
}

/// `json.dumps(value)` with Python's default separators.
fn python_dumps(value: &Value) -> String {
    match value {
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(python_dumps).collect();
            format!("[{}]", inner.join(", "))
        }
        Value::Object(map) => {
            let inner: Vec<String> = map
                .iter()
                .map(|(key, item)| format!("{}: {}", Value::from(key.as_str()), python_dumps(item)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use rdma_phase::plan::IbvEntry;

    use super::*;

    #[test]
    fn the_predecessors_bytes() {
        let matrix = IbvMatrix(vec![
            vec![IbvEntry::None, IbvEntry::One("rdma_en5".into())],
            vec![IbvEntry::One("rdma_en5".into()), IbvEntry::None],
        ]);
        assert_eq!(
            predecessor_device_file(&matrix),
            r#"[[null, "rdma_en5"], ["rdma_en5", null]]"#
        );
        let parsed: Value =
            serde_json::from_str(&predecessor_device_file(&matrix)).expect("valid JSON");
        let ours: Value = serde_json::from_str(&matrix.to_json()).expect("valid JSON");
        assert_eq!(parsed, ours);
        let many = IbvMatrix(vec![vec![IbvEntry::Many(vec!["a".into(), "b".into()])]]);
        assert_eq!(predecessor_device_file(&many), r#"[[["a", "b"]]]"#);
    }

    #[test]
    fn the_guides_object() {
        let value: Value = serde_json::from_str(INVALID_DEVICE_FILE).expect("valid JSON");
        assert!(value.is_object());
        assert_eq!(
            python_dumps(&value),
            INVALID_DEVICE_FILE.trim_end(),
            "the same spacing as the reference"
        );
    }
}
