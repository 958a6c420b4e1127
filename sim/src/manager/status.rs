//! `systemctl status UNIT...` in systemd 252's layout (reference §11): the state glyph and
//! description, `Loaded:`, `Drop-In:`, `Active:`, `Duration:`, `Process:`, `Main PID:` and
//! `CGroup:` lines. Journal lines are not appended (a user without journal access, as in the
//! live differential, sees none either).
use super::process::Exit;
use super::timefmt::{format_relative, format_timespan, format_timestamp};
use super::units::Unit;
use super::verbs::{expand_names, Opts};
use super::{ActiveState, Manager};
use std::io::Write;
use unitlab_engine::fs::MemFs;
use unitlab_engine::load::{LoadState, Scope};
use unitlab_engine::name::UnitType;

/// Runs `status`.
pub fn run(m: &mut Manager, fs: &MemFs, o: &Opts, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let Some((names, _)) = expand_names(m, o, UnitType::Service, err) else {
        return 1;
    };
    let mut code = 0;
    let mut first = true;
    for n in names {
        if let Some(e) = super::verbs::template_lookup_error(&n) {
            let _ = writeln!(err, "Failed to get properties: {e}");
            return 1;
        }
        let id = m.load_one(fs, &n);
        let Some(u) = id.as_ref().and_then(|i| m.units.unit(i)) else {
            let _ = writeln!(err, "Unit {n} could not be found.");
            code = 4;
            continue;
        };
        if u.load_state() == LoadState::NotFound && u.active() == ActiveState::Inactive {
            let _ = writeln!(err, "Unit {n} could not be found.");
            code = 4;
            continue;
        }
        if !first {
            let _ = writeln!(out);
        }
        first = false;
        let text = render(m, fs, u);
        let _ = out.write_all(text.as_bytes());
        if !u.active().is_active_or_reloading() && code == 0 {
            code = 3;
        }
        let uid = u.id().clone();
        if let Some(w) = m.reload_warning(fs, &uid) {
            let _ = writeln!(out, "{w}");
        }
        // systemctl asks for each unit in a separate bus call: the manager collects unneeded
        // units in between, so a later unit may be read afresh.
        m.collect_garbage();
    }
    code
}

fn exit_text(e: Exit) -> String {
    match e {
        Exit::Exited(_) => format!("code=exited, status={}", e.status_text()),
        Exit::Killed(s) | Exit::Dumped(s) => format!(
            "code={}, signal={}",
            e.code_str(),
            super::process::signal_name(s).unwrap_or("n/a")
        ),
    }
}

/// The unit file state and preset for the `Loaded:` line.
pub fn file_state(m: &Manager, fs: &MemFs, id: &str) -> (Option<String>, Option<String>) {
    let Some(paths) = m.lookup_paths() else {
        return (None, None);
    };
    let (state, _) = unitlab_engine::install::is_enabled(
        fs,
        paths,
        id,
        unitlab_engine::install::Options::default(),
    );
    let state = state.ok().map(|s| s.as_str().to_owned());
    let (presets, _) = unitlab_engine::install::Presets::read(fs, paths);
    let preset = presets
        .ok()
        .and_then(|p| p.query(id, false).ok())
        .map(|v| if v.enables() { "enabled" } else { "disabled" }.to_owned());
    (state, preset)
}

/// The cgroup path of a unit.
pub fn cgroup_of(m: &Manager, u: &Unit) -> String {
    let slice = u
        .node
        .slice()
        .map(|s| s.to_string())
        .unwrap_or_else(|| "-.slice".into());
    let mut path = String::new();
    if m.opts.scope != Scope::System {
        let uid = m.opts.uid;
        path.push_str(&format!("/user.slice/user-{uid}.slice/user@{uid}.service"));
    }
    // Nested slices: a-b.slice lives in a.slice/a-b.slice.
    if slice != "-.slice" {
        let stem = slice.trim_end_matches(".slice");
        let mut acc = String::new();
        for part in stem.split('-') {
            if !acc.is_empty() {
                acc.push('-');
            }
            acc.push_str(part);
            path.push_str(&format!("/{acc}.slice"));
        }
    }
    path.push_str(&format!("/{}", u.id()));
    path
}

