//! The catalog, drop-ins and load states on an in-memory tree, one test per rule of reference
//! §3.3–3.7. Expected values come from the reference (marked [verified] there) or from the oracle
//! runs of `catalog_differential.rs`.
use camino::{Utf8Path, Utf8PathBuf};
use unitlab_engine::diag::{Diagnostic, Severity};
use unitlab_engine::fs::MemFs;
use unitlab_engine::load::{
    conf_dropins, dependency_entries, installer_dropins, load_unit, Catalog, DirSuffix, EntryKind,
    LoadOptions, LoadState, LoadedUnit, Miss,
};
use unitlab_engine::name::UnitName;

const ETC: &str = "/etc/systemd/system";
const RUN: &str = "/run/systemd/system";
const LIB: &str = "/usr/lib/systemd/system";
const SVC: &[u8] = b"[Service]\nExecStart=/bin/true\n";

struct T {
    fs: MemFs,
    dirs: Vec<Utf8PathBuf>,
}

impl T {
    fn new() -> T {
        T {
            fs: MemFs::new(),
            dirs: vec![ETC.into(), RUN.into(), LIB.into()],
        }
    }
    fn file(&self, path: &str, text: &[u8]) -> &Self {
        self.fs
            .add_file(Utf8Path::new(path), text)
            .expect("add file");
        self
    }
    fn link(&self, path: &str, target: &str) -> &Self {
        self.fs
            .add_symlink(Utf8Path::new(path), Utf8Path::new(target))
            .expect("add symlink");
        self
    }
    fn dir(&self, path: &str) -> &Self {
        self.fs.add_dir(Utf8Path::new(path)).expect("add dir");
        self
    }
    fn catalog(&self) -> (Catalog, Vec<Diagnostic>) {
        let mut d = Vec::new();
        let c = Catalog::build_from_dirs(&self.fs, &self.dirs, &mut d);
        (c, d)
    }
    fn load(&self, name: &str) -> (LoadedUnit, Vec<Diagnostic>) {
        let (c, mut d) = self.catalog();
        let u = load_unit(&self.fs, &c, &n(name), &LoadOptions::default(), &mut d);
        (u, d)
    }
}

fn n(s: &str) -> UnitName {
    UnitName::new(s).expect("valid name in test")
}

fn names(u: &LoadedUnit) -> Vec<&str> {
    u.names.iter().map(|n| n.as_str()).collect()
}

fn messages(d: &[Diagnostic], max: Severity) -> Vec<String> {
    d.iter()
        .filter(|d| d.severity <= max)
        .map(|d| d.to_string())
        .collect()
}

// §3.3: the first directory that contains a name wins.
#[test]
fn first_directory_wins() {
    let t = T::new();
    t.file(&format!("{LIB}/a.service"), SVC)
        .file(&format!("{ETC}/a.service"), SVC);
    let (c, _) = t.catalog();
    assert_eq!(
        c.entry("a.service").expect("entry").path,
        Utf8PathBuf::from(format!("{ETC}/a.service"))
    );
}

// §3.3: invalid names and other file types are ignored; .wants/.requires/.d dirs are recorded.
#[test]
fn only_valid_names_and_recorded_dirs() {
    let t = T::new();
    t.file(&format!("{ETC}/a.service.bak"), SVC)
        .file(&format!("{ETC}/README"), b"x")
        .dir(&format!("{ETC}/a.service.d"))
        .dir(&format!("{ETC}/service.d"))
        .dir(&format!("{ETC}/x.target.wants"))
        .dir(&format!("{ETC}/junk.d"))
        .dir(&format!("{ETC}/b.service"));
    let (c, _) = t.catalog();
    assert_eq!(c.entries().count(), 0);
    assert!(c.has_dir(Utf8Path::new(&format!("{ETC}/a.service.d"))));
    assert!(c.has_dir(Utf8Path::new(&format!("{ETC}/service.d"))));
    assert!(c.has_dir(Utf8Path::new(&format!("{ETC}/x.target.wants"))));
    assert!(!c.has_dir(Utf8Path::new(&format!("{ETC}/junk.d"))));
}

