//! The settings the runtime manager acts on, read from a loaded unit's merged settings: the
//! `[Unit]` job and start-limit settings, conditions and asserts, and the `[Service]` execution
//! settings.
use super::process::{parse_signal, ExecCommand};
use super::timefmt::{parse_timespan, INFINITY};
use super::Usec;
use unitlab_engine::load::LoadedUnit;
use unitlab_engine::name::{UnitName, UnitType};
use unitlab_engine::syntax::{Setting, Settings};

const SEC: Usec = 1_000_000;
/// `DefaultTimeoutStartSec=`/`DefaultTimeoutStopSec=` of systemd 252.
pub const DEFAULT_TIMEOUT: Usec = 90 * SEC;
/// `DefaultRestartSec=`.
pub const DEFAULT_RESTART: Usec = 100_000;
/// `DefaultStartLimitIntervalSec=`.
pub const DEFAULT_START_LIMIT_INTERVAL: Usec = 10 * SEC;
/// `DefaultStartLimitBurst=`.
pub const DEFAULT_START_LIMIT_BURST: u32 = 5;

/// systemd's boolean parser.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "1" | "yes" | "y" | "true" | "t" | "on" => Some(true),
        "0" | "no" | "n" | "false" | "f" | "off" => Some(false),
        _ => None,
    }
}

/// `Type=` of a service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServiceType {
    /// `simple`.
    Simple,
    /// `exec`.
    Exec,
    /// `forking`.
    Forking,
    /// `oneshot`.
    Oneshot,
    /// `dbus` (treated like `simple`).
    Dbus,
    /// `notify`.
    Notify,
    /// `idle` (treated like `simple`).
    Idle,
}

impl ServiceType {
    /// systemd's string.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceType::Simple => "simple",
            ServiceType::Exec => "exec",
            ServiceType::Forking => "forking",
            ServiceType::Oneshot => "oneshot",
            ServiceType::Dbus => "dbus",
            ServiceType::Notify => "notify",
            ServiceType::Idle => "idle",
        }
    }
}

/// `Restart=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RestartPolicy {
    /// `no`.
    No,
    /// `on-success`.
    OnSuccess,
    /// `on-failure`.
    OnFailure,
    /// `on-abnormal`.
    OnAbnormal,
    /// `on-watchdog`.
    OnWatchdog,
    /// `on-abort`.
    OnAbort,
    /// `always`.
    Always,
}

impl RestartPolicy {
    /// systemd's string.
    pub fn as_str(self) -> &'static str {
        match self {
            RestartPolicy::No => "no",
            RestartPolicy::OnSuccess => "on-success",
            RestartPolicy::OnFailure => "on-failure",
            RestartPolicy::OnAbnormal => "on-abnormal",
            RestartPolicy::OnWatchdog => "on-watchdog",
            RestartPolicy::OnAbort => "on-abort",
            RestartPolicy::Always => "always",
        }
    }

    fn parse(s: &str) -> Option<RestartPolicy> {
        Some(match s {
            "no" => RestartPolicy::No,
            "on-success" => RestartPolicy::OnSuccess,
            "on-failure" => RestartPolicy::OnFailure,
            "on-abnormal" => RestartPolicy::OnAbnormal,
            "on-watchdog" => RestartPolicy::OnWatchdog,
            "on-abort" => RestartPolicy::OnAbort,
            "always" => RestartPolicy::Always,
            _ => return None,
        })
    }
}

/// One `Condition*=`/`Assert*=` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// The key without the `Condition`/`Assert` prefix (`PathExists`).
    pub kind: String,
    /// `|`: a triggering check (one of them must hold).
    pub trigger: bool,
    /// `!`: negated.
    pub negate: bool,
    /// The parameter.
    pub param: String,
    /// The raw value, for messages.
    pub raw: String,
}

