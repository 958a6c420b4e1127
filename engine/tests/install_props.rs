//! Properties of the install operations on random trees (no oracle needed):
//!
//! * a dry run changes nothing and predicts exactly the outcome of the real run (changes, logged
//!   lines and result) — for every operation that uses the copy-on-write overlay;
//! * every operation is deterministic (the same tree gives the same outcome);
//! * `Symlink` records name links that exist afterwards with the recorded target, `Unlink`
//!   records name paths that are gone (unless re-created later in the same run).
//!
//! Trees and arguments come from a tiny universe of names so that they collide. Failing cases are
//! printed by proptest (with its seed file in `proptest-regressions/`).
use camino::Utf8Path;
use proptest::prelude::*;
use unitlab_engine::fs::{FileSystem, MemFs};
use unitlab_engine::install::{
    add_dependency, enable, link, mask, reenable, revert, set_default, ChangeKind, Dependency,
    Options, Outcome,
};
use unitlab_engine::load::{LookupPaths, MapEnv, Scope};

const NAMES: &[&str] = &[
    "a.service",
    "b.service",
    "t@.service",
    "t@i.service",
    "x.target",
    "multi-user.target",
];
const DIRS: &[&str] = &[
    "/usr/lib/systemd/system",
    "/usr/lib/systemd/system",
    "/etc/systemd/system",
    "/run/systemd/system",
    "/lib/systemd/system",
];

#[derive(Clone, Debug)]
enum Entry {
    File(usize, usize, String),
    Link(usize, usize, String),
    Wants(usize, usize, usize),
    Dropin(usize, usize, String),
}

fn install_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        prop::sample::select(vec!["multi-user.target", "x.target", "t@.service", ""])
            .prop_map(|v| format!("WantedBy={v}")),
        prop::sample::select(vec![
            "a.service",
            "c.service",
            "t@.service",
            "x.target.wants/a.service"
        ])
        .prop_map(|v| format!("Alias={v}")),
        prop::sample::select(vec!["a.service", "b.service", "gone.service"])
            .prop_map(|v| format!("Also={v}")),
        prop::sample::select(vec!["i", "j", ""]).prop_map(|v| format!("DefaultInstance={v}")),
        prop::sample::select(vec!["x.target", "%p.target"]).prop_map(|v| format!("RequiredBy={v}")),
    ];
    prop::collection::vec(line, 0..4).prop_map(|l| format!("[Install]\n{}\n", l.join("\n")))
}

fn entry() -> impl Strategy<Value = Entry> {
    let d = 0..DIRS.len();
    let n = 0..NAMES.len();
    prop_oneof![
        4 => (d.clone(), n.clone(), install_text()).prop_map(|(d, n, t)| Entry::File(d, n, t)),
        2 => (d.clone(), n.clone(), prop::sample::select(vec![
            "a.service", "b.service", "/dev/null", "/opt/a.service", "gone.service",
            "/usr/lib/systemd/system/a.service", "t@.service",
        ])).prop_map(|(d, n, t)| Entry::Link(d, n, t.to_owned())),
        1 => (d.clone(), n.clone(), n.clone()).prop_map(|(d, n, t)| Entry::Wants(d, n, t)),
        1 => (d, n, install_text()).prop_map(|(d, n, t)| Entry::Dropin(d, n, t)),
    ]
}

fn build(entries: &[Entry]) -> MemFs {
    let fs = MemFs::new();
    fs.add_file("/opt/a.service", "[Install]\nWantedBy=multi-user.target\n")
        .expect("file");
    for e in entries {
        let _ = match e {
            Entry::File(d, n, t) => fs.add_file(format!("{}/{}", DIRS[*d], NAMES[*n]), t),
            Entry::Link(d, n, t) => fs.add_symlink(format!("{}/{}", DIRS[*d], NAMES[*n]), t),
            Entry::Wants(d, n, t) => fs.add_symlink(
                format!("{}/x.target.wants/{}", DIRS[*d], NAMES[*n]),
                format!("/usr/lib/systemd/system/{}", NAMES[*t]),
            ),
            Entry::Dropin(d, n, t) => {
                fs.add_file(format!("{}/{}.d/50-x.conf", DIRS[*d], NAMES[*n]), t)
            }
        };
    }
    fs
}

#[derive(Clone, Debug)]
enum Op {
    Enable(Vec<usize>),
    Reenable(usize),
    Mask(usize),
    Link,
    Revert(usize),
    AddWants(usize, usize),
    SetDefault(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let n = 0..NAMES.len();
    prop_oneof![
        prop::collection::vec(n.clone(), 1..3).prop_map(Op::Enable),
        n.clone().prop_map(Op::Reenable),
        n.clone().prop_map(Op::Mask),
        Just(Op::Link),
        n.clone().prop_map(Op::Revert),
        (n.clone(), n.clone()).prop_map(|(a, b)| Op::AddWants(a, b)),
        n.prop_map(Op::SetDefault),
    ]
}

fn run(fs: &MemFs, op: &Op, opts: Options) -> Outcome {
    let lp = LookupPaths::new(Scope::System, Some(Utf8Path::new("/R")), &MapEnv::new("/"))
        .expect("lookup paths");
    let n = |i: &usize| NAMES[*i].to_owned();
    match op {
        Op::Enable(v) => enable(fs, &lp, &v.iter().map(n).collect::<Vec<_>>(), opts),
        Op::Reenable(i) => reenable(fs, &lp, &[n(i)], opts),
        Op::Mask(i) => mask(fs, &lp, &[n(i)], opts),
        Op::Link => link(fs, &lp, &["/opt/a.service".to_owned()], opts),
        Op::Revert(i) => revert(fs, &lp, &[n(i)], opts),
        Op::AddWants(t, u) => add_dependency(fs, &lp, NAMES[*t], &[n(u)], Dependency::Wants, opts),
        Op::SetDefault(i) => set_default(fs, &lp, NAMES[*i], opts),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn dry_runs_predict_real_runs(entries in prop::collection::vec(entry(), 0..10), op in op()) {
        let fs = build(&entries);
        let before = format!("{fs:?}");
        let opts = Options { utf8: true, ..Options::default() };
        let predicted = run(&fs, &op, Options { dry_run: true, ..opts });
        prop_assert_eq!(format!("{fs:?}"), before.clone(), "dry run changed the tree");
        let twin = build(&entries);
        let real = run(&fs, &op, opts);
        let again = run(&twin, &op, opts);
        prop_assert_eq!(&predicted, &real);
        prop_assert_eq!(&real, &again);
        // Records agree with the resulting tree.
        for (k, c) in real.changes.iter().enumerate() {
            let inside = c.path.strip_prefix("/R").unwrap_or(&c.path);
            let later = real.changes[k + 1..].iter().any(|d| d.path == c.path);
            match c.kind {
                ChangeKind::Symlink if !later => {
                    let t = fs.read_link(Utf8Path::new(inside));
                    prop_assert_eq!(t.ok().map(|t| t.to_string()), c.source.clone());
                }
                ChangeKind::Unlink if !later => {
                    prop_assert!(fs.lstat(Utf8Path::new(inside)).is_err(), "{} still exists", inside);
                }
                _ => {}
            }
        }
    }
}
