//! The runtime manager against a live systemd 252 user manager (`support::user_manager()`): the
//! same unit files in both, the same command sequences, and the outputs (stdout and stderr
//! interleaved) and exit statuses compared after normalizing what is volatile (PIDs, times, the
//! home directory, cgroup paths). Units are named `ml-*`; every case cleans up after itself.
//! Skipped with a reason when the manager cannot start; mandatory under `CI=true`.
mod live_support;

use live_support::{Case, Live, Step::*};

const SLEEP: &str = "[Service]\nExecStart=/bin/sleep 1000\n";

const CASES: &[Case<'static>] = &[
    Case {
        name: "simple service whose process fails",
        units: &[("ml-false.service", "[Unit]\nDescription=ML False\n[Service]\nExecStart=/bin/false\n")],
        steps: &[
            Ctl("start ml-false"),
            Ctl("status ml-false"),
            Ctl("is-active ml-false"),
            Ctl("is-failed ml-false"),
            Ctl("show -p Result,ActiveState,SubState,ExecMainCode,ExecMainStatus,NRestarts ml-false"),
            Ctl("reset-failed ml-false"),
            Ctl("is-failed ml-false"),
            Ctl("status ml-false"),
        ],
    },
    Case {
        name: "oneshot failing and succeeding",
        units: &[
            ("ml-os-bad.service", "[Unit]\nDescription=ML Bad Oneshot\n[Service]\nType=oneshot\nExecStart=/bin/sh -c 'exit 3'\n"),
            ("ml-os-ok.service", "[Service]\nType=oneshot\nExecStart=/bin/true\n"),
            ("ml-os-keep.service", "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n"),
        ],
        steps: &[
            Ctl("start ml-os-bad"),
            Ctl("status ml-os-bad"),
            Ctl("show -p Result,ExecMainStatus ml-os-bad"),
            Ctl("start ml-os-ok"),
            Ctl("status ml-os-ok"),
            Ctl("is-active ml-os-ok"),
            Ctl("start ml-os-keep"),
            Ctl("status ml-os-keep"),
            Ctl("stop ml-os-keep"),
            Ctl("is-active ml-os-keep"),
        ],
    },
    Case {
        name: "running service, kill and stop",
        units: &[
            ("ml-run.service", SLEEP),
            ("ml-term.service", SLEEP),
        ],
        steps: &[
            Ctl("start ml-run ml-term"),
            Ctl("status ml-run"),
            Ctl("show -p ActiveState,SubState,Result ml-run"),
            Ctl("kill -s KILL ml-run"),
            Ctl("status ml-run"),
            Ctl("kill -s TERM ml-term"),
            Ctl("is-active ml-term"),
            Ctl("status ml-term"),
            Ctl("start ml-term"),
            Ctl("stop ml-term"),
            Ctl("status ml-term"),
            Ctl("reset-failed ml-run"),
        ],
    },
    Case {
        name: "a required dependency fails",
        units: &[
            ("ml-dep.service", "[Service]\nType=oneshot\nExecStart=/bin/false\n"),
            ("ml-top.service", "[Unit]\nDescription=ML Top\nRequires=ml-dep.service\nAfter=ml-dep.service\n[Service]\nExecStart=/bin/sleep 1000\n"),
        ],
        steps: &[
            Ctl("start ml-top"),
            Ctl("status ml-top ml-dep"),
            Ctl("is-failed ml-top ml-dep"),
            Ctl("reset-failed ml-dep"),
        ],
    },
    Case {
        name: "masked, not found, bad setting",
        units: &[
            ("share:ml-vend.service", SLEEP),
            ("ml-needs.service", "[Unit]\nRequires=ml-vend.service\n[Service]\nExecStart=/bin/sleep 1000\n"),
            ("ml-bad.service", "[Service]\nType=oneshot\nRestart=always\nExecStart=/bin/true\n"),
        ],
        steps: &[
            Mask("ml-vend.service"),
            Ctl("start ml-vend"),
            Ctl("status ml-vend"),
            Ctl("start ml-needs"),
            Ctl("stop ml-vend"),
            Unmask("ml-vend.service"),
            Ctl("start ml-nope"),
            Ctl("stop ml-nope"),
            Ctl("status ml-nope"),
            Ctl("is-active ml-nope"),
            Ctl("start ml-bad"),
            Ctl("status ml-bad"),
        ],
    },
    Case {
        name: "restart policies and the start limit",
        units: &[
            // A long window, so that a loaded machine still hits the limit within the sleep.
            ("ml-always.service", "[Unit]\nStartLimitIntervalSec=60\nStartLimitBurst=3\n[Service]\nExecStart=/bin/true\nRestart=always\n"),
            ("ml-onfail.service", "[Unit]\nStartLimitIntervalSec=60\nStartLimitBurst=3\n[Service]\nExecStart=/bin/false\nRestart=on-failure\n"),
        ],
        steps: &[
            Ctl("start ml-always ml-onfail"),
            Sleep(2500),
            Ctl("show -p Result,ActiveState,SubState,NRestarts ml-always ml-onfail"),
            Ctl("start ml-always"),
            Ctl("reset-failed ml-always"),
            Ctl("show -p Result,ActiveState ml-always"),
            Ctl("reset-failed ml-onfail"),
        ],
    },
    Case {
        name: "reload without ExecReload, restart, try-restart",
        units: &[("ml-rl.service", SLEEP), ("ml-idle.service", SLEEP)],
        steps: &[
            Ctl("start ml-rl"),
            Ctl("reload ml-rl"),
            Ctl("restart ml-rl"),
            Ctl("is-active ml-rl"),
            Ctl("try-restart ml-idle"),
            Ctl("is-active ml-idle"),
            Ctl("reload-or-restart ml-rl"),
            Ctl("is-active ml-rl"),
            Ctl("stop ml-rl"),
        ],
    },
    Case {
        name: "unit file changed on disk",
        units: &[("ml-edit.service", SLEEP)],
        steps: &[
            Ctl("start ml-edit"),
            Write("ml-edit.service", "[Unit]\nDescription=Edited\n[Service]\nExecStart=/bin/sleep 1000\n"),
            Ctl("status ml-edit"),
            Ctl("show -p NeedDaemonReload,Description ml-edit"),
            Racy("stop ml-edit"),
            Ctl("show -p NeedDaemonReload,Description ml-edit"),
        ],
    },
    Case {
        name: "conditions, asserts, OnFailure, SuccessExitStatus",
        units: &[
            ("ml-cond.service", "[Unit]\nConditionPathExists=/nonexistent\n[Service]\nExecStart=/bin/sleep 1000\n"),
            ("ml-assert.service", "[Unit]\nAssertPathExists=/nonexistent\n[Service]\nExecStart=/bin/sleep 1000\n"),
            ("ml-fail.service", "[Unit]\nOnFailure=ml-rescue.service\n[Service]\nType=oneshot\nExecStart=/bin/false\n"),
            ("ml-rescue.service", "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n"),
            ("ml-three.service", "[Service]\nType=oneshot\nRemainAfterExit=yes\nSuccessExitStatus=3\nExecStart=/bin/sh -c 'exit 3'\n"),
        ],
        steps: &[
            Ctl("start ml-cond"),
            Ctl("is-active ml-cond"),
            Ctl("start ml-assert"),
            Ctl("start ml-fail"),
            Ctl("is-active ml-rescue"),
            Ctl("start ml-three"),
            Ctl("show -p Result,ActiveState,SubState,ExecMainStatus ml-three"),
            Ctl("stop ml-rescue ml-three"),
            Ctl("reset-failed ml-fail"),
        ],
    },
    Case {
        name: "BindsTo, PartOf, Conflicts, Requisite, StopWhenUnneeded",
        units: &[
            ("ml-base.service", SLEEP),
            ("ml-bound.service", "[Unit]\nBindsTo=ml-base.service\nAfter=ml-base.service\n[Service]\nExecStart=/bin/sleep 1000\n"),
            ("ml-part.service", "[Unit]\nPartOf=ml-base.service\n[Service]\nExecStart=/bin/sleep 1000\n"),
            ("ml-enemy.service", "[Unit]\nConflicts=ml-base.service\n[Service]\nExecStart=/bin/sleep 1000\n"),
            ("ml-req.service", "[Unit]\nRequisite=ml-other.service\nAfter=ml-other.service\n[Service]\nExecStart=/bin/sleep 1000\n"),
            ("ml-other.service", SLEEP),
            ("ml-user.service", "[Unit]\nWants=ml-helper.service\n[Service]\nExecStart=/bin/sleep 1000\n"),
            ("ml-helper.service", "[Unit]\nStopWhenUnneeded=yes\n[Service]\nExecStart=/bin/sleep 1000\n"),
        ],
        steps: &[
            Ctl("start ml-bound ml-part"),
            Ctl("is-active ml-base ml-bound ml-part"),
            Ctl("stop ml-base"),
            Ctl("is-active ml-base ml-bound ml-part"),
            Ctl("start ml-base"),
            Ctl("start ml-enemy"),
            Ctl("is-active ml-base ml-enemy"),
            Ctl("start ml-req"),
            Ctl("is-active ml-req"),
            Ctl("start ml-user"),
            Ctl("is-active ml-helper"),
            Ctl("stop ml-user"),
            Ctl("is-active ml-helper"),
            Ctl("stop ml-enemy"),
        ],
    },
    Case {
        name: "timeouts, ExecStartPre, ExecStop",
        units: &[
            ("ml-slow.service", "[Service]\nType=oneshot\nTimeoutStartSec=1\nExecStart=/bin/sleep 5\n"),
            ("ml-pre.service", "[Service]\nExecStartPre=/bin/false\nExecStart=/bin/sleep 1000\n"),
            ("ml-stopper.service", "[Service]\nExecStart=/bin/sleep 1000\nExecStop=/bin/false\n"),
        ],
        steps: &[
            Ctl("start ml-slow"),
            Ctl("show -p Result,ActiveState ml-slow"),
            Ctl("start ml-pre"),
            Ctl("status ml-pre"),
            Ctl("start ml-stopper"),
            Ctl("stop ml-stopper"),
            Ctl("show -p Result,ActiveState ml-stopper"),
            Ctl("reset-failed ml-slow ml-pre ml-stopper"),
        ],
    },
    Case {
        name: "service types, ExecStartPost, Restart=on-abnormal, OnSuccess",
        units: &[
            ("ml-exec.service", "[Service]\nType=exec\nExecStart=/bin/false\n"),
            ("ml-fork-ok.service", "[Service]\nType=forking\nExecStart=/bin/true\n"),
            ("ml-fork-bad.service", "[Service]\nType=forking\nExecStart=/bin/false\n"),
            ("ml-notify.service", "[Service]\nType=notify\nExecStart=/bin/true\n"),
            ("ml-notify-slow.service", "[Service]\nType=notify\nTimeoutStartSec=1\nExecStart=/bin/sleep 100\n"),
            ("ml-post.service", "[Service]\nExecStart=/bin/sleep 1000\nExecStartPost=/bin/sh -c 'exit 4'\n"),
            ("ml-abn.service", "[Service]\nExecStart=/bin/sleep 1000\nRestart=on-abnormal\nRestartSec=200ms\n"),
            ("ml-succ.service", "[Unit]\nOnSuccess=ml-after.service\n[Service]\nType=oneshot\nExecStart=/bin/true\n"),
            ("ml-after.service", "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n"),
        ],
        steps: &[
            // Whether the job sees exec() succeed before the process exits is a race.
            Racy("start ml-exec"),
            Ctl("show -p Result,ActiveState ml-exec"),
            Ctl("start ml-fork-ok"),
            Ctl("is-active ml-fork-ok"),
            Ctl("start ml-fork-bad"),
            Ctl("start ml-notify"),
            Ctl("show -p Result,ActiveState ml-notify"),
            Ctl("start ml-notify-slow"),
            Ctl("show -p Result,ActiveState ml-notify-slow"),
            Ctl("start ml-post"),
            Ctl("status ml-post"),
            Ctl("start ml-abn"),
            Ctl("kill -s KILL ml-abn"),
            Sleep(600),
            Ctl("show -p ActiveState,SubState,NRestarts,Result ml-abn"),
            Ctl("kill -s TERM ml-abn"),
            Sleep(600),
            Ctl("show -p ActiveState,SubState,NRestarts ml-abn"),
            Ctl("start ml-succ"),
            Ctl("is-active ml-after"),
            Ctl("stop ml-after"),
            Ctl("reset-failed ml-exec ml-fork-bad ml-notify ml-notify-slow ml-post"),
        ],
    },
    Case {
        name: "list-units",
        units: &[
            ("ml-l1.service", "[Unit]\nDescription=ML list one\n[Service]\nExecStart=/bin/sleep 1000\n"),
            ("ml-l2.service", "[Service]\nExecStart=/bin/false\n"),
            ("ml-l3.service", "[Unit]\nWants=ml-missing.service\n[Service]\nExecStart=/bin/sleep 1000\n"),
        ],
        steps: &[
            Ctl("start ml-l1 ml-l2 ml-l3"),
            Ctl("list-units ml-*"),
            Ctl("list-units --all ml-*"),
            Ctl("list-units --state=failed ml-*"),
            Ctl("list-units --type=service --state=active ml-*"),
            Ctl("stop ml-l1 ml-l3"),
            Ctl("reset-failed ml-l2"),
        ],
    },
    // Found by manager_props: `BindsTo=` is checked at start only when combined with `After=`
    // (`unit_verify_deps()`); without `After=` the bound unit may still be starting.
    Case {
        name: "BindsTo= without After= at start, a restart through a Requires= loop",
        units: &[
            ("ml-lb.service", "[Unit]\nRequires=ml-lc.service\n[Service]\nExecStart=/bin/sleep 1000\n"),
            ("ml-lc.service", "[Unit]\nBindsTo=ml-lb.service\nRequires=ml-ld.service\n[Service]\nExecStart=/bin/sleep 1000\n"),
            ("ml-ld.service", "[Unit]\nOnFailure=ml-lb.service\nRequires=ml-lb.service\nBefore=ml-lb.service\n[Service]\nExecStart=/bin/sleep 1000\n"),
            ("ml-le.service", "[Unit]\nBindsTo=ml-lf.service\nAfter=ml-lf.service\n[Service]\nExecStart=/bin/sleep 1000\n"),
            ("ml-lf.service", "[Service]\nType=oneshot\nExecStart=/bin/true\n"),
        ],
        steps: &[
            Ctl("restart ml-lb"),
            Ctl("is-active ml-lb ml-lc ml-ld"),
            Ctl("stop ml-lb ml-lc ml-ld"),
            Ctl("start ml-le"),
            Ctl("is-active ml-le ml-lf"),
        ],
    },
];

#[test]
fn runtime_sequences_match_the_live_user_manager() {
    let Some(live) = Live::start() else {
        return;
    };
    let only = std::env::var("MANAGER_LIVE_CASE").ok();
    let print = std::env::var_os("MANAGER_LIVE_PRINT").is_some();
    let mut failures = Vec::new();
    let mut compared = 0;
    for case in CASES {
        if only.as_deref().is_some_and(|o| !case.name.contains(o)) {
            continue;
        }
        let (f, n) = live.compare(case, print);
        failures.extend(f);
        compared += n;
    }
    println!(
        "manager_live: {compared} commands compared, {} differ",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
