//! Stop and restart transactions (reference §6.2: stop propagates to the units that require, are
//! bound to, are part of or get stop propagated from the unit; restart propagates `try-restart` to
//! the same units but `PropagatesStopTo=`) against a live systemd 252 user manager
//! (`support::user_manager()`), which `systemd --test` cannot check (it only plans starts).
//!
//! Reload propagation (`PropagatesReloadTo=`: `try-reload`) is checked the same way, a reload being
//! seen in `ExecReload=`'s last run; so are `--job-mode=triggering` (a stop also stops the active
//! socket that triggers the service) and `isolate` (compared on the `pl-*` units; the manager is
//! brought back to `default.target` afterwards).
//!
//! Units `pl-*` (long-running `sleep` services) are placed in the manager's unit directory and
//! started. For each request on `pl-b.service`, the engine plans it against the live active
//! states (`systemctl --user show`), then the manager runs it; the units whose state changed
//! (stopped: now inactive; restarted: a new `InactiveEnterTimestampMonotonic` and active again;
//! reloaded: a new run of `ExecReload=`)
//! must be exactly the units the plan has stop and restart jobs for. Skipped with a reason when the
//! manager cannot start; mandatory under `CI=true`.
#[path = "../../engine/tests/support/mod.rs"]
mod support;

use camino::Utf8PathBuf;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use unitlab_engine::fs::DirFs;
use unitlab_engine::graph::{Credentials, Graph, GraphOptions, Manager};
use unitlab_engine::load::{Catalog, LookupPaths, MapEnv, Scope};
use unitlab_engine::name::UnitName;
use unitlab_engine::transaction::{plan, ActiveState, JobMode, JobType, Request, RuntimeState};

const SLEEP: &str = "[Service]\nExecStart=/bin/sleep infinity\n";

fn units() -> Vec<(&'static str, String)> {
    vec![
        (
            "pl-a.service",
            format!("[Unit]\nRequires=pl-b.service\nAfter=pl-b.service\n{SLEEP}"),
        ),
        (
            "pl-b.service",
            format!("[Unit]\nPropagatesStopTo=pl-d.service\nPropagatesReloadTo=pl-r.service\n{SLEEP}ExecReload=/bin/true\n"),
        ),
        ("pl-r.service", format!("{SLEEP}ExecReload=/bin/true\n")),
        ("pl-s.socket", "[Socket]\nListenStream=%t/pl-s.sock\n".to_owned()),
        ("pl-s.service", SLEEP.to_owned()),
        (
            "pl-i.target",
            "[Unit]\nAllowIsolate=yes\nWants=pl-a.service pl-f.service\n".to_owned(),
        ),
        (
            "pl-c.service",
            format!("[Unit]\nPartOf=pl-b.service\n{SLEEP}"),
        ),
        ("pl-d.service", SLEEP.to_owned()),
        (
            "pl-e.service",
            format!("[Unit]\nBindsTo=pl-b.service\n{SLEEP}"),
        ),
        (
            "pl-f.service",
            format!("[Unit]\nWants=pl-b.service\n{SLEEP}"),
        ),
        (
            "pl-g.service",
            format!("[Unit]\nRequisite=pl-b.service\nAfter=pl-b.service\n{SLEEP}"),
        ),
    ]
}

const ALL: [&str; 8] = [
    "pl-a.service",
    "pl-b.service",
    "pl-c.service",
    "pl-d.service",
    "pl-e.service",
    "pl-f.service",
    "pl-g.service",
    "pl-r.service",
];

fn systemctl(args: &[&str]) -> std::process::Output {
    let mut a = vec!["as-user", "systemctl", "--user", "--no-pager"];
    a.extend_from_slice(args);
    support::real_systemd(&a)
}

struct Installed(Vec<std::path::PathBuf>);

