//! Tests of `roster.rs`: which lab `lab down` without `--lab` may remove, and the table.

use super::*;

fn root() -> Starter {
    Starter {
        uid: 0,
        user: "root".into(),
        sudo_uid: None,
        sudo_user: None,
    }
}

fn sudo_from(uid: u32, user: &str) -> Starter {
    Starter {
        sudo_uid: Some(uid),
        sudo_user: Some(user.into()),
        ..root()
    }
}

fn lab(name: &str, by: Option<Starter>, held_by: Option<u32>) -> LabEntry {
    LabEntry {
        name: name.into(),
        started_by: by,
        started_at: Some(1_764_516_243),
        scenario: Some("two-node".into()),
        held_by,
    }
}

#[test]
fn no_lab_at_all_is_nothing_to_do() {
    assert_eq!(default_down(&[], &root()), DefaultDown::NoLab);
}

#[test]
fn the_only_lab_this_user_started_is_removed() {
    let labs = [
        lab("rl000001", Some(sudo_from(1000, "alice")), None),
        lab("rl000002", Some(root()), None),
        lab("rl000003", None, None),
    ];
    assert_eq!(
        default_down(&labs, &root()),
        DefaultDown::Remove("rl000002".into())
    );
    assert_eq!(
        default_down(&labs, &sudo_from(1000, "alice")),
        DefaultDown::Remove("rl000001".into())
    );
}

#[test]
fn two_labs_of_this_user_are_refused_naming_both() {
    let labs = [
        lab("rl000001", Some(root()), None),
        lab("rl000002", Some(root()), None),
    ];
    let DefaultDown::Refuse(why) = default_down(&labs, &root()) else {
        panic!("two labs of one user must be refused");
    };
    assert!(why.contains("rl000001, rl000002"), "{why}");
}

#[test]
fn labs_of_other_users_only_are_refused() {
    // Same uid (everyone is root for a lab), someone else behind sudo.
    let labs = [lab("rl000001", Some(sudo_from(1001, "bob")), None)];
    assert_eq!(
        default_down(&labs, &sudo_from(1000, "alice")),
        DefaultDown::Refuse(
            "none of the 1 running labs was started by root (sudo from alice)".into()
        )
    );
    let legacy = [lab("rl000001", None, None)];
    assert!(matches!(
        default_down(&legacy, &root()),
        DefaultDown::Refuse(_)
    ));
}

#[test]
fn a_lab_a_running_test_holds_is_refused() {
    let labs = [lab("rl000001", Some(root()), Some(4242))];
    let DefaultDown::Refuse(why) = default_down(&labs, &root()) else {
        panic!("a test's lab must be refused");
    };
    assert!(why.contains("rl000001") && why.contains("4242"), "{why}");
}

#[test]
fn only_a_live_owner_holds_a_lab() {
    let state = |owner_pid| LabState {
        name: "rl000001".into(),
        dir: "/nonexistent/rl000001".into(),
        switch_ns: "rl000001-sw".into(),
        controller_ns: "rl000001-ctl".into(),
        owner_pid,
        started_by: Some(root()),
        started_at: Some(1),
        scenario: Some("two-node".into()),
        hosts: Vec::new(),
    };
    let me = std::process::id();
    let held = LabEntry::from_state("rl000001".into(), Some(state(Some(me))));
    assert_eq!(held.held_by, Some(me));
    assert_eq!(held.started_by, Some(root()));
    // PIDs never get this high (pid_max is at most 2^22).
    let orphan = LabEntry::from_state("rl000001".into(), Some(state(Some(u32::MAX))));
    assert_eq!(orphan.held_by, None);
    let kept = LabEntry::from_state("rl000001".into(), Some(state(None)));
    assert_eq!(kept.held_by, None);
    let unreadable = LabEntry::from_state("rl000002".into(), None);
    assert_eq!(unreadable.started_by, None);
}

#[test]
fn a_lab_recorded_before_starters_were_reads_as_unknown() {
    let json = r#"{"name": "rl000001", "dir": "/run/rdma-lab/rl000001",
        "switch_ns": "rl000001-sw", "controller_ns": "rl000001-ctl",
        "owner_pid": null, "hosts": []}"#;
    let state: LabState = serde_json::from_str(json).expect("old lab.json still reads");
    assert_eq!(
        (state.started_by, state.started_at, state.scenario),
        (None, None, None)
    );
}

#[test]
fn the_table_shows_who_when_what_and_unknowns() {
    let labs = [
        lab("rl000001", Some(sudo_from(1000, "alice")), Some(4242)),
        LabEntry {
            started_at: None,
            scenario: None,
            ..lab("rl000002", None, None)
        },
    ];
    let table = table(&labs);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(
        lines,
        [
            "  NAME      STARTED BY              STARTED (UTC)        SCENARIO",
            "  rl000001  root (sudo from alice)  2025-11-30 15:24:03  two-node  [held by running process 4242]",
            "  rl000002  ?                       ?                    ?",
        ]
    );
}

#[test]
fn utc_dates() {
    assert_eq!(utc(0), "1970-01-01 00:00:00");
    assert_eq!(utc(951_782_400), "2000-02-29 00:00:00");
    assert_eq!(utc(1_764_516_243), "2025-11-30 15:24:03");
}

/// A lab test (skipped loudly without root, like the others): `Lab::up` records who, when
/// and what, and a lab this very test holds is never the one `lab down` picks.
#[test]
fn a_lab_records_its_starter_and_a_running_test_keeps_it() {
    use crate::lab::{scenario, testing::lab_for_test, Fault};
    let spec = scenario::two_node().with(Fault::RdmaDisabled {
        host: "hwstudio2".into(),
    });
    let Some(lab) = lab_for_test(spec) else {
        return;
    };
    let entry = labs()
        .into_iter()
        .find(|entry| entry.name == lab.name())
        .expect("the lab is listed");
    assert_eq!(entry.started_by, Some(whoami()));
    assert!(entry.started_at.is_some());
    assert_eq!(
        entry.scenario.as_deref(),
        Some("two-node --rdma-disabled hwstudio2")
    );
    assert_eq!(entry.held_by, Some(std::process::id()));
    assert!(matches!(
        default_down(&[entry], &whoami()),
        DefaultDown::Refuse(_)
    ));
}
