//! The redactor over whole scenarios: placeholders consistent across hosts, which addresses
//! stay, determinism and a recorded fixture; and that every rule's pattern compiles.

use std::sync::LazyLock;

use super::guid::{COLON_GUID, WORD_GUID};
use super::link_local::LINK_LOCAL;
use super::mac::MAC;
use super::scan::literal;
use super::serial::{JSON_SERIAL, LINE_SERIAL};
use super::testing::{args, bare, ran, scenario, stdout};
use super::uuid::UUID;
use crate::{Redactor, Scenario, Transcript};

#[test]
fn the_patterns_compile() {
    for pattern in [
        &UUID,
        &MAC,
        &COLON_GUID,
        &WORD_GUID,
        &LINK_LOCAL,
        &JSON_SERIAL,
        &LINE_SERIAL,
    ] {
        LazyLock::force(pattern);
    }
}

#[test]
fn values_stay_consistent_across_hosts() {
    let line = "--check --node hwstudio1:en5:10.254.0.5 --node hwstudio2:en5:10.254.0.6 \
                --proxy hwstudio1:hwstudio2 --netmask 30";
    let recorded = scenario(
        line,
        vec![
            (
                "hwstudio1",
                vec![
                    ran(
                        "ibv_devices",
                        "    device          \t   node GUID\n    ------          \t----------------\n    rdma_en5        \t8396a9d9edbaac05\n",
                    ),
                    ran(
                        "ifconfig en5",
                        "en5: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\
                         \toptions=460<TSO4,TSO6,CHANNEL_IO>\n\
                         \tether 36:4d:04:ea:4e:44\n\
                         \tinet6 fe80::1021:1bac:fe1:b5e3%en5 prefixlen 64 secured scopeid 0xd\n\
                         \tinet 10.254.0.5 netmask 0xfffffffc broadcast 10.254.0.7\n",
                    ),
                    ran(
                        "system_profiler SPThunderboltDataType -json",
                        "{\n  \"SPThunderboltDataType\" : [\n    {\n      \"_name\" : \"thunderboltusb4_bus_1\",\n      \"domain_uuid_key\" : \"7F158861-C131-4D0D-83B6-CA50EF76C32B\",\n      \"_items\" : [\n        {\n          \"domain_uuid_key\" : \"88F10ACA-5CAA-4F5D-8361-03EED54ACB5A\"\n        }\n      ]\n    }\n  ]\n}\n",
                    ),
                ],
            ),
            (
                "hwstudio2",
                vec![
                    ran(
                        "ibv_devinfo -d rdma_en5 -v",
                        "hca_id:\trdma_en5\n\ttransport:\t\t\tThunderbolt (100)\n\tnode_guid:\t\t\t8396:a9d9:edba:ac05\n\tsys_image_guid:\t\t\t8096:a9d9:edba:ac05\n",
                    ),
                    ran(
                        "networksetup -listallhardwareports",
                        "Hardware Port: Thunderbolt 4\nDevice: en5\nEthernet Address: 36:4D:04:EA:4E:44\n",
                    ),
                    ran(
                        "system_profiler SPThunderboltDataType -json",
                        "{\n  \"SPThunderboltDataType\" : [\n    {\n      \"_name\" : \"thunderboltusb4_bus_3\",\n      \"domain_uuid_key\" : \"88F10ACA-5CAA-4F5D-8361-03EED54ACB5A\",\n      \"_items\" : [\n        {\n          \"domain_uuid_key\" : \"7F158861-C131-4D0D-83B6-CA50EF76C32B\"\n        }\n      ]\n    }\n  ]\n}\n",
                    ),
                ],
            ),
        ],
    );
    let redacted = Redactor::for_scenario(&recorded).scenario(&recorded);

    assert_eq!(
        redacted.args,
        args(
            "--check --node host-1:en5:10.254.0.5 --node host-2:en5:10.254.0.6 \
              --proxy host-1:host-2 --netmask 30"
        )
    );
    assert_eq!(
        redacted.transcripts.keys().collect::<Vec<_>>(),
        ["host-1", "host-2"]
    );
    assert!(stdout(&redacted, "host-1", 0).ends_with("    rdma_en5        \t00005e0053000001\n"));
    assert_eq!(
        stdout(&redacted, "host-1", 1),
        "en5: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\
         \toptions=460<TSO4,TSO6,CHANNEL_IO>\n\
         \tether 00:00:5e:00:53:01\n\
         \tinet6 fe80::1%en5 prefixlen 64 secured scopeid 0xd\n\
         \tinet 10.254.0.5 netmask 0xfffffffc broadcast 10.254.0.7\n"
    );
    let devinfo = stdout(&redacted, "host-2", 0);
    assert!(
        devinfo.contains("\tnode_guid:\t\t\t0000:5e00:5300:0001\n"),
        "{devinfo}"
    );
    assert!(
        devinfo.contains("\tsys_image_guid:\t\t\t0000:5e00:5300:0002\n"),
        "{devinfo}"
    );
    assert!(stdout(&redacted, "host-2", 1).ends_with("Ethernet Address: 00:00:5E:00:53:01\n"));

    let (bus_a, item_a) = (
        "00000000-0000-4000-8000-000000000001",
        "00000000-0000-4000-8000-000000000002",
    );
    let one = stdout(&redacted, "host-1", 2);
    let two = stdout(&redacted, "host-2", 2);
    assert!(
        one.contains(&format!("\"domain_uuid_key\" : \"{bus_a}\",")),
        "{one}"
    );
    assert!(
        one.contains(&format!("\"domain_uuid_key\" : \"{item_a}\"\n")),
        "{one}"
    );
    assert!(
        two.contains(&format!("\"domain_uuid_key\" : \"{item_a}\",")),
        "{two}"
    );
    assert!(
        two.contains(&format!("\"domain_uuid_key\" : \"{bus_a}\"\n")),
        "{two}"
    );
}

