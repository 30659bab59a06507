//! What to do about bridge membership, decided from parsed `ifconfig` output.

use rdma_phase::parse::{bridges_containing, find_interface, Interface};
use rdma_phase::CommandOutput;

/// Where the node's interface stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Membership {
    /// `ifconfig -a` does not list it: a wrong name or a port that is gone.
    NoSuchInterface,
    /// In no bridge: nothing to do.
    Free,
    /// Member of these bridges, in listing order.
    In(Vec<String>),
}

pub fn assess(interfaces: &[Interface], iface: &str) -> Membership {
    if find_interface(interfaces, iface).is_none() {
        return Membership::NoSuchInterface;
    }
    let bridges = bridges_containing(interfaces, iface);
    if bridges.is_empty() {
        Membership::Free
    } else {
        Membership::In(bridges)
    }
}

/// What `ifconfig BRIDGE deletem IFACE` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deletem {
    Removed,
    /// `BRDGDEL en5: No such file or directory`: it was not a member (any more).
    AlreadyGone,
    Failed(String),
}

pub fn classify_deletem(output: &CommandOutput, iface: &str) -> Deletem {
    if output.success() {
        return Deletem::Removed;
    }
    let not_a_member = format!("BRDGDEL {iface}: No such file or directory");
    if output.stderr.contains(&not_a_member) {
        Deletem::AlreadyGone
    } else {
        Deletem::Failed(output.combined_trimmed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdma_phase::parse::parse_ifconfig;
    use rstest::rstest;

    const LISTING: &str = "lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 16384\n\
        \tinet 127.0.0.1 netmask 0xff000000\n\
        en2: flags=8963<UP,BROADCAST,SMART,RUNNING,PROMISC,SIMPLEX,MULTICAST> mtu 1500\n\
        \tstatus: inactive\n\
        en5: flags=8963<UP,BROADCAST,SMART,RUNNING,PROMISC,SIMPLEX,MULTICAST> mtu 1500\n\
        \tstatus: active\n\
        en10: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\
        \tstatus: inactive\n\
        en1: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\
        \tstatus: inactive\n\
        bridge0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\
        \tmember: en2 flags=3<LEARNING,DISCOVER>\n\
        \t        ifmaxaddr 0 port 11 priority 0 path cost 0\n\
        \tmember: en5 flags=3<LEARNING,DISCOVER>\n\
        \t        ifmaxaddr 0 port 13 priority 0 path cost 0\n\
        \tstatus: active\n\
        bridge1: flags=8822<BROADCAST,SMART,SIMPLEX,MULTICAST> mtu 1500\n\
        \tmember: en5 flags=3<LEARNING,DISCOVER>\n\
        \tmember: en10 flags=3<LEARNING,DISCOVER>\n\
        \tstatus: inactive\n";

    fn bridges(names: &[&str]) -> Membership {
        Membership::In(names.iter().map(|name| (*name).to_owned()).collect())
    }

    #[rstest]
    #[case("en5", bridges(&["bridge0", "bridge1"]))]
    #[case("en2", bridges(&["bridge0"]))]
    #[case("en10", bridges(&["bridge1"]))]
    #[case("en1", Membership::Free)]
    #[case("lo0", Membership::Free)]
    #[case("en9", Membership::NoSuchInterface)]
    fn membership(#[case] iface: &str, #[case] expected: Membership) {
        assert_eq!(assess(&parse_ifconfig(LISTING), iface), expected);
    }

    fn output(stderr: &str, exit_code: i32) -> CommandOutput {
        CommandOutput::new("", stderr, exit_code)
    }

    #[rstest]
    #[case(output("", 0), Deletem::Removed)]
    #[case(
        output("ifconfig: BRDGDEL en5: No such file or directory\n", 1),
        Deletem::AlreadyGone
    )]
    #[case(
        output("ifconfig: BRDGDEL en5: Operation not permitted\n", 1),
        Deletem::Failed("ifconfig: BRDGDEL en5: Operation not permitted".into())
    )]
    #[case(
        output("ifconfig: BRDGDEL en50: No such file or directory\n", 1),
        Deletem::Failed("ifconfig: BRDGDEL en50: No such file or directory".into())
    )]
    #[case(
        output("ifconfig: interface bridge3 does not exist\n", 1),
        Deletem::Failed("ifconfig: interface bridge3 does not exist".into())
    )]
    fn deletem_results(#[case] output: CommandOutput, #[case] expected: Deletem) {
        assert_eq!(classify_deletem(&output, "en5"), expected);
    }
}