/// The `[Service]` settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceConfig {
    /// `Type=`.
    pub kind: ServiceType,
    /// `RemainAfterExit=`.
    pub remain_after_exit: bool,
    /// `ExecCondition=`.
    pub condition: Vec<ExecCommand>,
    /// `ExecStartPre=`.
    pub start_pre: Vec<ExecCommand>,
    /// `ExecStart=`.
    pub start: Vec<ExecCommand>,
    /// `ExecStartPost=`.
    pub start_post: Vec<ExecCommand>,
    /// `ExecReload=`.
    pub reload: Vec<ExecCommand>,
    /// `ExecStop=`.
    pub stop: Vec<ExecCommand>,
    /// `ExecStopPost=`.
    pub stop_post: Vec<ExecCommand>,
    /// `TimeoutStartSec=`.
    pub timeout_start: Usec,
    /// `TimeoutStopSec=`.
    pub timeout_stop: Usec,
    /// `Restart=`.
    pub restart: RestartPolicy,
    /// `RestartSec=`.
    pub restart_sec: Usec,
    /// `SuccessExitStatus=`: extra exit statuses and signals counted as success.
    pub success_status: Vec<i32>,
    /// `SuccessExitStatus=` signals.
    pub success_signals: Vec<i32>,
    /// `RuntimeMaxSec=` ([`INFINITY`]: no limit; ignored for `Type=oneshot`).
    pub runtime_max: Usec,
    /// `WatchdogSec=` (0: no watchdog).
    pub watchdog: Usec,
    /// `Environment=` variables ([`super::environ`]).
    pub environment: Vec<(String, String)>,
    /// `EnvironmentFile=` paths or globs, each with its `-` prefix ([`super::env_file`]).
    pub environment_files: Vec<String>,
    /// `PIDFile=` (absolute, simplified).
    pub pid_file: Option<String>,
}

/// What the runtime manager needs of one unit's configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// `Description=` (raw), if set.
    pub description: Option<std::sync::Arc<str>>,
    /// `StopWhenUnneeded=`.
    pub stop_when_unneeded: bool,
    /// `RefuseManualStart=`.
    pub refuse_manual_start: bool,
    /// `RefuseManualStop=`.
    pub refuse_manual_stop: bool,
    /// `AllowIsolate=`.
    pub allow_isolate: bool,
    /// `IgnoreOnIsolate=`.
    pub ignore_on_isolate: bool,
    /// `StartLimitIntervalSec=`.
    pub start_limit_interval: Usec,
    /// `StartLimitBurst=`.
    pub start_limit_burst: u32,
    /// `Condition*=`.
    pub conditions: Vec<Check>,
    /// `Assert*=`.
    pub asserts: Vec<Check>,
    /// The `[Service]` settings, for services.
    pub service: Option<ServiceConfig>,
    /// The kill settings, for the types that run processes.
    pub kill: Option<super::kill::KillConfig>,
}

/// A unit's merged settings with the list of the (section, key) pairs they assign, read once:
/// the manager asks for ~40 settings per unit and most are not set, and asking [`Settings`]
/// for an unset key costs a section lookup and a scan comparing every assigned key's name.
/// Asking here first checks the short list (names of another length are passed over at once);
/// a key that is there is read from the settings as before. [`Settings::keys`] lists exactly
/// the keys [`Settings::get`] and [`Settings::list`] have values for, so the answers are the same.
pub(crate) struct Present<'a> {
    s: &'a Settings,
    keys: Vec<(&'static str, &'static str)>,
}

impl<'a> Present<'a> {
    /// Lists the keys `s` assigns.
    pub(crate) fn of(s: &'a Settings) -> Present<'a> {
        Present {
            s,
            keys: s.keys().collect(),
        }
    }

    /// Whether `key` of `section` has a value.
    #[inline]
    pub(crate) fn has(&self, section: &str, key: &str) -> bool {
        self.keys
            .iter()
            .any(|&(sec, k)| k.len() == key.len() && k == key && sec == section)
    }

    /// [`Settings::get`].
    pub(crate) fn get(&self, section: &str, key: &str) -> Option<Setting<'a>> {
        if self.has(section, key) {
            self.s.get(section, key)
        } else {
            None
        }
    }