// has_dirs_under: a search dir whose name is a prefix of another's (`/s` and `/s-x`, where `-`
// sorts before `/`) is still seen to hold its directories; an empty search dir holds none.
#[test]
fn dirs_under_a_search_dir() {
    let mut t = T::new();
    t.dirs = vec!["/s".into(), "/s-x".into(), "/t".into(), "/u".into()];
    t.dir("/s-x/a.service.d")
        .dir("/s/b.service.d")
        .dir("/t")
        .dir("/u/junk.d")
        .file("/t/c.service", SVC);
    let (c, _) = t.catalog();
    assert!(c.has_dirs_under(Utf8Path::new("/s")));
    assert!(c.has_dirs_under(Utf8Path::new("/s/")));
    assert!(c.has_dirs_under(Utf8Path::new("/s-x")));
    assert!(!c.has_dirs_under(Utf8Path::new("/t")));
    assert!(!c.has_dirs_under(Utf8Path::new("/u")));
    assert!(!c.has_dirs_under(Utf8Path::new("/s-")));
    // and the drop-in of the unit in `/s` is found through it
    t.file("/s/b.service", SVC)
        .file("/s/b.service.d/x.conf", b"[Unit]\nDescription=x\n");
    let (u, _) = t.load("b.service");
    assert_eq!(
        u.dropin_paths().map(|p| p.as_str()).collect::<Vec<_>>(),
        vec!["/s/b.service.d/x.conf"]
    );
}

// §3.3: a symlink into the search path is an alias; the unit gets both names and the target's id.
#[test]
fn alias_inside_search_path() {
    let t = T::new();
    t.file(&format!("{LIB}/a.service"), SVC).link(
        &format!("{ETC}/al.service"),
        "../../../usr/lib/systemd/system/a.service",
    );
    let (c, _) = t.catalog();
    match &c.entry("al.service").expect("entry").kind {
        EntryKind::Alias { target, .. } => assert_eq!(target.as_str(), "a.service"),
        k => panic!("expected an alias, got {k:?}"),
    }
    let (u, _) = t.load("al.service");
    assert_eq!(u.id.as_str(), "a.service");
    assert_eq!(names(&u), ["a.service", "al.service"]);
    assert_eq!(u.load_state, LoadState::Loaded);
    assert_eq!(
        u.fragment_path.as_deref(),
        Some(Utf8Path::new(&format!("{LIB}/a.service")))
    );
}

// §3.3: absolute targets are taken inside the root.
#[test]
fn absolute_alias_target_inside_root() {
    let t = T::new();
    t.file(&format!("{LIB}/a.service"), SVC)
        .link(&format!("{ETC}/al.service"), &format!("{LIB}/a.service"));
    let (u, _) = t.load("al.service");
    assert_eq!(u.id.as_str(), "a.service");
}

// §3.3/§3.7: a symlink leaving the search path is a linked unit: fragment = the link's own path,
// name = the link's name regardless of the target's basename.
#[test]
fn linked_unit_file() {
    let t = T::new();
    t.file("/opt/other.service", SVC)
        .link(&format!("{ETC}/linked.service"), "/opt/other.service");
    let (u, _) = t.load("linked.service");
    assert_eq!(u.id.as_str(), "linked.service");
    assert_eq!(
        u.fragment_path.as_deref(),
        Some(Utf8Path::new(&format!("{ETC}/linked.service")))
    );
    assert_eq!(u.load_state, LoadState::Loaded);
    assert_eq!(names(&u), ["linked.service"]);
}

