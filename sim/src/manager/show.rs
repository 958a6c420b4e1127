//! `systemctl show [-p PROP,...] [--all] UNIT...`: the properties the simulator computes, in
//! systemd's order (service properties, then cgroup, then unit properties). Empty values are
//! left out unless asked for with `-p` or `--all`; `-p` keeps systemd's order (reference §11).
use super::status::{cgroup_of, file_state};
use super::timefmt::{format_timespan, format_timestamp};
use super::units::Unit;
use super::verbs::{expand_names, Opts};
use super::Manager;
use std::io::Write;
use unitlab_engine::fs::MemFs;
use unitlab_engine::graph::{has_cgroup, DepKind};
use unitlab_engine::name::UnitType;

/// Runs `show`.
pub fn run(m: &mut Manager, fs: &MemFs, o: &Opts, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let Some((names, _)) = expand_names(m, o, UnitType::Service, err) else {
        return 1;
    };
    let mut first = true;
    for n in names {
        if let Some(e) = super::verbs::template_lookup_error(&n) {
            let _ = writeln!(err, "Failed to get properties: {e}");
            return 1;
        }
        let id = m.load_one(fs, &n);
        let need_reload = match &id {
            Some(i) => m.reload_warning(fs, i).is_some(),
            None => false,
        };
        let Some(u) = id.as_ref().and_then(|i| m.units.unit(i)) else {
            continue;
        };
        if !first {
            let _ = writeln!(out);
        }
        first = false;
        for (k, v) in properties(m, fs, u, need_reload) {
            let asked = o.properties.iter().any(|p| p == &k);
            if !o.properties.is_empty() && !asked {
                continue;
            }
            if v.is_empty() && !o.all && !asked {
                continue;
            }
            if o.value {
                let _ = writeln!(out, "{v}");
            } else {
                let _ = writeln!(out, "{k}={v}");
            }
        }
    }
    0
}

fn yn(b: bool) -> String {
    if b { "yes" } else { "no" }.to_owned()
}

