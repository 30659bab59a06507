//! Tests of the /30 pool: free subnets around the hosts' addresses and routes, exhaustion,
//! determinism and keeping an existing plan's addresses.

use rstest::rstest;

use super::*;
use crate::discover::cabling::discover_cabling;
use crate::discover::fixtures::Lab;
use crate::parse::{parse_ifconfig, parse_netstat_routes};
use crate::HostId;

const IFCONFIG: &str = "lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 16384\n\tinet 127.0.0.1 netmask 0xff000000\n\tinet 10.254.254.254 netmask 0xff000000\nen0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\tinet 192.168.1.2 netmask 0xffffff00 broadcast 192.168.1.255\n\tstatus: active\nen2: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n\tinet 169.254.10.2 netmask 0xffff0000 broadcast 169.254.255.255\n\tstatus: active\n";

const NETSTAT: &str = "Routing tables\n\nInternet:\nDestination        Gateway            Flags               Netif Expire\ndefault            192.168.1.1        UGScg                 en0       \n10                 10.254.254.254     UGSc                  lo0       \n127                127.0.0.1          UCS                   lo0       \n169.254            link#6             UCS                   en0      !\n192.168.1          link#6             UCS                   en0      !\n";

const VPN_IFCONFIG: &str = "utun3: flags=8051<UP,POINTOPOINT,RUNNING,MULTICAST> mtu 1380\n\tinet 10.254.7.1 --> 10.254.7.1 netmask 0xffff0000\n";
const VPN_ROUTE: &str = "10.254/16          utun3              USc                 utun3       \n";

fn network(name: &str, ifconfig: &str, netstat: &str) -> HostNetwork {
    HostNetwork {
        host: HostName::parse(name).expect("a host name"),
        interfaces: parse_ifconfig(ifconfig),
        routes: parse_netstat_routes(netstat),
    }
}

fn mesh() -> (Vec<HostNetwork>, Vec<Cable>) {
    let lab = Lab::new(&["m1", "m2", "m3"], 2)
        .cable((0, 1), (1, 1))
        .cable((0, 2), (2, 1))
        .cable((1, 2), (2, 2));
    let cables = discover_cabling(&lab.hosts()).expect("cabling").cables;
    let hosts = ["m1", "m2", "m3"]
        .iter()
        .map(|name| network(name, IFCONFIG, NETSTAT))
        .collect();
    (hosts, cables)
}

/// `(network, a, b)` of each planned cable, as text.
fn plan_text(plan: &[AddressedCable]) -> Vec<(String, String, String)> {
    plan.iter()
        .map(|p| {
            (
                p.network.to_string(),
                p.address_a.to_string(),
                p.address_b.to_string(),
            )
        })
        .collect()
}

fn triple(network: &str, a: &str, b: &str) -> (String, String, String) {
    (network.into(), a.into(), b.into())
}

#[test]
fn a_mesh_takes_the_first_subnets_despite_a_loopback_alias() {
    let (hosts, cables) = mesh();
    let plan = plan_pool(Pool::default(), &hosts, &cables, &[]).expect("a plan");
    assert_eq!(
        plan_text(&plan),
        [
            triple("10.254.0.0", "10.254.0.1", "10.254.0.2"),
            triple("10.254.0.4", "10.254.0.5", "10.254.0.6"),
            triple("10.254.0.8", "10.254.0.9", "10.254.0.10"),
        ]
    );
    // The lower address goes to the end first in rank order.
    assert!(plan
        .iter()
        .all(|p| p.cable.a.host < p.cable.b.host && !p.kept));
    assert_eq!(plan[2].cable.a.host, HostId(1));
}

#[test]
fn a_vpn_route_over_the_whole_default_pool_exhausts_it() {
    let (mut hosts, cables) = mesh();
    hosts[2] = network(
        "m3",
        &format!("{IFCONFIG}{VPN_IFCONFIG}"),
        &format!("{NETSTAT}{VPN_ROUTE}"),
    );
    assert_eq!(
        plan_pool(Pool::default(), &hosts, &cables, &[]),
        Err(PoolError::Exhausted {
            pool: "10.254.0.0/16".into(),
            cables: 3,
            unplanned: 3,
        })
    );
    // The route alone is enough.
    hosts[2] = network("m3", IFCONFIG, &format!("{NETSTAT}{VPN_ROUTE}"));
    assert!(matches!(
        plan_pool(Pool::default(), &hosts, &cables, &[]),
        Err(PoolError::Exhausted { .. })
    ));
    // A wider pool skips past it into free subnets.
    let wider = Pool::parse("10.254.0.0/15").expect("a pool");
    let plan = plan_pool(wider, &hosts, &cables, &[]).expect("a plan");
    assert_eq!(plan[0].network, Ipv4Addr::new(10, 255, 0, 0));
    assert_eq!(plan[2].network, Ipv4Addr::new(10, 255, 0, 8));
}

#[test]
fn subnets_holding_a_hosts_address_or_route_are_skipped() {
    let (mut hosts, cables) = mesh();
    let ifconfig = format!("{IFCONFIG}en9: flags=8863<UP,BROADCAST,RUNNING> mtu 1500\n\tinet 10.254.0.5 netmask 0xfffffffc broadcast 10.254.0.7\n");
    let netstat = format!(
        "{NETSTAT}10.254.0.8/29      10.77.0.1          UGSc                  en0       \n"
    );
    hosts[1] = network("m2", &ifconfig, &netstat);
    let plan = plan_pool(Pool::default(), &hosts, &cables, &[]).expect("a plan");
    let networks: Vec<String> = plan.iter().map(|p| p.network.to_string()).collect();
    assert_eq!(networks, ["10.254.0.0", "10.254.0.16", "10.254.0.20"]);
}