    /// [`Settings::list`].
    pub(crate) fn list(&self, section: &str, key: &str) -> Vec<Setting<'a>> {
        if self.has(section, key) {
            self.s.list(section, key)
        } else {
            Vec::new()
        }
    }
}

fn get<'a>(s: &Present<'a>, section: &str, key: &str) -> Option<&'a str> {
    s.get(section, key).map(|v| v.value)
}

fn flag(s: &Present<'_>, section: &str, key: &str, default: bool) -> bool {
    get(s, section, key).and_then(parse_bool).unwrap_or(default)
}

fn span(s: &Present<'_>, section: &str, key: &str) -> Option<Usec> {
    get(s, section, key)
        .and_then(|v| parse_timespan(v, SEC))
        .map(|t| {
            // `0` means "no timeout" for the timeout settings.
            if t == 0 && key.starts_with("Timeout") {
                INFINITY
            } else {
                t
            }
        })
}

fn commands(s: &Present<'_>, key: &str) -> Vec<ExecCommand> {
    s.list("Service", key)
        .into_iter()
        .filter_map(|v| ExecCommand::parse(v.value))
        .collect()
}

fn checks(s: &Present<'_>, prefix: &str) -> Vec<Check> {
    let mut out = Vec::new();
    let keys = s
        .keys
        .iter()
        .filter(|(sec, k)| *sec == "Unit" && k.starts_with(prefix));
    for &(sec, key) in keys {
        for v in s.s.list(sec, key) {
            let mut p = v.value.trim();
            let trigger = p.starts_with('|');
            if trigger {
                p = p[1..].trim_start();
            }
            let negate = p.starts_with('!');
            if negate {
                p = p[1..].trim_start();
            }
            out.push(Check {
                kind: key[prefix.len()..].to_owned(),
                trigger,
                negate,
                param: p.to_owned(),
                raw: v.value.to_owned(),
            });
        }
    }
    out
}

