//! `system_profiler SPThunderboltDataType -json` of a Mac Studio (M3 Ultra).
//!
//! Field names, values and key order follow a published capture of a macOS 26 Mac Studio
//! cabled to another Mac over Thunderbolt 5: one entry per bus, highest bus first; bus k is
//! receptacle k+1 ("Thunderbolt k+1"); keys sorted; a cabled Mac appears as the first entry
//! of the bus's `_items`, carrying the domain UUID of the bus it is plugged into at the
//! other end. A Mac peer has no `switch_uid_key` of its own (the buses have one each) and no
//! serial number. Its `services_title` lists the IP service and, when RDMA is enabled on
//! it, the XDomain service with protocol id 64087. Left out as unknown or meaningless here:
//! the RDMA service's `service_key_key` (an opaque string) and every field a bus without
//! a Mac peer would show for docks and drives.

use serde::Serialize;

use super::apple_json::to_apple_json;
use super::identity::fingerprint;
use super::networksetup::mac_studio_receptacle;

/// The machine whose buses these are (`device_name_key` of each bus).
pub const HOST_MODEL_NAME: &str = "Mac Studio";
/// How a cabled Mac Studio (M3 Ultra) describes itself to its peer.
pub const PEER_MODEL_NAME: &str = "Mac Studio";
pub const PEER_MODEL_ID: &str = "Mac15,14";
/// A Thunderbolt 4 Mac: the M4 Mac mini, whose ports cannot do RDMA.
pub const TB4_MODEL_NAME: &str = "Mac mini";
pub const TB4_MODEL_ID: &str = "Mac16,10";
pub const APPLE: &str = "Apple Inc.";

/// Which Thunderbolt a Mac's ports speak. RDMA needs Thunderbolt 5 at both ends; a Thunderbolt
/// 4 Mac can still say `enabled` in `rdma_ctl status`, and lists no RDMA device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Generation {
    #[default]
    Thunderbolt5,
    Thunderbolt4,
}

impl Generation {
    pub fn can_rdma(self) -> bool {
        self == Self::Thunderbolt5
    }

    /// `current_speed_key` of a link: the slower end sets the pace (TB5 `80 Gb/s`, TB4
    /// `40 Gb/s`, as the reference says).
    pub fn link_speed(self, peer: Self) -> &'static str {
        if self == Self::Thunderbolt5 && peer == Self::Thunderbolt5 {
            "80 Gb/s"
        } else {
            "40 Gb/s"
        }
    }

    /// `current_speed_key` of an idle receptacle. The reference gives the TB5 one only; a
    /// TB4 port's maximum is 40 Gb/s.
    fn idle_speed(self) -> &'static str {
        match self {
            Self::Thunderbolt5 => "Up to 120 Gb/s",
            Self::Thunderbolt4 => "Up to 40 Gb/s",
        }
    }

    fn model(self) -> (&'static str, &'static str) {
        match self {
            Self::Thunderbolt5 => (PEER_MODEL_NAME, PEER_MODEL_ID),
            Self::Thunderbolt4 => (TB4_MODEL_NAME, TB4_MODEL_ID),
        }
    }
}
/// The XDomain protocol id of the RDMA service an RDMA-enabled Mac advertises.
pub const RDMA_PROTOCOL_ID: u32 = 64087;

/// One Thunderbolt bus (one receptacle) of the Mac.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThunderboltBusView {
    /// k of `thunderboltusb4_bus_<k>`.
    pub bus: u32,
    /// N of "Thunderbolt N" (`receptacle_id_key`).
    pub receptacle: u32,
    pub domain_uuid: String,
    pub switch_uid: String,
    /// What this Mac's own ports speak.
    pub generation: Generation,
    /// The Mac at the other end of a cable with a link; `None` for an idle receptacle.
    pub peer: Option<ThunderboltPeerView>,
}

impl ThunderboltBusView {
    /// The bus behind `host`'s port `port` on a Mac Studio ([`mac_studio_receptacle`]), with
    /// the identifiers the simulator and the lab derive; `None` when `port` is no
    /// Thunderbolt port there.
    pub fn mac_studio(
        host: &str,
        port: &str,
        generation: Generation,
        peer: Option<ThunderboltPeerView>,
    ) -> Option<Self> {
        let receptacle = mac_studio_receptacle(port)?;
        Some(Self {
            bus: receptacle - 1,
            receptacle,
            domain_uuid: domain_uuid(host, port),
            switch_uid: switch_uid(host, receptacle - 1),
            generation,
            peer,
        })
    }
}

/// A Mac at the other end of a Thunderbolt 5 cable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThunderboltPeerView {
    /// The domain UUID of the peer's own bus this cable is plugged into.
    pub domain_uuid: String,
    pub ip_service_uuid: String,
    /// Present when the peer has RDMA enabled (and can do it: Thunderbolt 5).
    pub rdma_service_uuid: Option<String>,
    /// What the peer's ports speak: its model, and the link's speed.
    pub generation: Generation,
}

#[derive(Serialize)]
struct Document<'a> {
    #[serde(rename = "SPThunderboltDataType")]
    buses: Vec<Bus<'a>>,
}

