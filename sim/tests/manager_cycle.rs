//! Ordering cycles: systemd refuses a transaction whose jobs that all matter form an ordering
//! cycle (reference §6.2 step 5): `Transaction order is cyclic. See system logs for details.`
//! Found by `manager_props` (a unit both `After=` and `Before=` the unit it `Requires=`); the
//! manager must not queue jobs that wait for each other forever. Verified with
//! `real-systemd test-transaction` on the same two units: `d.service: Found ordering cycle on
//! a.service/start`, `Unable to break cycle starting with d.service/start`, `Transaction order is
//! cyclic. See system logs for details.`
mod manager_common;
use manager_common::Machine;

#[test]
fn a_two_unit_ordering_cycle_is_refused_not_queued() {
    let mut m = Machine::new(&[
        ("a.service", "[Service]\nType=forking\nExecStart=/bin/true\n"),
        ("d.service", "[Unit]\nRequires=a.service\nAfter=a.service\nBefore=a.service\n[Service]\nType=forking\nExecStart=/bin/true\n"),
    ]);
    let (out, code) = m.systemctl("start d");
    assert!(
        m.manager.violations().is_empty(),
        "{:?}\n{out}",
        m.manager.violations()
    );
    assert_eq!(
        (out.as_str(), code),
        (
            "Failed to start d.service: Transaction order is cyclic. See system logs for details.\nSee user logs and 'systemctl --user status d.service' for details.\n",
            1
        )
    );
}

// The same cycle for a restart: systemd's order check does not look at job types, so the restart
// is refused the same way (`Failed to restart d.service: Transaction order is cyclic. ...`).
// `unitlab_engine::transaction::plan` plans it without the cycle, and the queued jobs then wait
// for each other forever (the manager reports "job waits forever"); reported to the lead for the
// planner's owner. `manager_props` finds the same case.
#[test]
#[ignore = "transaction::plan misses the ordering cycle of a restart transaction (planner bug, reported)"]
fn a_two_unit_ordering_cycle_is_refused_for_restart_too() {
    let mut m = Machine::new(&[
        ("a.service", "[Service]\nType=forking\nExecStart=/bin/true\n"),
        ("d.service", "[Unit]\nRequires=a.service\nAfter=a.service\nBefore=a.service\n[Service]\nType=forking\nExecStart=/bin/true\n"),
    ]);
    let (out, code) = m.systemctl("restart d");
    assert!(
        m.manager.violations().is_empty(),
        "{:?}",
        m.manager.violations()
    );
    assert_eq!(
        (out.as_str(), code),
        (
            "Failed to restart d.service: Transaction order is cyclic. See system logs for details.\nSee user logs and 'systemctl --user status d.service' for details.\n",
            1
        )
    );
}
