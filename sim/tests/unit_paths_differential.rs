//! Differential test of `unitlab [--user|--global] unit-paths` against the real
//! `systemd-analyze [--user|--global] unit-paths` (reference §1.2–1.6): same stdout, stderr and
//! exit status for the same environment (`env -i` plus chosen variables), current directory,
//! `--root`, operands and (as root) uid.
//!
//! Reproduce with `UNITLAB_PATHS_SEED=<seed>`; `UNITLAB_PATHS_CASES` sets the number of random
//! cases (default 300).

#[path = "../../engine/tests/support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::Rng;

/// A tiny universe of directory names, so that entries collide.
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
    "/usr/lib",
    "//b//",
    ".",
    "/",
    "/run/user/0",
];
const UNIT_DIRS: &[&str] = &[
    "/etc/systemd/system",
    "/run/systemd/generator.late",
    "/lib/systemd/system/",
    "/etc/systemd/user",
    "/usr/share/systemd/user",
    "a/systemd/user",
];
const HOMES: &[&str] = &["/root", "/home/u", "", "rel", "/", "//h//"];
const ROOTS: &[&str] = &[
    "--root=",
    "--root=/",
    "--root=//",
    "--root=/tmp",
    "--root=rel",
    "--root=.",
];

#[derive(Debug, Clone)]
struct Case {
    args: Vec<String>,
    vars: BTreeMap<String, String>,
    cwd: PathBuf,
    uid: u32,
}

fn list(rng: &mut Rng, extra: &[&str]) -> String {
    let n = rng.below(4);
    let v: Vec<&str> = (0..n)
        .map(|_| {
            if !extra.is_empty() && rng.chance(40) {
                rng.pick(extra)
            } else {
                rng.pick(DIRS)
            }
        })
        .collect();
    v.join(":")
}

fn gen_case(rng: &mut Rng, cwds: &[PathBuf], uids: &[u32]) -> Case {
    let mut args = Vec::new();
    match rng.below(10) {
        0..=2 => {}
        3 => args.push("--global".to_string()),
        4 => args.push("--system".to_string()),
        _ => args.push("--user".to_string()),
    }
    if rng.chance(8) {
        args.push(rng.pick(ROOTS).to_string());
    }
    args.push("unit-paths".to_string());
    if rng.chance(4) {
        args.push("extra".to_string());
    }
    let mut vars = BTreeMap::new();
    if rng.chance(75) {
        vars.insert("HOME".to_string(), rng.pick(HOMES).to_string());
    }
    for name in ["XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR"] {
        if rng.chance(50) {
            vars.insert(name.to_string(), rng.pick(DIRS).to_string());
        }
    }
    for name in ["XDG_CONFIG_DIRS", "XDG_DATA_DIRS"] {
        if rng.chance(50) {
            vars.insert(name.to_string(), list(rng, &[]));
        }
    }
    if rng.chance(40) {
        let mut v = list(rng, UNIT_DIRS);
        if rng.chance(50) {
            v.push(':');
        }
        vars.insert("SYSTEMD_UNIT_PATH".to_string(), v);
    }
    let cwd = cwds[rng.below(cwds.len())].clone();
    if rng.chance(15) {
        let pwd = match rng.below(4) {
            0 => cwd.display().to_string(),
            1 => format!("{}/link", cwds[0].display()),
            2 => ".".to_string(),
            _ => "/".to_string(),
        };
        vars.insert("PWD".to_string(), pwd);
    }
    let uid = if rng.chance(85) {
        uids[0]
    } else {
        uids[rng.below(uids.len())]
    };
    Case {
        args,
        vars,
        cwd,
        uid,
    }
}

fn run(program: &str, case: &Case, my_uid: u32) -> String {
    let mut cmd = support::command_as(program, case.uid, my_uid);
    cmd.args(&case.args)
        .env_clear()
        .envs(&case.vars)
        .current_dir(&case.cwd);
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("run {program}: {e}"));
    format!(
        "exit={}\n--- stdout\n{}--- stderr\n{}",
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn unitlab() -> &'static str {
    env!("CARGO_BIN_EXE_unitlab")
}

/// The binary must be runnable by the other uids (its directories are world-searchable).
fn reachable_by_others(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.ancestors().skip(1).all(|d| {
        std::fs::metadata(d)
            .map(|m| m.permissions().mode() & 0o001 != 0)
            .unwrap_or(false)
    })
}

