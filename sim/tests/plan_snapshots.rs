//! Snapshots of `unitlab --root=DIR plan VERB UNIT` on a small fixture: job lists, `--json`, job
//! modes, failures and the manager's warnings (reference §6.1–6.2). The start transactions are
//! checked against `systemd --test` in `engine/tests/transaction_differential.rs`; the other verbs
//! follow the reference and systemd's source (`transaction.c`).
mod root_fixture;
use root_fixture::Root;

fn fixture() -> Root {
    let r = Root::new("plan-fixture");
    r.unit("default.target", "[Unit]\nWants=multi-user.target\n")
        .unit(
            "multi-user.target",
            "[Unit]\nRequires=basic.target\nWants=web.service db.service\nAllowIsolate=yes\n",
        )
        .unit("basic.target", "[Unit]\nRequires=sysinit.target\nWants=sockets.target\n")
        .unit("sysinit.target", "[Unit]\n")
        .unit("sockets.target", "[Unit]\n")
        .unit("rescue.target", "[Unit]\nAllowIsolate=yes\nConflicts=multi-user.target\n")
        .unit(
            "web.service",
            "[Unit]\nRequires=db.service\nAfter=db.service\nWants=bad.service masked.service\n[Service]\nExecStart=/bin/web\nExecReload=/bin/kill -HUP $MAINPID\n",
        )
        .unit("db.service", "[Unit]\nPropagatesReloadTo=web.service\n[Service]\nExecStart=/bin/db\n")
        .unit("bad.service", "[Service]\nType=simple\n")
        .unit("web.socket", "[Socket]\nListenStream=80\n")
        .unit("needs-masked.service", "[Unit]\nRequires=masked.service\n[Service]\nExecStart=/bin/true\n")
        .unit("manual.service", "[Unit]\nRefuseManualStart=yes\n[Service]\nExecStart=/bin/true\n")
        .unit(
            "cycle.target",
            "[Unit]\nWants=c1.service c2.service\n",
        )
        .unit("c1.service", "[Unit]\nAfter=c2.service\n[Service]\nExecStart=/bin/true\n")
        .unit("c2.service", "[Unit]\nAfter=c1.service\n[Service]\nExecStart=/bin/true\n")
        .link("sockets.target.wants/web.socket", "../web.socket")
        .link("masked.service", "/dev/null");
    r
}

#[test]
fn verbs() {
    let r = fixture();
    let mut out = String::new();
    for args in [
        vec!["plan", "start", "multi-user.target"],
        vec!["plan", "start", "web"],
        vec!["plan", "stop", "db.service"],
        vec!["plan", "restart", "db.service"],
        vec!["plan", "try-restart", "db.service"],
        vec!["plan", "reload", "web.service"],
        vec!["plan", "reload", "db.service"],
        vec!["plan", "reload-or-restart", "web.service"],
        vec!["plan", "isolate", "rescue"],
        vec!["plan", "start", "cycle.target"],
    ] {
        out.push_str(&r.run(&[], &args));
        out.push('\n');
    }
    insta::assert_snapshot!(out);
}

#[test]
fn job_modes() {
    let r = fixture();
    let mut out = String::new();
    for args in [
        vec![
            "plan",
            "start",
            "web.service",
            "--job-mode=ignore-dependencies",
        ],
        vec![
            "plan",
            "start",
            "web.service",
            "--job-mode=ignore-requirements",
        ],
        vec!["plan", "start", "web.service", "--job-mode=fail"],
        vec!["plan", "start", "web.service", "--job-mode=isolate"],
        vec!["plan", "start", "multi-user.target", "--job-mode=isolate"],
        vec!["plan", "start", "web.service", "--job-mode=triggering"],
        vec!["plan", "stop", "web.service", "--job-mode=triggering"],
        vec!["plan", "start", "web.service", "--job-mode=bogus"],
    ] {
        out.push_str(&r.run(&[], &args));
        out.push('\n');
    }
    insta::assert_snapshot!(out);
}

#[test]
fn failures() {
    let r = fixture();
    let mut out = String::new();
    for args in [
        vec!["plan", "start", "masked.service"],
        vec!["plan", "start", "needs-masked.service"],
        vec!["plan", "start", "missing.service"],
        vec!["plan", "start", "bad.service"],
        vec!["plan", "start", "manual.service"],
        vec!["plan", "stop", "missing.service"],
        vec!["plan", "try-restart", "masked.service"],
        vec!["plan", "reload", "sockets.target"],
        vec!["plan", "stop", "--", "-.slice"],
    ] {
        out.push_str(&r.run(&[], &args));
        out.push('\n');
    }
    insta::assert_snapshot!(out);
}

#[test]
fn json() {
    let r = fixture();
    insta::assert_snapshot!(r.run(&[], &["plan", "start", "web.service", "--json"]));
}
