//! The `[Timer]` settings of a loaded timer unit, read as systemd 252's `config_parse_timer()`
//! reads them: every `On*=` assignment adds a value (an empty one drops *all* values so far,
//! whatever their kind), values are kept newest first, a value that does not parse is ignored with
//! a warning.
use super::super::Usec;
use unitlab_engine::load::LoadedUnit;
use unitlab_engine::time::calendar::CalendarSpec;
use unitlab_engine::time::span::parse_sec;
use unitlab_engine::time::zone::{Zone, ZoneSource};
use unitlab_engine::time::USEC_PER_MINUTE;

/// `DefaultTimerAccuracySec=` of systemd 252.
pub const DEFAULT_ACCURACY: Usec = USEC_PER_MINUTE;

/// What a timer value counts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Base {
    /// `OnActiveSec=`: the timer's activation.
    Active,
    /// `OnBootSec=`: the boot.
    Boot,
    /// `OnStartupSec=`: the manager's start.
    Startup,
    /// `OnUnitActiveSec=`: the triggered unit's last activation.
    UnitActive,
    /// `OnUnitInactiveSec=`: the triggered unit's last deactivation.
    UnitInactive,
    /// `OnCalendar=`.
    Calendar,
}

impl Base {
    /// The setting's name (`OnActiveSec`).
    pub fn setting(self) -> &'static str {
        match self {
            Base::Active => "OnActiveSec",
            Base::Boot => "OnBootSec",
            Base::Startup => "OnStartupSec",
            Base::UnitActive => "OnUnitActiveSec",
            Base::UnitInactive => "OnUnitInactiveSec",
            Base::Calendar => "OnCalendar",
        }
    }

    /// The D-Bus name in `TimersMonotonic=` (`OnActiveUSec`).
    pub fn usec_name(self) -> &'static str {
        match self {
            Base::Active => "OnActiveUSec",
            Base::Boot => "OnBootUSec",
            Base::Startup => "OnStartupUSec",
            Base::UnitActive => "OnUnitActiveUSec",
            Base::UnitInactive => "OnUnitInactiveUSec",
            Base::Calendar => "OnCalendar",
        }
    }

    fn of(key: &str) -> Option<Base> {
        Some(match key {
            "OnActiveSec" => Base::Active,
            "OnBootSec" => Base::Boot,
            "OnStartupSec" => Base::Startup,
            "OnUnitActiveSec" => Base::UnitActive,
            "OnUnitInactiveSec" => Base::UnitInactive,
            "OnCalendar" => Base::Calendar,
            _ => return None,
        })
    }
}

/// One `On*=` value.
#[derive(Clone, Debug)]
pub struct TimerValue {
    /// Its kind.
    pub base: Base,
    /// The span of a monotonic value (0 for calendar values).
    pub value: Usec,
    /// The calendar specification of an `OnCalendar=` value.
    pub calendar: Option<CalendarSpec>,
    /// The manager's number for this calendar specification in its configuration's zone:
    /// equal specifications in equal zones get the same number (0: none given). The manager's
    /// memo of calendar elapses compares these numbers instead of the specifications.
    pub calendar_id: u32,
}

/// The settings of one timer.
#[derive(Clone, Debug)]
pub struct TimerConfig {
    /// The values, newest first (systemd's list order).
    pub values: Vec<TimerValue>,
    /// `AccuracySec=`.
    pub accuracy: Usec,
    /// `RandomizedDelaySec=`.
    pub random: Usec,
    /// `FixedRandomDelay=`.
    pub fixed_random_delay: bool,
    /// `Persistent=`.
    pub persistent: bool,
    /// `WakeSystem=` (accepted; the simulated machine never sleeps).
    pub wake_system: bool,
    /// `RemainAfterElapse=`.
    pub remain_after_elapse: bool,
    /// `OnClockChange=`.
    pub on_clock_change: bool,
    /// `OnTimezoneChange=`.
    pub on_timezone_change: bool,
    /// Load-time warnings (`file:line: message`), for the journal.
    pub warnings: Vec<String>,
    /// The local time zone calendar values are computed in (unless they name one).
    pub local: Zone,
}

fn parse_bool(s: &str) -> Option<bool> {
    super::super::config::parse_bool(s)
}

impl TimerConfig {
    /// Reads the `[Timer]` section of `unit`; calendar specs are computed in `local` time and may
    /// name the zones `zones` knows.
    pub fn of(unit: &LoadedUnit, local: &Zone, zones: &dyn ZoneSource) -> TimerConfig {
        let mut c = TimerConfig {
            values: Vec::new(),
            accuracy: DEFAULT_ACCURACY,
            random: 0,
            fixed_random_delay: false,
            persistent: false,
            wake_system: false,
            remain_after_elapse: true,
            on_clock_change: false,
            on_timezone_change: false,
            warnings: Vec::new(),
            local: local.clone(),
        };
        for file in unit.settings.files() {
            let path = file.file.to_string();
            for section in file.sections().filter(|s| s.known && s.name == "Timer") {
                for e in section.entries() {
                    let value = e.value.trim();
                    let at = format!("{path}:{}", e.line);
                    if let Some(base) = Base::of(e.key) {
                        if value.is_empty() {
                            c.values.clear();
                            continue;
                        }
                        let v = if base == Base::Calendar {
                            match CalendarSpec::parse(value, local, zones) {
                                Ok(spec) => TimerValue {
                                    base,
                                    value: 0,
                                    calendar: Some(spec),
                                    calendar_id: 0,
                                },
                                Err(_) => {
                                    c.warnings.push(format!("{at}: Failed to parse calendar specification, ignoring: {value}"));
                                    continue;
                                }
                            }
                        } else {
                            match parse_sec(value) {
                                Ok(t) => TimerValue {
                                    base,
                                    value: t,
                                    calendar: None,
                                    calendar_id: 0,
                                },
                                Err(_) => {
                                    c.warnings.push(format!(
                                        "{at}: Failed to parse timer value, ignoring: {value}"
                                    ));
                                    continue;
                                }
                            }
                        };
                        c.values.insert(0, v);
                        continue;
                    }
                    let flag = |d: bool| {
                        if value.is_empty() {
                            Some(d)
                        } else {
                            parse_bool(value)
                        }
                    };
                    let span = |d: Usec| {
                        if value.is_empty() {
                            Some(d)
                        } else {
                            parse_sec(value).ok()
                        }
                    };
                    let ok = match e.key {
                        "AccuracySec" => span(DEFAULT_ACCURACY).map(|t| c.accuracy = t),
                        "RandomizedDelaySec" => span(0).map(|t| c.random = t),
                        "FixedRandomDelay" => flag(false).map(|b| c.fixed_random_delay = b),
                        "Persistent" => flag(false).map(|b| c.persistent = b),
                        "WakeSystem" => flag(false).map(|b| c.wake_system = b),
                        "RemainAfterElapse" => flag(true).map(|b| c.remain_after_elapse = b),
                        "OnClockChange" => flag(false).map(|b| c.on_clock_change = b),
                        "OnTimezoneChange" => flag(false).map(|b| c.on_timezone_change = b),
                        _ => Some(()),
                    };
                    if ok.is_none() {
                        c.warnings.push(format!(
                            "{at}: Failed to parse {} value, ignoring: {value}",
                            e.key
                        ));
                    }
                }
            }
        }
        c
    }

    /// Whether any value is an `OnCalendar=` one.
    pub fn has_calendar(&self) -> bool {
        self.values.iter().any(|v| v.base == Base::Calendar)
    }
}
