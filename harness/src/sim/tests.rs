//! The simulated Macs seen the way the tool sees them: through a session, command by command.

use std::net::Ipv4Addr;
use std::sync::Arc;

use rdma_phase::plan::Host;
use rdma_phase::{CommandOutput, Connector, HostName, RemoteCommand, IBV_DEVICES_PATH};

use super::*;
use crate::macos::identity::{eui64_link_local, secured_link_local, self_assigned_address};
use crate::macos::INVALID_DEVICE_FILE;

fn cluster(hosts: Vec<SimHost>) -> Arc<SimCluster> {
    SimCluster::new(
        hosts,
        vec![Cable::new(("hwstudio1", "en5"), ("hwstudio2", "en5"), 0.1)],
    )
}

fn two() -> Vec<SimHost> {
    vec![
        SimHost::rebooted("hwstudio1", 1, &["en5"]),
        SimHost::rebooted("hwstudio2", 2, &["en5"]),
    ]
}

fn run(cluster: &Arc<SimCluster>, host: &str, command: &RemoteCommand) -> CommandOutput {
    let host = Host {
        name: HostName::parse(host).expect("a host name"),
        via: None,
        nodes: Vec::new(),
    };
    let mut session = SimConnector(Arc::clone(cluster))
        .connect(&host)
        .expect("a simulated host");
    session.run(command).expect("an answer")
}

fn read(cluster: &Arc<SimCluster>, host: &str, line: &str) -> CommandOutput {
    run(cluster, host, &RemoteCommand::read(line.split(' ')))
}

fn sudo(cluster: &Arc<SimCluster>, host: &str, line: &str) -> CommandOutput {
    run(cluster, host, &RemoteCommand::privileged(line.split(' ')))
}

fn inet_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|line| line.starts_with("\tinet "))
        .collect()
}

const ASSIGN: &str = "ifconfig en5 10.254.0.5 netmask 255.255.255.252";

#[test]
fn a_rebooted_port_holds_its_self_assigned_address() {
    let sim = cluster(two());
    let own = self_assigned_address("hwstudio1", "en5", 0);
    let en5 = read(&sim, "hwstudio1", "ifconfig en5").stdout;
    assert_eq!(
        inet_lines(&en5),
        [format!(
            "\tinet {own} netmask 0xffff0000 broadcast 169.254.255.255"
        )]
    );
    let all = read(&sim, "hwstudio1", "ifconfig -a").stdout;
    assert!(all.starts_with("lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 16384\n"));
    assert!(all.contains("bridge0: flags=8863<"), "{all}");
    // TN3205's table: EUI-64, the mapped self-assigned address, the secured link-local.
    let mac = "36:4d:04:ea:01:40";
    let devinfo = read(&sim, "hwstudio1", "ibv_devinfo -d rdma_en5 -v").stdout;
    assert!(devinfo.ends_with(&format!(
        "\t\t\tactive_speed:\t\t10.0 Gbps (4)\n\
         \t\t\tGID[  0]:\t\t{}\n\
         \t\t\tGID[  1]:\t\t::ffff:{own}\n\
         \t\t\tGID[  2]:\t\t{}\n\n",
        eui64_link_local(mac),
        secured_link_local(mac)
    )));
    assert!(en5.contains(&format!("\tinet6 {}%en5 ", secured_link_local(mac))));
}

#[test]
fn configd_puts_its_address_back_after_the_static_one_by_default() {
    let sim = cluster(two());
    let own = self_assigned_address("hwstudio1", "en5", 0);
    for _ in 0..2 {
        assert_eq!(sudo(&sim, "hwstudio1", ASSIGN).exit_code, 0);
        let en5 = read(&sim, "hwstudio1", "ifconfig en5").stdout;
        assert_eq!(
            inet_lines(&en5),
            [
                "\tinet 10.254.0.5 netmask 0xfffffffc broadcast 10.254.0.7".to_owned(),
                format!("\tinet {own} netmask 0xffff0000 broadcast 169.254.255.255"),
            ]
        );
    }
    let devinfo = read(&sim, "hwstudio1", "ibv_devinfo -d rdma_en5 -v").stdout;
    assert!(devinfo.contains(&format!(
        "\t\t\tGID[  1]:\t\t::ffff:10.254.0.5\n\t\t\tGID[  2]:\t\t::ffff:{own}\n"
    )));
}

