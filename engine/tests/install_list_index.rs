//! Property: the fast `list-unit-files` (enablement links read once into a `LinkIndex`, lookups
//! through a `ReadCache`) gives exactly the answers of the straightforward algorithm (a full
//! `is-enabled` lookup per unit, reference §4.10/§4.11), on random trees from a tiny universe of
//! names: unit files with random `[Install]` sections in every kind of directory, aliases,
//! masks, linked units, dangling links, `.wants/`/`.requires/` links in config, runtime and vendor
//! directories (by name, by template, by alias, by default instance), same-name links and
//! preset files. Both the listings (rows, states, presets, logged lines) and the state of every
//! name of the universe (including instances without a file) must agree; so must the
//! single-scan lookup `is-enabled` uses (`lookup_state_once`).

use camino::Utf8Path;
use proptest::prelude::*;
use unitlab_engine::fs::MemFs;
use unitlab_engine::install::discover::Ctx;
use unitlab_engine::install::list::{list_unit_files_reference, state_with_index, LinkIndex};
use unitlab_engine::install::read_cache::ReadCache;
use unitlab_engine::install::{
    list_unit_files, lookup_state, lookup_state_once, ListFilter, Options,
};
use unitlab_engine::load::{LookupPaths, MapEnv, Scope};

const NAMES: &[&str] = &[
    "a.service",
    "b.service",
    "t@.service",
    "t@x.service",
    "t@y.service",
    "m.target",
];

const SYSTEM_DIRS: &[&str] = &[
    "/usr/lib/systemd/system",
    "/lib/systemd/system",
    "/etc/systemd/system",
    "/run/systemd/system",
    "/run/systemd/generator",
    "/run/systemd/transient",
];

const LINES: &[&str] = &[
    "WantedBy=multi-user.target",
    "WantedBy=m.target",
    "RequiredBy=m.target",
    "Alias=b.service",
    "Alias=al@.service",
    "Also=a.service",
    "DefaultInstance=x",
];

#[derive(Clone, Debug)]
enum E {
    Unit(usize, usize, Vec<usize>),
    Empty(usize, usize),
    DevNull(usize, usize),
    Alias(usize, usize, usize),
    Linked(usize, usize),
    Dangling(usize, usize),
    Wants(usize, bool, usize, usize),
    Same(usize, usize),
    Preset(usize),
}

fn entry() -> impl Strategy<Value = E> {
    let d = 0..SYSTEM_DIRS.len();
    let n = 0..NAMES.len();
    prop_oneof![
        4 => (d.clone(), n.clone(), proptest::collection::vec(0..LINES.len(), 0..3))
            .prop_map(|(d, n, l)| E::Unit(d, n, l)),
        1 => (d.clone(), n.clone()).prop_map(|(d, n)| E::Empty(d, n)),
        1 => (d.clone(), n.clone()).prop_map(|(d, n)| E::DevNull(d, n)),
        2 => (d.clone(), n.clone(), n.clone()).prop_map(|(d, a, b)| E::Alias(d, a, b)),
        1 => (d.clone(), n.clone()).prop_map(|(d, n)| E::Linked(d, n)),
        1 => (d.clone(), n.clone()).prop_map(|(d, n)| E::Dangling(d, n)),
        3 => (d.clone(), any::<bool>(), n.clone(), n.clone()).prop_map(|(d, r, t, n)| E::Wants(d, r, t, n)),
        1 => (d, n).prop_map(|(d, n)| E::Same(d, n)),
        1 => (0..4usize).prop_map(E::Preset),
    ]
}

fn build(entries: &[E]) -> MemFs {
    let fs = MemFs::new();
    for d in SYSTEM_DIRS {
        fs.add_dir(*d).expect("dir");
    }
    fs.add_file("/usr/lib/systemd/system/multi-user.target", "# t\n")
        .expect("file");
    let exists = |fs: &MemFs, p: &str| {
        use unitlab_engine::fs::FileSystem;
        fs.lstat(Utf8Path::new(p)).is_ok()
    };
    for e in entries {
        let (path, what): (String, Result<String, String>) = match e {
            E::Unit(d, n, l) => {
                let mut text = String::from("[Install]\n");
                for i in l {
                    text.push_str(LINES[*i]);
                    text.push('\n');
                }
                (format!("{}/{}", SYSTEM_DIRS[*d], NAMES[*n]), Ok(text))
            }
            E::Empty(d, n) => (
                format!("{}/{}", SYSTEM_DIRS[*d], NAMES[*n]),
                Ok(String::new()),
            ),
            E::DevNull(d, n) => (
                format!("{}/{}", SYSTEM_DIRS[*d], NAMES[*n]),
                Err("/dev/null".to_owned()),
            ),
            E::Alias(d, a, b) => (
                format!("{}/{}", SYSTEM_DIRS[*d], NAMES[*a]),
                Err(NAMES[*b].to_owned()),
            ),
            E::Linked(d, n) => {
                let opt = format!("/opt/{}", NAMES[*n]);
                if !exists(&fs, &opt) {
                    fs.add_file(&opt, "[Install]\nWantedBy=m.target\n")
                        .expect("opt");
                }
                (format!("{}/{}", SYSTEM_DIRS[*d], NAMES[*n]), Err(opt))
            }
            E::Dangling(d, n) => (
                format!("{}/{}", SYSTEM_DIRS[*d], NAMES[*n]),
                Err("nowhere.service".to_owned()),
            ),
            E::Wants(d, r, t, n) => (
                format!(
                    "{}/{}.{}/{}",
                    SYSTEM_DIRS[*d],
                    NAMES[*t],
                    if *r { "requires" } else { "wants" },
                    NAMES[*n]
                ),
                Err(format!("/usr/lib/systemd/system/{}", NAMES[*n])),
            ),
            E::Same(d, n) => (
                format!("{}/{}", SYSTEM_DIRS[*d], NAMES[*n]),
                Err(format!("/usr/lib/systemd/system/{}", NAMES[*n])),
            ),
            E::Preset(i) => (
                format!("/usr/lib/systemd/system-preset/{i}0-x.preset"),
                Ok([
                    "enable a.*\ndisable *\n",
                    "disable t@*\nbogus\n",
                    "enable *\n",
                    "",
                ][*i]
                    .to_owned()),
            ),
        };
        if exists(&fs, &path) {
            continue;
        }
        let r = match what {
            Ok(text) => fs.add_file(&path, text),
            Err(target) => fs.add_symlink(&path, target),
        };
        let _ = r;
    }
    fs
}

