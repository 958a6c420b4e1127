//! Differential tests of the catalog, drop-ins and load states against the real systemd 252
//! (reference §3.3–3.7).
//!
//! Every case is a small tree of 1–3 unit directories (hand-written cases for each rule of §3, and
//! proptest-generated trees whose names come from a tiny universe so that they collide). Each tree is
//! written to disk and built in a [`MemFs`] at the same absolute paths, then compared with two
//! oracles:
//!
//! a) `systemd-analyze unit-files` with `SYSTEMD_UNIT_PATH=dir1:dir2:...`: its `ids:` lines are the
//!    name map ([`Catalog::entries`]), its `aliases:` lines the reverse map
//!    ([`Catalog::aliases_map`]), its stderr the loader's warnings; the same tree read through
//!    `DirFs` must give the same catalog;
//! b) `systemd --test --system` as `nobody` (what `real-systemd test-transaction` runs; hand-written
//!    single-directory trees also go through that tool, which copies the directory; everything also
//!    runs in place with all search dirs in `SYSTEMD_UNIT_PATH`): a root target `Wants=` every name,
//!    so one run loads them all; for every unit we load (the root's wants and, transitively, the
//!    `.wants/`/`.requires/` entries), the dump's id, `Alias:` names, `Unit Load State`,
//!    `Fragment Path`, `DropIn Path`s and file-originated `Wants:`/`Requires:` must equal ours, and
//!    so must the loader's log lines.
//!
//! Units whose names do not all resolve to the same name set (an alias of a masked unit, an
//! excluded instance alias) get an outcome that depends on systemd's load order (the second load
//! fails to merge with `File exists`); the catalog is order-independent, so these are counted and
//! not compared (the count is printed).
//!
//! Environment: `UNITLAB_SEED` (a decimal u64) fixes the random trees, `UNITLAB_CASES` their number
//! (default 200 per oracle). The seed and the case counts are printed.
mod support;

use camino::{Utf8Path, Utf8PathBuf};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use unitlab_engine::diag::{Diagnostic, Severity};
use unitlab_engine::fs::MemFs;
use unitlab_engine::load::{load_unit, Catalog, LoadOptions, LoadState, LoadedUnit};
use unitlab_engine::name::{NameKind, UnitName};

// ---------------------------------------------------------------------------------------------
// Tree model

/// One node of a unit directory.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Node {
    /// A regular file with this content (empty content = an empty file, a mask).
    File(String),
    /// A symlink with this target text; `{D0}`..`{D2}` and `{OUT}` are replaced by the absolute
    /// paths of the search dirs and of the outside directory.
    Link(String),
}

/// A tree: per search dir, relative paths → nodes; plus files in a directory outside the search path.
#[derive(Clone, Debug, Default)]
struct Tree {
    dirs: Vec<BTreeMap<String, Node>>,
    outside: BTreeMap<String, String>,
    /// Extra names the root unit wants (names without files).
    wants: Vec<String>,
    /// Permission bits to set on files: (search dir, relative path, mode).
    modes: Vec<(usize, String, u32)>,
}

impl Tree {
    fn with_dirs(n: usize) -> Tree {
        Tree {
            dirs: vec![BTreeMap::new(); n],
            outside: BTreeMap::new(),
            wants: Vec::new(),
            modes: Vec::new(),
        }
    }
    fn file(mut self, dir: usize, path: &str, content: &str) -> Tree {
        self.dirs[dir].insert(path.to_owned(), Node::File(content.to_owned()));
        self
    }
    fn link(mut self, dir: usize, path: &str, target: &str) -> Tree {
        self.dirs[dir].insert(path.to_owned(), Node::Link(target.to_owned()));
        self
    }
    fn mode(mut self, dir: usize, path: &str, mode: u32) -> Tree {
        self.modes.push((dir, path.to_owned(), mode));
        self
    }
    fn want(mut self, name: &str) -> Tree {
        self.wants.push(name.to_owned());
        self
    }
    fn out(mut self, path: &str, content: &str) -> Tree {
        self.outside.insert(path.to_owned(), content.to_owned());
        self
    }
}

/// A tree placed at a base directory: the absolute search dirs and the outside dir.
struct Placed {
    dirs: Vec<Utf8PathBuf>,
    outside: Utf8PathBuf,
}

impl Placed {
    fn new(base: &Utf8Path, n: usize) -> Placed {
        Placed {
            dirs: (0..n).map(|i| base.join(format!("d{i}"))).collect(),
            outside: base.join("outside"),
        }
    }
    fn expand(&self, target: &str) -> String {
        let mut t = target.replace("{OUT}", self.outside.as_str());
        for (i, d) in self.dirs.iter().enumerate() {
            t = t.replace(&format!("{{D{i}}}"), d.as_str());
        }
        t
    }
    /// Writes the tree to disk (the base directory must exist).
    fn write_disk(&self, tree: &Tree) {
        std::fs::create_dir_all(&self.outside).expect("mkdir outside");
        for (i, dir) in tree.dirs.iter().enumerate() {
            std::fs::create_dir_all(&self.dirs[i]).expect("mkdir search dir");
            for (rel, node) in dir {
                let p = self.dirs[i].join(rel);
                std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir parent");
                match node {
                    Node::File(c) => std::fs::write(&p, c).expect("write file"),
                    Node::Link(t) => {
                        std::os::unix::fs::symlink(self.expand(t), &p).expect("symlink")
                    }
                }
            }
        }
        for (rel, c) in &tree.outside {
            let p = self.outside.join(rel);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir parent");
            std::fs::write(&p, c).expect("write outside file");
        }
        for (i, rel, mode) in &tree.modes {
            use std::os::unix::fs::PermissionsExt;
            let p = self.dirs[*i].join(rel);
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(*mode)).expect("chmod");
        }
    }
    /// Builds the same tree in a [`MemFs`] at the same absolute paths.
    fn mem(&self, tree: &Tree) -> MemFs {
        let fs = MemFs::new();
        fs.add_dir(&self.outside).expect("memfs dir");
        // Mirror the host's /usr: targets like `/usr/../dev/null` walk through it.
        fs.add_dir(Utf8Path::new("/usr")).expect("memfs dir");
        for (i, dir) in tree.dirs.iter().enumerate() {
            fs.add_dir(&self.dirs[i]).expect("memfs dir");
            for (rel, node) in dir {
                let p = self.dirs[i].join(rel);
                match node {
                    Node::File(c) => fs.add_file(&p, c.as_bytes()).expect("memfs file"),
                    Node::Link(t) => fs
                        .add_symlink(&p, Utf8Path::new(&self.expand(t)))
                        .expect("memfs link"),
                }
            }
        }
        for (rel, c) in &tree.outside {
            fs.add_file(self.outside.join(rel), c.as_bytes())
                .expect("memfs outside file");
        }
        for (i, rel, mode) in &tree.modes {
            use unitlab_engine::fs::FileSystem;
            fs.set_mode(&self.dirs[*i].join(rel), *mode)
                .expect("memfs set_mode");
        }
        fs
    }
}

