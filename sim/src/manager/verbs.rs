//! The runtime `systemctl` verbs: argument parsing, the job verbs that wait for their jobs and
//! print systemctl's result messages (reference §7.1, §11), and the query verbs.
use super::jobs::{Mode, Request};
use super::state::{JobResult, JobType};
use super::Manager;
use std::io::Write;
use unitlab_engine::fs::MemFs;
use unitlab_engine::install::fnmatch::fnmatch;
use unitlab_engine::load::{LoadState, Scope};
use unitlab_engine::name::{mangle, MangleOptions, NameKind, UnitName, UnitType};

/// Parsed options of one systemctl invocation.
#[derive(Debug, Default)]
pub struct Opts {
    /// The verb.
    pub verb: String,
    /// Positional arguments after the verb.
    pub args: Vec<String>,
    /// `-p`/`--property`.
    pub properties: Vec<String>,
    /// `-a`/`--all`.
    pub all: bool,
    /// `--state=`.
    pub states: Vec<String>,
    /// `-t`/`--type=`.
    pub types: Vec<String>,
    /// `-s`/`--signal=`.
    pub signal: Option<String>,
    /// `--kill-whom=`.
    pub kill_whom: Option<String>,
    /// `--no-block`.
    pub no_block: bool,
    /// `--wait` (`start`, `restart`: also wait until the units stop again).
    pub wait: bool,
    /// `--job-mode=`.
    pub job_mode: Option<String>,
    /// `-q`/`--quiet`.
    pub quiet: bool,
    /// `--value`.
    pub value: bool,
    /// `--no-legend`.
    pub no_legend: bool,
    /// `--after` (`list-jobs`, `list-dependencies`).
    pub jobs_after: bool,
    /// `--before` (`list-jobs`, `list-dependencies`).
    pub jobs_before: bool,
    /// `--reverse` (`list-dependencies`).
    pub reverse: bool,
    /// Which of `--reverse`, `--after`, `--before` came last (systemctl's `arg_dependency`:
    /// the last one wins for `list-dependencies`).
    pub dependency: Option<&'static str>,
    /// `--plain` (`list-dependencies`).
    pub plain: bool,
    /// `-l`/`--full`.
    pub full: bool,
}

/// Why the arguments were refused: a getopt error (printed after `systemctl: `) or one of
/// systemctl's own messages.
enum ArgError {
    Getopt(String),
    Systemctl(String),
}

impl From<String> for ArgError {
    fn from(e: String) -> ArgError {
        ArgError::Getopt(e)
    }
}

impl Opts {
    /// Whether `u` is in one of the `--state=` states: its active, load or sub state
    /// (`ListUnitsByPatterns` filters on all three).
    pub fn in_states(&self, u: &super::units::Unit) -> bool {
        self.states.iter().any(|s| {
            s == u.active().as_str() || s == u.load_state().as_str() || s == u.sub.as_str()
        })
    }
}