impl Drop for Installed {
    fn drop(&mut self) {
        let mut args = vec!["stop"];
        args.extend(ALL);
        args.extend(["pl-s.socket", "pl-s.service", "pl-i.target"]);
        let _ = systemctl(&args);
        // after the isolate case
        let _ = systemctl(&["start", "default.target"]);
        for p in &self.0 {
            let _ = std::fs::remove_file(p);
        }
        let _ = systemctl(&["daemon-reload"]);
    }
}

fn install(dir: &str) -> Installed {
    let mut files = Vec::new();
    for (name, text) in units() {
        let p = Path::new(dir).join(name);
        std::fs::write(&p, text).expect("write unit");
        files.push(p);
    }
    let _ = Command::new("chown")
        .arg("-R")
        .arg("unitlab-oracle:")
        .arg(dir)
        .status();
    let reload = systemctl(&["daemon-reload"]);
    assert!(reload.status.success(), "daemon-reload failed");
    Installed(files)
}

/// `unit → (ActiveState, InactiveEnterTimestampMonotonic + ExecReload)` from the live manager
/// (`ExecReload=` shows when the reload command last ran).
fn live_states(units: &[String]) -> BTreeMap<String, (String, String)> {
    let mut args = vec![
        "show",
        "-p",
        "Id",
        "-p",
        "ActiveState",
        "-p",
        "InactiveEnterTimestampMonotonic",
        "-p",
        "ExecReload",
        "--",
    ];
    args.extend(units.iter().map(String::as_str));
    let out = systemctl(&args);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut map = BTreeMap::new();
    for block in text.split("\n\n") {
        let mut id = String::new();
        let mut active = String::new();
        let mut inactive_enter = String::new();
        for line in block.lines() {
            if let Some(v) = line.strip_prefix("Id=") {
                id = v.to_owned();
            } else if let Some(v) = line.strip_prefix("ActiveState=") {
                active = v.to_owned();
            } else if let Some(v) = line.strip_prefix("InactiveEnterTimestampMonotonic=") {
                inactive_enter.insert_str(0, v);
            } else if let Some(v) = line.strip_prefix("ExecReload=") {
                inactive_enter.push_str(&format!(" reload {v}"));
            }
        }
        if !id.is_empty() {
            map.insert(id, (active, inactive_enter));
        }
    }
    map
}

/// Our graph of the user manager, as `unitlab --user` builds it (default.target and the units).
fn graph(env: &BTreeMap<String, String>) -> Graph {
    let mut menv = MapEnv::new("/tmp");
    for (k, v) in env {
        menv.vars.insert(k.clone(), v.clone());
    }
    let paths = LookupPaths::new(Scope::User, None, &menv).expect("user paths");
    let fs = DirFs::new(Utf8PathBuf::from("/")).expect("dirfs");
    let mut diags = Vec::new();
    let catalog = Catalog::build(&fs, &paths, &mut diags);
    let user = env.get("USER").cloned().unwrap_or_else(|| "root".into());
    let options = GraphOptions {
        manager: Manager::User,
        credentials: Credentials {
            group: user.clone(),
            user,
            uid: 0,
            gid: 0,
        },
        ..GraphOptions::default()
    };
    let mut roots = vec![UnitName::new("default.target").expect("name")];
    roots.extend(
        ALL.iter()
            .chain(&["pl-s.socket", "pl-s.service", "pl-i.target"])
            .map(|u| UnitName::new(u).expect("name")),
    );
    Graph::build(&fs, &catalog, &roots, options, &mut diags)
}

