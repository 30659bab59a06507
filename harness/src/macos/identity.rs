//! Addresses a Mac derives for itself, made stable from names: a simulated Mac must show the
//! same self-assigned IPv4 address and the same IPv6 link-locals on every run, or generated
//! scenarios and lab assertions would change from one run to the next.

use std::net::{Ipv4Addr, Ipv6Addr};

use rdma_phase::Prefix;

/// 128 stable bits from a seed: two FNV-1a passes with different offsets. Stable across
/// Rust releases, unlike `DefaultHasher`.
pub fn fingerprint(seed: &str) -> u128 {
    let fnv = |offset: u64| {
        seed.bytes().fold(offset, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    (u128::from(fnv(0xcbf2_9ce4_8422_2325)) << 64) | u128::from(fnv(0x6c62_272e_07bb_0142))
}

/// [`fingerprint`] with every input bit spread over every output bit (a splitmix64 finish on
/// each half): FNV alone leaves seeds that differ in their last letter (`anpi0`, `anpi1`)
/// sharing most of their bits, which would give them MAC addresses alike but for one byte.
pub fn scrambled(seed: &str) -> u128 {
    let mix = |mut z: u64| {
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let bits = fingerprint(seed);
    let (high, low) = ((bits >> 64) as u64, bits as u64);
    (u128::from(mix(high)) << 64) | u128::from(mix(low ^ high))
}

/// The address configd assigns a Thunderbolt port with a cable by itself (RFC 3927 link-local,
/// 169.254.1.0 to 169.254.254.255), stable per host and port. `salt` picks another address
/// when two ports of one lab would otherwise share one.
pub fn self_assigned_address(host: &str, port: &str, salt: u32) -> Ipv4Addr {
    let bits = scrambled(&format!("self-assigned/{host}/{port}/{salt}"));
    let third = 1 + u8::try_from(bits % 254).unwrap_or(0);
    let fourth = u8::try_from((bits >> 8) & 0xff).unwrap_or(0);
    Ipv4Addr::new(169, 254, third, fourth)
}

/// The /16 every self-assigned address comes with (`netmask 0xffff0000`).
pub fn self_assigned_prefix() -> Prefix {
    Prefix::new(16).unwrap_or_else(|_| unreachable!("16 is a valid prefix"))
}

/// Whether an address is an IPv4 link-local one (169.254/16), as configd assigns.
pub fn is_self_assigned(ip: Ipv4Addr) -> bool {
    ip.octets()[..2] == [169, 254]
}

/// The "secured" link-local address macOS gives an interface (RFC 7217: an interface id that
/// looks random but is stable), here derived from the MAC address. `ifconfig` prints it on
/// the `inet6 ... secured` line and the RDMA port lists it last in its GID table.
pub fn secured_link_local(mac: &str) -> String {
    let bits = scrambled(&format!("secured/{mac}"));
    let group = |shift: u32| {
        let word = u16::try_from((bits >> shift) & 0xffff).unwrap_or(0);
        // A zero group would be folded into `::`; a real address of this kind rarely has one.
        word.max(1)
    };
    Ipv6Addr::new(0xfe80, 0, 0, 0, group(48), group(32), group(16), group(0)).to_string()
}

/// The EUI-64 link-local address of a MAC (`36:4d:04:ea:4e:40` ->
/// `fe80::344d:4ff:feea:4e40`): the first entry of a Thunderbolt RDMA port's GID table.
pub fn eui64_link_local(mac: &str) -> String {
    let bytes: Vec<u8> = mac
        .split(':')
        .filter_map(|part| u8::from_str_radix(part, 16).ok())
        .collect();
    let [a, b, c, d, e, f] = bytes[..] else {
        return "fe80::".to_owned();
    };
    Ipv6Addr::new(
        0xfe80,
        0,
        0,
        0,
        u16::from_be_bytes([a ^ 0x02, b]),
        u16::from_be_bytes([c, 0xff]),
        u16::from_be_bytes([0xfe, d]),
        u16::from_be_bytes([e, f]),
    )
    .to_string()
}

/// A MAC address as `ether_ntoa` prints it, without leading zeros (`6e:67:02:6d:cf:32` ->
/// `6e:67:2:6d:cf:32`), as in a bridge's `Address cache:` entries.
pub fn ether_ntoa(mac: &str) -> String {
    mac.split(':')
        .map(|part| {
            u8::from_str_radix(part, 16).map_or_else(|_| part.to_owned(), |b| format!("{b:x}"))
        })
        .collect::<Vec<_>>()
        .join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eui64_matches_tn3205() {
        assert_eq!(
            eui64_link_local("36:4d:04:ea:4e:40"),
            "fe80::344d:4ff:feea:4e40"
        );
    }

    #[test]
    fn self_assigned_addresses_are_stable_and_in_range() {
        let a = self_assigned_address("hwstudio1", "en5", 0);
        assert_eq!(a, self_assigned_address("hwstudio1", "en5", 0));
        assert_ne!(a, self_assigned_address("hwstudio2", "en5", 0));
        assert_ne!(a, self_assigned_address("hwstudio1", "en5", 1));
        assert!(is_self_assigned(a));
        assert!((1..=254).contains(&a.octets()[2]));
        assert!(!is_self_assigned(Ipv4Addr::new(10, 254, 0, 5)));
    }

    #[test]
    fn secured_link_local_is_stable_and_not_the_eui64() {
        let mac = "36:4d:04:ea:4e:44";
        let secured = secured_link_local(mac);
        assert_eq!(secured, secured_link_local(mac));
        assert_ne!(secured, eui64_link_local(mac));
        assert!(secured.starts_with("fe80::"));
        assert_eq!(secured.matches(':').count(), 5, "{secured}");
    }

    #[test]
    fn ether_ntoa_drops_leading_zeros() {
        assert_eq!(ether_ntoa("6e:67:02:6d:cf:32"), "6e:67:2:6d:cf:32");
        assert_eq!(ether_ntoa("00:0a:00:00:00:01"), "0:a:0:0:0:1");
    }
}