fn parse(args: &[String]) -> Result<Opts, ArgError> {
    let mut o = Opts::default();
    let mut i = 0;
    let mut positional = Vec::new();
    while i < args.len() {
        let a = &args[i];
        let mut take = |name: &str| -> Result<String, String> {
            if let Some(v) = a.strip_prefix(&format!("{name}=")) {
                return Ok(v.to_owned());
            }
            i += 1;
            args.get(i)
                .cloned()
                .ok_or_else(|| format!("option '{name}' requires an argument"))
        };
        match a.as_str() {
            s if s == "-p" || s.starts_with("--property") => {
                let v = take("--property")?;
                o.properties
                    .extend(v.split(',').filter(|p| !p.is_empty()).map(str::to_owned));
            }
            s if s.starts_with("-p") && s.len() > 2 => {
                o.properties.extend(
                    s[2..]
                        .split(',')
                        .filter(|p| !p.is_empty())
                        .map(str::to_owned),
                );
            }
            "-a" | "--all" => o.all = true,
            "--failed" => o.states.push("failed".to_owned()),
            s if s.starts_with("--state") => {
                let v = take("--state")?;
                o.states.extend(v.split(',').map(str::to_owned));
            }
            s if s == "-t" || s.starts_with("--type") => {
                // A unit type filters by type, a load state by state; anything else is refused
                // while the arguments are parsed.
                let v = take("--type")?;
                if v.is_empty() {
                    return Err(ArgError::Systemctl("--type= requires arguments.".into()));
                }
                for t in v.split(',').filter(|t| !t.is_empty()) {
                    if UnitType::from_suffix(t).is_some() {
                        o.types.push(t.to_owned());
                    } else if LoadState::ALL.iter().any(|l| l.as_str() == t) {
                        o.states.push(t.to_owned());
                    } else {
                        return Err(ArgError::Systemctl(format!(
                            "Unknown unit type or load state '{t}'.\nUse -t help to see a list of allowed values."
                        )));
                    }
                }
            }
            s if s == "-s" || s.starts_with("--signal") => o.signal = Some(take("--signal")?),
            s if s.starts_with("--kill-whom") => o.kill_whom = Some(take("--kill-whom")?),
            s if s.starts_with("--job-mode") => o.job_mode = Some(take("--job-mode")?),
            "--no-block" => o.no_block = true,
            "--wait" => o.wait = true,
            // `-n N`/`--lines=N`: how many journal lines `status` shows; the simulated status
            // shows none (as on a machine without journal access), so the value is not used.
            s if s == "-n" || s.starts_with("--lines") => {
                take("--lines")?;
            }
            s if s.starts_with("-n") && s[2..].bytes().all(|b| b.is_ascii_digit()) => {}
            "-q" | "--quiet" => o.quiet = true,
            "--value" => o.value = true,
            "--no-legend" => o.no_legend = true,
            "--after" => {
                o.jobs_after = true;
                o.dependency = Some("after");
            }
            "--before" => {
                o.jobs_before = true;
                o.dependency = Some("before");
            }
            "--reverse" => {
                o.reverse = true;
                o.dependency = Some("reverse");
            }
            "--plain" => o.plain = true,
            "--full" | "-l" => o.full = true,
            "--no-pager" | "--no-ask-password" | "--system" | "--user" => {}
            s if s.starts_with('-') && s.len() > 1 => {
                return Err(format!("unrecognized option '{s}'").into());
            }
            _ => positional.push(a.clone()),
        }
        i += 1;
    }
    if !positional.is_empty() {
        o.verb = positional.remove(0);
    }
    o.args = positional;
    Ok(o)
}

/// Mangles unit arguments like systemctl (`foo` → `foo.service`).
pub fn mangle_names(
    args: &[String],
    suffix: UnitType,
    err: &mut dyn Write,
) -> Option<Vec<UnitName>> {
    let mut out = Vec::new();
    for a in args {
        let m = match mangle(
            a,
            MangleOptions {
                default_suffix: suffix,
                allow_globs: false,
            },
        ) {
            Ok(m) => m,
            Err(_) => {
                let _ = writeln!(err, "Failed to mangle name: Invalid argument");
                return None;
            }
        };
        if let Some(n) = &m.notice {
            let _ = writeln!(err, "{n}");
        }
        match m.unit_name() {
            Some(n) => out.push(n),
            None => {
                let _ = writeln!(err, "Failed to mangle name: Invalid argument");
                return None;
            }
        }
    }
    Some(out)
}

/// systemctl's `expand_unit_names()` for the verbs that take glob patterns (the job verbs,
/// `kill`, `is-active`, `is-failed`, `reset-failed`, `status`, `show`, `list-dependencies`):
/// arguments are mangled with globs kept; a glob matches the ids of the units the manager has
/// loaded (`ListUnitsByPatterns`, also filtered by `--state=`), never unit files on disk. Also
/// says whether any argument was a glob. (systemd lists the matches in the order of its unit
/// hash map; the simulator sorts them.)
pub fn expand_names(
    m: &Manager,
    o: &Opts,
    suffix: UnitType,
    err: &mut dyn Write,
) -> Option<(Vec<UnitName>, bool)> {
    let mut names = Vec::new();
    let mut globs = Vec::new();
    for a in &o.args {
        let opts = MangleOptions {
            default_suffix: suffix,
            allow_globs: true,
        };
        let Ok(mangled) = mangle(a, opts) else {
            let _ = writeln!(err, "Failed to mangle name: Invalid argument");
            return None;
        };
        if let (Some(n), false) = (&mangled.notice, o.quiet) {
            let _ = writeln!(err, "{n}");
        }
        match mangled.unit_name() {
            Some(n) if !mangled.name.contains(['*', '?', '[']) => names.push(n),
            _ => globs.push(mangled.name),
        }
    }
    let expanded = !globs.is_empty();
    if expanded {
        let mut matched: Vec<UnitName> = m
            .units
            .map
            .iter()
            .filter(|(id, _)| globs.iter().any(|g| fnmatch(g, id.as_str())))
            .filter(|(_, u)| o.states.is_empty() || o.in_states(u))
            .map(|(id, _)| id.clone())
            .collect();
        matched.sort();
        names.extend(matched);
    }
    Some((names, expanded))
}

