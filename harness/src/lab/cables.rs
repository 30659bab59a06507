//! Plugging and pulling the Thunderbolt cables between simulated Macs (veth pairs).

use super::instance::Lab;
use super::{net, LabError};

impl Lab {
    /// Connect the cable at this port (as a fresh veth pair: like a real hotplug, the ports
    /// come back without the addresses set on them, holding only the self-assigned 169.254
    /// address configd gives a port with a link).
    pub fn plug(&mut self, host: &str, port: &str) -> Result<(), LabError> {
        let (mine, theirs) = self.cable_ends(host, port)?;
        net::remove_port(&mine.0, &mine.1)?;
        net::remove_port(&theirs.0, &theirs.1)?;
        net::cable(
            (&mine.0, &mine.1, &mine.2),
            (&theirs.0, &theirs.1, &theirs.2),
        )?;
        let peer = self.peer_of(host, port)?;
        for (end_host, end_port, ns) in [(host, port, &mine.0), (&peer.0, &peer.1, &theirs.0)] {
            if let Some(ip) = self.self_assigned(end_host, end_port) {
                net::self_assign(ns, end_port, ip)?;
            }
        }
        Ok(())
    }

    /// The 169.254 address configd gives `host:port` while it has a link.
    pub fn self_assigned(&self, host: &str, port: &str) -> Option<std::net::Ipv4Addr> {
        let host = self.state.host(host).ok()?;
        host.ports.iter().find(|p| p.name == port)?.self_assigned
    }

    fn peer_of(&self, host: &str, port: &str) -> Result<(String, String), LabError> {
        self.state
            .host(host)?
            .ports
            .iter()
            .find(|p| p.name == port)
            .map(|p| (p.peer_host.clone(), p.peer_port.clone()))
            .ok_or_else(|| LabError::Spec(format!("{host}:{port} has no cable")))
    }

    /// Pull the cable at this port: both ports stay, up, without carrier.
    pub fn unplug(&mut self, host: &str, port: &str) -> Result<(), LabError> {
        let (mine, theirs) = self.cable_ends(host, port)?;
        net::remove_port(&mine.0, &mine.1)?;
        net::remove_port(&theirs.0, &theirs.1)?;
        let switch = self.state.switch_ns.clone();
        for (ns, port_name, mac, stub) in [
            (&mine.0, &mine.1, &mine.2, &mine.3),
            (&theirs.0, &theirs.1, &theirs.2, &theirs.3),
        ] {
            net::dangling_port(ns, port_name, mac, &switch, stub)?;
        }
        Ok(())
    }

    /// (namespace, port, mac, stub name) of both ends of the cable at `host:port`.
    #[allow(clippy::type_complexity)]
    fn cable_ends(
        &self,
        host: &str,
        port: &str,
    ) -> Result<
        (
            (String, String, String, String),
            (String, String, String, String),
        ),
        LabError,
    > {
        let end = |host: &str, port: &str| -> Result<_, LabError> {
            let index = self.state.host_index(host)?;
            let record = &self.state.hosts[index];
            let port_state = record
                .ports
                .iter()
                .find(|p| p.name == port)
                .ok_or_else(|| LabError::Spec(format!("{host}:{port} has no cable")))?;
            Ok((
                record.ns.clone(),
                port.to_owned(),
                port_state.mac.clone(),
                format!("u{index}{port}"),
            ))
        };
        let mine = end(host, port)?;
        let peer = self.peer_of(host, port)?;
        let theirs = end(&peer.0, &peer.1)?;
        Ok((mine, theirs))
    }
}