/// The properties of one unit, in systemd's order.
pub fn properties(m: &Manager, fs: &MemFs, u: &Unit, need_reload: bool) -> Vec<(String, String)> {
    let mut p: Vec<(String, String)> = super::timer::props::properties(m, fs, u);
    let mut push = |k: &str, v: String| p.push((k.to_owned(), v));
    let boot = m.clock.boot_realtime;
    let ts = |t: Option<u64>| t.map(|t| format_timestamp(boot + t)).unwrap_or_default();
    let mono = |t: Option<u64>| t.unwrap_or(0).to_string();
    if let Some(s) = &u.cfg.service {
        push("Type", s.kind.as_str().into());
        push("ExitType", "main".into());
        push("Restart", s.restart.as_str().into());
        push("PIDFile", s.pid_file.clone().unwrap_or_default());
        push(
            "NotifyAccess",
            if s.kind == super::config::ServiceType::Notify {
                "main"
            } else {
                "none"
            }
            .into(),
        );
        push("RestartUSec", format_timespan(s.restart_sec, 1));
        push("TimeoutStartUSec", format_timespan(s.timeout_start, 1));
        push("TimeoutStopUSec", format_timespan(s.timeout_stop, 1));
        push("TimeoutAbortUSec", format_timespan(s.timeout_stop, 1));
        push("TimeoutStartFailureMode", "terminate".into());
        push("TimeoutStopFailureMode", "terminate".into());
        push("RuntimeMaxUSec", format_timespan(s.runtime_max, 1));
        push("RuntimeRandomizedExtraUSec", "0".into());
        push("WatchdogUSec", format_timespan(s.watchdog, 1));
        push("WatchdogTimestampMonotonic", "0".into());
        push("RootDirectoryStartOnly", "no".into());
        push("RemainAfterExit", yn(s.remain_after_exit));
        push("GuessMainPID", "yes".into());
        push(
            "MainPID",
            u.main.as_ref().map(|p| p.pid).unwrap_or(0).to_string(),
        );
        push(
            "ControlPID",
            u.control.as_ref().map(|p| p.pid).unwrap_or(0).to_string(),
        );
        push("FileDescriptorStoreMax", "0".into());
        push("NFileDescriptorStore", "0".into());
        push("StatusErrno", "0".into());
        push("Result", u.result.as_str().into());
        push("ReloadResult", "success".into());
        push("CleanResult", "success".into());
        push("UID", "[not set]".into());
        push("GID", "[not set]".into());
        push("NRestarts", u.n_restarts.to_string());
        push("OOMPolicy", "stop".into());
        push("ExecMainStartTimestamp", ts(u.stamps.exec_main_start));
        push(
            "ExecMainStartTimestampMonotonic",
            mono(u.stamps.exec_main_start),
        );
        push("ExecMainExitTimestamp", ts(u.stamps.exec_main_exit));
        push(
            "ExecMainExitTimestampMonotonic",
            mono(u.stamps.exec_main_exit),
        );
        push("ExecMainPID", u.exec_main_pid.unwrap_or(0).to_string());
        let (code, status) = u
            .exec_main
            .map(|(_, e)| (e.code_num(), e.status()))
            .unwrap_or((0, 0));
        push("ExecMainCode", code.to_string());
        push("ExecMainStatus", status.to_string());
    }
    for (k, v) in super::socket::show_properties(m, u) {
        push(&k, v);
    }
    if u.unit_type() == UnitType::Path {
        for (k, v) in m.path_properties(u) {
            push(k, v);
        }
    }
    let ty = u.unit_type();
    if has_cgroup(ty) {
        push(
            "Slice",
            u.node.slice().map(|s| s.to_string()).unwrap_or_default(),
        );
        let running = u.main.is_some() || u.control.is_some();
        push(
            "ControlGroup",
            if running {
                cgroup_of(m, u)
            } else {
                String::new()
            },
        );
    }
    if let Some(s) = &u.cfg.service {
        push("Environment", super::environ::property(&s.environment));
        for line in super::environ::files_property(&s.environment_files) {
            push("EnvironmentFiles", line);
        }
    }
    if let Some(k) = &u.cfg.kill {
        for (key, v) in k.properties() {
            push(key, v);
        }
    }
    push("Id", u.id().to_string());
    let mut names = vec![u.id().to_string()];
    names.extend(u.node.unit.aliases().map(|a| a.to_string()));
    push("Names", names.join(" "));
    for kind in DepKind::ALL {
        if matches!(
            kind,
            DepKind::References | DepKind::ReferencedBy | DepKind::InSlice
        ) {
            continue;
        }
        let v: Vec<String> = u.node.deps_of(kind).map(|(n, _)| n.to_string()).collect();
        push(kind.as_str(), v.join(" "));
    }
    let rmf: Vec<String> = u.node.requires_mounts_for.keys().cloned().collect();
    push("RequiresMountsFor", rmf.join(" "));
    let docs: Vec<String> = super::status::documentation(u)
        .iter()
        .map(|d| super::environ::maybe_quote(d))
        .collect();
    push("Documentation", docs.join(" "));
    push("Description", u.description());
    push("LoadState", u.load_state().as_str().into());
    push("ActiveState", u.active().as_str().into());
    push("FreezerState", "running".into());
    push("SubState", u.sub.as_str().into());
    push(
        "FragmentPath",
        u.node
            .unit
            .fragment_path
            .as_ref()
            .map(|p| p.to_string())
            .unwrap_or_default(),
    );
    push("SourcePath", String::new());
    let dropins: Vec<String> = u.node.unit.dropin_paths().map(|p| p.to_string()).collect();
    push("DropInPaths", dropins.join(" "));
    let (state, preset) = file_state(m, fs, u.id().as_str());
    push("UnitFileState", state.unwrap_or_default());
    push("UnitFilePreset", preset.unwrap_or_default());
    push("StateChangeTimestamp", ts(u.stamps.state_change));
    push("StateChangeTimestampMonotonic", mono(u.stamps.state_change));
    push("InactiveExitTimestamp", ts(u.stamps.inactive_exit));
    push(
        "InactiveExitTimestampMonotonic",
        mono(u.stamps.inactive_exit),
    );
    push("ActiveEnterTimestamp", ts(u.stamps.active_enter));
    push("ActiveEnterTimestampMonotonic", mono(u.stamps.active_enter));
    push("ActiveExitTimestamp", ts(u.stamps.active_exit));
    push("ActiveExitTimestampMonotonic", mono(u.stamps.active_exit));
    push("InactiveEnterTimestamp", ts(u.stamps.inactive_enter));
    push(
        "InactiveEnterTimestampMonotonic",
        mono(u.stamps.inactive_enter),
    );
    let loaded = u.load_state().is_loaded();
    let startable = loaded && !u.cfg.refuse_manual_start;
    push("CanStart", yn(startable && ty != UnitType::Device));
    push(
        "CanStop",
        yn(!u.cfg.refuse_manual_stop && ty != UnitType::Device),
    );
    push("CanReload", yn(super::jobs::can_reload(u)));
    push("CanIsolate", yn(loaded && u.cfg.allow_isolate));
    push("CanFreeze", yn(false));
    push("StopWhenUnneeded", yn(u.cfg.stop_when_unneeded));
    push("RefuseManualStart", yn(u.cfg.refuse_manual_start));
    push("RefuseManualStop", yn(u.cfg.refuse_manual_stop));
    push("AllowIsolate", yn(u.cfg.allow_isolate));
    push("DefaultDependencies", yn(u.node.default_dependencies));
    push("OnSuccessJobMode", "fail".into());
    push("OnFailureJobMode", "replace".into());
    push("IgnoreOnIsolate", yn(u.cfg.ignore_on_isolate));
    push("NeedDaemonReload", yn(need_reload));
    push("JobTimeoutUSec", "infinity".into());
    push("JobRunningTimeoutUSec", "infinity".into());
    push("JobTimeoutAction", "none".into());
    push("ConditionResult", yn(u.condition_result.unwrap_or(false)));
    push("AssertResult", yn(u.assert_result.unwrap_or(false)));
    push("ConditionTimestamp", ts(u.stamps.condition));
    push("ConditionTimestampMonotonic", mono(u.stamps.condition));
    push("AssertTimestamp", ts(u.stamps.assert));
    push("AssertTimestampMonotonic", mono(u.stamps.assert));
    push("Transient", "no".into());
    push("Perpetual", yn(u.id().as_str() == "-.slice"));
    push(
        "StartLimitIntervalUSec",
        format_timespan(u.cfg.start_limit_interval, 1),
    );
    push("StartLimitBurst", u.cfg.start_limit_burst.to_string());
    push("StartLimitAction", "none".into());
    push("FailureAction", "none".into());
    push("SuccessAction", "none".into());
    push("CollectMode", "inactive".into());
    let le = if loaded {
        String::new()
    } else {
        super::jobs::load_error_message(u)
    };
    push("LoadError", le);
    p
}
