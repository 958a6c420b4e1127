//! Snapshots of `unitlab --root=DIR list-dependencies` and `show` on small fixtures (format of
//! systemctl 252: tree glyphs, `○` dots, ASCII fallbacks, `...` for cycles, ellipsized names).
//! The format itself is checked against a live manager in `list_dependencies_live.rs`.
mod root_fixture;
use root_fixture::Root;

fn fixture() -> Root {
    let r = Root::new("ld-fixture");
    r.unit("default.target", "[Unit]\nWants=multi-user.target\n")
        .unit(
            "multi-user.target",
            "[Unit]\nRequires=basic.target\nWants=web.service db.service\n",
        )
        .unit("basic.target", "[Unit]\nRequires=sysinit.target\nWants=sockets.target timers.target\n")
        .unit("sysinit.target", "[Unit]\n")
        .unit("sockets.target", "[Unit]\n")
        .unit("timers.target", "[Unit]\n")
        .unit(
            "web.service",
            "[Unit]\nRequires=db.service\nAfter=db.service\n[Service]\nExecStart=/bin/web\nPrivateTmp=yes\n",
        )
        .unit("db.service", "[Service]\nExecStart=/bin/db\n")
        .unit("web.socket", "[Socket]\nListenStream=80\n")
        .unit("clean.timer", "[Timer]\nOnCalendar=daily\n")
        .unit("clean.service", "[Service]\nType=oneshot\nExecStart=/bin/clean\n")
        .unit(
            "a-very-long-unit-name-that-does-not-fit-into-a-narrow-terminal-window.service",
            "[Service]\nExecStart=/bin/true\n",
        )
        .unit("loop.target", "[Unit]\nWants=multi-user.target\n")
        .link("multi-user.target.wants/loop.target", "../loop.target")
        .link("sockets.target.wants/web.socket", "../web.socket")
        .link("timers.target.wants/clean.timer", "../clean.timer")
        .link(
            "multi-user.target.wants/a-very-long-unit-name-that-does-not-fit-into-a-narrow-terminal-window.service",
            "../a-very-long-unit-name-that-does-not-fit-into-a-narrow-terminal-window.service",
        )
        .link("masked.service", "/dev/null")
        .unit("db.service.d/10-wants.conf", "[Unit]\nWants=masked.service missing.service\n");
    r
}

#[test]
fn tree_forms() {
    let r = fixture();
    let mut out = String::new();
    for args in [
        vec!["list-dependencies"],
        vec!["list-dependencies", "--all", "web.service"],
        vec!["list-dependencies", "--reverse", "db.service"],
        vec!["list-dependencies", "--after", "web"],
        vec!["list-dependencies", "--before", "db.service", "web.socket"],
        vec!["list-dependencies", "--plain", "--all", "multi-user.target"],
    ] {
        out.push_str(&r.run(&[], &args));
        out.push('\n');
    }
    insta::assert_snapshot!(out);
}

#[test]
fn ascii_and_narrow_terminals() {
    let r = fixture();
    let mut out = String::new();
    out.push_str(&r.run(
        &[("LC_ALL", "C")],
        &["list-dependencies", "multi-user.target"],
    ));
    out.push('\n');
    out.push_str(&r.run(
        &[("COLUMNS", "40")],
        &["list-dependencies", "multi-user.target"],
    ));
    out.push('\n');
    out.push_str(&r.run(
        &[("COLUMNS", "40"), ("LANG", "C")],
        &["list-dependencies", "multi-user.target"],
    ));
    out.push('\n');
    out.push_str(&r.run(
        &[("COLUMNS", "40")],
        &["list-dependencies", "--full", "multi-user.target"],
    ));
    insta::assert_snapshot!(out);
}

#[test]
fn show_properties() {
    let r = fixture();
    let mut out = String::new();
    for args in [
        vec!["show", "web.service"],
        vec!["show", "db.service", "masked.service", "missing.service"],
        vec!["show", "-p", "Wants,Id,Requisite", "db.service"],
        vec!["show", "clean.timer", "web.socket"],
    ] {
        out.push_str(&r.run(&[], &args));
        out.push('\n');
    }
    insta::assert_snapshot!(out);
}
