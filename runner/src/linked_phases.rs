//! The one list of phase crates the binary links.
//!
//! A crate that no code names is not linked, and its `inventory::submit!` silently
//! disappears (on macOS the linker is stricter still). Naming each phase's static here keeps
//! all seven in the binary; the registry, not this list, decides the run order.

use rdma_phase::Phase;

/// Every phase crate, named so the linker keeps it.
pub const LINKED: [&dyn Phase; 7] = [
    &rdma_phase_cabling::CABLING,
    &rdma_phase_bridge::BRIDGE,
    &rdma_phase_ip::IP,
    &rdma_phase_ibv_config::IBV_CONFIG,
    &rdma_phase_rdma_status::RDMA_STATUS,
    &rdma_phase_ibv_devices::IBV_DEVICES,
    &rdma_phase_ping::PING,
];

/// The registered phases in run order.
pub fn registered() -> Vec<&'static dyn Phase> {
    // Touch the list so it is never optimised into nothing.
    std::hint::black_box(&LINKED);
    rdma_phase::registered_phases()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_seven_phases_are_registered_in_order() {
        let names: Vec<_> = registered().iter().map(|phase| phase.name()).collect();
        assert_eq!(
            names,
            [
                "cabling",
                "bridge",
                "ip",
                "ibv-config",
                "rdma-status",
                "ibv-devices",
                "ping"
            ]
        );
        let mut linked: Vec<_> = LINKED.iter().map(|phase| phase.name()).collect();
        linked.sort_unstable();
        let mut registered_sorted = names.clone();
        registered_sorted.sort_unstable();
        assert_eq!(
            linked, registered_sorted,
            "LINKED and the registry disagree"
        );
    }
}