// §3.3: dangling aliases and dangling linked files shadow lower entries: not-found.
#[test]
fn dangling_links_shadow() {
    let t = T::new();
    t.file(&format!("{LIB}/foo.service"), SVC)
        .file(&format!("{LIB}/bar.service"), SVC);
    t.link(&format!("{ETC}/foo.service"), "nothere.service");
    t.link(&format!("{ETC}/bar.service"), "/opt/nothere.service");
    let (u, _) = t.load("foo.service");
    assert_eq!(u.load_state, LoadState::NotFound);
    let (c, _) = t.catalog();
    assert_eq!(c.lookup(&n("foo.service")).miss, Some(Miss::DanglingAlias));
    let (u, d) = t.load("bar.service");
    assert_eq!(u.load_state, LoadState::NotFound);
    assert!(messages(&d, Severity::Notice).contains(&format!(
        "bar.service: Failed to open {ETC}/bar.service: No such file or directory"
    )));
}

// §3.3: a self-alias is skipped and the lower file is used.
#[test]
fn self_alias_uses_lower_file() {
    let t = T::new();
    t.file(&format!("{LIB}/a.service"), SVC)
        .link(&format!("{ETC}/a.service"), &format!("{LIB}/a.service"));
    let (u, d) = t.load("a.service");
    assert_eq!(
        u.fragment_path.as_deref(),
        Some(Utf8Path::new(&format!("{LIB}/a.service")))
    );
    assert_eq!(u.load_state, LoadState::Loaded);
    assert!(messages(&d, Severity::Notice).is_empty(), "{d:?}");
}

// §3.3: alias validation refusals, with systemd's messages (verified with systemd-analyze).
#[test]
fn invalid_aliases_are_refused() {
    let t = T::new();
    t.file(
        &format!("{ETC}/r.socket"),
        b"[Socket]\nListenStream=/run/r.sock\n",
    )
    .file(&format!("{ETC}/t@.service"), SVC)
    .file(&format!("{ETC}/a.service"), SVC)
    .file(&format!("{ETC}/sub/s.service"), SVC)
    .link(&format!("{ETC}/bad.service"), "r.socket")
    .link(&format!("{ETC}/x.mount"), "a.service")
    .link(&format!("{ETC}/plain.service"), "t@.service")
    .link(&format!("{ETC}/i@x.service"), "t@y.service")
    .link(&format!("{ETC}/iv.service"), "in valid")
    .link(&format!("{ETC}/sus.service"), "sub/s.service");
    let (c, d) = t.catalog();
    for refused in [
        "bad.service",
        "x.mount",
        "plain.service",
        "i@x.service",
        "iv.service",
    ] {
        assert!(c.entry(refused).is_none(), "{refused} should be refused");
    }
    assert!(matches!(
        c.entry("sus.service").map(|e| &e.kind),
        Some(EntryKind::Alias { .. })
    ));
    let m = messages(&d, Severity::Notice);
    for expected in [
        "bad.service: symlink target \"r.socket\" has incompatible suffix, rejecting.".to_owned(),
        "x.mount: symlinks are not allowed for units of this type, rejecting.".to_owned(),
        "plain.service: symlink target name type \"t@.service\" does not match source, rejecting.".to_owned(),
        "i@x.service: unit symlink target \"t@y.service\" instance name doesn't match, rejecting.".to_owned(),
        format!("{ETC}/sus.service: Suspicious symlink {ETC}/sus.service \u{2192} {ETC}/sub/s.service, treating as alias."),
    ] {
        assert!(m.iter().any(|l| l == &expected || l.ends_with(&expected)), "missing {expected:?} in {m:#?}");
    }
    assert!(m.iter().any(|l| l.ends_with("iv.service points to \"in valid\" which is not a valid unit name: Invalid cross-device link")));
}

// §3.3: a refused alias lets a lower-priority entry provide the name.
#[test]
fn refused_alias_falls_through() {
    let t = T::new();
    t.file(
        &format!("{ETC}/r.socket"),
        b"[Socket]\nListenStream=/run/r.sock\n",
    )
    .link(&format!("{ETC}/bad.service"), "r.socket")
    .file(&format!("{LIB}/bad.service"), SVC);
    let (u, _) = t.load("bad.service");
    assert_eq!(
        u.fragment_path.as_deref(),
        Some(Utf8Path::new(&format!("{LIB}/bad.service")))
    );
}

