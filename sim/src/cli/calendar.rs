//! `unitlab calendar`, `unitlab timespan` and `unitlab timestamp`: `systemd-analyze calendar`,
//! `timespan` and `timestamp` 252, line for line.
//!
//! The local zone is the one glibc would use: `$TZ` from the [`Context`] (`:NAME` or `NAME`,
//! read from `/usr/share/zoneinfo`; empty means UTC), else `/etc/localtime`; named zones in
//! specs are read from `/usr/share/zoneinfo` too. "Now" is the realtime clock, or
//! `$UNITLAB_NOW_USEC` when set (for reproducible output).
use std::io::Write;

use camino::Utf8Path;
use unitlab_engine::fs::DirFs;
use unitlab_engine::time::calendar::CalendarSpec;
use unitlab_engine::time::span::{format_timespan, parse_time};
use unitlab_engine::time::timestamp::{
    format_timestamp, format_timestamp_relative, format_timestamp_utc, parse_timestamp_with_state,
};
use unitlab_engine::time::zone::{FsZones, MktimeState, Zone, ZoneSource};
use unitlab_engine::time::{Usec, USEC_PER_SEC};

use super::{Context, Global};

/// Arguments of `calendar`.
#[derive(Debug, clap::Args)]
pub struct CalendarArgs {
    /// Compute the elapses after this time instead of now (any `timestamp` form).
    #[arg(long, value_name = "TIME")]
    pub base_time: Option<String>,
    /// How many elapses to show.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub iterations: u32,
    /// The calendar specifications.
    #[arg(required = true, allow_hyphen_values = true)]
    pub specs: Vec<String>,
}

/// Arguments of `timespan`.
#[derive(Debug, clap::Args)]
pub struct TimespanArgs {
    /// The time spans.
    #[arg(required = true, allow_hyphen_values = true)]
    pub spans: Vec<String>,
}

/// Arguments of `timestamp`.
#[derive(Debug, clap::Args)]
pub struct TimestampArgs {
    /// The timestamps.
    #[arg(required = true, allow_hyphen_values = true)]
    pub stamps: Vec<String>,
}

/// The host's time zone database and clock as seen from a [`Context`].
struct Clock {
    fs: Option<DirFs>,
    local: Zone,
    now: Usec,
}

impl Clock {
    fn new(ctx: &Context<'_>) -> Clock {
        let fs = DirFs::new("/").ok();
        let local = match &fs {
            None => Zone::utc(),
            Some(fs) => {
                let zones = FsZones::new(fs);
                match ctx.var("TZ") {
                    Some(tz) => {
                        let name = tz.strip_prefix(':').unwrap_or(tz);
                        if name.is_empty() {
                            Zone::utc()
                        } else {
                            zones.zone(name).unwrap_or_else(Zone::utc)
                        }
                    }
                    None => zones
                        .local_zone(Utf8Path::new("/etc/localtime"))
                        .unwrap_or_else(Zone::utc),
                }
            }
        };
        let now = ctx
            .var("UNITLAB_NOW_USEC")
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_micros() as Usec)
                    .unwrap_or(0)
            });
        Clock { fs, local, now }
    }

    fn zones(&self) -> Box<dyn ZoneSource + '_> {
        match &self.fs {
            Some(fs) => Box::new(FsZones::new(fs)),
            None => Box::new(unitlab_engine::time::zone::ZoneMap::new()),
        }
    }
}

/// A two-column table as systemd's format-table prints it without a header: the names
/// right-aligned to the widest, one space, the values. A value narrower than the widest is
/// padded and then loses its trailing white space; the widest is printed as is.
fn print_table(out: &mut dyn Write, rows: &[(String, String)]) {
    let width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let value_width = rows
        .iter()
        .map(|(_, v)| v.chars().count())
        .max()
        .unwrap_or(0);
    for (k, v) in rows {
        let pad = width - k.chars().count();
        let v = if v.chars().count() < value_width {
            v.trim_end()
        } else {
            v.as_str()
        };
        let _ = writeln!(out, "{}{k} {v}", " ".repeat(pad));
    }
}