#[test]
fn stop_and_restart_match_the_live_user_manager() {
    if !support::user_manager() {
        return;
    }
    let (env, dir) = support::user_manager_env();
    let _installed = install(&dir);
    // Left over from an interrupted run: the anchor of the isolate case must start inactive.
    let _ = systemctl(&["stop", "pl-i.target"]);
    let g = graph(&env);
    let names: Vec<String> = g.nodes().map(|n| n.id().to_string()).collect();
    let mut failures = Vec::new();
    let mut cases = 0;
    let cases_list: [(&[&str], &str, JobType, JobMode); 6] = [
        (&["stop"], "pl-b.service", JobType::Stop, JobMode::Replace),
        (
            &["restart"],
            "pl-b.service",
            JobType::Restart,
            JobMode::Replace,
        ),
        (
            &["try-restart"],
            "pl-b.service",
            JobType::TryRestart,
            JobMode::Replace,
        ),
        (
            &["reload"],
            "pl-b.service",
            JobType::Reload,
            JobMode::Replace,
        ),
        (
            &["stop", "--job-mode=triggering"],
            "pl-s.service",
            JobType::Stop,
            JobMode::Triggering,
        ),
        (
            &["isolate"],
            "pl-i.target",
            JobType::Start,
            JobMode::Isolate,
        ),
    ];
    for (verb, unit, job_type, mode) in cases_list {
        let verb_text = verb.join(" ");
        let mut args = vec!["start"];
        args.extend(ALL.iter().filter(|u| **u != "pl-g.service"));
        let started = systemctl(&args);
        assert!(started.status.success(), "start: {started:?}");
        // pl-g.service (Requisite=) can only start once pl-b.service is active.
        let started = systemctl(&["start", "pl-g.service"]);
        assert!(started.status.success(), "start pl-g: {started:?}");
        if mode == JobMode::Triggering {
            let started = systemctl(&["start", "pl-s.socket", "pl-s.service"]);
            assert!(started.status.success(), "start pl-s: {started:?}");
        }
        let before = live_states(&names);
        let mut state = RuntimeState::new();
        for (u, (a, _)) in &before {
            if let (Some(a), Ok(n)) = (ActiveState::from_name(a), UnitName::new(u)) {
                state.set_active_state(n, a);
            }
        }
        let mut messages = Vec::new();
        let request = Request::new(unit, job_type).mode(mode).manual(true);
        let tr = plan(&g, &request, &state, &mut messages).expect("plan");
        let planned: BTreeSet<String> = tr
            .jobs
            .iter()
            .filter(|j| j.unit.as_str().starts_with("pl-"))
            .map(|j| format!("{} {}", j.unit, j.job_type))
            .collect();
        let mut args = verb.to_vec();
        args.push(unit);
        let out = systemctl(&args);
        assert!(out.status.success(), "{verb_text}: {out:?}");
        let all: Vec<String> = ALL
            .iter()
            .chain(&["pl-s.socket", "pl-s.service", "pl-i.target"])
            .map(|s| s.to_string())
            .collect();
        let after = live_states(&all);
        let mut observed = BTreeSet::new();
        for u in &all {
            let u = u.as_str();
            let (Some((a0, t0)), Some((a1, t1))) = (before.get(u), after.get(u)) else {
                continue;
            };
            let split = |t: &str| -> (String, String) {
                let (a, b) = t.split_once(" reload ").unwrap_or((t, ""));
                (a.to_owned(), b.to_owned())
            };
            let ((i0, r0), (i1, r1)) = (split(t0), split(t1));
            if a0 == "inactive" && a1 != "inactive" {
                observed.insert(format!("{u} start"));
            } else if a0 == "inactive" {
                continue;
            } else if a1 == "inactive" || a1 == "failed" {
                observed.insert(format!("{u} stop"));
            } else if i0 != i1 {
                observed.insert(format!("{u} restart"));
            } else if r0 != r1 {
                observed.insert(format!("{u} reload"));
            }
        }
        cases += 1;
        println!(
            "plan_live: {verb_text} {unit}: planned {planned:?}, the manager did {observed:?}"
        );
        if planned != observed {
            failures.push(format!(
                "{verb_text} {unit}: planned {planned:?}, the manager did {observed:?}"
            ));
        }
    }
    println!("plan_live: {cases} requests compared with the live user manager");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
