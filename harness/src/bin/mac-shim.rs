//! The macOS commands of a simulated Mac (`ifconfig`, `rdma_ctl`, `ibv_devices`,
//! `ibv_devinfo`, `ping`, `sudo`), chosen by the name it is invoked as. See
//! `rdma_harness::lab::shim`.

fn main() {
    std::process::exit(rdma_harness::lab::shim::main());
}
