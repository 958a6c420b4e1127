//! A livelock that systemd 252 has too. Found by `manager_props` (CI, 2026-11-24; minimal case
//! kept in `manager_props.proptest-regressions`): `d` `Upholds=t.target`, `t.target`
//! `Requisite=a.service` with `a` inactive, then `systemctl start d`.
//!
//! Verified on a live systemd 252 user manager (2026-11-24, a sandbox user of its own,
//! `REAL_SYSTEMD_USER=unitlab-lv real-systemd user-manager start`, units `lvd.service`
//! (`Upholds=lvt.target`, `ExecStart=/bin/true`), `lvt.target` (`Requisite=lva.service`,
//! `OnFailure=lvd.service`), `lva.service` (`ExecStart=/bin/true`)): `systemctl --user start
//! lvd.service` never returns (killed by `timeout 3`), the manager then uses a whole CPU and its
//! memory grows (0.75 GB after ten minutes), and `list-jobs`/`show` get no answer any more. It
//! does not recover: the manager has to be killed. The test is not run live (it would take a
//! CPU until killed).
//!
//! The simulated manager must report the livelock (not hang, not run on): after it, it runs
//! nothing more, as the real one serves no client.
mod manager_common;
use manager_common::Machine;

fn machine() -> Machine {
    Machine::new(&[
        ("a.service", "[Service]\nType=simple\nExecStart=/bin/true\n"),
        (
            "d.service",
            "[Unit]\nUpholds=t.target\n[Service]\nType=simple\nExecStart=/bin/true\n",
        ),
        (
            "t.target",
            "[Unit]\nOnFailure=d.service\nRequisite=a.service\n",
        ),
    ])
}

#[test]
fn upholding_a_target_whose_requisite_is_inactive_livelocks_as_in_systemd() {
    let mut m = machine();
    let _ = m.systemctl("start d");
    assert!(m.manager.livelocked());
    assert_eq!(
        m.manager.violations(),
        ["livelock: no progress in time at 0 us"],
        "one report, at the moment of the start"
    );
    // Frozen: time passes, nothing runs, nothing more is reported.
    let log = m.journal.entries.len();
    m.sleep(5_000_000);
    let _ = m.systemctl("is-active a");
    assert_eq!(m.journal.entries.len(), log);
    assert_eq!(m.manager.violations().len(), 1);
}

#[test]
fn the_same_units_without_the_requisite_settle() {
    let mut m = Machine::new(&[
        ("a.service", "[Service]\nType=simple\nExecStart=/bin/true\n"),
        (
            "d.service",
            "[Unit]\nUpholds=t.target\n[Service]\nType=simple\nExecStart=/bin/true\n",
        ),
        ("t.target", "[Unit]\nOnFailure=d.service\nWants=a.service\n"),
    ]);
    let (_, code) = m.systemctl("start d");
    assert_eq!(code, 0);
    m.sleep(5_000_000);
    assert!(!m.manager.livelocked(), "{:?}", m.manager.violations());
    assert!(
        m.manager.violations().is_empty(),
        "{:?}",
        m.manager.violations()
    );
}
