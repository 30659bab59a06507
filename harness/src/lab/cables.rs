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

    /// (host, port) at the other end of the cable at `host:port`, as the lab's state
    /// records it (also while the cable is unplugged).
    pub fn peer_of(&self, host: &str, port: &str) -> Result<(String, String), LabError> {
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

    /// Swap the plugs of the cables at `host:port_a` and `host:port_b`, as a person would at
    /// the back of that Mac: the cable that reached `port_a` now reaches `port_b` and the
    /// other way round. The state (which the shims read) names the new peers, and both
    /// cables come back as [`Lab::plug`] leaves one: fresh veth pairs, plugged in (also a
    /// cable that was unplugged), holding only their self-assigned addresses.
    pub fn swap_cables(&mut self, host: &str, port_a: &str, port_b: &str) -> Result<(), LabError> {
        let peer_a = self.peer_of(host, port_a)?;
        let peer_b = self.peer_of(host, port_b)?;
        // One cable between the two ports, or the same port twice: swapping its ends leaves
        // the same cable.
        if port_a == port_b || (peer_a.0 == host && peer_a.1 == port_b) {
            return Ok(());
        }
        self.set_peer(host, port_a, &peer_b)?;
        self.set_peer(&peer_b.0, &peer_b.1, &(host.to_owned(), port_a.to_owned()))?;
        self.set_peer(host, port_b, &peer_a)?;
        self.set_peer(&peer_a.0, &peer_a.1, &(host.to_owned(), port_b.to_owned()))?;
        self.state.save()?;
        // `plug` deletes both ends it now finds in the state before it cables them: deleting
        // a veth end deletes its old peer too, so the first plug also takes `port_b` and
        // `peer_a` down (the second plug finds them gone, which is fine).
        self.plug(host, port_a)?;
        self.plug(host, port_b)
    }

    fn set_peer(
        &mut self,
        host: &str,
        port: &str,
        peer: &(String, String),
    ) -> Result<(), LabError> {
        let record = self
            .state
            .host_mut(host)?
            .ports
            .iter_mut()
            .find(|p| p.name == port)
            .ok_or_else(|| LabError::Spec(format!("{host}:{port} has no cable")))?;
        record.peer_host.clone_from(&peer.0);
        record.peer_port.clone_from(&peer.1);
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
