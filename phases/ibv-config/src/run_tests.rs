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
