//! Differential test of `LookupPaths::new` against the real `systemd-analyze [--user|--global]
//! unit-paths` of systemd 252 (reference §1.2–1.6).
//!
//! Each case runs the real tool under `env -i` semantics (an empty environment plus the chosen
//! variables), in a chosen current directory and, when the test runs as root, as a chosen uid
//! (via `setpriv`, to exercise the `HOME` fallback of `get_home_dir()`: uid 0 → `/root`, `nobody` →
//! `/`, a passwd entry, or no entry at all → "No such process"). The same environment is given to
//! the engine as a `MapEnv`, and the printed search path (or the error line and exit status) must be
//! identical.
//!
//! Variables are drawn from a tiny universe of directory names so that entries collide with each
//! other and with the default directories: `XDG_*` set, unset, empty, relative, with several
//! entries, duplicates and trailing slashes; `HOME` valid, empty, relative or unset;
//! `XDG_RUNTIME_DIR` unset; `SYSTEMD_UNIT_PATH` replacing, prepending (trailing `:`), empty, with
//! duplicates and relative entries; `$PWD` naming the cwd (directly, through a symlink or `..`),
//! relative, or naming another directory.
//!
//! Reproduce with `UNITLAB_PATHS_SEED=<seed>`; choose the number of cases with
//! `UNITLAB_PATHS_CASES` (default 400).

mod support;

use camino::{Utf8Path, Utf8PathBuf};
use std::process::Command;
use support::Rng;
use unitlab_engine::load::{current_dir_name, LookupPaths, MapEnv, ProcessEnv, Scope};

/// Directory names that collide with each other and with systemd's defaults.
const DIRS: &[&str] = &[
    "",
    "/a",
    "/a/",
    "a",
    "./a",
    "a/../b",
    "/etc",
    "/etc/xdg",
    "/usr/share",
    "/usr/local/share",
    "/usr/lib",
    "/run/user/0",
    "//b//",
    ".",
    "/",
    "x y",
    "/a/./b",
    "~",
    "q\\:r",
    "'s'",
];

/// A component longer than `NAME_MAX`: `path_simplify()` stops there, and `HOME` is invalid.
fn long_dir() -> String {
    format!("/{}//x/./", "l".repeat(256))
}

/// Extra entries for `SYSTEMD_UNIT_PATH`: whole unit directories of the three scopes.
const UNIT_DIRS: &[&str] = &[
    "/etc/systemd/system",
    "/run/systemd/generator",
    "/lib/systemd/system",
    "/usr/lib/systemd/system/",
    "/etc/systemd/user",
    "/run/systemd/user",
    "/etc/xdg/systemd/user",
    "/usr/share/systemd/user",
    "/root/.config/systemd/user",
    "a/systemd/user",
];

const HOMES: &[&str] = &[
    "/root", "/home/u", "", "rel", "/", "//h//x/", "/a/../h", "./h",
];

#[derive(Debug, Clone)]
struct Case {
    scope: Scope,
    vars: Vec<(String, String)>,
    cwd: Utf8PathBuf,
    uid: u32,
}

fn single(rng: &mut Rng) -> String {
    if rng.chance(3) {
        return long_dir();
    }
    let mut v = rng.pick(DIRS).to_string();
    if rng.chance(10) {
        v = format!("{v}:{}", rng.pick(DIRS));
    } else if rng.chance(15) {
        v.push('/');
    }
    v
}

fn list(rng: &mut Rng, extra: &[&str]) -> String {
    let n = rng.below(5);
    let mut entries = Vec::new();
    for _ in 0..n {
        let e = if !extra.is_empty() && rng.chance(40) {
            rng.pick(extra)
        } else {
            rng.pick(DIRS)
        };
        entries.push(if rng.chance(3) {
            long_dir()
        } else {
            e.to_string()
        });
        if rng.chance(10) {
            entries.push(String::new()); // an empty entry: "::"
        }
    }
    let mut v = entries.join(":");
    if rng.chance(10) {
        v.insert(0, ':');
    }
    v
}

fn gen_case(rng: &mut Rng, cwds: &[Utf8PathBuf], uids: &[u32]) -> Case {
    let scope = match rng.below(10) {
        0..=2 => Scope::System,
        3 => Scope::Global,
        _ => Scope::User,
    };
    let mut vars = Vec::new();
    if rng.chance(75) {
        let home = if rng.chance(5) {
            long_dir()
        } else {
            rng.pick(HOMES).to_string()
        };
        vars.push(("HOME".to_string(), home));
    }
    for name in ["XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR"] {
        if rng.chance(55) {
            vars.push((name.to_string(), single(rng)));
        }
    }
    for name in ["XDG_CONFIG_DIRS", "XDG_DATA_DIRS"] {
        if rng.chance(55) {
            vars.push((name.to_string(), list(rng, &[])));
        }
    }
    if rng.chance(40) {
        let mut v = list(rng, UNIT_DIRS);
        if rng.chance(50) {
            v.push(':');
        }
        vars.push(("SYSTEMD_UNIT_PATH".to_string(), v));
    }
    let cwd = cwds[rng.below(cwds.len())].clone();
    if rng.chance(15) {
        // $PWD: glibc's get_current_dir_name() prefers it when it names the cwd.
        let pwd = match rng.below(5) {
            0 => cwd.to_string(),
            1 => format!("{cwd}/../{}", cwd.file_name().unwrap_or("")),
            2 => ".".to_string(),
            3 => cwd.parent().map_or("/".to_string(), |p| p.to_string()),
            _ => format!("{}/link", cwds[0]),
        };
        vars.push(("PWD".to_string(), pwd));
    }
    let uid = if rng.chance(80) {
        uids[0]
    } else {
        uids[rng.below(uids.len())]
    };
    Case {
        scope,
        vars,
        cwd,
        uid,
    }
}

