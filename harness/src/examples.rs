//! The old README's example command lines, shared by the CLI tests and the lab tests.

/// Two Mac Studios on one cable, en5 to en5: the old README's first example.
pub const TWO_NODE_PAIR: [&str; 4] = [
    "--node",
    "hwstudio1:en5:10.254.0.5",
    "--node",
    "hwstudio2:en5:10.254.0.6",
];

/// The three-machine mesh: each pair on its own cable and /30 subnet.
pub const THREE_NODE_MESH: [&str; 12] = [
    "--node",
    "machine-a:en3:10.254.0.1",
    "--node",
    "machine-b:en3:10.254.0.2",
    "--node",
    "machine-a:en5:10.254.0.5",
    "--node",
    "machine-c:en5:10.254.0.6",
    "--node",
    "machine-b:en5:10.254.0.9",
    "--node",
    "machine-c:en3:10.254.0.10",
];
