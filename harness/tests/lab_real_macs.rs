//! The lab's Macs are as messy as real ones (the reference's "What real Macs show that a
//! clean lab does not"): self-assigned 169.254 addresses, TN3205's GID table, every form of
//! `ifconfig` a person uses to put a port back, and on request busy Macs, Thunderbolt 4 Macs
//! and device files other tools left.
//!
//! Needs root (network namespaces). Without it these tests skip, loudly, unless `CI=true`.

use rdma_harness::lab::testing::{lab_for_test, ssh_ok, ssh_text, two_node_with_old_device_files};
use rdma_harness::lab::{scenario, Lab, Quirk};
use rdma_harness::macos::identity::{eui64_link_local, secured_link_local};
use serde_json::Value;

fn mac_of(lab: &Lab, host: &str, port: &str) -> String {
    let state = lab.state().host(host).expect("host");
    let port = state.ports.iter().find(|p| p.name == port).expect("port");
    port.mac.clone()
}

#[test]
fn cabled_ports_hold_self_assigned_addresses_and_tn3205s_gid_table() {
    let Some(lab) = lab_for_test(scenario::four_node()) else {
        return;
    };
    let mut seen = Vec::new();
    for host in lab.host_names() {
        for port in ["en2", "en3", "en4"] {
            let own = lab.self_assigned(&host, port).expect("a cabled port");
            assert_eq!(own.octets()[..2], [169, 254], "{host}:{port}");
            assert!(!seen.contains(&own), "{own} twice");
            seen.push(own);
            assert_eq!(
                lab.ipv4_addrs(&host, port).expect("ip"),
                [format!("{own}/16")]
            );
        }
    }
    let own = lab.self_assigned("mac1", "en2").expect("cabled");
    let ifconfig = ssh_ok(&lab, "mac1", "ifconfig en2");
    assert!(ifconfig.contains(&format!(
        "\tinet {own} netmask 0xffff0000 broadcast 169.254.255.255\n"
    )));
    let mac = mac_of(&lab, "mac1", "en2");
    let secured = secured_link_local(&mac);
    assert!(ifconfig.contains(&format!("\tinet6 {secured}%en2 prefixlen 64 secured ")));
    let gids = |lab: &Lab| ssh_ok(lab, "mac1", "ibv_devinfo -d rdma_en2 -v");
    assert!(gids(&lab).ends_with(&format!(
        "\t\t\tactive_width:\t\t8X (4)\n\
         \t\t\tactive_speed:\t\t10.0 Gbps (4)\n\
         \t\t\tGID[  0]:\t\t{}\n\
         \t\t\tGID[  1]:\t\t::ffff:{own}\n\
         \t\t\tGID[  2]:\t\t{secured}\n\n",
        eui64_link_local(&mac)
    )));
    // A static address replaces the self-assigned one, which configd puts back after it:
    // both mapped GIDs, in the kernel's order.
    ssh_ok(
        &lab,
        "mac1",
        "sudo ifconfig en2 10.254.0.1 netmask 255.255.255.252",
    );
    assert!(gids(&lab).contains(&format!(
        "\t\t\tGID[  1]:\t\t::ffff:10.254.0.1\n\
         \t\t\tGID[  2]:\t\t::ffff:{own}\n\
         \t\t\tGID[  3]:\t\t{secured}\n"
    )));
}

#[test]
fn every_ifconfig_form_that_puts_a_port_back() {
    let Some(lab) = lab_for_test(scenario::two_node()) else {
        return;
    };
    let own = format!(
        "{}/16",
        lab.self_assigned("hwstudio1", "en5").expect("cabled")
    );
    let addrs = || lab.ipv4_addrs("hwstudio1", "en5").expect("ip");
    for (add, both, remove) in [
        (
            "ifconfig en5 10.254.0.5 netmask 255.255.255.252",
            ["10.254.0.5/30", own.as_str()],
            "ifconfig en5 delete 10.254.0.5",
        ),
        (
            "ifconfig en5 inet 10.254.0.5/30 alias",
            [own.as_str(), "10.254.0.5/30"],
            "ifconfig en5 -alias 10.254.0.5",
        ),
        (
            "ifconfig en5 inet 10.254.0.5 netmask 255.255.255.252 alias",
            [own.as_str(), "10.254.0.5/30"],
            "ifconfig en5 inet 10.254.0.5 -alias",
        ),
    ] {
        ssh_ok(&lab, "hwstudio1", &format!("sudo {add}"));
        assert_eq!(addrs(), both, "{add}");
        ssh_ok(&lab, "hwstudio1", &format!("sudo {remove}"));
        assert_eq!(addrs(), [own.as_str()], "{remove}");
    }
    let (_, err, code) = ssh_text(&lab, "hwstudio1", "sudo ifconfig en5 delete 10.254.0.5");
    assert_eq!(
        (err.as_str(), code),
        (
            "ifconfig: ioctl (SIOCDIFADDR): Can't assign requested address\n",
            1
        )
    );
    let (_, err, code) = ssh_text(&lab, "hwstudio1", "ifconfig en5 -alias 10.254.0.5");
    assert_eq!(
        (err.as_str(), code),
        ("ifconfig: ioctl (SIOCDIFADDR): permission denied\n", 1)
    );
}