#[test]
fn addresses_on_the_cables_own_ports_do_not_block() {
    let (mut hosts, cables) = mesh();
    // An earlier plan's address on m1's en2, which is a cable end.
    let ifconfig = IFCONFIG.replace(
        "\tinet 169.254.10.2",
        "\tinet 10.254.0.1 netmask 0xfffffffc broadcast 10.254.0.3\n\tinet 169.254.10.2",
    );
    let netstat = format!(
        "{NETSTAT}10.254.0.0/30      link#7             UC                    en2      !\n"
    );
    hosts[0] = network("m1", &ifconfig, &netstat);
    let plan = plan_pool(Pool::default(), &hosts, &cables, &[]).expect("a plan");
    assert_eq!(plan[0].network, Ipv4Addr::new(10, 254, 0, 0));
}

#[test]
fn a_small_pool_reports_what_it_could_not_plan() {
    let (hosts, cables) = mesh();
    let pool = Pool::parse("192.168.50.0/29").expect("a pool");
    assert_eq!(
        plan_pool(pool, &hosts, &cables, &[]),
        Err(PoolError::Exhausted {
            pool: "192.168.50.0/29".into(),
            cables: 3,
            unplanned: 1,
        })
    );
}

#[test]
fn the_plan_does_not_depend_on_input_order() {
    let (hosts, cables) = mesh();
    let first = plan_pool(Pool::default(), &hosts, &cables, &[]).expect("a plan");
    let mut reversed = cables.clone();
    reversed.reverse();
    assert_eq!(
        plan_pool(Pool::default(), &hosts, &reversed, &[]),
        Ok(first.clone())
    );
    assert_eq!(plan_pool(Pool::default(), &hosts, &cables, &[]), Ok(first));
}

fn kept(
    host: &str,
    port: &str,
    peer_host: &str,
    peer_port: &str,
    a: &str,
    b: &str,
) -> KeptAddresses {
    KeptAddresses {
        host: HostName::parse(host).expect("host"),
        port: IfaceName::parse(port).expect("port"),
        peer_host: HostName::parse(peer_host).expect("host"),
        peer_port: IfaceName::parse(peer_port).expect("port"),
        address: a.parse().expect("address"),
        peer_address: b.parse().expect("address"),
    }
}

#[test]
fn an_existing_plans_addresses_are_kept_for_unchanged_cables() {
    let (hosts, cables) = mesh();
    let existing = [
        // m2:en3 <-> m3:en3, written from m3's side, higher address on m2: kept as it is.
        kept("m3", "en3", "m2", "en3", "10.254.0.1", "10.254.0.2"),
        // A cable that is gone.
        kept("m1", "en2", "m3", "en3", "10.254.0.5", "10.254.0.6"),
        // The network address is not a host address: planned afresh.
        kept("m1", "en3", "m3", "en2", "10.254.0.8", "10.254.0.9"),
    ];
    let plan = plan_pool(Pool::default(), &hosts, &cables, &existing).expect("a plan");
    assert_eq!(
        plan_text(&plan),
        [
            triple("10.254.0.4", "10.254.0.5", "10.254.0.6"),
            triple("10.254.0.8", "10.254.0.9", "10.254.0.10"),
            triple("10.254.0.0", "10.254.0.2", "10.254.0.1"),
        ]
    );
    let kept_flags: Vec<bool> = plan.iter().map(|p| p.kept).collect();
    assert_eq!(kept_flags, [false, false, true]);
}

#[test]
fn kept_addresses_that_now_collide_are_planned_afresh() {
    let (mut hosts, cables) = mesh();
    hosts[2] = network("m3", IFCONFIG, &format!("{NETSTAT}{VPN_ROUTE}"));
    let existing = [kept("m1", "en2", "m2", "en2", "10.254.0.1", "10.254.0.2")];
    let wider = Pool::parse("10.254.0.0/15").expect("a pool");
    let plan = plan_pool(wider, &hosts, &cables, &existing).expect("a plan");
    assert_eq!(plan[0].network, Ipv4Addr::new(10, 255, 0, 0));
    assert!(!plan[0].kept);
}

#[test]
fn a_cable_naming_an_unknown_host_is_refused() {
    let (hosts, cables) = mesh();
    assert_eq!(
        plan_pool(Pool::default(), &hosts[..2], &cables, &[]),
        Err(PoolError::UnknownHost(2, 2))
    );
}

#[rstest]
#[case("10.254.0.0/16", Some(("10.254.0.0", 16)))]
#[case("192.168.7.0/24", Some(("192.168.7.0", 24)))]
#[case("10.0.0.0/8", Some(("10.0.0.0", 8)))]
#[case("172.16.0.4/30", Some(("172.16.0.4", 30)))]
#[case(" 10.254.0.0/16 ", Some(("10.254.0.0", 16)))]
#[case("10.254.0.0/31", None)]
#[case("10.254.0.0/0", None)]
#[case("10.254.1.0/16", None)]
#[case("10.254.0.0", None)]
#[case("10.254/16", None)]
#[case("", None)]
fn pools(#[case] text: &str, #[case] pool: Option<(&str, u8)>) {
    let parsed = Pool::parse(text)
        .ok()
        .map(|p| (p.network.to_string(), p.prefix.bits()));
    assert_eq!(
        parsed,
        pool.map(|(network, bits)| (network.to_owned(), bits))
    );
}