// Field order is key order in the output: sorted, as Apple writes them.
#[derive(Serialize)]
struct Bus<'a> {
    #[serde(rename = "_items", skip_serializing_if = "Vec::is_empty")]
    items: Vec<Peer<'a>>,
    #[serde(rename = "_name")]
    name: String,
    device_name_key: &'static str,
    domain_uuid_key: &'a str,
    receptacle_1_tag: Receptacle,
    route_string_key: &'static str,
    switch_uid_key: &'a str,
    vendor_name_key: &'static str,
}

#[derive(Serialize)]
struct Receptacle {
    current_speed_key: &'static str,
    link_status_key: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    micro_version_key: Option<&'static str>,
    receptacle_id_key: String,
    receptacle_status_key: &'static str,
}

#[derive(Serialize)]
struct Peer<'a> {
    #[serde(rename = "_name")]
    name: &'static str,
    device_id_key: &'static str,
    device_name_key: &'static str,
    domain_uuid_key: &'a str,
    services_title: Vec<Service<'a>>,
    vendor_id_key: &'static str,
    vendor_name_key: &'static str,
}

#[derive(Serialize)]
struct Service<'a> {
    #[serde(rename = "_name")]
    name: &'static str,
    protocol_id_key: u32,
    protocol_revision_key: u32,
    protocol_version_key: u32,
    service_uuid_key: &'a str,
}

/// The whole document, buses from the highest number down as macOS lists them.
pub fn sp_thunderbolt_json(buses: &[ThunderboltBusView]) -> Result<String, serde_json::Error> {
    let mut sorted: Vec<&ThunderboltBusView> = buses.iter().collect();
    sorted.sort_by_key(|view| std::cmp::Reverse(view.bus));
    let document = Document {
        buses: sorted.into_iter().map(bus).collect(),
    };
    to_apple_json(&document)
}

fn bus(view: &ThunderboltBusView) -> Bus<'_> {
    let receptacle = if let Some(peer) = &view.peer {
        Receptacle {
            current_speed_key: view.generation.link_speed(peer.generation),
            link_status_key: "0x2",
            micro_version_key: Some("0.0.0"),
            receptacle_id_key: view.receptacle.to_string(),
            receptacle_status_key: "receptacle_connected",
        }
    } else {
        Receptacle {
            current_speed_key: view.generation.idle_speed(),
            link_status_key: "0x100",
            micro_version_key: None,
            receptacle_id_key: view.receptacle.to_string(),
            receptacle_status_key: "receptacle_no_devices_connected",
        }
    };
    Bus {
        items: view.peer.iter().map(peer).collect(),
        name: format!("thunderboltusb4_bus_{}", view.bus),
        device_name_key: view.generation.model().0,
        domain_uuid_key: &view.domain_uuid,
        receptacle_1_tag: receptacle,
        route_string_key: "0",
        switch_uid_key: &view.switch_uid,
        vendor_name_key: APPLE,
    }
}

fn peer(view: &ThunderboltPeerView) -> Peer<'_> {
    let mut services = vec![Service {
        name: "service_ip",
        protocol_id_key: 1,
        protocol_revision_key: 1,
        protocol_version_key: 1,
        service_uuid_key: &view.ip_service_uuid,
    }];
    if let Some(uuid) = &view.rdma_service_uuid {
        services.push(Service {
            name: "unknown_xd_service",
            protocol_id_key: RDMA_PROTOCOL_ID,
            protocol_revision_key: 0,
            protocol_version_key: 1,
            service_uuid_key: uuid,
        });
    }
    let (name, model) = view.generation.model();
    Peer {
        name,
        device_id_key: "0xA",
        device_name_key: model,
        domain_uuid_key: &view.domain_uuid,
        services_title: services,
        vendor_id_key: "0x0A27",
        vendor_name_key: APPLE,
    }
}

/// The domain UUID of `host`'s bus behind `port`: the same on both ends of a cable, so each
/// Mac names the other's bus (simulator and lab alike).
pub fn domain_uuid(host: &str, port: &str) -> String {
    stable_uuid(&format!("domain/{host}/{port}"))
}

/// A random-looking but stable version-4 UUID, uppercase as macOS prints them.
pub fn stable_uuid(seed: &str) -> String {
    let bits = fingerprint(seed);
    // Version 4, RFC 4122 variant: the form of the UUIDs in captures.
    let bits = (bits & !(0xf << 76)) | (0x4 << 76);
    let bits = (bits & !(0x3 << 62)) | (0x2 << 62);
    let hex = format!("{bits:032X}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// A bus's `switch_uid_key`: Apple's vendor id 0x05AC, 44 bits stable per Mac, then the bus
/// number in the last hex digit, as captures show (`0x05AC714E4ABE9810` .. `..9815`).
pub fn switch_uid(host_seed: &str, bus: u32) -> String {
    let host = (fingerprint(host_seed) >> 84) & 0xfff_ffff_ffff;
    format!("0x05AC{host:011X}{:X}", bus & 0xf)
}

#[cfg(test)]
#[path = "thunderbolt_tests.rs"]
mod tests;
