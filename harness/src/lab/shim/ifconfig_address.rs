//! `ifconfig PORT [inet] ADDR ...` and `ifconfig PORT delete ADDR` on the kernel: macOS's
//! semantics decided as a list of kernel steps (unit-tested per form), then run with `ip`.
//!
//! The shim stands in for configd too: when an assignment without `alias` replaces the
//! port's self-assigned 169.254 address (its first address after a boot), configd puts that
//! address back at once, and the kernel lists it after the static one. Deleting the
//! self-assigned address by hand keeps it away (as it does for minutes on a Mac).

use std::net::Ipv4Addr;

use rdma_phase::Prefix;

use super::kernel::{self, Link};
use super::{HostContext, Reply};
use crate::macos::identity::is_self_assigned;
use crate::macos::{parse_address_args, AddressCommand, ADDRESS_NOT_HELD};

/// One change to the kernel's addresses of the port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// `ip addr del`.
    Delete(Ipv4Addr, Prefix),
    /// `ip addr replace` (adds, or updates in place as SIOCAIFADDR does an existing one).
    Set(Ipv4Addr, Prefix),
    /// configd's address back on the port, listed last.
    SelfAssign(Ipv4Addr),
    /// `ip link set up` (`ifconfig ... up`).
    Up,
}

/// The steps for `command` on a port holding `current` (kernel order); `carrier` says whether
/// configd would keep its address on the port. `Err` is ifconfig's stderr line.
pub fn plan(
    command: AddressCommand,
    current: &[(Ipv4Addr, Prefix)],
    carrier: bool,
) -> Result<Vec<Step>, String> {
    match command {
        AddressCommand::Delete(ip) => current
            .iter()
            .find(|(held, _)| *held == ip)
            .map(|(held, prefix)| vec![Step::Delete(*held, *prefix)])
            .ok_or_else(|| ADDRESS_NOT_HELD.to_owned()),
        AddressCommand::Set(change) => {
            let mut steps = Vec::new();
            let first = current.first().copied();
            let replaced = first.filter(|(ip, _)| !change.alias && *ip != change.ip);
            if let Some((ip, prefix)) = replaced {
                steps.push(Step::Delete(ip, prefix));
            }
            steps.push(Step::Set(change.ip, change.prefix));
            if let Some((ip, _)) = replaced.filter(|(ip, _)| is_self_assigned(*ip) && carrier) {
                steps.push(Step::SelfAssign(ip));
            }
            if change.up {
                steps.push(Step::Up);
            }
            Ok(steps)
        }
    }
}

pub fn change(context: &HostContext, link: &Link, words: &[&str]) -> Reply {
    let command = match parse_address_args(words) {
        Ok(command) => command,
        Err(err) => return Reply::err(format!("ifconfig: {err}\n"), 1),
    };
    if !context.root {
        return Reply::err(command.permission_denied(), 1);
    }
    let steps = match plan(command, &link.ipv4(), link.carrier()) {
        Ok(steps) => steps,
        Err(stderr) => return Reply::err(stderr, 1),
    };
    for step in steps {
        if let Err(reply) = run(&link.ifname, step) {
            return reply;
        }
    }
    Reply::default()
}

fn run(port: &str, step: Step) -> Result<(), Reply> {
    let cidr = |ip: Ipv4Addr, prefix: Prefix| format!("{ip}/{}", prefix.bits());
    match step {
        Step::Delete(ip, prefix) => {
            match kernel::ip(None, &["addr", "del", &cidr(ip, prefix), "dev", port]) {
                // Another ifconfig removed it first: the outcome is the same.
                Err(err) if err.contains("Cannot assign requested address") => Ok(()),
                Err(err) => Err(Reply::err(
                    format!("ifconfig: ioctl (SIOCDIFADDR): {err}\n"),
                    1,
                )),
                Ok(_) => Ok(()),
            }
        }
        Step::Set(ip, prefix) => {
            let new = cidr(ip, prefix);
            kernel::ip(
                None,
                &["addr", "replace", &new, "broadcast", "+", "dev", port],
            )
            .map(drop)
            .map_err(|err| Reply::err(format!("ifconfig: ioctl (SIOCAIFADDR): {err}\n"), 1))
        }
        Step::SelfAssign(ip) => self_assign(port, ip),
        Step::Up => kernel::ip(None, &["link", "set", port, "up"])
            .map(drop)
            .map_err(|err| Reply::err(format!("ifconfig: {err}\n"), 1)),
    }
}