// §3.3: instance → template fallback; alias to an instance falls back to the alias target's template.
#[test]
fn instance_and_template_fallbacks() {
    let t = T::new();
    t.file(&format!("{LIB}/t@.service"), SVC).link(
        &format!("{ETC}/q@x.service"),
        "../../../usr/lib/systemd/system/t@x.service",
    );
    let (u, _) = t.load("t@y.service");
    assert_eq!(u.id.as_str(), "t@y.service");
    assert_eq!(
        u.fragment_path.as_deref(),
        Some(Utf8Path::new(&format!("{LIB}/t@.service")))
    );
    let (u, _) = t.load("q@x.service");
    assert_eq!(u.id.as_str(), "t@x.service");
    assert_eq!(names(&u), ["q@x.service", "t@x.service"]);
}

// §3.3: instance aliases via template aliases (tal@.service → tpl@.service gives tpl@x the alias tal@x).
#[test]
fn template_alias_propagates_to_instances() {
    let t = T::new();
    t.file(&format!("{LIB}/tpl@.service"), SVC)
        .link(&format!("{LIB}/tal@.service"), "tpl@.service");
    let (u, _) = t.load("tpl@x.service");
    assert_eq!(names(&u), ["tal@x.service", "tpl@x.service"]);
    let (u, _) = t.load("tal@x.service");
    assert_eq!(u.id.as_str(), "tpl@x.service");
    assert_eq!(names(&u), ["tal@x.service", "tpl@x.service"]);
}

// §3.3: alias cycles end as not-found; chains longer than 8 hops too.
#[test]
fn alias_cycles_and_long_chains() {
    let t = T::new();
    t.link(&format!("{ETC}/c1.service"), "c2.service")
        .link(&format!("{ETC}/c2.service"), "c1.service");
    let (u, _) = t.load("c1.service");
    assert_eq!(u.load_state, LoadState::NotFound);
    let t = T::new();
    t.file(&format!("{ETC}/h9.service"), SVC);
    for i in 0..9 {
        t.link(
            &format!("{ETC}/h{i}.service"),
            &format!("h{}.service", i + 1),
        );
    }
    let (c, _) = t.catalog();
    // h1 → … → h9 is 8 alias hops plus the fragment: one too many; h2 is within the limit.
    assert_eq!(c.lookup(&n("h1.service")).miss, Some(Miss::TooManyHops));
    assert!(c.lookup(&n("h2.service")).fragment.is_some());
}

// §3.3/§3.7: masks: /dev/null links in any form, empty files.
#[test]
fn masks() {
    let t = T::new();
    t.file(&format!("{LIB}/m1.service"), SVC)
        .link(&format!("{ETC}/m1.service"), "/dev/null")
        .link(&format!("{ETC}/m2.service"), "../../../../dev/null")
        .link(&format!("{ETC}/m3.service"), "/usr/../dev/null")
        .file(&format!("{ETC}/m4.service"), b"");
    for m in ["m1.service", "m2.service", "m3.service", "m4.service"] {
        let (u, _) = t.load(m);
        assert_eq!(u.load_state, LoadState::Masked, "{m}");
    }
    let (c, _) = t.catalog();
    assert!(
        c.aliases_map().get("m1.service").is_none(),
        "masked units are not in the reverse map"
    );
}

