//! The real-manager differential of the tour: every user-scope chapter (`scope = user`) is
//! replayed on a real systemd 252 `systemd --user` manager and its output compared with the
//! chapter's expected output (wildcards allowed), exactly as `unitlab tour --check` compares the
//! simulator's. This runs whatever the simulator can do: it pins the chapters to systemd, also
//! those the simulator skips for now (`requires = activation`).
//!
//! Skipped with a reason when the manager cannot start; mandatory under `CI=true`.
mod tour_support;

use tour_support::{support, Real};
use unitlab_sim::machine::ShellScope;
use unitlab_sim::scenario;
use unitlab_sim::tour;

#[test]
fn user_scope_chapters_match_a_real_user_manager() {
    if !support::user_manager() {
        return;
    }
    let mut failures = Vec::new();
    let mut ran = 0;
    for c in tour::chapters() {
        let sc = &c.scenario;
        if sc.settings.scope != ShellScope::User {
            continue;
        }
        let mut real = Real::new(sc.settings.clone());
        let before = real.snapshot();
        let report = scenario::run(sc, &mut real);
        real.clean(&before);
        ran += 1;
        if report.ok() {
            println!("ok {} ({} commands)", c.name, sc.steps.len());
        } else {
            println!("MISMATCH {}\n{}", c.name, report.diff());
            failures.push(c.name.clone());
        }
    }
    println!("{ran} user-scope chapters replayed on the real user manager");
    assert!(ran > 0, "no user-scope chapter");
    assert!(
        failures.is_empty(),
        "chapters whose expected output a real systemd --user manager does not give: {failures:?}"
    );
}
