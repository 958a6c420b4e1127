//! `systemctl list-units [PATTERN...] [--all] [--state=...] [--type=...]`: the loaded units in
//! systemd 252's table (sorted by type suffix, then name; `●` for failed and not-loaded units;
//! the JOB column only when a unit has a job; the legend and hints of reference §11).
use super::verbs::Opts;
use super::Manager;
use std::io::Write;
use unitlab_engine::fs::MemFs;
use unitlab_engine::install::fnmatch::fnmatch;
use unitlab_engine::load::LoadState;

/// Runs `list-units`.
pub fn run(
    m: &mut Manager,
    _fs: &MemFs,
    o: &Opts,
    out: &mut dyn Write,
    _err: &mut dyn Write,
) -> i32 {
    let mut rows: Vec<[String; 6]> = Vec::new();
    let patterns: Vec<String> = if o.verb.is_empty() {
        Vec::new()
    } else {
        o.args.clone()
    };
    for u in m.units.map.values() {
        let id = u.id().to_string();
        let active = u.active().as_str();
        let load = u.load_state().as_str();
        let sub = u.sub.as_str();
        let job = u
            .job
            .and_then(|j| m.jobs.get(&j))
            .map(|j| j.kind.as_str().to_owned())
            .unwrap_or_default();
        if !o.types.is_empty()
            && !o
                .types
                .iter()
                .any(|t| id.rsplit('.').next() == Some(t.as_str()))
        {
            continue;
        }
        if !patterns.is_empty() && !patterns.iter().any(|p| fnmatch(p, &id)) {
            continue;
        }
        if !o.states.is_empty() {
            if !o.in_states(u) {
                continue;
            }
        } else if !o.all && active == "inactive" && job.is_empty() {
            continue;
        }
        let mark = if active == "failed"
            || matches!(
                u.load_state(),
                LoadState::NotFound | LoadState::BadSetting | LoadState::Error | LoadState::Masked
            ) {
            "●"
        } else {
            " "
        };
        rows.push([
            mark.to_owned(),
            id,
            load.to_owned(),
            active.to_owned(),
            sub.to_owned(),
            job,
        ]);
        let _ = u.description();
    }
    let descs: std::collections::HashMap<String, String> = m
        .units
        .map
        .values()
        .map(|u| (u.id().to_string(), u.description()))
        .collect();
    rows.sort_by(|a, b| {
        let sa = a[1].rsplit('.').next().unwrap_or("");
        let sb = b[1].rsplit('.').next().unwrap_or("");
        sa.cmp(sb).then_with(|| a[1].cmp(&b[1]))
    });
    let with_job = rows.iter().any(|r| !r[5].is_empty());
    let w = |i: usize, h: &str| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .max()
            .unwrap_or(0)
            .max(h.len())
    };
    let (wu, wl, wa, ws, wj) = (
        w(1, "UNIT"),
        w(2, "LOAD"),
        w(3, "ACTIVE"),
        w(4, "SUB"),
        w(5, "JOB"),
    );
    let mut s = String::new();
    // The table's header is printed even without rows (a live 252 prints
    // `  UNIT LOAD ACTIVE SUB DESCRIPTION` above `0 loaded units listed.`).
    {
        if !o.no_legend {
            let mut h = format!(
                "  {:wu$} {:wl$} {:wa$} {:ws$} ",
                "UNIT", "LOAD", "ACTIVE", "SUB"
            );
            if with_job {
                h.push_str(&format!("{:wj$} ", "JOB"));
            }
            h.push_str("DESCRIPTION");
            s.push_str(&h);
            s.push('\n');
        }
        for r in &rows {
            let d = descs.get(&r[1]).cloned().unwrap_or_default();
            let mut line = format!(
                "{} {:wu$} {:wl$} {:wa$} {:ws$} ",
                r[0], r[1], r[2], r[3], r[4]
            );
            if with_job {
                line.push_str(&format!("{:wj$} ", r[5]));
            }
            line.push_str(&d);
            s.push_str(line.trim_end());
            s.push('\n');
        }
    }
    if !o.no_legend {
        if !rows.is_empty() {
            s.push('\n');
            s.push_str("LOAD   = Reflects whether the unit definition was properly loaded.\n");
            s.push_str(
                "ACTIVE = The high-level unit activation state, i.e. generalization of SUB.\n",
            );
            s.push_str(
                "SUB    = The low-level unit activation state, values depend on unit type.\n",
            );
            if with_job {
                s.push_str("JOB    = Pending job for the unit.\n");
            }
        }
        let n = rows.len();
        if o.states.is_empty() && !o.all {
            s.push_str(&format!(
                "{n} loaded units listed. Pass --all to see loaded but inactive units, too.\n"
            ));
        } else {
            s.push_str(&format!("{n} loaded units listed.\n"));
        }
        if o.states.is_empty() {
            s.push_str("To show all installed unit files use 'systemctl list-unit-files'.\n");
        }
    }
    let _ = out.write_all(s.as_bytes());
    0
}
