//! The phase end to end against a scripted host: the ways a write can fail.

use rdma_harness::phase_test::run_phase_entries;
use rdma_phase::{CommandOutput, Mode, Outcome, Status};
use rdma_replay::Entry;

use super::{atomic_write, IBV_CONFIG};

const MATRIX: &str = "[[null,\"rdma_en5\"],[\"rdma_en5\",null]]\n";

fn failed_write(stderr: &str, exit_code: i32) -> Outcome {
    let missing = CommandOutput::new(
        "",
        "cat: /tmp/mlx_ibv_devices.json: No such file or directory\n",
        1,
    );
    let write = atomic_write(rdma_phase::IBV_DEVICES_PATH, MATRIX).shell_line();
    let scripted = run_phase_entries(
        &IBV_CONFIG,
        Mode::Apply,
        vec![
            Entry::ran("cat /tmp/mlx_ibv_devices.json", None, missing),
            Entry::ran(
                &write,
                Some(MATRIX.to_owned()),
                CommandOutput::new("", stderr, exit_code),
            ),
        ],
    );
    let [row] = scripted.outcomes.as_slice() else {
        panic!("one row expected: {:?}", scripted.outcomes);
    };
    row.clone()
}

#[test]
fn a_directory_in_the_way_is_named_with_its_fix() {
    let row = failed_write("/tmp/mlx_ibv_devices.json is a directory\n", 3);
    assert_eq!(row.status, Status::Fail);
    assert_eq!(row.message, "/tmp/mlx_ibv_devices.json is a directory");
    assert_eq!(
        row.hint.as_deref(),
        Some("JACCL needs a file there: on hwstudio1, look at what is in it, remove it with `sudo rm -r /tmp/mlx_ibv_devices.json`, and re-run")
    );
}

#[test]
fn a_full_tmp_says_it_is_full() {
    let row = failed_write("cat: stdout: No space left on device\n", 1);
    assert_eq!(row.status, Status::Fail);
    assert_eq!(
        row.message,
        "could not write /tmp/mlx_ibv_devices.json: cat: stdout: No space left on device"
    );
    assert!(row
        .hint
        .as_deref()
        .is_some_and(|hint| hint.starts_with("/tmp on hwstudio1 is full")));
}

#[test]
fn a_file_of_another_user_says_whose_it_may_be() {
    let row = failed_write(
        "mv: rename /tmp/mlx_ibv_devices.json.Ab12Cd to /tmp/mlx_ibv_devices.json: Operation not permitted\n",
        1,
    );
    assert!(row
        .hint
        .as_deref()
        .is_some_and(|hint| hint.contains("owned by another user")));
}

const CAT: &str = "cat /tmp/mlx_ibv_devices.json";

/// The Python predecessor's `printf '%s'` file: spaces, no final newline.
const PYTHON: &str = "[[null, \"rdma_en5\"], [\"rdma_en5\", null]]";

#[rstest::rstest]
fn the_predecessors_file_is_current(#[values(Mode::Check, Mode::Apply)] mode: Mode) {
    let scripted = run_phase_entries(
        &IBV_CONFIG,
        mode,
        vec![Entry::ran(CAT, None, CommandOutput::new(PYTHON, "", 0))],
    );
    let [row] = scripted.outcomes.as_slice() else {
        panic!("one row expected: {:?}", scripted.outcomes);
    };
    assert_eq!(
        (row.status, row.message.as_str()),
        (Status::Ok, "IBV config current: /tmp/mlx_ibv_devices.json")
    );
    assert_eq!(scripted.sent, [CAT], "nothing to write");
}

/// The row of a run that finds `before` in the file, in check mode and in apply mode
/// (which writes the matrix and reads it back).
fn found_then_written(before: CommandOutput) -> (Outcome, Outcome) {
    let write = atomic_write(rdma_phase::IBV_DEVICES_PATH, MATRIX).shell_line();
    let check = run_phase_entries(
        &IBV_CONFIG,
        Mode::Check,
        vec![Entry::ran(CAT, None, before.clone())],
    );
    let apply = run_phase_entries(
        &IBV_CONFIG,
        Mode::Apply,
        vec![
            Entry::ran(CAT, None, before),
            Entry::ran(
                &write,
                Some(MATRIX.to_owned()),
                CommandOutput::new("", "", 0),
            ),
            Entry::ran(CAT, None, CommandOutput::new(MATRIX, "", 0)),
        ],
    );
    let ([check], [apply]) = (check.outcomes.as_slice(), apply.outcomes.as_slice()) else {
        panic!("one row each expected");
    };
    (check.clone(), apply.clone())
}

#[rstest::rstest]
#[case::guides_object(
    "{\"devices\": [\"rdma_en5\"]}",
    " (replacing an object where JACCL needs an array)",
    "IBV config written: /tmp/mlx_ibv_devices.json (replaced an object where JACCL needs an array)"
)]
#[case::not_json(
    "[[null, 'rdma_en5'], ['rdma_en5', null]]\n",
    " (replacing a file that is not JSON)",
    "IBV config written: /tmp/mlx_ibv_devices.json (replaced a file that is not JSON)"
)]
#[case::flat(
    "[null, \"rdma_en5\"]",
    " (replacing an array holding null where JACCL needs an array of arrays)",
    "IBV config written: /tmp/mlx_ibv_devices.json (replaced an array holding null where JACCL needs an array of arrays)"
)]
#[case::other_matrix(
    "[[null, \"rdma_en4\"], [\"rdma_en5\", null]]",
    "",
    "IBV config written: /tmp/mlx_ibv_devices.json"
)]
fn a_file_that_is_not_ours_is_replaced(
    #[case] before: &str,
    #[case] pending_note: &str,
    #[case] written: &str,
) {
    let (check, apply) = found_then_written(CommandOutput::new(before, "", 0));
    assert_eq!(check.status, Status::Pending);
    assert_eq!(
        check.message,
        format!(
            "would write /tmp/mlx_ibv_devices.json: [[null,\"rdma_en5\"],[\"rdma_en5\",null]]{pending_note}"
        )
    );
    assert_eq!(
        (apply.status, apply.message.as_str()),
        (Status::Changed, written)
    );
    // A change made ahead of the phase is reported with the pending row's `once_done`.
    assert_eq!(check.once_done.as_deref(), Some(written));
}

#[test]
fn a_missing_file_is_written_as_before() {
    let missing = CommandOutput::new(
        "",
        "cat: /tmp/mlx_ibv_devices.json: No such file or directory\n",
        1,
    );
    let (check, apply) = found_then_written(missing);
    assert_eq!(
        check.message,
        "would write /tmp/mlx_ibv_devices.json: [[null,\"rdma_en5\"],[\"rdma_en5\",null]]"
    );
    assert_eq!(
        apply.message,
        "IBV config written: /tmp/mlx_ibv_devices.json"
    );
    assert_eq!(check.once_done.as_deref(), Some(apply.message.as_str()));
}