/// The bus error of looking up a template name without instance by name (`GetUnit`, then
/// `LoadUnit`), which `status`, `show`, `is-active` and `is-failed` report.
pub(crate) fn template_lookup_error(n: &UnitName) -> Option<String> {
    (n.kind() == NameKind::Template)
        .then(|| format!("Unit name {n} is neither a valid invocation ID nor unit name."))
}

/// Runs one invocation.
pub fn run(
    m: &mut Manager,
    fs: &MemFs,
    args: &[String],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let o = match parse(args) {
        Ok(o) => o,
        Err(e) => {
            let _ = match e {
                ArgError::Systemctl(m) => writeln!(err, "{m}"),
                ArgError::Getopt(m) => writeln!(err, "systemctl: {m}"),
            };
            return 1;
        }
    };
    let min_args = match o.verb.as_str() {
        "is-active" | "is-failed" | "kill" | "isolate" => 1,
        _ => 0,
    };
    if o.args.len() < min_args {
        let _ = writeln!(err, "Too few arguments.");
        return 1;
    }
    if o.verb == "isolate" && o.args.len() > 1 {
        let _ = writeln!(err, "Too many arguments.");
        return 1;
    }
    match o.verb.as_str() {
        "start" => job_verb(m, fs, &o, Request::Start, "start", out, err),
        "stop" => job_verb(m, fs, &o, Request::Stop, "stop", out, err),
        "restart" => job_verb(m, fs, &o, Request::Restart, "restart", out, err),
        "try-restart" | "condrestart" => {
            job_verb(m, fs, &o, Request::TryRestart, "try-restart", out, err)
        }
        "reload" => job_verb(m, fs, &o, Request::Reload, "reload", out, err),
        "reload-or-restart" => job_verb(
            m,
            fs,
            &o,
            Request::ReloadOrRestart,
            "reload-or-restart",
            out,
            err,
        ),
        "try-reload-or-restart" => job_verb(
            m,
            fs,
            &o,
            Request::TryReloadOrRestart,
            "try-reload-or-restart",
            out,
            err,
        ),
        "isolate" => isolate(m, fs, &o, out, err),
        "kill" => kill(m, &o, err),
        "is-active" => is_state(m, fs, &o, out, err, false),
        "is-failed" => is_state(m, fs, &o, out, err, true),
        "reset-failed" => reset_failed(m, fs, &o, err),
        "is-system-running" => is_system_running(m, &o, out),
        // Re-executing keeps the runtime state and reloads the units, as a reload does.
        "daemon-reload" | "daemon-reexec" => {
            m.reload_units(fs);
            0
        }
        "status" => super::status::run(m, fs, &o, out, err),
        "show" => super::show::run(m, fs, &o, out, err),
        "list-units" | "" => super::list::run(m, fs, &o, out, err),
        "list-timers" => super::timer::list::run(m, fs, &o, out, err),
        "list-sockets" => super::socket::list_sockets(m, fs, &o, out, err),
        "list-jobs" => super::list_jobs::run(m, &o, out),
        "list-dependencies" => super::list_deps::run(m, fs, &o, out, err),
        v => {
            let _ = writeln!(err, "Unknown command verb {v}.");
            1
        }
    }
}

impl Manager {
    /// `systemctl` or `systemctl --user`, for hints.
    pub(crate) fn systemctl_cmd(&self) -> &'static str {
        if self.opts.scope == Scope::System {
            "systemctl"
        } else {
            "systemctl --user"
        }
    }

    /// The changed-on-disk warning (reference §7.1), if `id`'s files changed since load.
    pub(crate) fn reload_warning(&mut self, fs: &MemFs, id: &UnitName) -> Option<String> {
        let paths = self.paths.clone()?;
        if !self.units.has(id) {
            return None;
        }
        if self.units.need_reload(fs, &paths, id) {
            Some(format!(
                "Warning: The unit file, source configuration file or drop-ins of {id} changed on disk. Run '{} daemon-reload' to reload units.",
                self.systemctl_cmd()
            ))
        } else {
            None
        }
    }
}