/// configd's 169.254 address onto a port (when it leaves a bridge, or after an assignment
/// replaced it); already there is fine.
pub fn self_assign(port: &str, ip: Ipv4Addr) -> Result<(), Reply> {
    let cidr = format!("{ip}/16");
    match kernel::ip(
        None,
        &crate::lab::ports::self_assigned_addr_args(&cidr, port),
    ) {
        Err(err) if !err.contains("File exists") => {
            Err(Reply::err(format!("ifconfig: configd: {err}\n"), 1))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATIC: Ipv4Addr = Ipv4Addr::new(10, 254, 0, 5);
    const SELF: Ipv4Addr = Ipv4Addr::new(169, 254, 205, 255);

    fn p(bits: u8) -> Prefix {
        Prefix::new(bits).expect("valid")
    }

    fn steps(words: &[&str], current: &[(Ipv4Addr, Prefix)]) -> Result<Vec<Step>, String> {
        plan(parse_address_args(words).expect("parses"), current, true)
    }

    #[test]
    fn assignment_replaces_the_self_assigned_address_and_configd_puts_it_back() {
        assert_eq!(
            steps(
                &["10.254.0.5", "netmask", "255.255.255.252"],
                &[(SELF, p(16))]
            ),
            Ok(vec![
                Step::Delete(SELF, p(16)),
                Step::Set(STATIC, p(30)),
                Step::SelfAssign(SELF)
            ])
        );
        // A re-run finds its address first: replaced by itself, nothing else moves.
        assert_eq!(
            steps(
                &["10.254.0.5", "netmask", "255.255.255.252"],
                &[(STATIC, p(30)), (SELF, p(16))]
            ),
            Ok(vec![Step::Set(STATIC, p(30))])
        );
        // Without a link configd does not put its address back.
        let unplugged = plan(
            parse_address_args(&["10.254.0.5", "netmask", "0xfffffffc"]).expect("parses"),
            &[(SELF, p(16))],
            false,
        );
        assert_eq!(
            unplugged,
            Ok(vec![Step::Delete(SELF, p(16)), Step::Set(STATIC, p(30))])
        );
    }

    #[test]
    fn delete_form() {
        let held = [(STATIC, p(30)), (SELF, p(16))];
        assert_eq!(
            steps(&["delete", "10.254.0.5"], &held),
            Ok(vec![Step::Delete(STATIC, p(30))])
        );
        assert_eq!(
            steps(&["delete", "10.254.0.9"], &held),
            Err("ifconfig: ioctl (SIOCDIFADDR): Can't assign requested address\n".to_owned())
        );
    }

    #[test]
    fn minus_alias_form() {
        let held = [(SELF, p(16)), (STATIC, p(30))];
        assert_eq!(
            steps(&["-alias", "10.254.0.5"], &held),
            Ok(vec![Step::Delete(STATIC, p(30))])
        );
    }

    #[test]
    fn cidr_alias_form() {
        assert_eq!(
            steps(&["inet", "10.254.0.5/30", "alias"], &[(SELF, p(16))]),
            Ok(vec![Step::Set(STATIC, p(30))])
        );
    }

    #[test]
    fn netmask_alias_form() {
        assert_eq!(
            steps(
                &["inet", "10.254.0.5", "netmask", "255.255.255.252", "alias"],
                &[(SELF, p(16))]
            ),
            Ok(vec![Step::Set(STATIC, p(30))])
        );
    }

    #[test]
    fn up_comes_last() {
        assert_eq!(
            steps(&["inet", "10.254.0.5/30", "up"], &[]),
            Ok(vec![Step::Set(STATIC, p(30)), Step::Up])
        );
    }
}
