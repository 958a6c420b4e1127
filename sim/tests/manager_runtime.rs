//! Runtime behaviour of the simulated manager without a live manager: expectations taken from
//! the live systemd 252 user manager (the transcripts of `manager_live`, run on 2026-11-24, and
//! reference §7.1, §11). The live differential checks the same and more when the oracle runs.
mod manager_common;
use manager_common::Machine;

// reference §11: a failing simple service leaves `failed (Result: exit-code)` and the start
// itself succeeds (the job is done when the process was forked).
#[test]
fn simple_service_failing_after_start() {
    let mut m = Machine::new(&[(
        "f.service",
        "[Unit]\nDescription=F\n[Service]\nExecStart=/bin/false\n",
    )]);
    assert_eq!(m.systemctl("start f"), (String::new(), 0));
    let (out, code) = m.systemctl("status f");
    assert_eq!(code, 3);
    assert!(out.starts_with("× f.service - F\n     Loaded: loaded (/home/user/.config/systemd/user/f.service; static)\n     Active: failed (Result: exit-code) since "), "{out}");
    assert!(out.contains("    Process: 1000 ExecStart=/bin/false (code=exited, status=1/FAILURE)\n   Main PID: 1000 (code=exited, status=1/FAILURE)\n"), "{out}");
    assert_eq!(m.systemctl("is-failed f"), ("failed\n".into(), 0));
    assert_eq!(m.systemctl("reset-failed f"), (String::new(), 0));
    assert_eq!(m.systemctl("is-failed f"), ("inactive\n".into(), 1));
    assert!(m.manager.violations().is_empty());
}

// reference §6.3, §7.1: a failed Requires=+After= dependency fails the dependent's job with
// `dependency`.
#[test]
fn dependency_failure() {
    let mut m = Machine::new(&[
        ("dep.service", "[Service]\nType=oneshot\nExecStart=/bin/false\n"),
        ("top.service", "[Unit]\nDescription=Top\nRequires=dep.service\nAfter=dep.service\n[Service]\nExecStart=/bin/sleep 1000\n"),
    ]);
    assert_eq!(
        m.systemctl("start top"),
        (
            "A dependency job for top.service failed. See 'journalctl -xe' for details.\n".into(),
            1
        )
    );
    let msgs = m.messages();
    let tail: Vec<&str> = msgs
        .iter()
        .rev()
        .take(3)
        .rev()
        .map(String::as_str)
        .collect();
    assert_eq!(
        tail,
        [
            "Failed to start dep.service.",
            "Dependency failed for Top.",
            "top.service: Job top.service/start failed with result 'dependency'."
        ]
    );
    let e = m
        .journal
        .entries
        .iter()
        .find(|e| e.message == "Dependency failed for Top.")
        .expect("entry");
    assert_eq!(e.message_id, Some("be02cf6855d2428ba40df7e9d022f03d"));
    assert_eq!(e.job.map(|j| j.1), Some("dependency"));
}

// reference §7.1, §11: masked, not found, start limit.
#[test]
fn refusals_and_start_limit() {
    let mut m = Machine::new(&[
        ("share:v.service", "[Service]\nExecStart=/bin/sleep 1000\n"),
        (
            "always.service",
            "[Service]\nExecStart=/bin/true\nRestart=always\n",
        ),
    ]);
    m.mask("v.service");
    assert_eq!(
        m.systemctl("start v"),
        (
            "Failed to start v.service: Unit v.service is masked.\n".into(),
            1
        )
    );
    assert_eq!(
        m.systemctl("start nope"),
        (
            "Failed to start nope.service: Unit nope.service not found.\n".into(),
            5
        )
    );
    assert_eq!(
        m.systemctl("status nope"),
        ("Unit nope.service could not be found.\n".into(), 4)
    );
    assert_eq!(m.systemctl("start always").1, 0);
    m.sleep(2_000_000);
    assert_eq!(m.prop("always", "Result"), "start-limit-hit");
    assert_eq!(m.prop("always", "NRestarts"), "5");
    let (out, code) = m.systemctl("start always");
    assert_eq!(code, 1);
    assert_eq!(out, "Job for always.service failed because start of the service was attempted too often.\nSee \"systemctl --user status always.service\" and \"journalctl --user -xeu always.service\" for details.\nTo force a start use \"systemctl --user reset-failed always.service\"\nfollowed by \"systemctl --user start always.service\" again.\n");
}

// reference §7.4: an edit is seen only after daemon-reload while the unit is loaded.
#[test]
fn edits_need_daemon_reload() {
    let mut m = Machine::new(&[("e.service", "[Service]\nExecStart=/bin/sleep 1000\n")]);
    m.systemctl("start e");
    m.write(
        "e.service",
        "[Unit]\nDescription=Edited\n[Service]\nExecStart=/bin/sleep 1000\n",
    );
    assert_eq!(m.prop("e", "NeedDaemonReload"), "yes");
    assert_eq!(m.prop("e", "Description"), "e.service");
    let (out, _) = m.systemctl("status e");
    assert!(out.ends_with("Warning: The unit file, source configuration file or drop-ins of e.service changed on disk. Run 'systemctl --user daemon-reload' to reload units.\n"), "{out}");
    m.daemon_reload();
    assert_eq!(m.prop("e", "NeedDaemonReload"), "no");
    assert_eq!(m.prop("e", "Description"), "Edited");
    assert_eq!(m.systemctl("is-active e"), ("active\n".into(), 0));
}

// The same inputs give the same journal (seeded, discrete events).
#[test]
fn deterministic() {
    let run = || {
        let mut m = Machine::new(&[
            ("a.service", "[Unit]\nWants=b.service\n[Service]\nExecStart=/bin/sh -c 'sleep 1; exit 2'\nRestart=on-failure\nRestartSec=500ms\n"),
            ("b.service", "[Service]\nType=oneshot\nExecStart=/bin/sleep 2\n"),
        ]);
        m.systemctl("start a");
        m.sleep(30_000_000);
        m.journal
            .entries
            .iter()
            .map(|e| format!("{} {}", e.monotonic, e.message))
            .collect::<Vec<_>>()
    };
    let a = run();
    assert!(a.len() > 10);
    assert_eq!(a, run());
}
