//! Moving the lab's Thunderbolt cables while it runs (`Lab::swap_cables`), checked from
//! inside the simulated Macs over OpenSSH: what `system_profiler` names across each cable,
//! and that the kernel's links follow.
//!
//! Needs root (network namespaces). Without it these tests skip, loudly, unless `CI=true`.

use rdma_harness::lab::testing::{lab_for_test, ssh_ok, ssh_text};
use rdma_harness::lab::{scenario, Lab};
use rdma_harness::macos::mac_studio_receptacle;
use rdma_harness::macos::thunderbolt::domain_uuid;

/// The domain UUID `host`'s `system_profiler SPThunderboltDataType -json` names across the
/// receptacle of `port`; `None` when nothing is connected there.
fn peer_domain(lab: &Lab, host: &str, port: &str) -> Option<String> {
    let out = ssh_ok(lab, host, "system_profiler SPThunderboltDataType -json");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    // A string in the JSON, as macOS writes it.
    let receptacle = mac_studio_receptacle(port)
        .expect("a Thunderbolt port")
        .to_string();
    let bus = doc["SPThunderboltDataType"]
        .as_array()
        .expect("buses")
        .iter()
        .find(|bus| bus["receptacle_1_tag"]["receptacle_id_key"] == receptacle.as_str())
        .unwrap_or_else(|| panic!("{host}: no bus for {port}\n{out}"));
    bus["_items"][0]["domain_uuid_key"]
        .as_str()
        .map(str::to_owned)
}

fn assert_cable(lab: &Lab, (host_a, port_a): (&str, &str), (host_b, port_b): (&str, &str)) {
    let pair = |h: &str, p: &str| (h.to_owned(), p.to_owned());
    assert_eq!(
        lab.peer_of(host_a, port_a).expect("peer"),
        pair(host_b, port_b)
    );
    assert_eq!(
        lab.peer_of(host_b, port_b).expect("peer"),
        pair(host_a, port_a)
    );
    assert_eq!(
        peer_domain(lab, host_a, port_a),
        Some(domain_uuid(host_b, port_b)),
        "{host_a}:{port_a} should reach {host_b}:{port_b}"
    );
    assert_eq!(
        peer_domain(lab, host_b, port_b),
        Some(domain_uuid(host_a, port_a)),
        "{host_b}:{port_b} should reach {host_a}:{port_a}"
    );
}

#[test]
fn swapped_cables_reach_the_other_peers() {
    // machine-a en3 <-> machine-b en3, machine-a en5 <-> machine-c en5,
    // machine-b en5 <-> machine-c en3.
    let Some(mut lab) = lab_for_test(scenario::three_node()) else {
        return;
    };
    assert_cable(&lab, ("machine-a", "en3"), ("machine-b", "en3"));
    assert_cable(&lab, ("machine-a", "en5"), ("machine-c", "en5"));
    // A port with itself is the same cable; an unknown port or host is refused, and
    // neither changes anything.
    lab.swap_cables("machine-a", "en3", "en3").expect("no-op");
    assert!(lab.swap_cables("machine-a", "en3", "en7").is_err());
    assert!(lab.swap_cables("nobody", "en3", "en5").is_err());
    assert_cable(&lab, ("machine-a", "en3"), ("machine-b", "en3"));
    ssh_ok(
        &lab,
        "machine-a",
        "sudo -n ifconfig en3 10.254.0.1 netmask 255.255.255.252",
    );

    lab.swap_cables("machine-a", "en3", "en5").expect("swap");

    assert_cable(&lab, ("machine-a", "en3"), ("machine-c", "en5"));
    assert_cable(&lab, ("machine-a", "en5"), ("machine-b", "en3"));
    assert_cable(&lab, ("machine-b", "en5"), ("machine-c", "en3"));
    // Like a hotplug: the address set before is gone, the self-assigned one is back.
    let own = lab.self_assigned("machine-a", "en3").expect("cabled");
    assert_eq!(
        lab.ipv4_addrs("machine-a", "en3").expect("ip"),
        [format!("{own}/16")]
    );

    // The kernel follows: the new ends reach each other once they have addresses.
    for (host, command) in [
        (
            "machine-a",
            "sudo -n ifconfig en3 10.254.0.1 netmask 255.255.255.252",
        ),
        (
            "machine-c",
            "sudo -n ifconfig en5 10.254.0.2 netmask 255.255.255.252",
        ),
        (
            "machine-a",
            "sudo -n ifconfig en5 10.254.0.5 netmask 255.255.255.252",
        ),
        (
            "machine-b",
            "sudo -n ifconfig en3 10.254.0.6 netmask 255.255.255.252",
        ),
    ] {
        ssh_ok(&lab, host, command);
    }
    for (host, target) in [("machine-a", "10.254.0.2"), ("machine-a", "10.254.0.6")] {
        let (out, err, code) = ssh_text(&lab, host, &format!("ping -c 1 -t 2 {target}"));
        assert_eq!(code, 0, "{host} -> {target}\n{out}{err}");
    }

    // Swapping back restores the scenario's cabling.
    lab.swap_cables("machine-a", "en5", "en3")
        .expect("swap back");
    assert_cable(&lab, ("machine-a", "en3"), ("machine-b", "en3"));
    assert_cable(&lab, ("machine-a", "en5"), ("machine-c", "en5"));
}