fn opts() -> Options {
    Options {
        utf8: true,
        ..Options::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn index_equals_reference(
        entries in proptest::collection::vec(entry(), 0..16),
        patterns in proptest::sample::subsequence(vec!["*.service", "t@*", "[am]*"], 0..2),
        states in proptest::sample::subsequence(vec!["enabled", "disabled", "bad", "alias", "static"], 0..2),
        types in proptest::sample::subsequence(vec!["service", "target"], 0..2),
    ) {
        let fs = build(&entries);
        let lp = LookupPaths::new(Scope::System, Some(Utf8Path::new("/R")), &MapEnv::new("/"))
            .expect("lp");
        let own = |v: Vec<&str>| v.into_iter().map(str::to_owned).collect::<Vec<_>>();
        let filter = ListFilter {
            patterns: own(patterns),
            states: own(states),
            types: own(types),
        };
        let fast = list_unit_files(&fs, &lp, &filter, opts());
        let slow = list_unit_files_reference(&fs, &lp, &filter, opts());
        prop_assert_eq!(&fast, &slow);

        let cache = ReadCache::new(&fs);
        let index = LinkIndex::build(&cache, &lp);
        for name in NAMES {
            let mut a = Ctx::with(&cache, &lp, &opts());
            let mut b = Ctx::with(&fs, &lp, &opts());
            let fast = state_with_index(&mut a, &index, name);
            let slow = lookup_state(&mut b, name);
            prop_assert_eq!(fast, slow, "state of {}", name);
            prop_assert_eq!(&a.logs, &b.logs, "logs of {}", name);
            // `is-enabled`'s single-scan lookup (both passes from one read of each directory).
            let mut c = Ctx::with(&fs, &lp, &opts());
            let once = lookup_state_once(&mut c, name);
            prop_assert_eq!(once, slow, "single-scan state of {}", name);
            prop_assert_eq!(&c.logs, &b.logs, "single-scan logs of {}", name);
        }
    }
}

/// One operation on a tiny tree, for the cache transparency property.
#[derive(Clone, Debug)]
enum Op {
    Symlink(usize, usize),
    RemoveFile(usize),
    MkdirAll(usize),
    RemoveDir(usize),
    Write(usize),
}

const PATHS: &[&str] = &["/e/a", "/e/b", "/e/w/a", "/e/w", "/e", "/u/a", "/e/w/x/y"];

fn op() -> impl Strategy<Value = Op> {
    let p = 0..PATHS.len();
    prop_oneof![
        (p.clone(), p.clone()).prop_map(|(a, b)| Op::Symlink(a, b)),
        p.clone().prop_map(Op::RemoveFile),
        p.clone().prop_map(Op::MkdirAll),
        p.clone().prop_map(Op::RemoveDir),
        p.prop_map(Op::Write),
    ]
}

fn observe(fs: &dyn unitlab_engine::fs::FileSystem) -> Vec<String> {
    let mut out = Vec::new();
    for p in PATHS.iter().chain(["/", "/e/w/x"].iter()) {
        let p = Utf8Path::new(p);
        out.push(format!(
            "{p}: {:?} {:?} {:?} {:?}",
            fs.lstat(p)
                .map(|m| (m.kind, m.size))
                .map_err(|e| e.to_string()),
            fs.read_link(p).map_err(|e| e.to_string()),
            fs.read_dir(p).map_err(|e| e.to_string()),
            fs.read(p, 1 << 20).map_err(|e| e.to_string()),
        ));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The memoizing cache answers exactly like the filesystem it wraps, also after writes made
    /// through it (kind and size of `lstat`; mode and times are documented as not kept).
    #[test]
    fn read_cache_is_transparent(ops in proptest::collection::vec(op(), 0..12)) {
        use unitlab_engine::fs::FileSystem;
        let plain = MemFs::new();
        let inner = MemFs::new();
        let cache = ReadCache::new(&inner);
        for o in &ops {
            // Observe before each write too, so that stale entries would be served.
            prop_assert_eq!(observe(&plain), observe(&cache));
            let apply = |fs: &dyn FileSystem| {
                let _ = match o {
                    Op::Symlink(a, b) => fs.symlink(Utf8Path::new(PATHS[*b]), Utf8Path::new(PATHS[*a])),
                    Op::RemoveFile(a) => fs.remove_file(Utf8Path::new(PATHS[*a])),
                    Op::MkdirAll(a) => fs.create_dir_all(Utf8Path::new(PATHS[*a])),
                    Op::RemoveDir(a) => fs.remove_dir(Utf8Path::new(PATHS[*a])),
                    Op::Write(a) => fs.write_atomic(Utf8Path::new(PATHS[*a]), b"x"),
                };
            };
            apply(&plain);
            apply(&cache);
        }
        prop_assert_eq!(observe(&plain), observe(&cache));
    }
}
