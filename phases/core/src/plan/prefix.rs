use std::fmt;
use std::net::Ipv4Addr;

use serde::Serialize;

use super::PlanError;

/// A CIDR prefix length, 1..=32.
///
/// Hand-written rather than `ipnet`: the planner keeps one prefix for the whole cluster apart
/// from the addresses, reads the `0xfffffffc` masks `ifconfig` prints, and words its errors
/// like the old tool; the few lines of arithmetic below are all it needs and are tested.
/// Planning a pool of /30s (cable discovery) is where `ipnet`'s subnet iterators would earn
/// their place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Prefix(u8);

impl Prefix {
    pub fn new(bits: u8) -> Result<Self, PlanError> {
        if (1..=32).contains(&bits) {
            Ok(Self(bits))
        } else {
            Err(PlanError::Netmask(bits.to_string()))
        }
    }

    pub fn parse(text: &str) -> Result<Self, PlanError> {
        let bits = text.trim_start_matches('/');
        bits.parse::<u8>()
            .map_err(|_| PlanError::Netmask(text.to_owned()))
            .and_then(|bits| Self::new(bits).map_err(|_| PlanError::Netmask(text.to_owned())))
    }

    /// Build from a mask as `ifconfig` prints it (`0xfffffffc`); `None` if not contiguous.
    pub fn from_mask(mask: u32) -> Option<Self> {
        let bits = mask.leading_ones();
        (mask.count_ones() == bits && bits >= 1).then_some(Self(bits as u8))
    }

    pub fn bits(self) -> u8 {
        self.0
    }

    pub fn mask(self) -> u32 {
        u32::MAX << (32 - u32::from(self.0))
    }

    /// `255.255.255.252` for /30, as `ifconfig ... netmask` takes it.
    pub fn dotted(self) -> String {
        Ipv4Addr::from(self.mask()).to_string()
    }

    pub fn network(self, ip: Ipv4Addr) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(ip) & self.mask())
    }

    pub fn broadcast(self, ip: Ipv4Addr) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(ip) | !self.mask())
    }

    /// Whether two addresses with these prefixes have overlapping subnets.
    pub fn overlaps(self, ip: Ipv4Addr, other: Prefix, other_ip: Ipv4Addr) -> bool {
        let shorter = if self.0 <= other.0 { self } else { other };
        shorter.network(ip) == shorter.network(other_ip)
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(30, "255.255.255.252", 0xffff_fffc)]
    #[case(24, "255.255.255.0", 0xffff_ff00)]
    #[case(32, "255.255.255.255", 0xffff_ffff)]
    #[case(1, "128.0.0.0", 0x8000_0000)]
    fn masks(#[case] bits: u8, #[case] dotted: &str, #[case] mask: u32) {
        let prefix = Prefix::new(bits).expect("in range");
        assert_eq!(prefix.dotted(), dotted);
        assert_eq!(prefix.mask(), mask);
        assert_eq!(Prefix::from_mask(mask), Some(prefix));
    }

    #[rstest]
    #[case("0")]
    #[case("33")]
    #[case("abc")]
    #[case("")]
    fn rejects_out_of_range(#[case] text: &str) {
        assert_eq!(
            Prefix::parse(text),
            Err(PlanError::Netmask(text.to_owned()))
        );
    }

    #[test]
    fn non_contiguous_masks_are_not_prefixes() {
        assert_eq!(Prefix::from_mask(0xff00_ff00), None);
        assert_eq!(Prefix::from_mask(0), None);
    }

    #[test]
    fn network_and_broadcast() {
        let p30 = Prefix::new(30).expect("in range");
        let ip = Ipv4Addr::new(10, 254, 0, 5);
        assert_eq!(p30.network(ip), Ipv4Addr::new(10, 254, 0, 4));
        assert_eq!(p30.broadcast(ip), Ipv4Addr::new(10, 254, 0, 7));
    }
}