fn job_verb(
    m: &mut Manager,
    fs: &MemFs,
    o: &Opts,
    req: Request,
    verb: &str,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let _ = out;
    if o.args.is_empty() {
        let _ = writeln!(err, "Too few arguments.");
        return 1;
    }
    let Some((names, expanded)) = expand_names(m, o, UnitType::Service, err) else {
        return 1;
    };
    if expanded && req == Request::Start && !o.all && !o.quiet {
        let _ = writeln!(err, "Warning: systemctl start called with a glob pattern.");
        let _ = writeln!(
            err,
            "Hint: unit globs expand to loaded units, so start will usually have no effect.\n      Passing --all will also load units which are pulled in by other units.\n      See systemctl(1) for more details."
        );
    }
    let mode = o
        .job_mode
        .as_deref()
        .and_then(Mode::parse)
        .unwrap_or(Mode::Replace);
    let mut code = 0;
    let mut waits: Vec<(u32, UnitName)> = Vec::new();
    for n in &names {
        // try-restart of a masked unit is silently ignored (reference §7.1).
        if matches!(req, Request::TryRestart | Request::TryReloadOrRestart) {
            let masked = m
                .units
                .get(n.as_str())
                .is_some_and(|u| u.load_state() == unitlab_engine::load::LoadState::Masked);
            if masked {
                continue;
            }
        }
        match m.enqueue_ext(fs, n, req, mode, true) {
            Ok(id) => waits.push((id, n.clone())),
            Err(e) => {
                let _ = writeln!(err, "Failed to {verb} {n}: {}", e.message);
                if e.hints_logs() {
                    let _ = writeln!(err, "{}", logs_hint(m, n));
                }
                code = e.exit_code();
            }
        }
    }
    if o.no_block {
        return code;
    }
    let ids: Vec<u32> = waits.iter().map(|(i, _)| *i).collect();
    m.wait_for(fs, &ids);
    // systemctl asks for NeedDaemonReload= once the job is queued; by then a stopped unit has
    // usually been garbage-collected (and is read afresh), so the live manager warns on start
    // and reload but hardly ever on stop. The simulator asks after the job finished.
    for (_, n) in &waits {
        if let Some(w) = m.reload_warning(fs, n) {
            let _ = writeln!(err, "{w}");
        }
    }
    for (id, n) in &waits {
        let r = m.finished.remove(id).unwrap_or(JobResult::Done);
        if let Some(c) = report_result(m, n.as_str(), r, err) {
            code = c;
        }
    }
    if req == Request::Stop && !o.quiet {
        for (_, n) in &waits {
            m.stop_trigger_warning(fs, n, err);
        }
    }
    if o.wait && matches!(req, Request::Start | Request::Restart) {
        // `bus_wait_for_units_run()`: a unit that ended failed makes the exit status 1,
        // without a message.
        let names: Vec<UnitName> = waits.iter().map(|(_, n)| n.clone()).collect();
        m.wait_inactive(fs, &names);
        let failed = names.iter().any(|n| {
            m.units.get(n.as_str()).is_some_and(|u| {
                u.active() == super::ActiveState::Failed || u.result != super::UnitResult::Success
            })
        });
        if failed && code == 0 {
            code = 1;
        }
    }
    code
}

/// "See system logs and 'systemctl status X' for details."
fn logs_hint(m: &Manager, n: &UnitName) -> String {
    if m.opts.scope == Scope::System {
        format!("See system logs and 'systemctl status {n}' for details.")
    } else {
        format!("See user logs and 'systemctl --user status {n}' for details.")
    }
}