/// systemd's `is_locale_utf8()` from the environment: `$SYSTEMD_UTF8` if set, else the first of
/// `LC_ALL`, `LC_CTYPE`, `LANG` that is set names a UTF-8 locale; with none set (the C locale
/// chosen by default) systemd assumes UTF-8.
fn locale_is_utf8(ctx: &Context<'_>) -> bool {
    if let Some(v) = ctx.var("SYSTEMD_UTF8") {
        return matches!(v, "1" | "yes" | "y" | "true" | "t" | "on");
    }
    match ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|k| ctx.var(k).filter(|v| !v.is_empty()))
    {
        None => true,
        Some(v) => {
            let v = v.to_ascii_lowercase();
            v.contains("utf-8") || v.contains("utf8")
        }
    }
}

/// systemd-analyze's `time_parsing_hint()`. The timestamp check runs `mktime()` in the same
/// process, so it shares the caller's offset guess.
fn hints(
    ctx: &mut Context<'_>,
    clock: &Clock,
    text: &str,
    kinds: (bool, bool, bool),
    state: &mut MktimeState,
) {
    let (calendar, timestamp, timespan) = kinds;
    let zones = clock.zones();
    if calendar && CalendarSpec::parse(text, &clock.local, zones.as_ref()).is_ok() {
        let _ = writeln!(
            ctx.err,
            "Hint: this expression is a valid calendar specification. Use 'systemd-analyze calendar \"{text}\"' instead?"
        );
    }
    if timestamp
        && parse_timestamp_with_state(text, clock.now, &clock.local, zones.as_ref(), state).is_ok()
    {
        let _ = writeln!(
            ctx.err,
            "Hint: this expression is a valid timestamp. Use 'systemd-analyze timestamp \"{text}\"' instead?"
        );
    }
    if timespan && parse_time(text, USEC_PER_SEC).is_ok() {
        let _ = writeln!(
            ctx.err,
            "Hint: this expression is a valid timespan. Use 'systemd-analyze timespan \"{text}\"' instead?"
        );
    }
}

fn stamp(t: Usec, zone: &Zone) -> String {
    format_timestamp(t, zone).unwrap_or_else(|| "n/a".to_string())
}

fn relative(t: Usec, now: Usec) -> String {
    format_timestamp_relative(t, now).unwrap_or_else(|| "n/a".to_string())
}

/// Runs `calendar`.
pub fn run_calendar(ctx: &mut Context<'_>, _global: &Global, args: CalendarArgs) -> i32 {
    let clock = Clock::new(ctx);
    let zones = clock.zones();
    let mut state = MktimeState::default();
    let base = match &args.base_time {
        None => clock.now,
        Some(text) => match parse_timestamp_with_state(
            text,
            clock.now,
            &clock.local,
            zones.as_ref(),
            &mut state,
        ) {
            Ok(t) => t,
            Err(_) => {
                let _ = writeln!(ctx.err, "Failed to parse --base-time= parameter: {text}");
                return 1;
            }
        },
    };
    let mut status = 0;
    for (i, text) in args.specs.iter().enumerate() {
        match CalendarSpec::parse(text, &clock.local, zones.as_ref()) {
            Err(e) => {
                let _ = writeln!(
                    ctx.err,
                    "Failed to parse calendar specification '{text}': {e}"
                );
                hints(ctx, &clock, text, (false, true, true), &mut state);
                status = 1;
            }
            Ok(spec) => {
                let mut rows = Vec::new();
                let normalized = spec.to_string();
                if &normalized != text {
                    rows.push(("Original form:".to_string(), text.clone()));
                }
                rows.push(("Normalized form:".to_string(), normalized));
                let mut n = base;
                for k in 0..args.iterations {
                    match spec.next_elapse_with_state(n, &clock.local, &mut state) {
                        Ok(None) => {
                            if k == 0 {
                                rows.push(("Next elapse:".to_string(), "never".to_string()));
                            }
                            break;
                        }
                        Err(e) => {
                            // systemd returns before printing the table; its safety valve logs
                            // a warning first.
                            if e == unitlab_engine::time::Errno::Deadlock {
                                let _ = writeln!(
                                    ctx.err,
                                    "Infinite loop in calendar calculation: {spec}"
                                );
                            }
                            let _ = writeln!(
                                ctx.err,
                                "Failed to determine next elapse for '{text}': {e}"
                            );
                            rows.clear();
                            status = 1;
                            break;
                        }
                        Ok(Some(next)) => {
                            let label = if k == 0 {
                                "Next elapse:".to_string()
                            } else {
                                format!("Iter. #{}:", k + 1)
                            };
                            rows.push((label, stamp(next, &clock.local)));
                            if !clock.local.is_utc() {
                                rows.push((
                                    "(in UTC):".to_string(),
                                    format_timestamp_utc(next).unwrap_or_else(|| "n/a".to_string()),
                                ));
                            }
                            rows.push(("From now:".to_string(), relative(next, clock.now)));
                            n = next;
                        }
                    }
                }
                print_table(ctx.out, &rows);
            }
        }
        if i + 1 < args.specs.len() {
            let _ = writeln!(ctx.out);
        }
    }
    status
}

