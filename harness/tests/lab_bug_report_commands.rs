//! The read-only commands a bug report collects from every Mac, answered by the simulated
//! Macs over real OpenSSH: each succeeds, and what they print agrees with the kernel state
//! and with the other end of each cable.
//!
//! Needs root (network namespaces). Without it these tests skip, loudly, unless `CI=true`.

use rdma_harness::lab::testing::{lab_for_test, ssh_ok, ssh_text};
use rdma_harness::lab::{scenario, Fault, Lab};
use serde_json::Value;

/// The bus of "Thunderbolt N" in a host's `system_profiler SPThunderboltDataType -json`.
fn bus(lab: &Lab, host: &str, receptacle: &str) -> Value {
    let out = ssh_ok(lab, host, "system_profiler SPThunderboltDataType -json");
    let doc: Value = serde_json::from_str(&out).expect("system_profiler prints JSON");
    doc["SPThunderboltDataType"]
        .as_array()
        .expect("a list of buses")
        .iter()
        .find(|bus| bus["receptacle_1_tag"]["receptacle_id_key"] == receptacle)
        .cloned()
        .unwrap_or_else(|| panic!("{host} has no Thunderbolt {receptacle} bus:\n{out}"))
}

#[test]
fn every_bug_report_command_answers_like_a_mac() {
    let Some(lab) = lab_for_test(scenario::two_node()) else {
        return;
    };
    for command in [
        "sw_vers",
        "uname -a",
        "networksetup -listallhardwareports",
        "system_profiler SPThunderboltDataType -json",
        "ifconfig -a",
        "netstat -rn -f inet",
    ] {
        ssh_ok(&lab, "hwstudio1", command);
    }

    assert_eq!(
        ssh_ok(&lab, "hwstudio1", "sw_vers"),
        "ProductName:\t\tmacOS\nProductVersion:\t\t26.2\nBuildVersion:\t\t25C56\n"
    );
    let uname = ssh_ok(&lab, "hwstudio2", "uname -a");
    assert!(
        uname.starts_with("Darwin hwstudio2.local 25.2.0 Darwin Kernel Version 25.2.0: "),
        "{uname}"
    );
    assert!(uname.ends_with("/RELEASE_ARM64_T6031 arm64\n"), "{uname}");
    assert_eq!(ssh_ok(&lab, "hwstudio1", "uname -n"), "hwstudio1.local\n");
    assert_eq!(ssh_ok(&lab, "hwstudio1", "uname"), "Darwin\n");
    assert_eq!(ssh_text(&lab, "hwstudio1", "uname --help").2, 1);

    // The Ethernet block carries en0's real address, the Thunderbolt block the port's.
    let ports = ssh_ok(&lab, "hwstudio1", "networksetup -listallhardwareports");
    let ifconfig = ssh_ok(&lab, "hwstudio1", "ifconfig en0");
    let en0_mac = ifconfig
        .lines()
        .find_map(|line| line.trim().strip_prefix("ether "))
        .expect("en0 has an ether line");
    assert!(ports.starts_with(&format!(
        "\nHardware Port: Ethernet\nDevice: en0\nEthernet Address: {en0_mac}\n"
    )));
    assert!(ports.contains(
        "\nHardware Port: Thunderbolt 4\nDevice: en5\nEthernet Address: 36:4d:04:01:05:44\n"
    ));
    assert!(ports.contains("\nHardware Port: Thunderbolt Bridge\nDevice: bridge0\n"));
    assert!(ports.ends_with("\nVLAN Configurations\n===================\n"));
    assert_eq!(
        ssh_text(&lab, "hwstudio1", "networksetup -listallnetworkservices").2,
        1
    );

    // Each end of the cable names the other end's bus.
    let one = bus(&lab, "hwstudio1", "4");
    let two = bus(&lab, "hwstudio2", "4");
    assert_eq!(one["_items"][0]["domain_uuid_key"], two["domain_uuid_key"]);
    assert_eq!(two["_items"][0]["domain_uuid_key"], one["domain_uuid_key"]);
    assert_ne!(one["domain_uuid_key"], two["domain_uuid_key"]);
    assert_eq!(one["_items"][0]["device_name_key"], "Mac15,14");
    assert_eq!(one["receptacle_1_tag"]["current_speed_key"], "80 Gb/s");
    assert_eq!(
        one["receptacle_1_tag"]["receptacle_status_key"],
        "receptacle_connected"
    );
    assert_eq!(one["_name"], "thunderboltusb4_bus_3");
    // Stable: a second run prints the same document.
    assert_eq!(bus(&lab, "hwstudio1", "4"), one);
    assert_eq!(
        ssh_text(&lab, "hwstudio1", "system_profiler SPThunderboltDataType").2,
        1
    );

    // The management subnet, then the cable's /30 once the port has an address.
    let routes = ssh_ok(&lab, "hwstudio1", "netstat -rn -f inet");
    assert!(
        routes.starts_with(
            "Routing tables\n\nInternet:\n\
             Destination        Gateway            Flags               Netif Expire\n"
        ),
        "{routes}"
    );
    let mgmt = routes
        .lines()
        .find(|line| line.starts_with("10.77/24 "))
        .unwrap_or_else(|| panic!("no management route:\n{routes}"));
    assert!(
        mgmt.contains(" UCS ") && mgmt.ends_with(" en0      !"),
        "{mgmt}"
    );
    assert!(routes
        .contains("\n127.0.0.1          127.0.0.1          UH                    lo0       \n"));
    assert!(!routes.contains("10.254.0.4/30"));
    ssh_ok(
        &lab,
        "hwstudio1",
        "sudo ifconfig en5 10.254.0.5 netmask 255.255.255.252",
    );
    let routes = ssh_ok(&lab, "hwstudio1", "netstat -rn -f inet");
    let cable = routes
        .lines()
        .find(|line| line.starts_with("10.254.0.4/30 "))
        .unwrap_or_else(|| panic!("no route for the cable's subnet:\n{routes}"));
    assert!(cable.contains(" link#"), "{cable}");
    assert!(
        cable.contains(" UC ") && cable.ends_with(" en5      !"),
        "{cable}"
    );
    assert_eq!(ssh_text(&lab, "hwstudio1", "netstat -rn").2, 1);
}

#[test]
fn an_unplugged_port_shows_no_peer() {
    let spec = scenario::two_node().with(Fault::Unplugged {
        host: "hwstudio2".into(),
        port: "en5".into(),
    });
    let Some(lab) = lab_for_test(spec) else {
        return;
    };
    for host in ["hwstudio1", "hwstudio2"] {
        let idle = bus(&lab, host, "4");
        assert!(idle.get("_items").is_none(), "{host}: {idle}");
        assert_eq!(
            idle["receptacle_1_tag"]["current_speed_key"],
            "Up to 120 Gb/s"
        );
        assert_eq!(
            idle["receptacle_1_tag"]["receptacle_status_key"],
            "receptacle_no_devices_connected"
        );
    }
    // The port is still there, as on a Mac with nothing plugged in.
    let ports = ssh_ok(&lab, "hwstudio2", "networksetup -listallhardwareports");
    assert!(ports.contains("\nHardware Port: Thunderbolt 4\nDevice: en5\n"));
}