/// Prints what systemctl prints for a finished job (reference §7.1); returns the exit status
/// if the job did not succeed.
fn report_result(m: &Manager, n: &str, r: JobResult, err: &mut dyn Write) -> Option<i32> {
    let sc = m.systemctl_cmd();
    let jc = if m.opts.scope == Scope::System {
        "journalctl"
    } else {
        "journalctl --user"
    };
    let unit = m.units.get(n);
    let id = unit
        .map(|u| u.id().to_string())
        .unwrap_or_else(|| n.to_owned());
    match r {
        JobResult::Done | JobResult::Skipped => None,
        JobResult::Canceled => {
            let _ = writeln!(err, "Job for {id} canceled.");
            Some(1)
        }
        JobResult::Timeout => {
            let _ = writeln!(err, "Job for {id} timed out.");
            Some(1)
        }
        JobResult::Dependency => {
            let _ = writeln!(
                err,
                "A dependency job for {id} failed. See 'journalctl -xe' for details."
            );
            Some(1)
        }
        JobResult::Assert => {
            let _ = writeln!(err, "Assertion failed on job for {id}.");
            Some(1)
        }
        JobResult::Unsupported => {
            let _ = writeln!(
                err,
                "Operation on or unit type of {id} not supported on this system."
            );
            Some(1)
        }
        JobResult::Collected => {
            let _ = writeln!(err, "Queued job for {id} was garbage collected.");
            Some(1)
        }
        JobResult::Once => {
            let _ = writeln!(
                err,
                "Unit {id} was started already once and can't be started again."
            );
            Some(1)
        }
        JobResult::Invalid => {
            let _ = writeln!(err, "{id} is not active, cannot reload.");
            Some(1)
        }
        JobResult::Failed => {
            let is_service = id.ends_with(".service");
            if !is_service {
                let _ = writeln!(err, "Job failed. See \"journalctl -xe\" for details.");
                return Some(1);
            }
            let result = unit.map(|u| u.result.as_str()).unwrap_or("success");
            let why = match result {
                "resources" => Some("of unavailable resources or another system error"),
                "protocol" => {
                    Some("the service did not take the steps required by its unit configuration")
                }
                "timeout" => Some("a timeout was exceeded"),
                "exit-code" => Some("the control process exited with error code"),
                "signal" => Some("a fatal signal was delivered to the control process"),
                "core-dump" => {
                    Some("a fatal signal was delivered causing the control process to dump core")
                }
                "watchdog" => Some("the service failed to send watchdog ping"),
                "start-limit-hit" => Some("start of the service was attempted too often"),
                _ => None,
            };
            match why {
                Some(w) => {
                    let _ = writeln!(err, "Job for {id} failed because {w}.");
                    let _ = writeln!(
                        err,
                        "See \"{sc} status {id}\" and \"{jc} -xeu {id}\" for details."
                    );
                    if result == "start-limit-hit" {
                        let _ = writeln!(err, "To force a start use \"{sc} reset-failed {id}\"");
                        let _ = writeln!(err, "followed by \"{sc} start {id}\" again.");
                    }
                }
                None => {
                    let _ = writeln!(err, "Job for {id} failed.");
                    let _ = writeln!(
                        err,
                        "See \"{sc} status {id}\" and \"{jc} -xeu {id}\" for details."
                    );
                }
            }
            Some(1)
        }
    }
}

fn isolate(
    m: &mut Manager,
    fs: &MemFs,
    o: &Opts,
    _out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let Some(names) = mangle_names(&o.args, UnitType::Target, err) else {
        return 1;
    };
    let [n] = names.as_slice() else {
        let _ = writeln!(err, "Too few arguments.");
        return 1;
    };
    match m.enqueue_ext(fs, n, Request::Start, Mode::Isolate, true) {
        Ok(j) => {
            if o.no_block {
                return 0;
            }
            m.wait_for(fs, &[j]);
            let r = m.finished.remove(&j).unwrap_or(JobResult::Done);
            report_result(m, n.as_str(), r, err).unwrap_or(0)
        }
        Err(e) => {
            let _ = writeln!(err, "Failed to start {n}: {}", e.message);
            if e.hints_logs() {
                let _ = writeln!(err, "{}", logs_hint(m, n));
            }
            e.exit_code()
        }
    }
}