/// Runs `timespan`.
pub fn run_timespan(ctx: &mut Context<'_>, _global: &Global, args: TimespanArgs) -> i32 {
    let clock = Clock::new(ctx);
    let mu = if locale_is_utf8(ctx) {
        "\u{3bc}s:"
    } else {
        "us:"
    };
    for (i, text) in args.spans.iter().enumerate() {
        match parse_time(text, USEC_PER_SEC) {
            Err(e) => {
                let _ = writeln!(ctx.err, "Failed to parse time span '{text}': {e}");
                hints(
                    ctx,
                    &clock,
                    text,
                    (true, true, false),
                    &mut MktimeState::default(),
                );
                return 1;
            }
            Ok(us) => {
                print_table(
                    ctx.out,
                    &[
                        ("Original:".to_string(), text.clone()),
                        (mu.to_string(), us.to_string()),
                        ("Human:".to_string(), format_timespan(us, 0)),
                    ],
                );
            }
        }
        if i + 1 < args.spans.len() {
            let _ = writeln!(ctx.out);
        }
    }
    0
}

/// Runs `timestamp`.
pub fn run_timestamp(ctx: &mut Context<'_>, _global: &Global, args: TimestampArgs) -> i32 {
    let clock = Clock::new(ctx);
    let zones = clock.zones();
    let mut status = 0;
    let mut state = MktimeState::default();
    for (i, text) in args.stamps.iter().enumerate() {
        match parse_timestamp_with_state(text, clock.now, &clock.local, zones.as_ref(), &mut state)
        {
            Err(e) => {
                let _ = writeln!(ctx.err, "Failed to parse \"{text}\": {e}");
                hints(ctx, &clock, text, (true, false, true), &mut state);
                status = 1;
            }
            Ok(us) => {
                let mut rows = vec![
                    ("Original form:".to_string(), text.clone()),
                    ("Normalized form:".to_string(), stamp(us, &clock.local)),
                ];
                if !clock.local.is_utc() {
                    rows.push((
                        "(in UTC):".to_string(),
                        format_timestamp_utc(us).unwrap_or_else(|| "n/a".to_string()),
                    ));
                }
                let unix = if us % USEC_PER_SEC == 0 {
                    format!("@{}", us / USEC_PER_SEC)
                } else {
                    format!("@{}.{:06}", us / USEC_PER_SEC, us % USEC_PER_SEC)
                };
                rows.push(("UNIX seconds:".to_string(), unix));
                rows.push(("From now:".to_string(), relative(us, clock.now)));
                print_table(ctx.out, &rows);
            }
        }
        if i + 1 < args.stamps.len() {
            let _ = writeln!(ctx.out);
        }
    }
    status
}