// §3.4: load states of type checks and parse failures; types without fragments.
#[test]
fn load_states() {
    let t = T::new();
    t.file(&format!("{ETC}/noexec.service"), b"[Unit]\nDescription=x\n")
        .file(
            &format!("{ETC}/two.service"),
            b"[Service]\nExecStart=/bin/true\nExecStart=/bin/false\n",
        )
        .file(
            &format!("{ETC}/one.service"),
            b"[Service]\nType=oneshot\nExecStart=/bin/true\nExecStart=/bin/false\n",
        )
        .file(&format!("{ETC}/s.socket"), b"[Unit]\nDescription=x\n")
        .file(&format!("{ETC}/t.timer"), b"[Unit]\nDescription=x\n")
        .file(&format!("{ETC}/p.path"), b"[Unit]\nDescription=x\n")
        .file(
            &format!("{ETC}/e.service"),
            b"[Service\nExecStart=/bin/true\n",
        );
    let cases = [
        ("noexec.service", LoadState::BadSetting, Some("noexec.service: Service has no ExecStart=, ExecStop=, or SuccessAction=. Refusing.")),
        ("two.service", LoadState::BadSetting, Some("two.service: Service has more than one ExecStart= setting, which is only allowed for Type=oneshot services. Refusing.")),
        ("one.service", LoadState::Loaded, None),
        ("s.socket", LoadState::BadSetting, Some("s.socket: Unit has no Listen setting (ListenStream=, ListenDatagram=, ListenFIFO=, ...). Refusing.")),
        ("t.timer", LoadState::BadSetting, Some("t.timer: Timer unit lacks value setting. Refusing.")),
        ("p.path", LoadState::BadSetting, Some("p.path: Path unit lacks path setting. Refusing.")),
        ("e.service", LoadState::Error, None),
        ("missing.service", LoadState::NotFound, None),
        ("missing.slice", LoadState::Loaded, None),
        ("dev-x.device", LoadState::Loaded, None),
        ("x.scope", LoadState::NotFound, None),
    ];
    for (name, state, message) in cases {
        let (u, d) = t.load(name);
        assert_eq!(u.load_state, state, "{name}");
        if let Some(m) = message {
            assert!(
                messages(&d, Severity::Error).contains(&m.to_owned()),
                "{name}: {d:?}"
            );
        }
    }
}

// §3.5: drop-in directory order and basename shadowing for foo-bar@x.service.
#[test]
fn dropin_precedence() {
    let t = T::new();
    t.file(&format!("{LIB}/foo-bar@.service"), SVC);
    for d in [
        "foo-bar@x.service.d",
        "foo-bar@.service.d",
        "foo-.service.d",
        "foo-@x.service.d",
        "foo-@.service.d",
        "service.d",
    ] {
        t.file(&format!("{LIB}/{d}/50-x.conf"), b"[Unit]\nDescription=x\n");
        t.file(&format!("{LIB}/{d}/{d}.conf"), b"[Unit]\nDescription=x\n");
    }
    t.file(
        &format!("{ETC}/foo-.service.d/60-y.conf"),
        b"[Unit]\nDescription=y\n",
    );
    t.file(
        &format!("{ETC}/service.d/50-x.conf"),
        b"[Unit]\nDescription=z\n",
    );
    let (u, _) = t.load("foo-bar@x.service");
    let got: Vec<String> = u.dropin_paths().map(|p| p.to_string()).collect();
    // One file per basename, strcmp order. 50-x.conf comes from the first directory of the list
    // that has it: ETC's name walk only finds foo-.service.d (no 50-x.conf), ETC's service.d comes
    // after every name walk, so LIB's foo-bar@x.service.d wins.
    let want = vec![
        format!("{LIB}/foo-bar@x.service.d/50-x.conf"),
        format!("{ETC}/foo-.service.d/60-y.conf"),
        format!("{LIB}/foo-.service.d/foo-.service.d.conf"),
        format!("{LIB}/foo-@.service.d/foo-@.service.d.conf"),
        format!("{LIB}/foo-@x.service.d/foo-@x.service.d.conf"),
        format!("{LIB}/foo-bar@.service.d/foo-bar@.service.d.conf"),
        format!("{LIB}/foo-bar@x.service.d/foo-bar@x.service.d.conf"),
        format!("{LIB}/service.d/service.d.conf"),
    ];
    assert_eq!(got, want);
}

