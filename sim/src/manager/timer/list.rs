//! `systemctl list-timers [PATTERN...] [--all]`: the loaded timers in systemd 252's table (NEXT,
//! LEFT, LAST, PASSED, UNIT, ACTIVATES), sorted by next elapse (never last) then name, `-` for
//! unset times, and the `N timers listed.` footer (with the `--all` hint unless given). Without
//! `--all`, inactive timers without a job are left out, as in `list-units`.
use super::super::verbs::Opts;
use super::super::Manager;
use super::props::{calc_next_elapse, elapses, relative};
use std::io::Write;
use unitlab_engine::fs::MemFs;
use unitlab_engine::install::fnmatch::fnmatch;
use unitlab_engine::name::{mangle, MangleOptions, UnitType};
use unitlab_engine::time::USEC_INFINITY;

/// Runs `list-timers`.
pub fn run(
    m: &mut Manager,
    _fs: &MemFs,
    o: &Opts,
    out: &mut dyn Write,
    _err: &mut dyn Write,
) -> i32 {
    let patterns: Vec<String> = o
        .args
        .iter()
        .map(|a| {
            mangle(
                a,
                MangleOptions {
                    default_suffix: UnitType::Timer,
                    allow_globs: true,
                },
            )
            .map(|n| n.name)
            .unwrap_or_else(|_| a.clone())
        })
        .collect();
    let now_rt = m.clock.realtime();
    let now_mono = m.clock.monotonic;
    let mut rows: Vec<(u64, String, [String; 6])> = Vec::new();
    for u in m.units.map.values() {
        if u.unit_type() != UnitType::Timer {
            continue;
        }
        let id = u.id().to_string();
        if !patterns.is_empty() && !patterns.iter().any(|p| fnmatch(p, &id)) {
            continue;
        }
        let active = u.active().as_str();
        if !o.all {
            if !o.states.is_empty() {
                let (load, sub) = (u.load_state().as_str(), u.sub.as_str());
                if !o
                    .states
                    .iter()
                    .any(|s| s == active || s == load || s == sub)
                {
                    continue;
                }
            } else if active == "inactive" && u.job.is_none() {
                continue;
            }
        }
        let (next_rt, next_mono, last) = elapses(u);
        let next = calc_next_elapse(now_rt, now_mono, next_rt, next_mono);
        let set = |t: u64| t > 0 && t != USEC_INFINITY;
        let ts = |t: u64| {
            if set(t) {
                super::super::timefmt::format_timestamp(t)
            } else {
                "-".to_owned()
            }
        };
        let rel = |t: u64| {
            if set(t) {
                relative(t, now_rt)
            } else {
                "-".to_owned()
            }
        };
        let activates: Vec<String> = u
            .node
            .deps_of(unitlab_engine::graph::DepKind::Triggers)
            .map(|(n, _)| n.to_string())
            .collect();
        rows.push((
            next,
            id.clone(),
            [
                ts(next),
                rel(next),
                ts(last.0),
                rel(last.0),
                id,
                activates.join(", "),
            ],
        ));
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    let headers = ["NEXT", "LEFT", "LAST", "PASSED", "UNIT", "ACTIVATES"];
    let mut widths: Vec<usize> = headers.iter().map(|h| h.len()).collect();
    for (_, _, r) in &rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let line = |cells: &[&str]| {
        let mut l = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                l.push_str(c);
            } else {
                l.push_str(c);
                l.push_str(&" ".repeat(widths[i] - c.chars().count() + 1));
            }
        }
        l.trim_end().to_owned()
    };
    let mut s = String::new();
    if !o.no_legend {
        s.push_str(&line(&headers));
        s.push('\n');
    }
    for (_, _, r) in &rows {
        let cells: Vec<&str> = r.iter().map(String::as_str).collect();
        s.push_str(&line(&cells));
        s.push('\n');
    }
    if !o.no_legend {
        s.push_str(&format!("\n{} timers listed.\n", rows.len()));
        if !o.all {
            s.push_str("Pass --all to see loaded but inactive timers, too.\n");
        }
    }
    let _ = out.write_all(s.as_bytes());
    0
}
