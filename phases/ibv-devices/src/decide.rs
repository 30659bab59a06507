//! The rows of the phase, decided from parsed `ibv_devices` and `ibv_devinfo` output.

use std::net::Ipv4Addr;

use rdma_phase::facts::AddressState;
use rdma_phase::parse::{find_device, one_line, DeviceInfo};
use rdma_phase::Mode;
use rdma_phase::{CommandOutput, Outcome};

/// What the rows are about.
#[derive(Debug, Clone)]
pub struct NodeFacts<'a> {
    pub host: &'a str,
    pub iface: &'a str,
    /// `rdma_en5` for `en5`.
    pub device: String,
    pub address: Ipv4Addr,
}

/// What `ibv_devices` says about the node's device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listing {
    Found,
    /// The header only: RDMA is off, nothing is cabled, or the hardware is not TB5.
    NoDevices,
    /// Devices exist, ours is not among them.
    Elsewhere(Vec<String>),
    /// No `ibv_devices` on the host: macOS older than 26.2.
    Missing,
    /// The command failed; what it printed.
    Failed(String),
}

pub fn classify_listing(output: &CommandOutput, devices: &[String], wanted: &str) -> Listing {
    if devices.iter().any(|device| device == wanted) {
        return Listing::Found;
    }
    if !devices.is_empty() {
        return Listing::Elsewhere(devices.to_vec());
    }
    let stderr = output.stderr.to_ascii_lowercase();
    if output.exit_code == 127 || stderr.contains("command not found") {
        Listing::Missing
    } else if output.success() || stderr.contains("no ib devices found") {
        Listing::NoDevices
    } else {
        Listing::Failed(one_line(&output.combined_trimmed()))
    }
}

pub fn listing_row(listing: &Listing, facts: &NodeFacts<'_>) -> Outcome {
    let NodeFacts {
        host,
        iface,
        device,
        ..
    } = facts;
    match listing {
        Listing::Found => Outcome::ok(format!("IBV devices: {device}")),
        Listing::NoDevices => Outcome::fail("IBV devices: none (RDMA disabled)").with_hint(format!(
            "{host} shows no RDMA devices. Causes: RDMA is disabled (see the RDMA line; enable it from Recovery with `rdma_ctl enable`), no Thunderbolt 5 cable is plugged in, or the interface name is wrong (check `ifconfig` on {host}: en3 vs en5)"
        )),
        Listing::Elsewhere(found) => Outcome::fail(format!(
            "IBV devices: {device} not found (found: {})",
            found.join(", ")
        ))
        .with_hint(format!(
            "{host} has RDMA devices, but none for {iface}: the device for enN is rdma_enN, so check which port the cable is in and give that interface in --node"
        )),
        Listing::Missing => Outcome::fail("IBV devices: ibv_devices not found (needs macOS 26.2 or later)")
            .with_hint(format!(
                "Update {host} to macOS 26.2 or later, the same version as the other Macs"
            )),
        Listing::Failed(text) => Outcome::fail(format!("IBV devices: ibv_devices failed: {text}"))
            .with_hint(format!("Run `ibv_devices` on {host} by hand to see what is wrong")),
    }
}

/// The block for our device, matched by name only: a block for another device says nothing
/// about ours.
pub fn pick_device<'a>(devices: &'a [DeviceInfo], wanted: &str) -> Option<&'a DeviceInfo> {
    find_device(devices, wanted)
}

pub fn port_row(
    device: Option<&DeviceInfo>,
    devinfo: &CommandOutput,
    facts: &NodeFacts<'_>,
) -> Outcome {
    let NodeFacts {
        host,
        iface,
        device: name,
        ..
    } = facts;
    let Some(device) = device else {
        let printed = one_line(&devinfo.combined_trimmed());
        let printed = if printed.is_empty() {
            "nothing".to_owned()
        } else {
            printed
        };
        return Outcome::fail(format!(
            "{name} port: unreadable (ibv_devinfo printed {printed})"
        ))
        .with_hint(format!(
            "Run `ibv_devinfo -d {name} -v` on {host} by hand to see what is wrong"
        ));
    };
    if device.ports.iter().any(|port| port.is_active()) {
        return Outcome::ok(format!("{name} port: PORT_ACTIVE"));
    }
    let state = device
        .ports
        .first()
        .and_then(|port| port.state.clone())
        .unwrap_or_else(|| "no port state".to_owned());
    Outcome::warn(format!("{name} port: {state}")).with_hint(format!(
        "The port of {iface} on {host} is not active. Causes: RDMA is off on the Mac at the other end (see its RDMA line), {iface} is still in a bridge (see the bridge line), the cable is loose or not Thunderbolt 5, or the two Macs run different macOS versions (they must match exactly)"
    ))
}

