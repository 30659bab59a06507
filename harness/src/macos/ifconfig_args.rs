//! The address arguments macOS `ifconfig IFACE ...` takes, read the way its `inet` handler
//! reads them: the first word that is no keyword is the address, in any position, so that
//! `delete 10.254.0.5` and `10.254.0.5 delete` mean the same. Shared by the simulator and
//! the lab's shim, so both accept exactly the same forms.

use std::net::Ipv4Addr;

use rdma_phase::Prefix;

/// A parsed `[inet] ADDR[/BITS] [netmask M] [broadcast B] [alias] [up]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressChange {
    pub ip: Ipv4Addr,
    pub prefix: Prefix,
    /// Add beside the others; without it the interface's first IPv4 address is replaced.
    pub alias: bool,
    pub up: bool,
}

/// What the address words ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressCommand {
    Set(AddressChange),
    /// `delete ADDR` or `-alias ADDR` (either order, `inet` first or not, any netmask).
    Delete(Ipv4Addr),
}

impl AddressCommand {
    /// `ifconfig`'s stderr when someone who is not root asks for it.
    pub fn permission_denied(self) -> String {
        let ioctl = match self {
            Self::Set(_) => "SIOCAIFADDR",
            Self::Delete(_) => "SIOCDIFADDR",
        };
        format!("ifconfig: ioctl ({ioctl}): permission denied\n")
    }
}

/// `ifconfig`'s stderr for deleting an address the interface does not hold.
pub const ADDRESS_NOT_HELD: &str =
    "ifconfig: ioctl (SIOCDIFADDR): Can't assign requested address\n";

/// The words after `ifconfig IFACE`. `Err` is the text after `ifconfig: `.
pub fn parse_address_args(words: &[&str]) -> Result<AddressCommand, String> {
    let mut words = words.iter().copied().peekable();
    if words.peek() == Some(&"inet") {
        words.next();
    }
    let mut address: Option<(Ipv4Addr, Option<Prefix>)> = None;
    let mut netmask = None;
    let (mut alias, mut delete, mut up) = (false, false, false);
    while let Some(word) = words.next() {
        match word {
            "netmask" => {
                let mask = words.next().ok_or("netmask: missing value")?;
                netmask = Some(parse_mask(mask).ok_or_else(|| format!("{mask}: bad value"))?);
            }
            "broadcast" => {
                words.next();
            }
            "alias" | "add" => alias = true,
            "-alias" | "delete" | "remove" => delete = true,
            "up" => up = true,
            other if address.is_none() => address = Some(parse_address(other)?),
            other => return Err(format!("{other}: bad value")),
        }
    }
    let Some((ip, cidr)) = address else {
        return Err("missing address".to_owned());
    };
    if delete {
        return Ok(AddressCommand::Delete(ip));
    }
    // Without a netmask, BSD falls back to the address's classful mask (10.x is /8).
    let prefix = match netmask.or(cidr) {
        Some(prefix) => prefix,
        None => classful(ip).ok_or("no netmask")?,
    };
    Ok(AddressCommand::Set(AddressChange {
        ip,
        prefix,
        alias,
        up,
    }))
}

/// `10.254.0.5` or `10.254.0.5/30`.
fn parse_address(word: &str) -> Result<(Ipv4Addr, Option<Prefix>), String> {
    let (ip_text, prefix) = match word.split_once('/') {
        Some((ip, bits)) => (
            ip,
            Some(Prefix::parse(bits).map_err(|_| format!("{word}: bad value"))?),
        ),
        None => (word, None),
    };
    let ip = ip_text
        .parse()
        .map_err(|_| format!("{ip_text}: bad value"))?;
    Ok((ip, prefix))
}

fn classful(ip: Ipv4Addr) -> Option<Prefix> {
    let bits = match ip.octets()[0] {
        0..=127 => 8,
        128..=191 => 16,
        _ => 24,
    };
    Prefix::new(bits).ok()
}

/// `255.255.255.252` or `0xfffffffc`.
fn parse_mask(text: &str) -> Option<Prefix> {
    let bits = if let Some(hex) = text.strip_prefix("0x") {
        u32::from_str_radix(hex, 16).ok()?
    } else {
        u32::from(text.parse::<Ipv4Addr>().ok()?)
    };
    Prefix::from_mask(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADDR: Ipv4Addr = Ipv4Addr::new(10, 254, 0, 5);

    fn p30() -> Prefix {
        Prefix::new(30).expect("valid")
    }

    fn set(words: &[&str]) -> AddressChange {
        match parse_address_args(words) {
            Ok(AddressCommand::Set(change)) => change,
            other => panic!("{words:?}: {other:?}"),
        }
    }

    #[test]
    fn assignment_replacing_the_first_address() {
        let change = set(&["10.254.0.5", "netmask", "255.255.255.252"]);
        assert_eq!(
            change,
            AddressChange {
                ip: ADDR,
                prefix: p30(),
                alias: false,
                up: false
            }
        );
        let hex = set(&["inet", "10.254.0.5", "netmask", "0xfffffffc", "alias", "up"]);
        assert_eq!((hex.prefix, hex.alias, hex.up), (p30(), true, true));
        assert_eq!(set(&["10.254.0.5"]).prefix.bits(), 8);
    }

    #[test]
    fn alias_in_cidr_form() {
        let change = set(&["inet", "10.254.0.5/30", "alias"]);
        assert_eq!(
            (change.ip, change.prefix, change.alias),
            (ADDR, p30(), true)
        );
    }

    #[test]
    fn alias_with_a_dotted_netmask() {
        let change = set(&["inet", "10.254.0.5", "netmask", "255.255.255.252", "alias"]);
        assert_eq!(
            (change.ip, change.prefix, change.alias),
            (ADDR, p30(), true)
        );
    }

    #[test]
    fn delete_before_the_address() {
        assert_eq!(
            parse_address_args(&["delete", "10.254.0.5"]),
            Ok(AddressCommand::Delete(ADDR))
        );
        assert_eq!(
            parse_address_args(&["inet", "delete", "10.254.0.5"]),
            Ok(AddressCommand::Delete(ADDR))
        );
    }

    #[test]
    fn minus_alias_before_or_after_the_address() {
        assert_eq!(
            parse_address_args(&["-alias", "10.254.0.5"]),
            Ok(AddressCommand::Delete(ADDR))
        );
        assert_eq!(
            parse_address_args(&["inet", "10.254.0.5", "-alias"]),
            Ok(AddressCommand::Delete(ADDR))
        );
        assert_eq!(
            parse_address_args(&["10.254.0.5/30", "delete"]),
            Ok(AddressCommand::Delete(ADDR))
        );
    }

    #[test]
    fn refusals() {
        assert_eq!(
            parse_address_args(&["10.254.0.5", "netmask", "255.0.255.0"]),
            Err("255.0.255.0: bad value".to_owned())
        );
        assert_eq!(
            parse_address_args(&["banana"]),
            Err("banana: bad value".to_owned())
        );
        assert_eq!(
            parse_address_args(&["10.254.0.5", "10.254.0.6"]),
            Err("10.254.0.6: bad value".to_owned())
        );
        assert_eq!(
            parse_address_args(&["delete"]),
            Err("missing address".to_owned())
        );
        assert!(parse_address_args(&["10.254.0.5/33"]).is_err());
    }
}