#[test]
fn ipv6_groups_are_neither_macs_nor_guids() {
    let text = "\tinet6 fe80::364d:04ff:feea:0100%en0 prefixlen 64 secured scopeid 0x4\n\
                \t\t\tGID[  0]:\t\tfe80::344d:4ff:feea:4e40\n\
                \tinet6 2001:db8:1:2:3:4:5:6 prefixlen 64\n\
                \tinet6 2001:db8::aa:bb:cc:dd:ee:ff prefixlen 64\n\
                \tinet6 2001:db8::364d:04ff:feea:0100 prefixlen 64\n\
                \tinet6 ::1 prefixlen 128\n\
                run 1:2:3:4:5:6:7 and 364d:04ff:feea:0100:1\n";
    assert_eq!(
        bare().text(text),
        "\tinet6 fe80::1%en0 prefixlen 64 secured scopeid 0x4\n\
         \t\t\tGID[  0]:\t\tfe80::2\n\
         \tinet6 2001:db8:1:2:3:4:5:6 prefixlen 64\n\
         \tinet6 2001:db8::aa:bb:cc:dd:ee:ff prefixlen 64\n\
         \tinet6 2001:db8::364d:04ff:feea:0100 prefixlen 64\n\
         \tinet6 ::1 prefixlen 128\n\
         run 1:2:3:4:5:6:7 and 364d:04ff:feea:0100:1\n"
    );
}

#[test]
fn ipv4_addresses_and_mapped_gids_stay() {
    let text = "\t\t\tGID[  0]:\t\tfe80::344d:4ff:feea:4e40\n\
                \t\t\tGID[  1]:\t\t::ffff:10.254.0.5\n\
                \tinet 10.254.0.5 netmask 0xfffffffc broadcast 10.254.0.7\n\
                Internet:\n\
                Destination        Gateway            Flags               Netif Expire\n\
                default            192.168.1.1        UGScg                 en0       \n\
                10.254.0.4/30      link#13            UC                    en5      !\n\
                10.254.0.6         36:4d:4:ea:4e:45   UHLWIi                en5   1174\n\
                PING 10.254.0.6 (10.254.0.6): 56 data bytes\n";
    let redacted = bare().text(text);
    let ipv4 = literal(r"\d+\.\d+\.\d+\.\d+(?:/\d+)?");
    let addresses = |text: &str| -> Vec<String> {
        ipv4.find_iter(text)
            .map(|m| m.as_str().to_owned())
            .collect()
    };
    assert_eq!(addresses(&redacted), addresses(text));
    assert!(
        redacted.contains("\t\t\tGID[  1]:\t\t::ffff:10.254.0.5\n"),
        "{redacted}"
    );
    assert!(
        redacted.contains("10.254.0.6         0:0:5e:0:53:1   UHLWIi"),
        "{redacted}"
    );
}

#[test]
fn redaction_is_deterministic() {
    let recorded = Scenario::load(&fixture("three-node-mesh")).expect("fixture loads");
    let first = Redactor::for_scenario(&recorded).scenario(&recorded);
    let second = Redactor::for_scenario(&recorded).scenario(&recorded);
    assert_eq!(first, second);
}

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name)
}

#[test]
fn a_recorded_fixture_redacts_to_a_scenario_that_still_parses() {
    let recorded = Scenario::load(&fixture("three-node-mesh")).expect("fixture loads");
    let redacted = Redactor::for_scenario(&recorded).scenario(&recorded);

    let mut everything = format!("{}\n{}\n", redacted.description, redacted.args.join(" "));
    for (host, transcript) in &redacted.transcripts {
        let text = transcript.render();
        assert_eq!(Transcript::parse(&text).as_ref(), Ok(transcript), "{host}");
        everything.push_str(host);
        everything.push_str(&text);
    }
    for original in ["machine-a", "machine-b", "machine-c"] {
        assert!(
            !everything.to_ascii_lowercase().contains(original),
            "{original} remains"
        );
    }
    assert!(!everything.contains("36:4d:04:ea"), "a MAC remains");

    let nodes = |args: &[String]| -> Vec<(String, String, String)> {
        args.windows(2)
            .filter(|pair| pair[0] == "--node")
            .map(|pair| {
                let fields: Vec<&str> = pair[1].split(':').collect();
                assert_eq!(fields.len(), 3, "{}", pair[1]);
                (
                    fields[0].to_owned(),
                    fields[1].to_owned(),
                    fields[2].to_owned(),
                )
            })
            .collect()
    };
    let before = nodes(&recorded.args);
    let after = nodes(&redacted.args);
    assert_eq!(after.len(), before.len());
    let placeholder = literal(r"^host-[1-9][0-9]*$");
    for ((_, old_iface, old_ip), (host, iface, ip)) in before.iter().zip(&after) {
        assert!(placeholder.is_match(host), "{host}");
        assert_eq!((old_iface, old_ip), (iface, ip));
    }
    let hosts: Vec<&str> = after.iter().map(|(host, _, _)| host.as_str()).collect();
    assert_eq!(
        hosts,
        ["host-1", "host-2", "host-1", "host-3", "host-2", "host-3"]
    );
    assert_eq!(
        redacted.transcripts.keys().collect::<Vec<_>>(),
        ["host-1", "host-2", "host-3"]
    );
}