// §3.5: a higher search dir's prefix drop-in beats a lower dir's specific one; /dev/null masks.
#[test]
fn dropin_search_dir_before_specificity_and_masks() {
    let t = T::new();
    t.file(&format!("{LIB}/foo-bar.service"), SVC)
        .file(
            &format!("{LIB}/foo-bar.service.d/50-x.conf"),
            b"[Unit]\nDescription=lib\n",
        )
        .file(
            &format!("{ETC}/foo-.service.d/50-x.conf"),
            b"[Unit]\nDescription=etc\n",
        )
        .file(
            &format!("{LIB}/foo-bar.service.d/70-m.conf"),
            b"[Unit]\nDescription=lib\n",
        )
        .link(&format!("{ETC}/foo-bar.service.d/70-m.conf"), "/dev/null");
    let (c, _) = t.catalog();
    let got = conf_dropins(&t.fs, &c, &n("foo-bar.service"), &[]);
    assert_eq!(
        got,
        vec![
            Utf8PathBuf::from(format!("{ETC}/foo-.service.d/50-x.conf")),
            Utf8PathBuf::from(format!("{ETC}/foo-bar.service.d/70-m.conf")),
        ]
    );
}

// §3.5: alias-name drop-ins come after the id's, before type-level.
#[test]
fn dropins_of_aliases() {
    let t = T::new();
    t.file(&format!("{LIB}/a.service"), SVC)
        .link(&format!("{LIB}/al.service"), "a.service")
        .file(
            &format!("{LIB}/al.service.d/10-a.conf"),
            b"[Unit]\nDescription=al\n",
        )
        .file(
            &format!("{LIB}/service.d/10-a.conf"),
            b"[Unit]\nDescription=type\n",
        );
    let (u, _) = t.load("a.service");
    let got: Vec<String> = u.dropin_paths().map(|p| p.to_string()).collect();
    assert_eq!(got, vec![format!("{LIB}/al.service.d/10-a.conf")]);
}

// §3.5: .wants entries: symlinks only, masked skipped, name mismatch only warns, .upholds ignored.
#[test]
fn wants_entries() {
    let t = T::new();
    t.file(&format!("{ETC}/x.target"), b"[Unit]\n")
        .file(&format!("{ETC}/x.target.wants/reg.service"), b"x")
        .link(&format!("{ETC}/x.target.wants/m.service"), "/dev/null")
        .link(&format!("{ETC}/x.target.wants/a.service"), "../a.service")
        .link(&format!("{ETC}/x.target.wants/v.service"), "../w.service")
        .link(&format!("{ETC}/x.target.upholds/u.service"), "../u.service")
        .link(
            &format!("{ETC}/x.target.requires/r.service"),
            "../r.service",
        );
    let (u, d) = t.load("x.target");
    let wants: Vec<&str> = u.wants.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(wants, ["a.service", "v.service"]);
    let requires: Vec<&str> = u.requires.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(requires, ["r.service"]);
    let m = messages(&d, Severity::Warning);
    assert!(m.contains(&format!("x.target: Wants dependency dropin {ETC}/x.target.wants/reg.service is not a symlink, ignoring.")), "{m:#?}");
    assert!(m.contains(&format!("x.target: Wants dependency dropin {ETC}/x.target.wants/v.service target ../w.service has different name")), "{m:#?}");
    let (c, mut d2) = t.catalog();
    let e = dependency_entries(&t.fs, &c, &n("x.target"), &[], DirSuffix::Wants, &mut d2);
    assert_eq!(e.len(), 2);
}

// §3.6: the installer reads p/N.d and, for instances, p/TEMPLATE.d only.
#[test]
fn installer_view() {
    let t = T::new();
    t.file(&format!("{LIB}/foo-bar@.service"), SVC)
        .file(&format!("{LIB}/foo-bar@x.service.d/a.conf"), b"[Install]\n")
        .file(&format!("{ETC}/foo-bar@.service.d/b.conf"), b"[Install]\n")
        .file(&format!("{ETC}/foo-.service.d/c.conf"), b"[Install]\n")
        .file(&format!("{ETC}/service.d/d.conf"), b"[Install]\n");
    let got = installer_dropins(&t.fs, &t.dirs, &n("foo-bar@x.service"));
    assert_eq!(
        got,
        vec![
            Utf8PathBuf::from(format!("{LIB}/foo-bar@x.service.d/a.conf")),
            Utf8PathBuf::from(format!("{ETC}/foo-bar@.service.d/b.conf")),
        ]
    );
}

