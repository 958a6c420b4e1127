//! `unitlab --user list-dependencies` and `unitlab --user show` against a live systemd 252 user
//! manager (`support::user_manager()`), on the same units placed in its unit directory.
//!
//! The tree is named `gl-*`; its root `gl-root.target` is linked into `default.target.wants/` for
//! the duration of the test so that the manager keeps it loaded (and so that our graph, which holds
//! `default.target`, has the same units). Active states differ (the live manager runs units,
//! offline everything is inactive), so the state dot is normalized to `○` on the live side; the
//! tree, the order of children and the names must be equal. For `show`, the dependency properties
//! are compared as sets (the manager prints them in hash order), the other computed properties
//! exactly, for every property `unitlab show` prints. Skipped with a reason when the manager
//! cannot start; mandatory under `CI=true`.
#[path = "../../engine/tests/support/mod.rs"]
mod support;

use camino::Utf8PathBuf;
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::path::Path;
use std::process::Command;

fn tool(args: &[&str]) -> std::process::Output {
    support::real_systemd(args)
}

fn as_user_env() -> (BTreeMap<String, String>, String) {
    support::user_manager_env()
}

fn ours(env: &BTreeMap<String, String>, args: &[&str]) -> String {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let mut argv: Vec<OsString> = vec!["unitlab".into(), "--user".into()];
    argv.extend(args.iter().map(OsString::from));
    {
        let mut ctx = unitlab_sim::cli::Context {
            env: env.clone(),
            cwd: Utf8PathBuf::from("/tmp"),
            out: &mut out,
            err: &mut err,
            fs: None,
        };
        unitlab_sim::cli::run_in(&mut ctx, argv);
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn theirs(args: &[&str]) -> String {
    let mut a = vec!["as-user", "systemctl", "--user", "--no-pager"];
    a.extend_from_slice(args);
    let out = tool(&a);
    String::from_utf8_lossy(&out.stdout).replace('●', "○")
}

fn theirs_c(args: &[&str]) -> String {
    let mut a = vec![
        "as-user",
        "env",
        "LC_ALL=C",
        "systemctl",
        "--user",
        "--no-pager",
    ];
    a.extend_from_slice(args);
    let out = tool(&a);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const UNITS: &[(&str, &str)] = &[
    (
        "gl-root.target",
        "[Unit]\nWants=gl-a.service gl-mid.target gl-tpl@one.service\nRequires=gl-b.service\n",
    ),
    (
        "gl-mid.target",
        "[Unit]\nWants=gl-c.service gl-root.target gl-loop.target\nConflicts=gl-n.service\n",
    ),
    ("gl-loop.target", "[Unit]\nRequires=gl-mid.target\nDefaultDependencies=no\n"),
    (
        "gl-a.service",
        "[Unit]\nDescription=gl a\nWants=gl-n.service\nAfter=gl-b.service\n[Service]\nExecStart=/bin/true\n",
    ),
    ("gl-b.service", "[Unit]\nBindsTo=gl-c.service\n[Service]\nExecStart=/bin/true\n"),
    (
        "gl-c.service",
        "[Unit]\nPartOf=gl-mid.target\nDefaultDependencies=no\n[Service]\nExecStart=/bin/true\n",
    ),
    (
        "gl-n.service",
        "[Unit]\nDefaultDependencies=no\nUpholds=gl-a.service\n[Service]\nType=oneshot\nExecStart=/bin/true\n",
    ),
    ("gl-tpl@.service", "[Unit]\nRequisite=gl-%i-x.service\n[Service]\nExecStart=/bin/true\n"),
];

struct Installed(std::path::PathBuf, Vec<std::path::PathBuf>);

impl Drop for Installed {
    fn drop(&mut self) {
        for p in &self.1 {
            let _ = std::fs::remove_file(p);
        }
        let _ = std::fs::remove_dir(self.0.join("default.target.wants"));
        let _ = tool(&["as-user", "systemctl", "--user", "daemon-reload"]);
    }
}

fn install(dir: &str) -> Installed {
    let d = Path::new(dir);
    let mut files = Vec::new();
    for (name, text) in UNITS {
        let p = d.join(name);
        std::fs::write(&p, text).expect("write unit");
        files.push(p);
    }
    let wants = d.join("default.target.wants");
    std::fs::create_dir_all(&wants).expect("mkdir wants");
    let link = wants.join("gl-root.target");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink("../gl-root.target", &link).expect("link");
    files.push(link);
    let _ = Command::new("chown")
        .arg("-R")
        .arg("unitlab-oracle:")
        .arg(d)
        .status();
    let reload = tool(&["as-user", "systemctl", "--user", "daemon-reload"]);
    assert!(reload.status.success(), "daemon-reload failed");
    Installed(d.to_path_buf(), files)
}

const DEP_KEYS: &[&str] = &[
    "Requires",
    "Requisite",
    "Wants",
    "BindsTo",
    "PartOf",
    "Upholds",
    "RequiredBy",
    "RequisiteOf",
    "WantedBy",
    "BoundBy",
    "UpheldBy",
    "ConsistsOf",
    "Conflicts",
    "ConflictedBy",
    "Before",
    "After",
    "OnSuccess",
    "OnSuccessOf",
    "OnFailure",
    "OnFailureOf",
    "Triggers",
    "TriggeredBy",
    "PropagatesReloadTo",
    "ReloadPropagatedFrom",
    "PropagatesStopTo",
    "StopPropagatedFrom",
    "JoinsNamespaceOf",
    "SliceOf",
    "RequiresMountsFor",
];

/// `KEY=VALUE` lines → key → value (list values as sorted sets for dependency keys).
fn props(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        if let Some((k, v)) = line.split_once('=') {
            let v = if DEP_KEYS.contains(&k) {
                let set: BTreeSet<&str> = v.split_whitespace().collect();
                set.into_iter().collect::<Vec<_>>().join(" ")
            } else {
                v.to_owned()
            };
            out.insert(k.to_owned(), v);
        }
    }
    out
}

fn keys_in_order(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.to_owned()))
        .collect()
}