fn kill(m: &mut Manager, o: &Opts, err: &mut dyn Write) -> i32 {
    let sig = match &o.signal {
        Some(s) => match super::process::parse_signal(s) {
            Some(n) => n,
            None => {
                let _ = writeln!(err, "Failed to parse signal string \"{s}\".");
                return 1;
            }
        },
        None => 15,
    };
    let Some((names, _)) = expand_names(m, o, UnitType::Service, err) else {
        return 1;
    };
    let whom = o.kill_whom.clone().unwrap_or_else(|| "all".into());
    let mut code = 0;
    for n in names {
        // `KillUnit` looks the unit up without loading it (`manager_get_unit()`): a unit that
        // is not in memory (never loaded, or garbage-collected) is "not loaded".
        let id = m.units.resolve(n.as_str());
        let loaded = id
            .as_ref()
            .and_then(|i| m.units.unit(i))
            .is_some_and(|u| u.load_state().is_loaded() || !u.active().is_inactive_or_failed());
        match id {
            Some(i) if loaded => m.kill_unit(&i, sig, &whom),
            _ => {
                let _ = writeln!(err, "Failed to kill unit {n}: Unit {n} not loaded.");
                code = 1;
            }
        }
    }
    code
}

fn is_state(
    m: &mut Manager,
    fs: &MemFs,
    o: &Opts,
    out: &mut dyn Write,
    err: &mut dyn Write,
    failed: bool,
) -> i32 {
    let Some((names, _)) = expand_names(m, o, UnitType::Service, err) else {
        return 1;
    };
    let _ = fs;
    let mut hit = false;
    for n in names {
        if let Some(e) = template_lookup_error(&n) {
            let _ = writeln!(err, "Failed to retrieve unit state: {e}");
            return 1;
        }
        let a = m.active_state(n.as_str());
        if failed {
            hit |= a == super::ActiveState::Failed;
        } else {
            hit |= a.is_active_or_reloading();
        }
        if !o.quiet {
            let _ = writeln!(out, "{}", a.as_str());
        }
    }
    match (hit, failed) {
        (true, _) => 0,
        (false, true) => 1,
        (false, false) => 3,
    }
}

/// `is-system-running`: the manager's `SystemState` (`manager_state()`). The simulated machine
/// has booted when a command runs, so the state is `stopping` (`shutdown.target` active or
/// queued), `maintenance` (system manager with `rescue.target` or `emergency.target` active or
/// queued), `degraded` (a unit failed) or `running`; only `running` exits 0. (The live oracle prints `offline` instead: its shell runs
/// on a host not booted with systemd, so `sd_booted()` fails there.)
fn is_system_running(m: &Manager, o: &Opts, out: &mut dyn Write) -> i32 {
    // `unit_active_or_pending()`: active, activating, or with a start-like job queued.
    let active_or_pending = |t: &str| {
        m.active_state(t).is_active_or_activating()
            || m.units
                .get(t)
                .and_then(|u| u.job)
                .and_then(|j| m.jobs.get(&j))
                .is_some_and(|j| {
                    matches!(
                        j.kind,
                        JobType::Start | JobType::Restart | JobType::ReloadOrStart
                    )
                })
    };
    let stopping = active_or_pending("shutdown.target");
    let maintenance = m.opts.scope == Scope::System
        && ["rescue.target", "emergency.target"]
            .iter()
            .any(|t| active_or_pending(t));
    let degraded = m
        .units
        .map
        .values()
        .any(|u| u.active() == super::ActiveState::Failed);
    let state = if stopping {
        "stopping"
    } else if maintenance {
        "maintenance"
    } else if degraded {
        "degraded"
    } else {
        "running"
    };
    if !o.quiet {
        let _ = writeln!(out, "{state}");
    }
    i32::from(state != "running")
}

fn reset_failed(m: &mut Manager, fs: &MemFs, o: &Opts, err: &mut dyn Write) -> i32 {
    let _ = fs;
    let targets: Vec<UnitName> = if o.args.is_empty() {
        m.units.map.keys().cloned().collect()
    } else {
        let Some((n, _)) = expand_names(m, o, UnitType::Service, err) else {
            return 1;
        };
        n
    };
    let mut code = 0;
    for n in targets {
        match m.units.get_mut(n.as_str()) {
            Some(u) => {
                u.rl_begin = None;
                u.rl_num = 0;
                u.start_limit_hit = false;
                if u.sub == super::Sub::Failed {
                    u.result = super::UnitResult::Success;
                    let id = u.id().clone();
                    m.set_sub(&id, super::Sub::Dead);
                } else {
                    u.result = super::UnitResult::Success;
                }
            }
            None => {
                let _ = writeln!(
                    err,
                    "Failed to reset failed state of unit {n}: Unit {n} not loaded."
                );
                code = 1;
            }
        }
    }
    code
}