#[test]
fn unit_paths_cli_matches_systemd_analyze() {
    if !support::systemd_analyze() {
        return;
    }
    let seed: u64 = support::seed_from_env("UNITLAB_PATHS_SEED");
    let cases: usize = support::env_or("UNITLAB_PATHS_CASES", 300);
    let scratch = support::Scratch::new("unit-paths-cli");
    let base = scratch.path().canonicalize().expect("canonical scratch");
    std::fs::create_dir_all(base.join("w")).expect("create cwd");
    std::fs::create_dir_all(base.join("rel")).expect("create rel root");
    let cwds = vec![base.clone(), base.join("w"), PathBuf::from("/")];
    std::os::unix::fs::symlink(&base, base.join("link")).expect("create link");

    let my_uid = support::current_uid();
    let setpriv = Command::new("setpriv").arg("--version").output().is_ok();
    let uids = if my_uid == 0 && setpriv && reachable_by_others(Path::new(unitlab())) {
        vec![0, 65534, 12345]
    } else {
        vec![my_uid]
    };
    eprintln!("unit_paths_differential: seed={seed} cases={cases} uids={uids:?}");
    let mut rng = Rng::new(seed);
    let mut failures = Vec::new();
    let mut failing_exit = 0;
    for i in 0..cases {
        let case = gen_case(&mut rng, &cwds, &uids);
        let real = run("systemd-analyze", &case, my_uid);
        let ours = run(unitlab(), &case, my_uid);
        if !real.starts_with("exit=0") {
            failing_exit += 1;
        }
        if real != ours {
            failures.push(format!(
                "case {i}: {case:?}\n=== systemd-analyze\n{real}=== unitlab\n{ours}"
            ));
        }
    }
    eprintln!(
        "unit_paths_differential: {cases} cases ({failing_exit} with a non-zero exit), {} mismatches",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {cases} cases differ (rerun with UNITLAB_PATHS_SEED={seed}):\n{}",
        failures.len(),
        failures
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The verb reads `ctx.env`/`ctx.cwd`, not the process environment.
#[test]
fn unit_paths_uses_context_env() {
    let mut env = BTreeMap::new();
    env.insert("HOME".to_string(), "/home/ctx".to_string());
    env.insert("XDG_RUNTIME_DIR".to_string(), "rt".to_string());
    env.insert("SYSTEMD_UNIT_PATH".to_string(), "u::/v/:".to_string());
    let mut out = Vec::new();
    let mut err = Vec::new();
    let mut ctx = unitlab_sim::cli::Context {
        env,
        cwd: "/cwd".into(),
        out: &mut out,
        err: &mut err,
        fs: None,
    };
    let args = ["unitlab", "--user", "unit-paths"].map(Into::into).to_vec();
    assert_eq!(unitlab_sim::cli::run_in(&mut ctx, args), 0);
    let out = String::from_utf8(out).expect("utf-8");
    let lines: Vec<&str> = out.lines().collect();
    // Reference §1.5 (prepend) and §1.4 (relative entries against the cwd).
    assert_eq!(
        lines[..4],
        [
            "/cwd/u",
            "/v",
            "/home/ctx/.config/systemd/user.control",
            "/cwd/rt/systemd/user.control"
        ]
    );
    assert_eq!(lines.last(), Some(&"/cwd/rt/systemd/generator.late"));
    assert!(err.is_empty());
}

/// Reference §1.6 as systemd-analyze applies it: the verb refuses a real root.
#[test]
fn unit_paths_refuses_root() {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let mut ctx = unitlab_sim::cli::Context {
        env: BTreeMap::new(),
        cwd: "/".into(),
        out: &mut out,
        err: &mut err,
        fs: None,
    };
    let args = ["unitlab", "--root=/srv", "unit-paths"]
        .map(Into::into)
        .to_vec();
    assert_eq!(unitlab_sim::cli::run_in(&mut ctx, args), 1);
    assert!(out.is_empty());
    assert_eq!(
        String::from_utf8(err).expect("utf-8"),
        "Options --root= and --image= are only supported for cat-config, verify, condition and \
         security when used with --offline= right now.\n"
    );
}