#[test]
fn list_dependencies_and_show_match_the_live_user_manager() {
    if !support::user_manager() {
        return;
    }
    let (env, dir) = as_user_env();
    let _installed = install(&dir);
    let mut cases = 0;
    let mut failures = Vec::new();
    let option_sets: &[&[&str]] = &[
        &[],
        &["--all"],
        &["--reverse"],
        &["--reverse", "--all"],
        &["--after"],
        &["--before"],
        &["--plain"],
        &["--plain", "--all"],
    ];
    for opts in option_sets {
        for units in [
            vec!["gl-root.target"],
            vec!["gl-mid.target", "gl-a.service"],
            vec!["gl-c.service"],
            vec!["gl-tpl@one.service"],
        ] {
            let mut args = vec!["list-dependencies"];
            args.extend_from_slice(opts);
            args.extend(units.iter().copied());
            let t = theirs(&args);
            let o = ours(&env, &args);
            cases += 1;
            if t != o {
                failures.push(format!("{args:?}\n--- systemctl\n{t}--- unitlab\n{o}"));
            }
        }
    }
    // ASCII glyphs in the C locale.
    let args = ["list-dependencies", "gl-root.target"];
    let t = theirs_c(&args);
    let mut cenv = env.clone();
    cenv.insert("LC_ALL".into(), "C".into());
    let o = ours(&cenv, &args);
    cases += 1;
    if t != o {
        failures.push(format!(
            "LC_ALL=C {args:?}\n--- systemctl\n{t}--- unitlab\n{o}"
        ));
    }
    // show: every property we print, same value (dependency lists as sets), same order.
    for u in [
        "gl-root.target",
        "gl-mid.target",
        "gl-a.service",
        "gl-b.service",
        "gl-c.service",
        "gl-n.service",
        "gl-tpl@one.service",
        "gl-one-x.service",
    ] {
        let o_text = ours(&env, &["show", u]);
        let t_text = theirs(&["show", u]);
        let o = props(&o_text);
        let t = props(&t_text);
        cases += 1;
        for (k, v) in &o {
            if t.get(k) != Some(v) {
                failures.push(format!(
                    "show {u}: {k}: systemctl {:?}, unitlab {v:?}",
                    t.get(k)
                ));
            }
        }
        for k in DEP_KEYS {
            if t.contains_key(*k) && !o.contains_key(*k) {
                failures.push(format!("show {u}: {k} only in systemctl: {:?}", t[*k]));
            }
        }
        let t_order: Vec<String> = keys_in_order(&t_text)
            .into_iter()
            .filter(|k| o.contains_key(k))
            .collect();
        if t_order != keys_in_order(&o_text) {
            failures.push(format!(
                "show {u}: order systemctl {t_order:?}, unitlab {:?}",
                keys_in_order(&o_text)
            ));
        }
    }
    println!(
        "list_dependencies_live: {cases} comparisons, {} disagree",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
