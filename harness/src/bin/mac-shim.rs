//! The macOS commands of a simulated Mac (`rdma_harness::lab::SHIM_COMMANDS`: `ifconfig`,
//! `rdma_ctl`, the `ibv_*` tools, `ping`, `sudo` and the bug-report commands), chosen by the
//! name it is invoked as. See `rdma_harness::lab::shim`.

fn main() {
    std::process::exit(rdma_harness::lab::shim::main());
}
