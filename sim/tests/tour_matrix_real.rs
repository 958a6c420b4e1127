//! The stop/disable/mask table against a real systemd 252 `systemd --user` manager: every cell's
//! experiment (the same commands, `matrix::Cell::commands`) runs on the real manager through
//! `shared/tools/real-systemd as-user` (`tour_support`), and the service's final state (`is-active`) must be the
//! one the simulator computed, for every row whose trigger the simulator models (the `stop`
//! column starts the service in the simulator). For rows it does not model yet (timers,
//! sockets, paths), the real answers are printed and only the masked cell is compared: nothing
//! starts a masked service. The boot row is not run (a test cannot reboot the real manager).
//!
//! Skipped with a reason when the manager cannot start; mandatory under `CI=true`.
mod tour_support;

use tour_support::{support, Real};
use unitlab_sim::machine::{Settings, ShellScope};
use unitlab_sim::tour::{matrix, Capabilities};

fn as_user(script: &str) -> String {
    let real = Real::new(Settings {
        scope: ShellScope::User,
        ..Settings::default()
    });
    real.raw(script).0
}

/// Runs the cell's commands on the real manager; returns the last command's output (the
/// `is-active` answer), then removes every trace of the cell.
fn run_real(cell: &matrix::Cell) -> String {
    let cmds = cell.commands();
    let (last, setup) = cmds.split_last().expect("a cell has commands");
    let mut script = String::new();
    for c in setup {
        script.push_str(c);
        script.push_str(" >/dev/null 2>&1\n");
    }
    script.push_str(last);
    script.push('\n');
    // A heredoc's terminator must stand alone on its line: put the redirection on the command.
    let script = script
        .lines()
        .map(|l| {
            if l.starts_with("cat > ") {
                l.replacen(" <<'EOF'", " <<'EOF' 2>/dev/null", 1)
            } else {
                l.replace("EOF >/dev/null 2>&1", "EOF")
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let answer = as_user(&script).trim().to_owned();
    let p = &cell.prefix;
    as_user(&format!(
        "systemctl --user stop '{p}*' >/dev/null 2>&1; systemctl --user unmask {p}.service >/dev/null 2>&1; \
         systemctl --user disable {p}.service >/dev/null 2>&1; systemctl --user reset-failed '{p}*' >/dev/null 2>&1; \
         rm -f ~/.local/share/systemd/user/{p}* ~/{p}.flag; systemctl --user daemon-reload"
    ));
    answer
}

#[test]
fn the_table_matches_a_real_user_manager() {
    if !Capabilities::probe().manager {
        println!("SKIP: the table needs the simulator's runtime manager");
        return;
    }
    if !support::user_manager() {
        return;
    }
    let mut failures = Vec::new();
    let mut compared = 0;
    for cell in matrix::Cell::all() {
        let t = &matrix::TRIGGERS[cell.row];
        if t.reboots {
            continue;
        }
        let action = matrix::ACTIONS[cell.column].heading;
        let sim = cell.run().state;
        let stopped_starts = matrix::Cell {
            row: cell.row,
            column: 0,
            prefix: format!("{}s", cell.prefix),
        }
        .run()
        .state
            == "active";
        let real = run_real(&cell);
        println!(
            "{:32} after {:14} real: {real:9} simulator: {sim}",
            t.label, action
        );
        let is_mask = action.starts_with("mask");
        if stopped_starts || is_mask {
            compared += 1;
            if real != sim {
                failures.push(format!(
                    "{} after {action}: real {real}, simulator {sim}",
                    t.label
                ));
            }
        }
    }
    assert!(compared > 0);
    assert!(failures.is_empty(), "cells that differ: {failures:#?}");
}
