//! Graph building on in-memory trees. Expected lines are taken from `systemd --test` dumps and
//! `systemctl --user show` of systemd 252.38 on the same units (the full comparison is the
//! differential test `graph_differential`).
use super::*;
use crate::fs::MemFs;
use crate::load::{LookupPaths, MapEnv, Scope};

fn graph(files: &[(&str, &str)], root: &str, manager: Manager) -> Graph {
    let fs = MemFs::new();
    for (name, text) in files {
        fs.add_file(
            camino::Utf8PathBuf::from(format!("/u/{name}")),
            text.as_bytes(),
        )
        .expect("add file");
    }
    let mut env = MapEnv::new("/");
    env.vars.insert("SYSTEMD_UNIT_PATH".into(), "/u".into());
    env.vars.insert("HOME".into(), "/home/u".into());
    let scope = if manager == Manager::System {
        Scope::System
    } else {
        Scope::User
    };
    let paths = LookupPaths::new(scope, None, &env).expect("paths");
    let mut diags = Vec::new();
    let catalog = Catalog::build(&fs, &paths, &mut diags);
    let options = GraphOptions {
        manager,
        ..GraphOptions::default()
    };
    let root = UnitName::new(root).expect("name");
    Graph::build(&fs, &catalog, &[root], options, &mut diags)
}

// reference §5.1, §5.3: the /tmp/g1 dump of `systemd --test --system` (see the brief's oracle).
#[test]
fn system_service_and_timer() {
    let g = graph(
        &[
            (
                "a.service",
                "[Unit]\nWants=b.service foo@.service\nAfter=c.service\n[Service]\nExecStart=/bin/true\nPrivateTmp=yes\n",
            ),
            ("b.service", "[Unit]\nRequires=a.service\n[Service]\nExecStart=/bin/true\n"),
            ("t.timer", "[Timer]\nOnCalendar=daily\nUnit=a.service\n"),
            ("r.target", "[Unit]\nWants=t.timer\n"),
        ],
        "r.target",
        Manager::System,
    );
    let a = g.dump_lines("a.service");
    for line in [
        "Wants: b.service (origin-file)",
        "Wants: foo@a.service (origin-file)",
        "Wants: tmp.mount (origin-file)",
        "RequiredBy: b.service (destination-file)",
        "After: systemd-tmpfiles-setup.service (origin-file)",
        "After: systemd-journald.socket (origin-file)",
        "After: t.timer (destination-file)",
        "TriggeredBy: t.timer (destination-file)",
        "References: system.slice (origin-file origin-slice-property)",
        "InSlice: system.slice (origin-slice-property)",
        "RequiresMountsFor: /var/tmp (origin-file)",
    ] {
        assert!(a.iter().any(|l| l == line), "missing {line:?} in {a:#?}");
    }
    let t = g.dump_lines("t.timer");
    for line in [
        "Triggers: a.service (origin-file)",
        "After: time-sync.target (origin-default)",
        "After: time-set.target (origin-default)",
        "Before: r.target (destination-default)",
        "References: timers.target (origin-default)",
    ] {
        assert!(t.iter().any(|l| l == line), "missing {line:?} in {t:#?}");
    }
    assert_eq!(
        g.get("foo@a.service").map(|n| n.load_state()),
        Some(LoadState::NotFound)
    );
    let r = g.dump_lines("r.target");
    assert!(r
        .iter()
        .any(|l| l == "References: t.timer (origin-file origin-default)"));
}

// reference §5.3, user manager (`systemctl --user show` of a live 252 manager): services require
// basic.target, go to app.slice, and get no sysinit.target or journald socket dependencies.
#[test]
fn user_service_defaults() {
    let g = graph(
        &[("a.service", "[Service]\nExecStart=/bin/true\n")],
        "a.service",
        Manager::User,
    );
    let a = g.get("a.service").expect("loaded");
    let names = |k: DepKind| -> Vec<&str> { a.deps_of(k).map(|(n, _)| n.as_str()).collect() };
    let mut requires = names(DepKind::Requires);
    requires.sort();
    assert_eq!(requires, ["app.slice", "basic.target"]);
    let mut after = names(DepKind::After);
    after.sort();
    assert_eq!(after, ["app.slice", "basic.target"]);
    assert_eq!(names(DepKind::Conflicts), ["shutdown.target"]);
}
