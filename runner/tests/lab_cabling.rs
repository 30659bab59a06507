//! The cabling phase in the lab: two plugs swapped at the back of one Mac after the cluster
//! was set up. The next run must fail in `cabling`, name where each port now leads, and set
//! no address on the swapped ports; the cable nobody touched stays right.

mod child;

use child::binary;
use rdma_harness::examples::THREE_NODE_MESH;
use rdma_harness::lab::scenario;
use rdma_harness::lab::testing::lab_for_test;

#[test]
fn swapped_plugs_fail_in_cabling_with_the_new_places_and_get_no_address() {
    let Some(mut lab) = lab_for_test(scenario::three_node()) else {
        return;
    };
    let setup = lab.run_tool(binary(), &THREE_NODE_MESH, &[]).expect("run");
    assert_eq!(setup.code, Some(0), "{}", setup.transcript());
    assert!(
        setup
            .stdout
            .contains("  ✓ en3 -> machine-b en3 (80 Gb/s)\n"),
        "{}",
        setup.transcript()
    );

    // machine-a en3 led to machine-b en3, en5 to machine-c en5; their plugs swap.
    lab.swap_cables("machine-a", "en3", "en5").expect("swapped");
    let moved = lab.run_tool(binary(), &THREE_NODE_MESH, &[]).expect("run");
    let log = moved.transcript();
    assert_eq!(moved.code, Some(1), "{log}");
    for row in [
        "  ✗ en3 is cabled to machine-c en5, not to machine-b en3 as planned; machine-b en3 leads to machine-a en5\n",
        "  ✗ en5 is cabled to machine-b en3, not to machine-c en5 as planned; machine-c en5 leads to machine-a en3\n",
        "  ✗ en3 is cabled to machine-a en5, not to machine-a en3 as planned; machine-a en3 leads to machine-c en5\n",
        "  ✗ en5 is cabled to machine-a en3, not to machine-a en5 as planned; machine-a en5 leads to machine-b en3\n",
        "      ↳ Put the cable back where the plan has it; if the new cabling is meant, run `rdma-setup discover` again to plan it\n",
        // The untouched cable between machine-b and machine-c.
        "  ✓ en5 -> machine-c en3 (80 Gb/s)\n",
        "  ✓ en3 -> machine-b en5 (80 Gb/s)\n",
        "machine-b -> machine-c: ✓",
        "machine-a -> machine-b: - not tested: cabling failed for machine-a en3 (see above)",
    ] {
        assert!(moved.stdout.contains(row), "missing {row:?}\n{log}");
    }
    // The swapped ports came back from the hotplug without addresses, and got none: an
    // address meant for the cable to machine-b must not land on a cable to machine-c.
    for (host, port) in [
        ("machine-a", "en3"),
        ("machine-a", "en5"),
        ("machine-b", "en3"),
        ("machine-c", "en5"),
    ] {
        let addresses = lab.static_addrs(host, port).expect("ip");
        assert!(addresses.is_empty(), "{host} {port}: {addresses:?}\n{log}");
    }
    assert_eq!(
        lab.static_addrs("machine-b", "en5").expect("ip"),
        ["10.254.0.9/30"]
    );

    // The check alone finds the same, read-only, and `--skip cabling` leaves it out.
    let mut only: Vec<&str> = vec!["--check", "--only", "cabling"];
    only.extend(THREE_NODE_MESH);
    let checked = lab.run_tool(binary(), &only, &[]).expect("run");
    assert_eq!(checked.code, Some(1), "{}", checked.transcript());
    assert_eq!(
        checked.stdout.matches("  ✗ ").count(),
        4,
        "{}",
        checked.transcript()
    );

    // Swapped back, the same command line is all green again.
    lab.swap_cables("machine-a", "en3", "en5")
        .expect("swapped back");
    let back = lab.run_tool(binary(), &THREE_NODE_MESH, &[]).expect("run");
    assert_eq!(back.code, Some(0), "{}", back.transcript());
}