fn scratch(tag: &str) -> (support::Scratch, Utf8PathBuf) {
    let s = support::Scratch::new(tag);
    let p = Utf8PathBuf::from_path_buf(s.path().to_path_buf()).expect("utf-8 temp dir");
    (s, p)
}

// ---------------------------------------------------------------------------------------------
// Oracle a: systemd-analyze unit-files

struct UnitFiles {
    ids: BTreeMap<String, String>,
    aliases: BTreeMap<String, BTreeSet<String>>,
    log: Vec<String>,
}

fn analyze_unit_files(dirs: &[Utf8PathBuf]) -> UnitFiles {
    let path = dirs
        .iter()
        .map(|d| d.as_str())
        .collect::<Vec<_>>()
        .join(":");
    let out = Command::new("systemd-analyze")
        .arg("unit-files")
        .env("SYSTEMD_UNIT_PATH", path)
        .env("SYSTEMD_LOG_LEVEL", "info")
        .env_remove("LC_ALL")
        .env_remove("LANG")
        .env_remove("LC_CTYPE")
        .output()
        .expect("run systemd-analyze");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut ids = BTreeMap::new();
    let mut aliases: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in stdout.lines() {
        if let Some(rest) = line.strip_prefix("ids: ") {
            let (k, v) = rest
                .split_once(" \u{2192} ")
                .expect("ids line has an arrow");
            ids.insert(k.to_owned(), v.to_owned());
        } else if let Some(rest) = line.strip_prefix("aliases: ") {
            let (k, v) = rest
                .split_once(" \u{2190} ")
                .expect("aliases line has an arrow");
            aliases.insert(k.to_owned(), v.split(", ").map(str::to_owned).collect());
        }
    }
    let log = String::from_utf8_lossy(&out.stderr)
        .lines()
        .map(str::to_owned)
        .collect();
    UnitFiles { ids, aliases, log }
}