fn flag(scope: Scope) -> Option<&'static str> {
    match scope {
        Scope::System => None,
        Scope::Global => Some("--global"),
        Scope::User => Some("--user"),
    }
}

/// Exit status, stdout and stderr of the real tool, as one comparable string.
fn run_real(case: &Case, my_uid: u32) -> String {
    let mut cmd = support::command_as("systemd-analyze", case.uid, my_uid);
    cmd.args(flag(case.scope)).arg("unit-paths");
    cmd.env_clear()
        .envs(case.vars.iter().map(|(k, v)| (k, v)))
        .current_dir(&case.cwd);
    let out = cmd.output().expect("run systemd-analyze");
    format!(
        "exit={}\n{}{}",
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The same, computed by the engine.
fn run_ours(case: &Case) -> String {
    let pwd = case
        .vars
        .iter()
        .find(|(k, _)| k == "PWD")
        .map(|(_, v)| v.as_str());
    let mut env = MapEnv::new(current_dir_name(pwd, &case.cwd));
    for (k, v) in &case.vars {
        env.set(k.clone(), v.clone());
    }
    env.passwd_home = ProcessEnv::passwd_home_of(case.uid);
    match LookupPaths::new(case.scope, None, &env) {
        Ok(lp) => {
            let mut s = "exit=0\n".to_string();
            for d in lp.search_path() {
                s.push_str(d.path.as_str());
                s.push('\n');
            }
            s
        }
        Err(e) => format!(
            "exit=1\nFailed to initialize unit search paths: {}\n",
            e.strerror()
        ),
    }
}

#[test]
fn unit_paths_match_systemd_analyze() {
    if !support::systemd_analyze() {
        return;
    }
    let seed: u64 = support::seed_from_env("UNITLAB_PATHS_SEED");
    let cases: usize = support::env_or("UNITLAB_PATHS_CASES", 400);

    let scratch = support::Scratch::new("paths-diff");
    let base =
        Utf8PathBuf::from_path_buf(scratch.path().canonicalize().expect("canonical scratch"))
            .expect("utf-8 scratch path");
    let deep = base.join("w/x y");
    std::fs::create_dir_all(&deep).expect("create cwd dirs");
    let cwds = vec![base.clone(), base.join("w"), deep, Utf8PathBuf::from("/")];
    // A symlink to the first cwd, for $PWD values that name it through a link.
    std::os::unix::fs::symlink(&base, base.join("link")).expect("create link");

    let my_uid = support::current_uid();
    let setpriv = Command::new("setpriv").arg("--version").output().is_ok();
    // As root, also run as nobody, as a passwd user (daemon, uid 1) and as a uid with no entry.
    let uids: Vec<u32> = if my_uid == 0 && setpriv {
        vec![0, 65534, 1, 12345]
    } else {
        vec![my_uid]
    };

    eprintln!("paths_differential: seed={seed} cases={cases} uids={uids:?} (UNITLAB_PATHS_SEED to reproduce)");
    let mut rng = Rng::new(seed);
    let mut per_scope = [0usize; 3];
    let mut errors = 0;
    let mut failures = Vec::new();
    for i in 0..cases {
        let case = gen_case(&mut rng, &cwds, &uids);
        let real = run_real(&case, my_uid);
        let ours = run_ours(&case);
        per_scope[case.scope as usize] += 1;
        if !real.starts_with("exit=0") {
            errors += 1;
        }
        if real != ours {
            failures.push(format!(
                "case {i}: {case:?}\n--- systemd-analyze\n{real}--- unitlab\n{ours}"
            ));
        }
    }
    eprintln!(
        "paths_differential: {cases} cases (system {}, global {}, user {}; {errors} expected errors), {} mismatches",
        per_scope[0],
        per_scope[1],
        per_scope[2],
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {cases} cases differ (seed {seed}; rerun with UNITLAB_PATHS_SEED={seed}):\n{}",
        failures.len(),
        failures
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // The generator must actually reach the interesting regions.
    assert!(
        per_scope.iter().all(|n| *n > 0 || cases < 30),
        "scopes not all covered: {per_scope:?}"
    );
}

/// Fixed cases from the reference whose exact output is known (reference §1.2–1.5), run through
/// the oracle too so that a change of the machine's systemd is noticed.
#[test]
fn reference_examples_match_systemd_analyze() {
    if !support::systemd_analyze() {
        return;
    }
    let my_uid = support::current_uid();
    let root = Utf8Path::new("/");
    let fixed: &[(Scope, &[(&str, &str)])] = &[
        (Scope::System, &[]),
        (Scope::Global, &[]),
        (
            Scope::User,
            &[("HOME", "/home/u"), ("XDG_RUNTIME_DIR", "/run/user/1000")],
        ),
        (Scope::User, &[("HOME", "/home/u")]),
        (Scope::User, &[]),
        (Scope::System, &[("SYSTEMD_UNIT_PATH", "/a:/b")]),
        (Scope::System, &[("SYSTEMD_UNIT_PATH", "/a:/b:")]),
        (Scope::System, &[("SYSTEMD_UNIT_PATH", "")]),
        (
            Scope::User,
            &[
                ("XDG_CONFIG_HOME", ""),
                ("XDG_CONFIG_DIRS", ""),
                ("XDG_RUNTIME_DIR", ""),
            ],
        ),
    ];
    for (scope, vars) in fixed {
        let case = Case {
            scope: *scope,
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            cwd: root.to_owned(),
            uid: my_uid,
        };
        assert_eq!(run_ours(&case), run_real(&case, my_uid), "{case:?}");
    }
}