// §3.3: search dirs that are symlinks (/lib -> usr/lib): links into the resolved dir are aliases.
#[test]
fn symlinked_search_dir() {
    let t = T {
        fs: MemFs::new(),
        dirs: vec![ETC.into(), "/lib/systemd/system".into()],
    };
    t.link("/lib", "usr/lib")
        .file(&format!("{LIB}/a.service"), SVC)
        .link(&format!("{ETC}/al.service"), &format!("{LIB}/a.service"));
    let (u, _) = t.load("al.service");
    assert_eq!(u.id.as_str(), "a.service");
    assert_eq!(u.load_state, LoadState::Loaded);
}

// §3.1: permission warnings; world-inaccessible only for PID 1.
#[test]
fn permission_warnings() {
    use unitlab_engine::fs::FileSystem;
    let t = T::new();
    t.file(&format!("{ETC}/a.service"), SVC);
    let p = Utf8PathBuf::from(format!("{ETC}/a.service"));
    if t.fs.set_mode(&p, 0o777).is_err() {
        eprintln!("SKIP: MemFs::set_mode unsupported");
        return;
    }
    let (c, _) = t.catalog();
    let mut d = Vec::new();
    load_unit(&t.fs, &c, &n("a.service"), &LoadOptions::default(), &mut d);
    let m = messages(&d, Severity::Warning);
    assert!(m.iter().any(|l| l.ends_with(
        "is marked executable. Please remove executable permission bits. Proceeding anyway."
    )));
    assert!(m.iter().any(|l| l.ends_with("is marked world-writable. Please remove world writability permission bits. Proceeding anyway.")));
    t.fs.set_mode(&p, 0o600).expect("set mode");
    let mut d = Vec::new();
    load_unit(&t.fs, &c, &n("a.service"), &LoadOptions::default(), &mut d);
    assert!(messages(&d, Severity::Warning).is_empty());
    let mut d = Vec::new();
    load_unit(
        &t.fs,
        &c,
        &n("a.service"),
        &LoadOptions { pid1: true },
        &mut d,
    );
    assert!(messages(&d, Severity::Warning)
        .iter()
        .any(|l| l.contains("is marked world-inaccessible.")));
}

// §3.3 with the real system search path (reference §1.2): /etc beats /lib, and the unit
// directories of LookupPaths are what Catalog::build scans.
#[test]
fn build_from_lookup_paths() {
    use unitlab_engine::load::{LookupPaths, MapEnv, Scope};
    let paths =
        LookupPaths::new(Scope::System, None, &MapEnv::new("/")).expect("system lookup paths");
    let fs = MemFs::new();
    fs.add_file(Utf8Path::new("/lib/systemd/system/a.service"), SVC)
        .expect("add");
    fs.add_file(Utf8Path::new("/etc/systemd/system/a.service"), SVC)
        .expect("add");
    fs.add_file(Utf8Path::new("/usr/lib/systemd/system/b.service"), SVC)
        .expect("add");
    let mut d = Vec::new();
    let c = Catalog::build(&fs, &paths, &mut d);
    assert_eq!(c.search_path().len(), paths.search_path().len());
    assert_eq!(
        c.entry("a.service").map(|e| e.path.as_str()),
        Some("/etc/systemd/system/a.service")
    );
    assert_eq!(
        c.entry("b.service").map(|e| e.path.as_str()),
        Some("/usr/lib/systemd/system/b.service")
    );
    assert!(c.is_current(&fs));
    fs.add_file(Utf8Path::new("/etc/systemd/system/c.service"), SVC)
        .expect("add");
    // MemFs's logical clock moves the directory's mtime: the map is stale now (reference §7.4).
    assert!(!c.is_current(&fs));
}
