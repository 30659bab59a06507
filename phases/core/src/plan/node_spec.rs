use std::fmt;
use std::net::Ipv4Addr;

use serde::Serialize;

use super::PlanError;
use crate::names::{HostName, IfaceName};

/// One `--node SSH_HOST:IFACE:RDMA_IP`: an address to put on one Thunderbolt port.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct NodeSpec {
    pub host: HostName,
    pub iface: IfaceName,
    pub ip: Ipv4Addr,
}

impl NodeSpec {
    pub fn parse(spec: &str) -> Result<Self, PlanError> {
        let fields: Vec<&str> = spec.split(':').collect();
        let [host, iface, ip] = fields[..] else {
            return Err(PlanError::NodeFormat(spec.to_owned()));
        };
        let name_error = |reason| PlanError::NodeName {
            spec: spec.to_owned(),
            reason,
        };
        let host = HostName::parse(host).map_err(name_error)?;
        let iface = IfaceName::parse(iface).map_err(name_error)?;
        let ip = ip.parse::<Ipv4Addr>().map_err(|_| PlanError::NodeAddress {
            spec: spec.to_owned(),
            address: ip.to_owned(),
        })?;
        Ok(Self { host, iface, ip })
    }
}

impl fmt::Display for NodeSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.host, self.iface, self.ip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::NameError;
    use rstest::rstest;

    #[test]
    fn parses_the_readme_form() {
        let node = NodeSpec::parse("hwstudio1:en5:10.254.0.5").expect("valid");
        assert_eq!(node.host.as_str(), "hwstudio1");
        assert_eq!(node.iface.as_str(), "en5");
        assert_eq!(node.ip, Ipv4Addr::new(10, 254, 0, 5));
        assert_eq!(node.to_string(), "hwstudio1:en5:10.254.0.5");
    }

    #[rstest]
    #[case("hwstudio1:en5", PlanError::NodeFormat("hwstudio1:en5".into()))]
    #[case("a:b:c:d", PlanError::NodeFormat("a:b:c:d".into()))]
    #[case(":en5:10.254.0.5", PlanError::NodeName { spec: ":en5:10.254.0.5".into(), reason: NameError::EmptyHost })]
    #[case("h;x:en5:10.254.0.5", PlanError::NodeName { spec: "h;x:en5:10.254.0.5".into(), reason: NameError::BadHost("h;x".into()) })]
    #[case("h:eth 0:10.254.0.5", PlanError::NodeName { spec: "h:eth 0:10.254.0.5".into(), reason: NameError::BadIface("eth 0".into()) })]
    #[case("h:en5:10.254.0", PlanError::NodeAddress { spec: "h:en5:10.254.0".into(), address: "10.254.0".into() })]
    #[case("h:en5:fe80::1", PlanError::NodeFormat("h:en5:fe80::1".into()))]
    fn rejects_malformed_specs(#[case] spec: &str, #[case] error: PlanError) {
        assert_eq!(NodeSpec::parse(spec), Err(error));
    }

    #[test]
    fn errors_name_the_field() {
        let error = NodeSpec::parse("h:eth0x:10.254.0.5").expect_err("bad iface");
        assert_eq!(
            error.to_string(),
            "Invalid --node 'h:eth0x:10.254.0.5': interface 'eth0x' is not a macOS interface name like en5"
        );
    }
}