impl Config {
    /// Reads the configuration of `unit`.
    pub fn of(unit: &LoadedUnit, sp: &super::printf::Specifiers) -> Config {
        let s = &Present::of(&unit.settings);
        // The defaults that depend on the settings (`Type=oneshot` without `ExecStart=`) are
        // applied only to units that loaded (`service_add_extras()`); a masked unit that still
        // runs keeps the plain defaults, so SIGTERM on stop is a clean exit.
        let loaded = unit.load_state == unitlab_engine::load::LoadState::Loaded;
        let service = (unit.id.unit_type() == UnitType::Service).then(|| {
            let fragment = unit.fragment_path.as_deref().map(|p| p.as_str());
            service_config(s, loaded, &unit.id, fragment, sp)
        });
        Config {
            description: get(s, "Unit", "Description")
                .and_then(|d| {
                    let fragment = unit.fragment_path.as_deref().map(|p| p.as_str());
                    super::printf::unit_printf(&unit.id, fragment, sp, d)
                })
                .map(std::sync::Arc::from),
            stop_when_unneeded: flag(s, "Unit", "StopWhenUnneeded", false),
            refuse_manual_start: flag(s, "Unit", "RefuseManualStart", false),
            refuse_manual_stop: flag(s, "Unit", "RefuseManualStop", false),
            allow_isolate: flag(s, "Unit", "AllowIsolate", false),
            ignore_on_isolate: flag(s, "Unit", "IgnoreOnIsolate", false),
            start_limit_interval: span(s, "Unit", "StartLimitIntervalSec")
                .or_else(|| span(s, "Service", "StartLimitInterval"))
                .unwrap_or(DEFAULT_START_LIMIT_INTERVAL),
            start_limit_burst: get(s, "Unit", "StartLimitBurst")
                .or_else(|| get(s, "Service", "StartLimitBurst"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(DEFAULT_START_LIMIT_BURST),
            conditions: checks(s, "Condition"),
            asserts: checks(s, "Assert"),
            service,
            kill: super::kill::KillConfig::of_present(s, unit.id.unit_type()),
        }
    }
}

/// `PIDFile=` (`config_parse_pid_file()`): specifiers expanded, a relative path taken below
/// the runtime directory (`/run`, or `$XDG_RUNTIME_DIR` for a user manager), simplified, and
/// `/var/run/` read as `/run/`; the last assignment counts, an empty one resets it.
fn pid_file(
    s: &Settings,
    id: &UnitName,
    fragment: Option<&str>,
    sp: &super::printf::Specifiers,
) -> Option<String> {
    let mut out = None;
    for v in s.list("Service", "PIDFile") {
        if v.value.is_empty() {
            out = None;
            continue;
        }
        let Some(text) = super::printf::unit_printf(id, fragment, sp, v.value) else {
            continue;
        };
        let absolute = if text.starts_with('/') {
            text
        } else {
            let base = sp.runtime_dir.as_deref().unwrap_or("/run");
            format!("{base}/{text}")
        };
        let Some(path) = super::path::simplify(&absolute) else {
            continue;
        };
        out = Some(match path.strip_prefix("/var/run/") {
            Some(rest) => format!("/run/{rest}"),
            None => path,
        });
    }
    out
}

fn service_config(
    s: &Present<'_>,
    loaded: bool,
    id: &UnitName,
    fragment: Option<&str>,
    sp: &super::printf::Specifiers,
) -> ServiceConfig {
    let start = commands(s, "ExecStart");
    let kind = match get(s, "Service", "Type") {
        Some("simple") => ServiceType::Simple,
        Some("exec") => ServiceType::Exec,
        Some("forking") => ServiceType::Forking,
        Some("oneshot") => ServiceType::Oneshot,
        Some("dbus") => ServiceType::Dbus,
        Some("notify") => ServiceType::Notify,
        Some("idle") => ServiceType::Idle,
        _ if start.is_empty() && loaded => ServiceType::Oneshot,
        _ => ServiceType::Simple,
    };
    let timeout = span(s, "Service", "TimeoutSec");
    let mut timeout_start = span(s, "Service", "TimeoutStartSec").or(timeout);
    if timeout_start.is_none() && kind == ServiceType::Oneshot {
        // A oneshot service's start has no timeout unless one is set.
        timeout_start = Some(INFINITY);
    }
    let mut success_status = Vec::new();
    let mut success_signals = Vec::new();
    for v in s.list("Service", "SuccessExitStatus") {
        for w in v.value.split_whitespace() {
            if let Ok(n) = w.parse::<i32>() {
                success_status.push(n);
            } else if let Some(sig) = parse_signal(w) {
                success_signals.push(sig);
            }
        }
    }
    ServiceConfig {
        kind,
        remain_after_exit: flag(s, "Service", "RemainAfterExit", false),
        condition: commands(s, "ExecCondition"),
        start_pre: commands(s, "ExecStartPre"),
        start,
        start_post: commands(s, "ExecStartPost"),
        reload: commands(s, "ExecReload"),
        stop: commands(s, "ExecStop"),
        stop_post: commands(s, "ExecStopPost"),
        timeout_start: timeout_start.unwrap_or(DEFAULT_TIMEOUT),
        timeout_stop: span(s, "Service", "TimeoutStopSec")
            .or(timeout)
            .unwrap_or(DEFAULT_TIMEOUT),
        restart: get(s, "Service", "Restart")
            .and_then(RestartPolicy::parse)
            .unwrap_or(RestartPolicy::No),
        restart_sec: span(s, "Service", "RestartSec").unwrap_or(DEFAULT_RESTART),
        success_status,
        success_signals,
        runtime_max: span(s, "Service", "RuntimeMaxSec").unwrap_or(INFINITY),
        watchdog: span(s, "Service", "WatchdogSec").unwrap_or(0),
        environment: if s.has("Service", "Environment") {
            super::environ::assignments(s.s, id, fragment, sp)
        } else {
            Vec::new()
        },
        environment_files: if s.has("Service", "EnvironmentFile") {
            super::environ::files(s.s, id, fragment, sp)
        } else {
            Vec::new()
        },
        pid_file: if s.has("Service", "PIDFile") {
            pid_file(s.s, id, fragment, sp)
        } else {
            None
        },
    }
}