#[test]
fn configd_listing_its_address_first_or_staying_away() {
    let hosts = vec![
        SimHost::rebooted("hwstudio1", 1, &["en5"]).with_configd("en5", Configd::BackBefore),
        SimHost::rebooted("hwstudio2", 2, &["en5"]).with_configd("en5", Configd::Withdrawn),
    ];
    let sim = cluster(hosts);
    let own = self_assigned_address("hwstudio1", "en5", 0);
    for _ in 0..2 {
        sudo(&sim, "hwstudio1", ASSIGN);
        let en5 = read(&sim, "hwstudio1", "ifconfig en5").stdout;
        assert_eq!(
            inet_lines(&en5),
            [
                format!("\tinet {own} netmask 0xffff0000 broadcast 169.254.255.255"),
                "\tinet 10.254.0.5 netmask 0xfffffffc broadcast 10.254.0.7".to_owned(),
            ]
        );
    }
    sudo(
        &sim,
        "hwstudio2",
        "ifconfig en5 10.254.0.6 netmask 255.255.255.252",
    );
    let en5 = read(&sim, "hwstudio2", "ifconfig en5").stdout;
    assert_eq!(
        inet_lines(&en5),
        ["\tinet 10.254.0.6 netmask 0xfffffffc broadcast 10.254.0.7"]
    );
    assert_eq!(
        read(&sim, "hwstudio1", "ping -c 1 -t 2 10.254.0.6").exit_code,
        0
    );
    // Apple's `-b boundif`: over that port only.
    let bound = |iface: &str| {
        read(
            &sim,
            "hwstudio1",
            &format!("ping -c 1 -t 2 -b {iface} 10.254.0.6"),
        )
    };
    assert_eq!(bound("en5").exit_code, 0);
    assert_eq!(bound("en0").exit_code, 2);
    assert_eq!(
        (bound("en9").stderr.as_str(), bound("en9").exit_code),
        ("ping: bad interface name\n", 1)
    );
}

#[test]
fn every_form_that_puts_a_port_back() {
    let sim = cluster(two());
    let own = self_assigned_address("hwstudio1", "en5", 0);
    let only_own = [format!(
        "\tinet {own} netmask 0xffff0000 broadcast 169.254.255.255"
    )];
    for (add, remove) in [
        (ASSIGN, "ifconfig en5 delete 10.254.0.5"),
        (
            "ifconfig en5 inet 10.254.0.5/30 alias",
            "ifconfig en5 -alias 10.254.0.5",
        ),
        (
            "ifconfig en5 inet 10.254.0.5 netmask 255.255.255.252 alias",
            "ifconfig en5 inet 10.254.0.5 -alias",
        ),
    ] {
        assert_eq!(sudo(&sim, "hwstudio1", add).exit_code, 0, "{add}");
        let en5 = read(&sim, "hwstudio1", "ifconfig en5").stdout;
        assert_eq!(inet_lines(&en5).len(), 2, "{add}");
        assert_eq!(sudo(&sim, "hwstudio1", remove).exit_code, 0, "{remove}");
        let en5 = read(&sim, "hwstudio1", "ifconfig en5").stdout;
        assert_eq!(inet_lines(&en5), only_own, "{remove}");
    }
    let again = sudo(&sim, "hwstudio1", "ifconfig en5 delete 10.254.0.5");
    assert_eq!(
        (again.stderr.as_str(), again.exit_code),
        (
            "ifconfig: ioctl (SIOCDIFADDR): Can't assign requested address\n",
            1
        )
    );
    let unprivileged = read(&sim, "hwstudio1", "ifconfig en5 delete 10.254.0.5");
    assert_eq!(
        unprivileged.stderr,
        "ifconfig: ioctl (SIOCDIFADDR): permission denied\n"
    );
}

#[test]
fn bridged_and_unplugged_ports_list_no_self_assigned_address() {
    let mut hosts = two();
    hosts[0].bridge("bridge0", "en5");
    if let Some(port) = hosts[1].port_mut("en5") {
        port.carrier = false;
    }
    let sim = cluster(hosts);
    assert!(inet_lines(&read(&sim, "hwstudio1", "ifconfig en5").stdout).is_empty());
    assert!(inet_lines(&read(&sim, "hwstudio2", "ifconfig en5").stdout).is_empty());
    // Out of the bridge, configd gives the port its address again.
    sudo(&sim, "hwstudio1", "ifconfig bridge0 deletem en5");
    assert_eq!(
        inet_lines(&read(&sim, "hwstudio1", "ifconfig en5").stdout).len(),
        1
    );
}

#[test]
fn a_busy_mac_lists_what_real_ones_do_and_keeps_its_vm_bridges() {
    let hosts = vec![
        SimHost::rebooted("hwstudio1", 1, &["en5"]).busy(),
        SimHost::rebooted("hwstudio2", 2, &["en5"]),
    ];
    let sim = cluster(hosts);
    let all = read(&sim, "hwstudio1", "ifconfig -a").stdout;
    for expected in [
        "\tinet 10.254.254.254 netmask 0xff000000 \n",
        "gif0: flags=8010<POINTOPOINT,MULTICAST> mtu 1280\nstf0: flags=0<> mtu 1280\n",
        "anpi0: ",
        "ap1: ",
        "awdl0: ",
        "llw0: ",
        "utun0: ",
        "bridge100: flags=8a63<",
        "\tmember: vmenet0 flags=3<LEARNING,DISCOVER>\n",
        "vmenet1: flags=8963<",
    ] {
        assert!(all.contains(expected), "{expected}\n{all}");
    }
    assert!(all.contains(" --> ") && all.contains(" netmask 0xffff0000 \n"));
    let bridge = read(&sim, "hwstudio1", "ifconfig bridge100").stdout;
    assert!(bridge.contains("\tAddress cache:\n\t\t"), "{bridge}");
    assert!(
        bridge.contains(" Vlan1 vmenet0 1196 flags=0<>\n"),
        "{bridge}"
    );
    let before = sim.host("hwstudio1").expect("host").bridges;
    sudo(&sim, "hwstudio1", ASSIGN);
    assert_eq!(sim.host("hwstudio1").expect("host").bridges, before);
    assert_eq!(before["bridge101"], ["vmenet1"]);
}

