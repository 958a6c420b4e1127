//! The real-manager differential of the scenarios (issue 5): every scenario in user scope
//! (`scope = user` in its `unitlab` block) is replayed against a real systemd 252 `systemd --user`
//! manager, through `shared/tools/real-systemd as-user`, and its output compared with the
//! scenario's expected output (wildcards allowed), exactly as `unitlab replay` compares the
//! simulator's. The sandbox user's home, runtime directory and name are mapped to the scenario's
//! (`/home/user`, `/run/user/1000`, `user`). `connect ADDRESS` is provided as a small shell
//! function with the simulator's messages.
//!
//! With `UNITLAB_REPLAY_BLESS_REAL=1`, mismatching scenarios are rewritten with the real
//! manager's output instead (review the result and add wildcards for volatile values).
//!
//! Runs every `sim/scenarios/*.md` in user scope, or the files in `UNITLAB_REPLAY_FILES`
//! (space-separated; `scripts/real-manager-replay FILE...` sets it). Skipped with a reason when
//! the manager cannot start; mandatory under `CI=true`.
//!
//! Each scenario's traces are removed afterwards: files and directories it created in the home
//! and in `$XDG_RUNTIME_DIR/systemd` are deleted (after stopping the units they define) and the
//! manager is reloaded. The manager is shared: scenarios use unit names no other test uses.
#[path = "tour_support/mod.rs"]
mod real_manager;

use camino::Utf8PathBuf;
use real_manager::{support, Real};
use unitlab_sim::machine::ShellScope;
use unitlab_sim::scenario;

fn scenario_files() -> Vec<Utf8PathBuf> {
    if let Ok(list) = std::env::var("UNITLAB_REPLAY_FILES") {
        if !list.trim().is_empty() {
            return list.split_whitespace().map(Utf8PathBuf::from).collect();
        }
    }
    let dir = Utf8PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<Utf8PathBuf> = std::fs::read_dir(&dir)
        .expect("sim/scenarios exists")
        .filter_map(|e| Utf8PathBuf::from_path_buf(e.ok()?.path()).ok())
        .filter(|p| p.extension() == Some("md") && p.file_name() != Some("README.md"))
        .collect();
    files.sort();
    files
}

#[test]
fn user_scope_scenarios_match_a_real_user_manager() {
    if !support::user_manager() {
        return;
    }
    let mut failures = Vec::new();
    let mut ran = 0;
    for file in scenario_files() {
        let text = std::fs::read_to_string(&file).expect("read scenario");
        let sc = scenario::parse(&file, &text).unwrap_or_else(|e| panic!("{e}"));
        if sc.settings.scope != ShellScope::User {
            continue;
        }
        let mut real = Real::new(sc.settings.clone());
        let before = real.snapshot();
        let report = scenario::run(&sc, &mut real);
        real.clean(&before);
        ran += 1;
        if report.ok() {
            println!("ok {file} ({} commands)", sc.steps.len());
        } else if std::env::var("UNITLAB_REPLAY_BLESS_REAL").is_ok_and(|v| v == "1") {
            // Take the real manager's output as the expectation (then review it, and add
            // wildcards for times and PIDs).
            std::fs::write(&file, report.blessed(&sc)).expect("write scenario");
            println!("blessed {file} from the real user manager");
        } else {
            println!("MISMATCH {file}\n{}", report.diff());
            failures.push(file.to_string());
        }
    }
    println!("{ran} user-scope scenarios replayed on the real user manager");
    assert!(
        failures.is_empty(),
        "scenarios whose expected output a real systemd --user manager does not give: {failures:?}"
    );
}