fn render(m: &Manager, fs: &MemFs, u: &Unit) -> String {
    let now = m.now();
    let boot_rt = m.clock.boot_realtime;
    let ts = |t: u64| {
        format!(
            "{}; {}",
            format_timestamp(boot_rt + t),
            format_relative(t, now)
        )
    };
    let mut s = String::new();
    let active = u.active();
    let glyph = match active {
        ActiveState::Failed => "×",
        ActiveState::Inactive => "○",
        _ => "●",
    };
    let id = u.id();
    match &u.cfg.description {
        Some(d) if &**d != id.as_str() => s.push_str(&format!("{glyph} {id} - {d}\n")),
        _ => s.push_str(&format!("{glyph} {id}\n")),
    }
    let ls = u.load_state();
    match ls {
        LoadState::Loaded => {
            let frag = u
                .node
                .unit
                .fragment_path
                .as_ref()
                .map(|p| p.to_string())
                .unwrap_or_default();
            let (state, preset) = file_state(m, fs, id.as_str());
            let mut inner = frag.clone();
            if let Some(st) = state.filter(|_| !frag.is_empty()) {
                inner.push_str(&format!("; {st}"));
                if let Some(p) = preset.filter(|_| st != "static") {
                    inner.push_str(&format!("; preset: {p}"));
                }
            }
            if inner.is_empty() {
                s.push_str("     Loaded: loaded\n");
            } else {
                s.push_str(&format!("     Loaded: loaded ({inner})\n"));
            }
        }
        _ => {
            let reason = super::jobs::load_error_message(u);
            s.push_str(&format!(
                "     Loaded: {} (Reason: {reason})\n",
                ls.as_str()
            ));
        }
    }
    let dropins: Vec<String> = u.node.unit.dropin_paths().map(|p| p.to_string()).collect();
    if !dropins.is_empty() {
        let mut dirs: Vec<(String, Vec<String>)> = Vec::new();
        for d in dropins {
            let (dir, file) = d.rsplit_once('/').unwrap_or(("", d.as_str()));
            match dirs.iter_mut().find(|(x, _)| x == dir) {
                Some((_, files)) => files.push(file.to_owned()),
                None => dirs.push((dir.to_owned(), vec![file.to_owned()])),
            }
        }
        for (i, (dir, files)) in dirs.iter().enumerate() {
            let label = if i == 0 {
                "    Drop-In: "
            } else {
                "             "
            };
            s.push_str(&format!("{label}{dir}\n"));
            s.push_str(&format!("             └─{}\n", files.join(", ")));
        }
    }
    // `Active: STATE (SUB)`, the sub-state left out when it reads the same (`failed`), then the
    // unit's result when it is not `success` (`inactive (dead) (Result: exec-condition)`).
    let sub = u.sub.as_str();
    let mut line = if sub == active.as_str() {
        format!("     Active: {sub}")
    } else {
        format!("     Active: {} ({sub})", active.as_str())
    };
    if u.result != super::UnitResult::Success {
        line.push_str(&format!(" (Result: {})", u.result.as_str()));
    }
    let since = match active {
        ActiveState::Active | ActiveState::Reloading => u.stamps.active_enter,
        ActiveState::Inactive | ActiveState::Failed => u.stamps.inactive_enter,
        ActiveState::Activating => u.stamps.inactive_exit,
        ActiveState::Deactivating => u.stamps.active_exit,
    };
    if let Some(t) = since {
        line.push_str(&format!(" since {}", ts(t)));
    }
    s.push_str(&line);
    s.push('\n');
    // systemctl leaves the line out for targets.
    if active.is_inactive_or_failed() && u.unit_type() != UnitType::Target {
        if let (Some(a), Some(b)) = (u.stamps.active_enter, u.stamps.active_exit) {
            if b >= a {
                s.push_str(&format!("   Duration: {}\n", format_timespan(b - a, 1000)));
            }
        }
    }
    s.push_str(&m.triggered_by_lines(u));
    s.push_str(&super::timer::props::trigger_line(m, u));
    s.push_str(&m.triggers_lines(u));
    if u.condition_result == Some(false) {
        if let Some(t) = u.stamps.condition {
            s.push_str(&format!(
                "  Condition: start condition failed at {}\n",
                ts(t)
            ));
            for (i, c) in u.condition_failed.iter().enumerate() {
                let branch = if i + 1 == u.condition_failed.len() {
                    "└─"
                } else {
                    "├─"
                };
                s.push_str(&format!("             {branch} {c} was not met\n"));
            }
        }
    }
    if u.assert_result == Some(false) {
        if let Some(t) = u.stamps.assert {
            s.push_str(&format!(
                "     Assert: start assertion failed at {}\n",
                ts(t)
            ));
            match &u.assert_failed {
                Some(a) => s.push_str(&format!("             {a} was not met\n")),
                None => s.push_str("             none of the trigger assertions were met\n"),
            }
        }
    }
    for (i, d) in documentation(u).iter().enumerate() {
        let label = if i == 0 { "Docs:" } else { "" };
        s.push_str(&format!("   {label:>9} {d}\n"));
    }
    // Listed in the order of the settings, as systemd keeps one status per command.
    let rank = |s: &str| {
        [
            "ExecCondition",
            "ExecStartPre",
            "ExecStart",
            "ExecStartPost",
            "ExecReload",
            "ExecStop",
            "ExecStopPost",
        ]
        .iter()
        .position(|x| *x == s)
        .unwrap_or(7)
    };
    s.push_str(&super::socket::status_lines(m, u));
    let mut records: Vec<&super::units::ProcRecord> = u.records.iter().collect();
    records.sort_by_key(|r| rank(r.setting));
    for r in records {
        s.push_str(&format!(
            "    Process: {} {}={} ({})\n",
            r.pid,
            r.setting,
            r.cmd.display(),
            exit_text(r.exit)
        ));
    }
    if let Some(pid) = u.exec_main_pid {
        match (&u.main, u.exec_main) {
            (Some(p), _) if p.pid == pid => {
                s.push_str(&format!(
                    "   Main PID: {pid} ({})\n",
                    p.run.as_ref().unwrap_or(&p.cmd).comm()
                ));
            }
            (_, Some((epid, e))) if epid == pid => {
                s.push_str(&format!("   Main PID: {pid} ({})\n", exit_text(e)));
            }
            _ => {}
        }
    }
    let procs: Vec<&super::units::Proc> = u.main.iter().chain(u.control.iter()).collect();
    // An active socket's cgroup exists (and is shown) even without processes.
    let socket_up = u.unit_type() == UnitType::Socket && !active.is_inactive_or_failed();
    if !procs.is_empty() || socket_up {
        s.push_str(&format!("     CGroup: {}\n", cgroup_of(m, u)));
        for (i, p) in procs.iter().enumerate() {
            let branch = if i + 1 == procs.len() {
                "└─"
            } else {
                "├─"
            };
            s.push_str(&format!(
                "             {branch}{} {}\n",
                p.pid,
                p.run.as_ref().unwrap_or(&p.cmd).display()
            ));
        }
    }
    s
}

/// `Documentation=`: the URIs systemd accepts (`documentation_url_is_valid()`: `http(s)://`,
/// `file:/`, `man:` or `info:` and more, ASCII), in order; an empty assignment resets the list.
pub(crate) fn documentation(u: &Unit) -> Vec<String> {
    let mut docs: Vec<String> = Vec::new();
    for v in u.node.unit.settings.list("Unit", "Documentation") {
        if v.value.trim().is_empty() {
            docs.clear();
            continue;
        }
        for w in v.value.split_whitespace() {
            let ok = ["http://", "https://", "file:/", "man:", "info:"]
                .iter()
                .any(|p| w.starts_with(p) && w.len() > p.len())
                && w.is_ascii();
            if ok {
                docs.push(w.to_owned());
            }
        }
    }
    docs
}
