//! The kernel's IPv4 routing table of a namespace (`ip -j -4 route show table main`).

use std::net::Ipv4Addr;

use serde::Deserialize;

use super::kernel;

/// One route as `ip -j` prints it.
#[derive(Debug, Clone, Deserialize)]
pub struct Route {
    /// `default`, `10.77.0.0/24`, or a bare address for a /32.
    pub dst: String,
    pub gateway: Option<String>,
    pub dev: Option<String>,
    /// `kernel` for the subnet route an address brings with it.
    pub protocol: Option<String>,
    /// Absent for plain unicast routes; `blackhole`, `unreachable`, ... otherwise.
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

impl Route {
    /// Destination address and prefix length.
    pub fn destination(&self) -> Option<(Ipv4Addr, u8)> {
        if self.dst == "default" {
            return Some((Ipv4Addr::UNSPECIFIED, 0));
        }
        match self.dst.split_once('/') {
            Some((address, prefix)) => Some((address.parse().ok()?, prefix.parse().ok()?)),
            None => Some((self.dst.parse().ok()?, 32)),
        }
    }

    pub fn gateway(&self) -> Option<Ipv4Addr> {
        self.gateway.as_deref().and_then(|gw| gw.parse().ok())
    }

    /// The subnet route the kernel adds with an address.
    pub fn connected(&self) -> bool {
        self.protocol.as_deref() == Some("kernel") && self.gateway.is_none()
    }

    pub fn unicast(&self) -> bool {
        self.kind.as_deref().is_none_or(|kind| kind == "unicast")
    }
}

/// The main table of the current namespace.
pub fn main_table() -> Result<Vec<Route>, String> {
    parse_routes(&kernel::ip(
        None,
        &["-j", "-4", "route", "show", "table", "main"],
    )?)
}

pub fn parse_routes(json: &str) -> Result<Vec<Route>, String> {
    // An empty table prints nothing at all with some iproute2 versions.
    if json.trim().is_empty() {
        return Ok(Vec::new());
    }
    serde_json::from_str(json).map_err(|err| format!("cannot parse `ip -j route`: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_routes_parse() {
        let routes = parse_routes(
            r#"[{"dst":"default","gateway":"10.77.0.1","dev":"en0","flags":[]},
                {"dst":"10.77.0.0/24","dev":"en0","protocol":"kernel","scope":"link",
                 "prefsrc":"10.77.0.11","flags":[]},
                {"dst":"10.9.9.9","gateway":"10.77.0.1","dev":"en0","flags":[]},
                {"type":"blackhole","dst":"10.1.0.0/16","flags":[]}]"#,
        )
        .expect("parses");
        assert_eq!(routes[0].destination(), Some((Ipv4Addr::UNSPECIFIED, 0)));
        assert_eq!(routes[0].gateway(), Some(Ipv4Addr::new(10, 77, 0, 1)));
        assert!(!routes[0].connected());
        assert_eq!(
            routes[1].destination(),
            Some((Ipv4Addr::new(10, 77, 0, 0), 24))
        );
        assert!(routes[1].connected());
        assert_eq!(
            routes[2].destination(),
            Some((Ipv4Addr::new(10, 9, 9, 9), 32))
        );
        assert!(routes[0].unicast() && !routes[3].unicast());
        assert!(parse_routes("").expect("empty").is_empty());
    }
}