pub fn gid_row(device: Option<&DeviceInfo>, facts: &NodeFacts<'_>) -> Outcome {
    let NodeFacts {
        host,
        iface,
        device: name,
        address,
    } = facts;
    if device.is_some_and(|device| device.has_ipv4_mapped_gid(*address)) {
        return Outcome::ok(format!("GID: ::ffff:{address}"));
    }
    Outcome::fail(format!("GID: no ::ffff:{address} on {name}")).with_hint(format!(
        "JACCL refuses a port without an IPv4-mapped GID. It appears once {iface} holds {address}: see the Static IP line for {host}, then re-run"
    ))
}

/// The GID row once we know why the IPv4-mapped GID is missing.
pub fn missing_gid_row(held: AddressState, mode: Mode, facts: &NodeFacts<'_>) -> Outcome {
    let NodeFacts {
        host,
        iface,
        device: name,
        address,
    } = facts;
    match (held, mode) {
        // The address is what a run sets; the GID follows it.
        (AddressState::Missing, Mode::Check) => Outcome::pending(format!(
            "GID ::ffff:{address} appears on {name} once {iface} has its address"
        )),
        (AddressState::Held, _) => Outcome::fail(format!(
            "GID: no ::ffff:{address} on {name}, although {iface} holds {address}"
        ))
        .with_hint(format!(
            "The port's GID table did not pick up the address; this happens after a Thunderbolt link was taken down and up repeatedly, and only a restart of {host} clears it. JACCL refuses the port until then"
        )),
        // Not there, or a real run that should have set it: the plain missing-GID row.
        _ => gid_row(None, facts),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use rdma_phase::parse::{parse_ibv_devices, parse_ibv_devinfo};
    use rdma_phase::Status;
    use rstest::rstest;

    const HEADER: &str =
        "    device          \t   node GUID\n    ------          \t----------------\n";

    /// hwstudio1's node en5 (`rdma_en5`, 10.254.0.5), the node these tests judge.
    pub(crate) fn facts() -> NodeFacts<'static> {
        NodeFacts {
            host: "hwstudio1",
            iface: "en5",
            device: "rdma_en5".into(),
            address: Ipv4Addr::new(10, 254, 0, 5),
        }
    }

    fn list(devices: &[&str]) -> String {
        let mut text = HEADER.to_owned();
        for device in devices {
            text.push_str(&format!("    {device:<16}\t8396a9d9edbaac05\n"));
        }
        text
    }

    #[rstest]
    #[case(CommandOutput::new(list(&["rdma_en2", "rdma_en5"]), "", 0), Status::Ok, "IBV devices: rdma_en5")]
    #[case(
        CommandOutput::new(HEADER, "", 0),
        Status::Fail,
        "IBV devices: none (RDMA disabled)"
    )]
    #[case(
        CommandOutput::new("", "No IB devices found\n", 255),
        Status::Fail,
        "IBV devices: none (RDMA disabled)"
    )]
    #[case(
        CommandOutput::new(list(&["rdma_en3", "rdma_en2"]), "", 0),
        Status::Fail,
        "IBV devices: rdma_en5 not found (found: rdma_en3, rdma_en2)"
    )]
    #[case(
        CommandOutput::new(list(&["rdma_en50"]), "", 0),
        Status::Fail,
        "IBV devices: rdma_en5 not found (found: rdma_en50)"
    )]
    #[case(
        CommandOutput::new("", "zsh:1: command not found: ibv_devices\n", 127),
        Status::Fail,
        "IBV devices: ibv_devices not found (needs macOS 26.2 or later)"
    )]
    #[case(
        CommandOutput::new("", "Failed to get IB devices list: Function not implemented\n", 1),
        Status::Fail,
        "IBV devices: ibv_devices failed: Failed to get IB devices list: Function not implemented"
    )]
    fn listing_rows(#[case] output: CommandOutput, #[case] status: Status, #[case] message: &str) {
        let devices = parse_ibv_devices(&output.stdout);
        let row = listing_row(&classify_listing(&output, &devices, "rdma_en5"), &facts());
        assert_eq!((row.status, row.message.as_str()), (status, message));
        assert_eq!(row.hint.is_some(), status != Status::Ok);
    }

    fn devinfo(hca: &str, state: &str, gids: &[&str]) -> String {
        let mut text = format!(
            "hca_id:\t{hca}\n\ttransport:\t\t\tThunderbolt (100)\n\tphys_port_cnt:\t\t\t1\n\t\tport:\t1\n\t\t\tstate:\t\t\t{state}\n\t\t\tlink_layer:\t\tThunderbolt\n"
        );
        for (index, gid) in gids.iter().enumerate() {
            text.push_str(&format!("\t\t\tGID[{index:>3}]:\t\t{gid}\n"));
        }
        text
    }

    #[rstest]
    #[case(devinfo("rdma_en5", "PORT_ACTIVE (4)", &[]), Status::Ok, "rdma_en5 port: PORT_ACTIVE")]
    #[case(devinfo("rdma_en5", "PORT_DOWN (1)", &[]), Status::Warn, "rdma_en5 port: PORT_DOWN")]
    #[case(devinfo("rdma_en5", "PORT_INIT (2)", &[]), Status::Warn, "rdma_en5 port: PORT_INIT")]
    #[case("hca_id:\trdma_en5\n".to_owned(), Status::Warn, "rdma_en5 port: no port state")]
    #[case(
        String::new(),
        Status::Fail,
        "rdma_en5 port: unreadable (ibv_devinfo printed nothing)"
    )]
    fn port_rows(#[case] text: String, #[case] status: Status, #[case] message: &str) {
        let parsed = parse_ibv_devinfo(&text);
        let row = port_row(
            pick_device(&parsed, "rdma_en5"),
            &CommandOutput::new(&text, "", 0),
            &facts(),
        );
        assert_eq!((row.status, row.message.as_str()), (status, message));
    }

    #[test]
    fn unreadable_devinfo_shows_the_error() {
        let out = CommandOutput::new("", "IB device 'rdma_en5' wasn't found\n", 255);
        let row = port_row(None, &out, &facts());
        assert_eq!(
            row.message,
            "rdma_en5 port: unreadable (ibv_devinfo printed IB device 'rdma_en5' wasn't found)"
        );
    }

    #[rstest]
    #[case(&["fe80::344d:4ff:feea:4e40", "::ffff:10.254.0.5"], Status::Ok, "GID: ::ffff:10.254.0.5")]
    #[case(&["fe80::344d:4ff:feea:4e40"], Status::Fail, "GID: no ::ffff:10.254.0.5 on rdma_en5")]
    #[case(&["::ffff:10.254.0.6"], Status::Fail, "GID: no ::ffff:10.254.0.5 on rdma_en5")]
    fn gid_rows(#[case] gids: &[&str], #[case] status: Status, #[case] message: &str) {
        let parsed = parse_ibv_devinfo(&devinfo("rdma_en5", "PORT_ACTIVE (4)", gids));
        let row = gid_row(pick_device(&parsed, "rdma_en5"), &facts());
        assert_eq!((row.status, row.message.as_str()), (status, message));
        if status == Status::Fail {
            assert!(row
                .hint
                .as_deref()
                .is_some_and(|hint| hint.contains("Static IP")));
        }
    }

    #[test]
    fn picks_by_name_only() {
        let two = parse_ibv_devinfo(&format!(
            "{}{}",
            devinfo("rdma_en3", "PORT_DOWN (1)", &[]),
            devinfo("rdma_en5", "PORT_ACTIVE (4)", &[])
        ));
        assert_eq!(
            pick_device(&two, "rdma_en5").map(|d| d.hca_id.as_str()),
            Some("rdma_en5")
        );
        assert_eq!(pick_device(&two, "rdma_en9"), None);
        let one = parse_ibv_devinfo(&devinfo("rdma_en3", "PORT_DOWN (1)", &[]));
        assert_eq!(pick_device(&one, "rdma_en5"), None);
    }

    #[rstest]
    #[case(
        AddressState::Missing,
        Mode::Check,
        Status::Pending,
        "GID ::ffff:10.254.0.5 appears on rdma_en5 once en5 has its address"
    )]
    #[case(
        AddressState::Missing,
        Mode::Apply,
        Status::Fail,
        "GID: no ::ffff:10.254.0.5 on rdma_en5"
    )]
    #[case(
        AddressState::Held,
        Mode::Apply,
        Status::Fail,
        "GID: no ::ffff:10.254.0.5 on rdma_en5, although en5 holds 10.254.0.5"
    )]
    #[case(
        AddressState::Held,
        Mode::Check,
        Status::Fail,
        "GID: no ::ffff:10.254.0.5 on rdma_en5, although en5 holds 10.254.0.5"
    )]
    fn a_missing_gid_says_why(
        #[case] held: AddressState,
        #[case] mode: Mode,
        #[case] status: Status,
        #[case] message: &str,
    ) {
        let row = missing_gid_row(held, mode, &facts());
        assert_eq!((row.status, row.message.as_str()), (status, message));
        if status == Status::Fail && held == AddressState::Held {
            assert!(row
                .hint
                .as_deref()
                .is_some_and(|hint| hint.contains("restart of hwstudio1")));
        }
    }
}