/// Compares log lines: every systemd line must be one of ours (rendered, or the bare message) and
/// every diagnostic of ours at notice level or above must be printed by systemd.
fn compare_logs(theirs: &[String], ours: &[Diagnostic]) -> Result<(), String> {
    let ours: Vec<&Diagnostic> = ours
        .iter()
        .filter(|d| d.severity <= Severity::Notice)
        .collect();
    let matches = |line: &str, d: &Diagnostic| line == d.to_string() || line == d.message;
    let mut problems = Vec::new();
    for line in theirs {
        if !ours.iter().any(|d| matches(line, d)) {
            problems.push(format!("systemd logged, we did not: {line}"));
        }
    }
    for d in &ours {
        if !theirs.iter().any(|l| matches(l, d)) {
            problems.push(format!("we logged, systemd did not: {d}"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// Runs oracle a on `tree`; returns a description of every difference.
fn check_analyze(tree: &Tree) -> Result<(), String> {
    let (_s, base) = scratch("catalog-a");
    let placed = Placed::new(&base, tree.dirs.len());
    placed.write_disk(tree);
    let fs = placed.mem(tree);
    let mut diags = Vec::new();
    let cat = Catalog::build_from_dirs(&fs, &placed.dirs, &mut diags);
    let real = analyze_unit_files(&placed.dirs);
    let mut errors = Vec::new();
    let ids: BTreeMap<String, String> = cat
        .entries()
        .map(|e| (e.name.to_string(), e.value().to_owned()))
        .collect();
    if ids != real.ids {
        errors.push(format!(
            "ids differ:\n  systemd: {:?}\n  ours:    {:?}",
            real.ids, ids
        ));
    }
    if cat.aliases_map() != &real.aliases {
        errors.push(format!(
            "aliases differ:\n  systemd: {:?}\n  ours:    {:?}",
            real.aliases,
            cat.aliases_map()
        ));
    }
    if let Err(e) = compare_logs(&real.log, &diags) {
        errors.push(e);
    }
    // The same tree read from disk through DirFs must give the same catalog.
    if let Ok(dirfs) = unitlab_engine::fs::DirFs::new(Utf8Path::new("/")) {
        let mut d2 = Vec::new();
        let cat2 = Catalog::build_from_dirs(&dirfs, &placed.dirs, &mut d2);
        let same = cat2.entries().eq(cat.entries())
            && cat2.aliases_map() == cat.aliases_map()
            && cat2.dirs().eq(cat.dirs());
        if !same {
            errors.push("DirFs and MemFs catalogs differ".to_owned());
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!("{}\ntree: {tree:#?}", errors.join("\n")))
    }
}

// ---------------------------------------------------------------------------------------------
// Oracle b: systemd --test

const ROOT_UNIT: &str = "lab0.target";
/// Units not compared because systemd's outcome depends on its load order (see check_transaction).
static ORDER_DEPENDENT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
const STUBS: &[&str] = &["sysinit.target", "basic.target", "default.target"];

#[derive(Debug, Default)]
struct Dumped {
    aliases: BTreeSet<String>,
    load_state: String,
    fragment: Option<String>,
    dropins: Vec<String>,
    /// `Wants:`/`Requires:` lines whose origin includes the unit's files, as (kind, unit id).
    file_deps: BTreeSet<(String, String)>,
}

struct Dump {
    units: BTreeMap<String, Dumped>,
    log: Vec<String>,
}

/// Parses the output of `systemd --test`, mapping the temporary copy's path back to `dir`.
fn parse_dump(text: &str, dir: &Utf8Path) -> Dump {
    let mut units: BTreeMap<String, Dumped> = BTreeMap::new();
    let mut log = Vec::new();
    let mut current: Option<String> = None;
    let mut in_units = false;
    for raw in text.lines() {
        let line = map_tmp(raw, dir);
        if line == "-> By units:" {
            in_units = true;
            continue;
        }
        if line == "-> By jobs:" {
            in_units = false;
            current = None;
            continue;
        }
        if !in_units {
            if !line.starts_with('\t') {
                log.push(line);
            }
            continue;
        }
        if let Some(id) = line
            .strip_prefix("\t-> Unit ")
            .and_then(|s| s.strip_suffix(':'))
        {
            current = Some(id.to_owned());
            units.insert(id.to_owned(), Dumped::default());
            continue;
        }
        let Some(id) = &current else { continue };
        let Some(prop) = line.strip_prefix("\t\t") else {
            continue;
        };
        let u = units.get_mut(id).expect("current unit exists");
        if let Some(v) = prop.strip_prefix("Alias: ") {
            u.aliases.insert(v.to_owned());
        } else if let Some(v) = prop.strip_prefix("Unit Load State: ") {
            u.load_state = v.to_owned();
        } else if let Some(v) = prop.strip_prefix("Fragment Path: ") {
            u.fragment = Some(v.to_owned());
        } else if let Some(v) = prop.strip_prefix("DropIn Path: ") {
            u.dropins.push(v.to_owned());
        } else if let Some((kind, rest)) = prop.split_once(": ") {
            if (kind == "Wants" || kind == "Requires") && rest.contains("origin-file") {
                let dep = rest.split(' ').next().unwrap_or_default();
                u.file_deps.insert((kind.to_owned(), dep.to_owned()));
            }
        }
    }
    Dump { units, log }
}

/// Replaces `/tmp/real-systemd-test.XXXXXX` by `dir`.
fn map_tmp(line: &str, dir: &Utf8Path) -> String {
    const PREFIX: &str = "/tmp/real-systemd-test.";
    let mut out = String::new();
    let mut rest = line;
    while let Some(i) = rest.find(PREFIX) {
        out.push_str(&rest[..i]);
        let after = &rest[i + PREFIX.len()..];
        let n = after
            .char_indices()
            .nth(6)
            .map(|(j, _)| j)
            .unwrap_or(after.len());
        out.push_str(dir.as_str());
        rest = &after[n..];
    }
    out.push_str(rest);
    // A link to the directory itself (`.`) names the directory's basename.
    if let (Some(i), Some(base)) = (out.find("real-systemd-test."), dir.file_name()) {
        let end = (i + "real-systemd-test.".len() + 6).min(out.len());
        out.replace_range(i..end, base);
    }
    out
}

/// The interesting part of a dump, for failure messages: log lines and the compared properties.
fn abridged(out: &str) -> String {
    out.lines()
        .filter(|l| {
            !l.starts_with("\t\t")
                || [
                    "Alias:",
                    "Unit Load State:",
                    "Fragment Path:",
                    "DropIn Path:",
                ]
                .iter()
                .any(|p| l.trim_start().starts_with(p))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Log lines of `systemd --test` that are not the loader's business.
/// Services whose `[Service]` section holds one questionable setting line (reference §3.4; the
/// outcomes, fatal or not, were seen on systemd 252 on this image).
fn fatal_cases() -> Vec<(&'static str, &'static str)> {
    vec![
        ("e1.service", "ExecStart=./foo"),
        ("e2.service", "ExecStart=-./foo"),
        ("e3.service", "ExecStart=/bin/echo %Z"),
        ("e4.service", "ExecStart=/bin/echo %d %% %-"),
        ("e5.service", "ExecStart=/bin/"),
        ("e6.service", "ExecStart=/bin/echo \"abc"),
        ("e7.service", "ExecStart=\"/bin/echo"),
        ("e8.service", "ExecStart=/bin/true ; ./bar"),
        ("e9.service", "ExecStart=@"),
        ("e10.service", "ExecStart=/bin/true\nWorkingDirectory=rel"),
        ("e11.service", "ExecStart=/bin/true\nWorkingDirectory=-rel"),
        ("e12.service", "ExecStart=/bin/true\nUser=a:b"),
        (
            "e13.service",
            "ExecStart=/bin/true\nSupplementaryGroups=a \"b",
        ),
        ("e14.service", "ExecStart=/bin/true\nRootDirectory=rel"),
        ("e15.service", "ExecStart=/bin/echo%Z"),
        ("e16.service", "ExecStart=/bin/ech\\x01o"),
        ("e17.service", "ExecStart=/bin/true\nUser=%Z"),
        ("e18.service", "ExecStart=/bin/true\nSELinuxContext=%Z"),
        ("e19.service", "ExecStart=/bin/true\nSELinuxContext=-%Z"),
        ("e20.service", "ExecStart=/bin/echo \\q 'a\\tb'"),
        ("e21.service", "ExecStart=/bin/true ; /bin/false"),
        (
            "e22.service",
            "Type=oneshot\nExecStart=/bin/true ; /bin/false",
        ),
        ("e23.service", "ExecStart=foo bar"),
        (
            "e24.service",
            "ExecStart=/bin/true\nWorkingDirectory=/a/../b",
        ),
        ("e25.service", "ExecStart=/bin/true\nWorkingDirectory=~"),
        ("e26.service", "ExecStart=/bin/true\nUser=12345678901"),
        ("e27.service", "ExecStart=/bin/true\nGroup=-12"),
        (
            "e28.service",
            "ExecStart=-/bin/true \"x\nExecStop=/bin/true",
        ),
        ("e29.service", "ExecStart=/bin/true \\;  x ;"),
        (
            "e30.service",
            "ExecStart=/bin/true\nExecStart=\nExecStop=/bin/true",
        ),
        ("e31.service", "DynamicUser=yes \\\nExecStart=/bin/true"),
        ("e32.service", "ExecStart=/bin/true\nDynamicUser="),
        ("e33.service", "ExecStart=/bin/true\nDynamicUser=OFF"),
    ]
}

fn is_noise(line: &str) -> bool {
    line.is_empty()
        || line.starts_with("systemd 252")
        || line.starts_with("Detected ")
        || line.starts_with("Loaded units and determined")
        || line.contains("Cannot add dependency job")
        || line.contains("Requested transaction")
        // Transaction building (ordering cycles through type-level .wants), not loading.
        || line.contains("ordering cycle")
        || line.contains(": Found dependency on ")
        || line.starts_with("-> ")
}

/// The universe of unit names the random trees use (reference §3: plain, template, instance,
/// dashes for the prefix walk, three types).
const UNIVERSE: &[&str] = &[
    "a.service",
    "b.service",
    "c.socket",
    "t@.service",
    "t@x.service",
    "x.target",
    "foo-bar.service",
    "foo-bar@i.service",
];

/// The names `lab0.target` wants: every non-template name of the universe and of the tree's
/// top-level entries.
fn wanted(tree: &Tree) -> Vec<String> {
    let mut names: BTreeSet<String> = UNIVERSE.iter().map(|n| (*n).to_owned()).collect();
    for dir in &tree.dirs {
        names.extend(dir.keys().filter(|k| !k.contains('/')).cloned());
    }
    names.extend(tree.wants.iter().cloned());
    names
        .into_iter()
        .filter(|n| UnitName::new(n).is_ok_and(|u| u.kind() != NameKind::Template))
        .collect()
}

/// A template dependency is instantiated with the depending unit's instance, or its prefix.
fn instantiate(dep: &UnitName, of: &UnitName) -> Option<UnitName> {
    if dep.kind() != NameKind::Template {
        return Some(dep.clone());
    }
    let inst = of
        .instance()
        .filter(|i| !i.is_empty())
        .unwrap_or(of.prefix());
    dep.with_instance(inst).ok()
}

/// How systemd --test is run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Runner {
    /// `real-systemd test-transaction` (one search dir, copied to a temporary directory).
    Tool,
    /// The same command run directly on the tree (any number of search dirs, no copy, so absolute
    /// links keep their meaning).
    Direct,
}

/// `systemd --test --system` as `nobody` on the tree in place, without generators (what the
/// `real-systemd test-transaction` tool does, minus the copy).
fn run_direct(base: &Utf8Path, dirs: &[Utf8PathBuf], unit: &str) -> String {
    let nogen = base.join("nogen");
    std::fs::create_dir_all(&nogen).expect("mkdir nogen");
    let _ = Command::new("chmod")
        .arg("-R")
        .arg("a+rX")
        .arg(base.as_str())
        .status();
    let path = dirs
        .iter()
        .map(|d| d.as_str())
        .collect::<Vec<_>>()
        .join(":");
    let out = Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "env",
            "-i",
        ])
        .args([
            "PATH=/usr/bin:/bin",
            "HOME=/tmp",
            "SYSTEMD_LOG_TARGET=console",
        ])
        .arg(format!("SYSTEMD_UNIT_PATH={path}"))
        .arg(format!("SYSTEMD_GENERATOR_PATH={nogen}"))
        .arg(format!("SYSTEMD_ENVIRONMENT_GENERATOR_PATH={nogen}"))
        .args(["/lib/systemd/systemd", "--test", "--system", "--no-pager"])
        .arg(format!("--unit={unit}"))
        .current_dir("/tmp")
        .output()
        .expect("run systemd --test");
    let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
    s.push_str(&String::from_utf8_lossy(&out.stderr));
    s
}

fn check_transaction(tree: &Tree, runner: Runner) -> Result<(), String> {
    if runner == Runner::Tool {
        assert_eq!(
            tree.dirs.len(),
            1,
            "real-systemd test-transaction takes one search dir"
        );
    }
    let (_s, base) = scratch("catalog-b");
    let placed = Placed::new(&base, tree.dirs.len());
    let wanted = wanted(tree);
    let mut tree = tree.clone();
    let wants = wanted.join(" ");
    tree.dirs[0].insert(
        ROOT_UNIT.to_owned(),
        Node::File(format!("[Unit]\nWants={wants}\n")),
    );
    // The stubs real-systemd adds to the copy (the script only adds missing ones), so that
    // type-level drop-ins that reach them are in our model too.
    for stub in STUBS {
        tree.dirs[0].insert(
            (*stub).to_owned(),
            Node::File(format!("[Unit]\nDescription={stub}\n")),
        );
    }
    placed.write_disk(&tree);
    let fs = placed.mem(&tree);
    let mut diags = Vec::new();
    let cat = Catalog::build_from_dirs(&fs, &placed.dirs, &mut diags);

    let out = match runner {
        Runner::Tool => support::run_test_transaction(placed.dirs[0].as_std_path(), ROOT_UNIT),
        Runner::Direct => run_direct(&base, &placed.dirs, ROOT_UNIT),
    };
    let dump = parse_dump(&out, &placed.dirs[0]);

    // Load the closure: the root, its wants, the stubs systemd loaded (only services and sockets
    // with default dependencies pull them in), then .wants/.requires entries.
    let mut todo: Vec<UnitName> = wanted
        .iter()
        .map(String::as_str)
        .chain([ROOT_UNIT])
        .chain(
            STUBS
                .iter()
                .copied()
                .filter(|s| dump.units.contains_key(*s)),
        )
        .map(|n| UnitName::new(n).expect("valid"))
        .collect();
    let roots: Vec<UnitName> = todo.clone();
    let mut loaded: BTreeMap<UnitName, LoadedUnit> = BTreeMap::new();
    let mut per_unit: BTreeMap<UnitName, Vec<Diagnostic>> = BTreeMap::new();
    // Which names each loaded unit pulls in through its .wants/.requires entries.
    let mut edges: BTreeMap<UnitName, Vec<UnitName>> = BTreeMap::new();
    while let Some(name) = todo.pop() {
        if loaded.contains_key(&name) || loaded.values().any(|u| u.names.contains(&name)) {
            continue;
        }
        let mut unit_diags = Vec::new();
        let u = load_unit(&fs, &cat, &name, &LoadOptions::default(), &mut unit_diags);
        per_unit.insert(name.clone(), unit_diags);
        for e in u.wants.iter().chain(u.requires.iter()) {
            if let Some(d) = instantiate(&e.name, &u.id) {
                edges.entry(name.clone()).or_default().push(d.clone());
                todo.push(d);
            }
        }
        loaded.insert(name, u);
    }

    // When a unit's names do not all resolve to the same name set (an alias of a masked unit,
    // an instance alias excluded because it resolves elsewhere), systemd's result depends on the
    // order in which it loads the names (a later load fails to merge: `File exists`, and then the
    // unit's .wants/.requires are never read). The catalog is order-independent; such units are
    // counted and not compared, and neither are units that only they pull in.
    let asymmetric: BTreeSet<UnitName> = loaded
        .iter()
        .filter(|(name, u)| {
            let own = cat.lookup(name).names;
            let others = loaded
                .keys()
                .chain(cat.entries().map(|e| &e.name))
                .map(|n| cat.lookup(n).names);
            u.names.iter().any(|n| cat.lookup(n).names != own)
                || others
                    .into_iter()
                    .any(|set| set != own && set.iter().any(|n| own.contains(n)))
        })
        .map(|(name, _)| name.clone())
        .collect();
    let key_of = |n: &UnitName| -> Option<UnitName> {
        if loaded.contains_key(n) {
            return Some(n.clone());
        }
        loaded
            .iter()
            .find(|(_, u)| u.names.contains(n))
            .map(|(k, _)| k.clone())
    };
    let mut reachable: BTreeSet<UnitName> = BTreeSet::new();
    let mut queue: Vec<UnitName> = roots.iter().filter_map(key_of).collect();
    while let Some(n) = queue.pop() {
        if !reachable.insert(n.clone()) || asymmetric.contains(&n) {
            continue;
        }
        for d in edges.get(&n).into_iter().flatten() {
            if let Some(k) = key_of(d) {
                queue.push(k);
            }
        }
    }

    let mut errors = Vec::new();
    let mut skipped_names: Vec<String> = Vec::new();
    for (name, u) in &loaded {
        if asymmetric.contains(name) || !reachable.contains(name) {
            ORDER_DEPENDENT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            // Neither side's messages about it are compared either.
            per_unit.remove(name);
            skipped_names.extend(u.names.iter().map(|n| format!("{n}: ")));
            continue;
        }
        let Some((id, d)) = dump
            .units
            .iter()
            .find(|(id, d)| *id == u.id.as_str() || d.aliases.contains(name.as_str()))
        else {
            errors.push(format!(
                "{name}: not in systemd's dump (ours: id {} {})",
                u.id, u.load_state
            ));
            continue;
        };
        if id != u.id.as_str() {
            errors.push(format!("{name}: id: systemd {id}, ours {}", u.id));
        }
        let ours_aliases: BTreeSet<String> = u.aliases().map(|n| n.to_string()).collect();
        if ours_aliases != d.aliases {
            errors.push(format!(
                "{name}: aliases: systemd {:?}, ours {ours_aliases:?}",
                d.aliases
            ));
        }
        if u.load_state.as_str() != d.load_state {
            errors.push(format!(
                "{name}: load state: systemd {}, ours {}",
                d.load_state, u.load_state
            ));
        }
        let frag = u.fragment_path.as_ref().map(|p| p.to_string());
        if frag != d.fragment {
            errors.push(format!(
                "{name}: fragment: systemd {:?}, ours {frag:?}",
                d.fragment
            ));
        }
        // Dependencies from .wants/.requires and the files' own Wants=/Requires= (plain names
        // only; the root's Wants= and implicit slice dependencies are left out).
        if name.as_str() != ROOT_UNIT
            && !matches!(u.load_state, LoadState::NotFound | LoadState::Error)
        {
            let mut ours_deps = BTreeSet::new();
            for kind in ["Wants", "Requires"] {
                for v in u.settings.list("Unit", kind) {
                    for dep in v.value.split_whitespace() {
                        ours_deps.insert((kind.to_owned(), dep.to_owned()));
                    }
                }
            }
            for (kind, entries) in [("Wants", &u.wants), ("Requires", &u.requires)] {
                for e in entries.iter() {
                    let Some(dep) = instantiate(&e.name, &u.id) else {
                        continue;
                    };
                    if u.names.contains(&dep) {
                        continue; // self-dependencies are dropped
                    }
                    // Name the depended-on unit as systemd's dump does: by the id of the unit
                    // object carrying that name (which can depend on load order, see above).
                    let dep_id = dump
                        .units
                        .iter()
                        .find(|(id, d)| *id == dep.as_str() || d.aliases.contains(dep.as_str()))
                        .map(|(id, _)| id.clone())
                        .unwrap_or_else(|| cat.lookup(&dep).id.to_string());
                    ours_deps.insert((kind.to_owned(), dep_id));
                }
            }
            let theirs_deps: BTreeSet<(String, String)> = d
                .file_deps
                .iter()
                // Slices and a swap's device are implicit (origin `file` in systemd's dump), the
                // graph's business (graph_differential), not the loader's.
                .filter(|(_, dep)| !dep.ends_with(".slice") && !dep.ends_with(".device"))
                .cloned()
                .collect();
            if ours_deps != theirs_deps {
                errors.push(format!(
                    "{name}: file dependencies: systemd {theirs_deps:?}, ours {ours_deps:?}"
                ));
            }
        }
        let drops: Vec<String> = u.dropin_paths().map(|p| p.to_string()).collect();
        if drops != d.dropins {
            errors.push(format!(
                "{name}: drop-ins: systemd {:?}, ours {drops:?}",
                d.dropins
            ));
        }
    }
    let theirs: Vec<String> = dump
        .log
        .iter()
        .filter(|l| {
            let catalog_message = diags
                .iter()
                .any(|d| **l == d.to_string() || **l == d.message);
            !is_noise(l)
                && (catalog_message || !skipped_names.iter().any(|p| l.starts_with(p.as_str())))
        })
        .cloned()
        .collect();
    let mut uniq: Vec<Diagnostic> = Vec::new();
    for d in diags.into_iter().chain(per_unit.into_values().flatten()) {
        if !uniq.contains(&d) {
            uniq.push(d);
        }
    }
    if let Err(e) = compare_logs(&theirs, &uniq) {
        errors.push(e);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}\ntree: {tree:#?}\nsystemd output:\n{}",
            errors.join("\n"),
            abridged(&out)
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// Hand-written cases: one per rule of reference §3.3–3.7.

const SVC: &str = "[Service]\nExecStart=/bin/true\n";
const SOCK: &str = "[Socket]\nListenStream=/run/unitlab-lab.sock\n";
const TGT: &str = "[Unit]\nDescription=t\n";
const CONF: &str = "[Unit]\nDescription=dropin\n";

fn hand_cases() -> Vec<(&'static str, Tree)> {
    vec![
        (
            "plain files",
            Tree::with_dirs(1)
                .file(0, "a.service", SVC)
                .file(0, "c.socket", SOCK)
                .file(0, "x.target", TGT),
        ),
        (
            "first dir wins",
            Tree::with_dirs(2)
                .file(0, "a.service", SVC)
                .file(1, "a.service", "[Service]\n")
                .file(1, "b.service", SVC),
        ),
        (
            "aliases",
            Tree::with_dirs(1)
                .file(0, "a.service", SVC)
                .link(0, "b.service", "a.service")
                .link(0, "x.target", "b.service"),
        ),
        (
            "alias to other dir",
            Tree::with_dirs(2)
                .link(0, "b.service", "../d1/a.service")
                .file(1, "a.service", SVC),
        ),
        (
            "absolute alias",
            Tree::with_dirs(2)
                .link(0, "b.service", "{D1}/a.service")
                .file(1, "a.service", SVC),
        ),
        (
            "self alias",
            Tree::with_dirs(2)
                .link(0, "a.service", "{D1}/a.service")
                .file(1, "a.service", SVC),
        ),
        (
            "self alias relative",
            Tree::with_dirs(2)
                .link(0, "a.service", "../d1/a.service")
                .file(1, "a.service", SVC),
        ),
        (
            "invalid aliases",
            Tree::with_dirs(1)
                .file(0, "c.socket", SOCK)
                .file(0, "t@.service", SVC)
                .link(0, "a.service", "c.socket")
                .link(0, "b.service", "t@.service")
                .link(0, "t@x.service", "t@y.service")
                .link(0, "foo-bar.service", "in valid")
                .link(0, "x.target", "."),
        ),
        (
            "invalid alias falls through",
            Tree::with_dirs(2)
                .file(0, "c.socket", SOCK)
                .link(0, "a.service", "c.socket")
                .file(1, "a.service", SVC),
        ),
        (
            "non-aliasable types",
            Tree::with_dirs(1)
                .file(0, "a.service", SVC)
                .link(0, "x.mount", "a.service")
                .link(0, "s.slice", "a.service"),
        ),
        (
            "suspicious symlink",
            Tree::with_dirs(1)
                .file(0, "sub/a.service", SVC)
                .link(0, "b.service", "sub/a.service"),
        ),
        (
            "linked units",
            Tree::with_dirs(1)
                .out("z.service", SVC)
                .link(0, "a.service", "{OUT}/z.service")
                .link(0, "b.service", "{OUT}/z.service")
                .link(0, "foo-bar.service", "{OUT}/missing.service"),
        ),
        (
            "dangling shadows",
            Tree::with_dirs(2)
                .link(0, "a.service", "nothere.service")
                .file(1, "a.service", SVC)
                .link(0, "b.service", "{OUT}/gone.service")
                .file(1, "b.service", SVC),
        ),
        (
            "cycle",
            Tree::with_dirs(1)
                .link(0, "a.service", "b.service")
                .link(0, "b.service", "a.service"),
        ),
        (
            "long chain",
            (0..10).fold(Tree::with_dirs(1).file(0, "h10.service", SVC), |t, i| {
                t.link(0, &format!("h{i}.service"), &format!("h{}.service", i + 1))
            }),
        ),
        (
            "templates and instances",
            Tree::with_dirs(1)
                .file(0, "t@.service", SVC)
                .link(0, "q@.service", "t@.service")
                .link(0, "j@x.service", "t@.service")
                .link(0, "k@x.service", "t@x.service")
                .link(0, "foo-bar@i.service", "t@i.service"),
        ),
        (
            "masks",
            Tree::with_dirs(2)
                .link(0, "a.service", "/dev/null")
                .link(0, "b.service", "../../../../../dev/null")
                .link(0, "x.target", "/usr/../dev/null")
                .file(0, "c.socket", "")
                .file(1, "a.service", SVC),
        ),
        (
            "load states",
            Tree::with_dirs(1)
                .file(0, "a.service", "[Unit]\nDescription=noexec\n")
                .file(
                    0,
                    "b.service",
                    "[Service]\nExecStart=/bin/true\nExecStart=/bin/false\n",
                )
                .file(
                    0,
                    "t@.service",
                    "[Service]\nType=oneshot\nExecStart=/bin/true\nExecStart=/bin/false\n",
                )
                .file(0, "c.socket", "[Unit]\nDescription=nolisten\n")
                .file(0, "foo-bar.service", "[Service\nExecStart=/bin/true\n")
                .file(0, "x.target", TGT),
        ),
        (
            "drop-in precedence",
            Tree::with_dirs(2)
                .file(1, "foo-bar@.service", SVC)
                .file(1, "foo-bar@i.service.d/50-x.conf", CONF)
                .file(1, "foo-bar@.service.d/50-x.conf", CONF)
                .file(1, "foo-.service.d/50-x.conf", CONF)
                .file(1, "foo-@i.service.d/50-x.conf", CONF)
                .file(1, "foo-@.service.d/50-x.conf", CONF)
                .file(1, "foo-@.service.d/10-a.conf", CONF)
                .file(1, "foo-.service.d/20-b.conf", CONF)
                .file(1, "service.d/30-c.conf", CONF)
                .file(0, "service.d/50-x.conf", CONF)
                .file(0, "foo-.service.d/60-y.conf", CONF),
        ),
        (
            "drop-in masks and alias dirs",
            Tree::with_dirs(1)
                .file(0, "a.service", SVC)
                .link(0, "b.service", "a.service")
                .file(0, "b.service.d/10-a.conf", CONF)
                .link(0, "a.service.d/10-a.conf", "/dev/null")
                .file(0, "a.service.d/20-b.conf", "")
                .file(0, "service.d/20-b.conf", CONF)
                .file(0, "a.service.d/.hidden.conf", CONF)
                .file(0, "a.service.d/x.txt", CONF),
        ),
        (
            "drop-ins of masked and bad units",
            Tree::with_dirs(1)
                .link(0, "a.service", "/dev/null")
                .file(0, "a.service.d/10-a.conf", CONF)
                .file(0, "b.service", SVC)
                .file(0, "b.service.d/10-a.conf", "[Service]\nExecStart=\n")
                .file(0, "x.target.d/10-a.conf", CONF),
        ),
        (
            "wants and requires",
            Tree::with_dirs(1)
                .file(0, "x.target", TGT)
                .file(0, "a.service", SVC)
                .link(0, "x.target.wants/a.service", "../a.service")
                .file(0, "x.target.wants/b.service", SVC)
                .link(0, "x.target.wants/c.socket", "/dev/null")
                .link(0, "x.target.wants/foo-bar.service", "../a.service")
                .link(0, "x.target.requires/t@.service", "../t@.service")
                .file(0, "t@.service", SVC)
                .link(0, "x.target.upholds/a.service", "../a.service")
                .link(0, "target.wants/b.service", "../b.service"),
        ),
        (
            "type checks",
            Tree::with_dirs(1)
                .file(0, "p1.path", "[Unit]\nDescription=p\n")
                .file(0, "p2.path", "[Path]\nPathExists=/tmp\n")
                .file(0, "p3.path", "[Path]\nPathExists=/tmp\nPathChanged=\n")
                .file(0, "t1.timer", "[Unit]\nDescription=t\n")
                .file(0, "t2.timer", "[Timer]\nOnCalendar=daily\n")
                .file(0, "t3.timer", "[Timer]\nOnClockChange=yes\n")
                .file(0, "t4.timer", "[Timer]\nOnBootSec=5\nOnCalendar=\n")
                .file(
                    0,
                    "s1.socket",
                    "[Socket]\nListenDatagram=/run/unitlab-d.sock\nAccept=yes\n",
                )
                .file(
                    0,
                    "s2.socket",
                    "[Socket]\nListenStream=/run/unitlab-s.sock\nAccept=yes\nService=a.service\n",
                )
                .file(
                    0,
                    "o1.service",
                    "[Service]\nType=oneshot\nExecStart=/bin/true\nRestart=always\n",
                )
                .file(0, "o2.service", "[Service]\nExecStop=/bin/true\n")
                .file(
                    0,
                    "o3.service",
                    "[Service]\nExecStop=/bin/true\nRemainAfterExit=yes\n",
                )
                .file(
                    0,
                    "o4.service",
                    "[Service]\nType=simple\nExecStop=/bin/true\n",
                )
                .file(
                    0,
                    "o5.service",
                    "[Service]\nType=dbus\nExecStart=/bin/true\n",
                )
                .file(0, "o6.service", "[Unit]\nSuccessAction=exit\n")
                .file(
                    0,
                    "o7.service",
                    "[Service]\nExecStart=/bin/true\nExecStart=\nExecStart=/bin/false\n",
                )
                .file(0, "mnt-x.mount", "[Mount]\nWhere=/mnt/x\n")
                .file(0, "mnt-y.mount", "[Mount]\nWhat=/dev/null\nWhere=/mnt/z\n")
                .file(0, "a-b.slice", "[Unit]\nDescription=s\n")
                .file(0, "mnt-w.automount", "[Automount]\nWhere=/mnt/w\n"),
        ),
        (
            "fragment-less types",
            Tree::with_dirs(1)
                .want("q.slice")
                .want("dev-lab.device")
                .want("lab.scope")
                .want("lab.swap")
                .want("mnt-lab.mount")
                .file(0, "slice.d/10-a.conf", CONF)
                .file(0, "device.d/10-a.conf", CONF),
        ),
        (
            "symlinked drop-in dir",
            Tree::with_dirs(2)
                .file(1, "a.service", SVC)
                .out("confd/10-a.conf", CONF)
                .out("confd/20-b.conf", CONF)
                .link(0, "a.service.d", "{OUT}/confd")
                .file(1, "a.service.d/20-b.conf", CONF)
                .link(0, "b.service.d", "{OUT}/nowhere"),
        ),
        (
            "permission warnings",
            Tree::with_dirs(1)
                .file(0, "a.service", SVC)
                .mode(0, "a.service", 0o755)
                .file(0, "b.service", SVC)
                .mode(0, "b.service", 0o666)
                .file(0, "a.service.d/10-a.conf", CONF)
                .mode(0, "a.service.d/10-a.conf", 0o777),
        ),
        (
            // reference §3.4: a setting parser's fatal refusal (ENOEXEC) ends the parse at its line
            // and makes the unit bad-setting; with a `-` prefix it is a warning and the parse goes
            // on (ignored commands do not count for the service checks). Every line after a fatal
            // one is unread: `Bogus=` is warned about only where the parse went on.
            "fatal setting errors",
            fatal_cases().into_iter().fold(Tree::with_dirs(1), |t, (name, body)| {
                t.file(0, name, &format!("[Service]\n{body}\nBogus=1\n"))
            }),
        ),
        (
            // reference §3.4: a swap's What= and a mount's Where= must name the unit
            // (`swap_verify()`, `mount_verify()`); a relative or unresolvable path is ignored
            // with a warning and the value before it stays (else the path of the name).
            "swap What= and mount Where=",
            Tree::with_dirs(1)
                .file(0, "dev-sdz1.swap", "[Swap]\nWhat=/dev/sdz1\n")
                .file(0, "dev-sdz3.swap", "[Swap]\nWhat=/dev/sdz2\n")
                .file(0, "dev-sdz4.swap", "[Swap]\nPriority=1\n")
                .file(0, "dev-sdz5.swap", "[Swap]\nWhat=rel\n")
                .file(0, "dev-sdz6.swap", "[Swap]\nWhat=/dev/sdz6\nWhat=rel\n")
                .file(0, "dev-sdz7.swap", "[Swap]\nWhat=/dev/sdz2\nWhat=\n")
                .file(0, "dev-sdz8.swap", "[Swap]\nWhat=/dev//sdz8/\n")
                .file(0, "dev-sdz9.swap", "[Swap]\nWhat=/dev/sdz9\nWhat=/dev/%Z\n")
                .file(0, "mnt-q.mount", "[Mount]\nWhat=tmpfs\nWhere=rel\n")
                .file(0, "mnt-r.mount", "[Mount]\nWhat=tmpfs\nWhere=/mnt//r/\n")
                .file(0, "mnt-s.mount", "[Mount]\nWhat=tmpfs\nWhere=/mnt/%n\n")
                .file(0, "mnt-t.mount", "[Mount]\nWhat=tmpfs\nWhere=/mnt/t\nWhere=/mnt/../t\n"),
        ),
        (
            // A fatal refusal in a fragment stops loading (no drop-ins, no .wants/ entries, only
            // the lines before it count); in a drop-in it only ends that drop-in's parse.
            "fatal setting error in a fragment and in a drop-in",
            Tree::with_dirs(1)
                .file(0, "a.service", SVC)
                .file(
                    0,
                    "a.service.d/10-a.conf",
                    "[Unit]\nWants=x1.service\n[Service]\nExecStart=./bad\n[Unit]\nWants=x2.service\nBogus=1\n",
                )
                .file(0, "a.service.d/20-b.conf", "[Unit]\nWants=x3.service\n")
                .file(
                    0,
                    "b.service",
                    "[Unit]\nWants=x4.service\n[Service]\nExecStart=./bad\n[Unit]\nWants=x5.service\nBogus=1\n",
                )
                .file(0, "b.service.d/10-a.conf", "[Unit]\nWants=x7.service\n")
                .link(0, "b.service.wants/x6.service", "../x6.service")
                .file(0, "x1.service", SVC)
                .file(0, "x2.service", SVC)
                .file(0, "x3.service", SVC)
                .file(0, "x4.service", SVC)
                .file(0, "x5.service", SVC)
                .file(0, "x6.service", SVC)
                .file(0, "x7.service", SVC),
        ),
        (
            "template wants",
            Tree::with_dirs(1)
                .file(0, "t@.service", SVC)
                .file(0, "a.service", SVC)
                .link(0, "t@.service.wants/a.service", "../a.service")
                .link(0, "foo-.service.wants/b.service", "../b.service"),
        ),
    ]
}

#[test]
fn hand_written_trees_against_systemd_analyze() {
    if !support::systemd_analyze() {
        return;
    }
    let mut failures = Vec::new();
    let cases = hand_cases();
    for (name, tree) in &cases {
        if let Err(e) = check_analyze(tree) {
            failures.push(format!("== {name}\n{e}"));
        }
    }
    println!(
        "catalog_differential: {} hand-written trees against systemd-analyze unit-files",
        cases.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn hand_written_trees_against_systemd_test() {
    if !support::test_transaction() {
        return;
    }
    let mut failures = Vec::new();
    let (mut tool, mut direct) = (0, 0);
    for (name, tree) in hand_cases() {
        // Every tree in place (any number of search dirs); single-dir trees without absolute links
        // into the tree also through the real-systemd tool, which copies the directory.
        direct += 1;
        if let Err(e) = check_transaction(&tree, Runner::Direct) {
            failures.push(format!("== {name} (direct)\n{e}"));
        }
        if tree.dirs.len() == 1
            && !tree.dirs[0]
                .values()
                .any(|n| matches!(n, Node::Link(t) if t.contains("{D")))
        {
            tool += 1;
            if let Err(e) = check_transaction(&tree, Runner::Tool) {
                failures.push(format!("== {name} (real-systemd tool)\n{e}"));
            }
        }
    }
    println!(
        "catalog_differential: hand-written trees against systemd --test: {direct} in place, {tool} through real-systemd test-transaction"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

// ---------------------------------------------------------------------------------------------
// Random trees.

fn content_for(name: &str) -> BoxedStrategy<String> {
    let ty = name.rsplit('.').next().unwrap_or("");
    match ty {
        "service" => prop_oneof![
            4 => Just(SVC.to_owned()),
            1 => Just("[Unit]\nDescription=noexec\n".to_owned()),
            1 => Just("[Service]\nExecStart=/bin/true\nExecStart=/bin/false\n".to_owned()),
            1 => Just("[Service\nExecStart=/bin/true\n".to_owned()),
            1 => Just(String::new()),
        ]
        .boxed(),
        "socket" => prop_oneof![3 => Just(SOCK.to_owned()), 1 => Just(TGT.to_owned()), 1 => Just(String::new())].boxed(),
        _ => prop_oneof![3 => Just(TGT.to_owned()), 1 => Just("[Unit\n".to_owned()), 1 => Just(String::new())].boxed(),
    }
}

/// An entry for `name` in search dir `dir` of `ndirs`; `multi` allows links across dirs.
fn entry(name: &'static str, ndirs: usize, multi: bool) -> BoxedStrategy<Node> {
    let other = proptest::sample::select(UNIVERSE);
    let mut options: Vec<(u32, BoxedStrategy<Node>)> = vec![
        (6, content_for(name).prop_map(Node::File).boxed()),
        (1, Just(Node::Link("/dev/null".into())).boxed()),
        (
            1,
            Just(Node::Link("../../../../../dev/null".into())).boxed(),
        ),
        (
            4,
            other.clone().prop_map(|o| Node::Link(o.to_owned())).boxed(),
        ),
        (1, Just(Node::Link("nothere.service".into())).boxed()),
        (
            1,
            proptest::sample::select(&["z.service", "missing.service"][..])
                .prop_map(|o| Node::Link(format!("{{OUT}}/{o}")))
                .boxed(),
        ),
        (
            1,
            other
                .clone()
                .prop_map(|o| Node::Link(format!("sub/{o}")))
                .boxed(),
        ),
    ];
    if multi && ndirs > 1 {
        options.push((
            2,
            (other.clone(), 0..ndirs)
                .prop_map(|(o, d)| Node::Link(format!("../d{d}/{o}")))
                .boxed(),
        ));
        options.push((
            2,
            (other, 0..ndirs)
                .prop_map(|(o, d)| Node::Link(format!("{{D{d}}}/{o}")))
                .boxed(),
        ));
    }
    proptest::strategy::Union::new_weighted(options).boxed()
}

const DROPIN_DIRS: &[&str] = &[
    "a.service.d",
    "b.service.d",
    "t@.service.d",
    "t@x.service.d",
    "foo-bar.service.d",
    "foo-bar@i.service.d",
    "foo-.service.d",
    "foo-@i.service.d",
    "foo-@.service.d",
    "service.d",
    "c.socket.d",
    "socket.d",
    "x.target.d",
    "target.d",
];
const WANTS_DIRS: &[&str] = &[
    "x.target.wants",
    "a.service.wants",
    "t@.service.wants",
    "target.wants",
    "x.target.requires",
];

fn conf_node(dir: &str) -> BoxedStrategy<Node> {
    let service = dir.contains("service");
    let mut v: Vec<(u32, BoxedStrategy<Node>)> = vec![
        (4, Just(Node::File(CONF.into())).boxed()),
        (1, Just(Node::Link("/dev/null".into())).boxed()),
        (1, Just(Node::File(String::new())).boxed()),
    ];
    if service {
        v.push((
            1,
            Just(Node::File("[Service]\nExecStart=\n".into())).boxed(),
        ));
        v.push((
            1,
            Just(Node::File("[Service]\nExecStart=/bin/false\n".into())).boxed(),
        ));
    }
    proptest::strategy::Union::new_weighted(v).boxed()
}

fn wants_node(entry: &'static str) -> BoxedStrategy<Node> {
    prop_oneof![
        4 => Just(Node::Link(format!("../{entry}"))),
        1 => Just(Node::Link("../a.service".into())),
        1 => Just(Node::File(SVC.into())),
        1 => Just(Node::Link("/dev/null".into())),
    ]
    .boxed()
}

/// Random trees with `ndirs` search dirs (1..=3 when `multi`).
fn tree_strategy(multi: bool) -> BoxedStrategy<Tree> {
    let ndirs = if multi {
        (1usize..=3).boxed()
    } else {
        Just(1usize).boxed()
    };
    ndirs
        .prop_flat_map(move |nd| {
            let one_dir = move |_: usize| {
                let entries = proptest::collection::vec(
                    proptest::sample::select(UNIVERSE).prop_flat_map(move |n| {
                        entry(n, nd, multi).prop_map(move |e| (n.to_owned(), e))
                    }),
                    0..6,
                );
                let confs = proptest::collection::vec(
                    (
                        proptest::sample::select(DROPIN_DIRS),
                        proptest::sample::select(&["10-a.conf", "20-b.conf"][..]),
                    )
                        .prop_flat_map(|(d, f)| {
                            conf_node(d).prop_map(move |node| (format!("{d}/{f}"), node))
                        }),
                    0..4,
                );
                let wants = proptest::collection::vec(
                    (
                        proptest::sample::select(WANTS_DIRS),
                        proptest::sample::select(UNIVERSE),
                    )
                        .prop_flat_map(|(d, e)| {
                            wants_node(e).prop_map(move |node| (format!("{d}/{e}"), node))
                        }),
                    0..3,
                );
                let subs = proptest::collection::vec(proptest::sample::select(UNIVERSE), 0..2);
                (entries, confs, wants, subs).prop_map(|(e, c, w, s)| {
                    let mut m: BTreeMap<String, Node> = BTreeMap::new();
                    for (k, v) in c.into_iter().chain(w) {
                        m.insert(k, v);
                    }
                    for (k, v) in e {
                        m.insert(k, v);
                    }
                    for n in s {
                        m.insert(format!("sub/{n}"), Node::File(SVC.into()));
                    }
                    m
                })
            };
            let dirs = (0..nd).map(one_dir).collect::<Vec<_>>();
            dirs.prop_map(|dirs| Tree {
                dirs,
                outside: BTreeMap::from([("z.service".to_owned(), SVC.to_owned())]),
                wants: Vec::new(),
                modes: Vec::new(),
            })
        })
        .boxed()
}

fn cases() -> u32 {
    support::env_or("UNITLAB_CASES", 200)
}

fn runner(seed: u64, cases: u32) -> TestRunner {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 200,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

#[test]
fn random_trees_against_systemd_analyze() {
    if !support::systemd_analyze() {
        return;
    }
    let (seed, n) = (support::seed_from_env("UNITLAB_SEED"), cases());
    println!("catalog_differential: random trees against systemd-analyze: UNITLAB_SEED={seed} UNITLAB_CASES={n}");
    let result = runner(seed, n).run(&tree_strategy(true), |tree| {
        check_analyze(&tree).map_err(TestCaseError::fail)
    });
    if let Err(e) = result {
        panic!("UNITLAB_SEED={seed}: {e}");
    }
}

#[test]
fn random_trees_against_systemd_test() {
    if !support::test_transaction() {
        return;
    }
    let (seed, n) = (support::seed_from_env("UNITLAB_SEED"), cases());
    println!("catalog_differential: random trees against systemd --test: UNITLAB_SEED={seed} UNITLAB_CASES={n}");
    let result = runner(seed, n).run(&tree_strategy(true), |tree| {
        check_transaction(&tree, Runner::Direct).map_err(TestCaseError::fail)
    });
    println!(
        "catalog_differential: {} units skipped as load-order dependent",
        ORDER_DEPENDENT.load(std::sync::atomic::Ordering::Relaxed)
    );
    if let Err(e) = result {
        panic!("UNITLAB_SEED={seed}: {e}");
    }
}