#[test]
fn a_thunderbolt_4_mac_says_enabled_and_has_no_device() {
    let hosts = vec![
        SimHost::rebooted("hwstudio1", 1, &["en5"]),
        SimHost::rebooted("hwstudio2", 2, &["en5"]).thunderbolt4(),
    ];
    let sim = cluster(hosts);
    assert_eq!(
        read(&sim, "hwstudio2", "rdma_ctl status").stdout,
        "enabled\n"
    );
    assert_eq!(
        read(&sim, "hwstudio2", "ibv_devices").stdout,
        "    device          \t   node GUID\n    ------          \t----------------\n"
    );
    let devinfo = read(&sim, "hwstudio2", "ibv_devinfo -d rdma_en5 -v");
    assert_eq!(
        (devinfo.stderr.as_str(), devinfo.exit_code),
        ("IB device 'rdma_en5' wasn't found\n", 255)
    );
    // The Thunderbolt 5 end has its device, down: the far end cannot do RDMA.
    let peer = read(&sim, "hwstudio1", "ibv_devinfo -d rdma_en5 -v").stdout;
    assert!(peer.contains("PORT_DOWN (1)"));

    let json = |host: &str| -> serde_json::Value {
        let out = read(&sim, host, "system_profiler SPThunderboltDataType -json").stdout;
        serde_json::from_str(&out).expect("JSON")
    };
    let (mini, studio) = (json("hwstudio2"), json("hwstudio1"));
    let (mini, studio) = (
        &mini["SPThunderboltDataType"][0],
        &studio["SPThunderboltDataType"][0],
    );
    assert_eq!(mini["receptacle_1_tag"]["current_speed_key"], "40 Gb/s");
    assert_eq!(studio["receptacle_1_tag"]["current_speed_key"], "40 Gb/s");
    assert_eq!(
        mini["_items"][0]["domain_uuid_key"],
        studio["domain_uuid_key"]
    );
    assert_eq!(
        studio["_items"][0]["domain_uuid_key"],
        mini["domain_uuid_key"]
    );
    assert_eq!(studio["_items"][0]["device_name_key"], "Mac16,10");
    let two_studios = cluster(two());
    let out = read(
        &two_studios,
        "hwstudio1",
        "system_profiler SPThunderboltDataType -json",
    )
    .stdout;
    assert!(out.contains("\"current_speed_key\" : \"80 Gb/s\""), "{out}");
}

#[test]
fn device_files_left_by_others() {
    let predecessor = r#"[[null, "rdma_en5"], ["rdma_en5", null]]"#;
    let hosts = vec![
        SimHost::rebooted("hwstudio1", 1, &["en5"]).with_device_file(predecessor),
        SimHost::rebooted("hwstudio2", 2, &["en5"]).with_device_file(INVALID_DEVICE_FILE),
    ];
    let sim = cluster(hosts);
    let cat = format!("cat {IBV_DEVICES_PATH}");
    assert_eq!(read(&sim, "hwstudio1", &cat).stdout, predecessor);
    assert_eq!(
        read(&sim, "hwstudio2", &cat).stdout,
        "{\"devices\": [\"rdma_en5\"]}\n"
    );
    assert_ne!(
        self_assigned_address("hwstudio1", "en5", 0),
        Ipv4Addr::UNSPECIFIED
    );
}

#[test]
fn netstat_lists_the_routes_of_the_listed_addresses() {
    let hosts = vec![
        SimHost::rebooted("hwstudio1", 1, &["en2", "en5"]).busy(),
        SimHost::rebooted("hwstudio2", 2, &["en5"]),
    ];
    let sim = cluster(hosts);
    sudo(&sim, "hwstudio1", ASSIGN);
    assert_eq!(
        read(&sim, "hwstudio1", "netstat -rn -f inet").stdout,
        "Routing tables\n\nInternet:\n\
         Destination        Gateway            Flags               Netif Expire\n\
         default            192.0.2.1          UGScg                 en0       \n\
         10.254.0.4/30      link#8             UC                    en5      !\n\
         127                127.0.0.1          UCS                   lo0       \n\
         127.0.0.1          127.0.0.1          UH                    lo0       \n\
         169.254            link#7             UCS                   en2      !\n\
         169.254            link#8             UCSI                  en5      !\n\
         192.0.2            link#6             UCS                   en0      !\n\
         192.168.64         link#21            UC              bridge100      !\n\
         192.168.65         link#22            UC              bridge101      !\n"
    );
}