#[test]
fn busy_and_thunderbolt_4_macs_and_old_device_files() {
    let spec = two_node_with_old_device_files()
        .quirk(Quirk::Busy {
            host: "hwstudio1".into(),
        })
        .quirk(Quirk::Thunderbolt4 {
            host: "hwstudio2".into(),
        });
    let Some(lab) = lab_for_test(spec) else {
        return;
    };
    let all = ssh_ok(&lab, "hwstudio1", "ifconfig -a");
    for expected in [
        "\tinet 127.0.0.1 netmask 0xff000000 \n",
        "\tinet 10.254.254.254 netmask 0xff000000 \n",
        "gif0: flags=8010<POINTOPOINT,MULTICAST> mtu 1280\nstf0: flags=0<> mtu 1280\n",
        "anpi1: flags=8863<",
        "ap1: flags=8802<",
        "awdl0: flags=8843<",
        "llw0: flags=8863<",
        "utun4: flags=8051<UP,POINTOPOINT,RUNNING,MULTICAST> mtu 1280\n\tinet 10.254.",
        " netmask 0xffff0000 \n",
        "bridge100: flags=8a63<UP,BROADCAST,SMART,RUNNING,ALLMULTI,SIMPLEX,MULTICAST>",
        "\tmember: vmenet1 flags=3<LEARNING,DISCOVER>\n",
    ] {
        assert!(all.contains(expected), "{expected:?} missing from\n{all}");
    }
    // The loopback alias is real, and the VM bridge with its member.
    assert_eq!(
        lab.ipv4_addrs("hwstudio1", "lo").expect("ip"),
        ["127.0.0.1/8", "10.254.254.254/8"]
    );
    let bridge = ssh_ok(&lab, "hwstudio1", "ifconfig bridge100");
    assert!(bridge.contains("\tAddress cache:\n\t\t"), "{bridge}");
    assert!(
        bridge.contains(" Vlan1 vmenet0 1196 flags=0<>\n"),
        "{bridge}"
    );
    // Whatever touches a VM bridge shows in the command log, and in the kernel.
    ssh_ok(&lab, "hwstudio1", "sudo ifconfig bridge100 deletem vmenet0");
    assert!(lab
        .commands("hwstudio1")
        .contains(&"[root] ifconfig bridge100 deletem vmenet0".to_owned()));
    assert!(!ssh_ok(&lab, "hwstudio1", "ifconfig bridge100").contains("member: vmenet0"));

    assert_eq!(ssh_ok(&lab, "hwstudio2", "rdma_ctl status"), "enabled\n");
    assert_eq!(
        ssh_ok(&lab, "hwstudio2", "ibv_devices"),
        "    device          \t   node GUID\n    ------          \t----------------\n"
    );
    assert_eq!(
        ssh_text(&lab, "hwstudio2", "ibv_devinfo -d rdma_en5 -v"),
        (
            String::new(),
            "IB device 'rdma_en5' wasn't found\n".to_owned(),
            255
        )
    );
    assert!(ssh_ok(&lab, "hwstudio1", "ibv_devinfo -d rdma_en5").contains("PORT_DOWN (1)"));
    let bus = |host: &str| -> Value {
        let out = ssh_ok(&lab, host, "system_profiler SPThunderboltDataType -json");
        let doc: Value = serde_json::from_str(&out).expect("JSON");
        doc["SPThunderboltDataType"][0].clone()
    };
    let (studio, mini) = (bus("hwstudio1"), bus("hwstudio2"));
    for end in [&studio, &mini] {
        assert_eq!(end["receptacle_1_tag"]["current_speed_key"], "40 Gb/s");
    }
    assert_eq!(
        studio["_items"][0]["domain_uuid_key"],
        mini["domain_uuid_key"]
    );
    assert_eq!(
        mini["_items"][0]["domain_uuid_key"],
        studio["domain_uuid_key"]
    );
    assert_eq!(studio["_items"][0]["device_name_key"], "Mac16,10");

    let file = |host: &str| lab.device_file(host).expect("a file");
    assert_eq!(
        file("hwstudio1"),
        r#"[[null, "rdma_en5"], ["rdma_en5", null]]"#
    );
    assert_eq!(file("hwstudio2"), "{\"devices\": [\"rdma_en5\"]}\n");
    assert_eq!(
        ssh_ok(&lab, "hwstudio1", "cat /tmp/mlx_ibv_devices.json"),
        file("hwstudio1")
    );
}
