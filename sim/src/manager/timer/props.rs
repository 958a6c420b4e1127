//! What `systemctl show` and `systemctl status` print of timers: the
//! `org.freedesktop.systemd1.Timer` properties in systemd 252's order, and the `Trigger:` line
//! of a timer's `status` (its next elapse, or `n/a`; the `TriggeredBy:`/`Triggers:` lines around
//! it are `triggers.rs`').
use super::super::timefmt::{format_timespan, format_timestamp};
use super::super::units::Unit;
use super::super::{Manager, Usec};
use super::config::{Base, TimerConfig};
use std::sync::Arc;
use unitlab_engine::fs::MemFs;
use unitlab_engine::name::UnitType;
use unitlab_engine::time::USEC_INFINITY;

fn yn(b: bool) -> String {
    if b { "yes" } else { "no" }.to_owned()
}

/// The realtime of a next elapse as systemctl computes it (`calc_next_elapse()`): the monotonic
/// one converted with the client's clocks, or the earlier of both; 0 when neither is set.
pub fn calc_next_elapse(now_rt: Usec, now_mono: Usec, next_rt: Usec, next_mono: Usec) -> Usec {
    let set = |t: Usec| t > 0 && t != USEC_INFINITY;
    if set(next_mono) {
        let converted = if next_mono > now_mono {
            now_rt.saturating_add(next_mono - now_mono)
        } else {
            now_rt.saturating_sub(now_mono - next_mono)
        };
        if set(next_rt) {
            converted.min(next_rt)
        } else {
            converted
        }
    } else {
        next_rt
    }
}

/// A timer's next elapses (realtime, monotonic) and last trigger, as the bus reports them.
pub fn elapses(u: &Unit) -> (Usec, Usec, (Usec, Usec)) {
    match &u.timer {
        Some(rt) => (rt.next_rt, rt.next_mono, rt.last_trigger),
        None => (USEC_INFINITY, USEC_INFINITY, (0, 0)),
    }
}

/// The `show` properties of a timer unit (empty for other units), to come before the unit's.
pub fn properties(m: &Manager, fs: &MemFs, u: &Unit) -> Vec<(String, String)> {
    if u.unit_type() != UnitType::Timer {
        return Vec::new();
    }
    let cfg: Arc<TimerConfig> = match &u.timer {
        Some(rt) => rt.cfg.clone(),
        None => Arc::new(m.timer_config(fs, u)),
    };
    let mut p: Vec<(String, String)> = Vec::new();
    let mut push = |k: &str, v: String| p.push((k.to_owned(), v));
    let trigger = m
        .trigger_of(u.id())
        .map(|t| t.to_string())
        .unwrap_or_default();
    push("Unit", trigger);
    let value_next = |i: usize| {
        u.timer
            .as_ref()
            .and_then(|rt| rt.value_next.get(i).copied())
            .unwrap_or(0)
    };
    for (i, v) in cfg.values.iter().enumerate() {
        if v.base != Base::Calendar {
            push(
                "TimersMonotonic",
                format!(
                    "{{ {}={} ; next_elapse={} }}",
                    v.base.usec_name(),
                    format_timespan(v.value, 0),
                    format_timespan(value_next(i), 0)
                ),
            );
        }
    }
    for (i, v) in cfg.values.iter().enumerate() {
        if let Some(spec) = &v.calendar {
            // An unset elapse (a spec that never elapses) is a NULL string in systemctl's
            // printf: `(null)`, as a real 252.38 prints it.
            let next = format_timestamp(value_next(i));
            let next = if next.is_empty() {
                "(null)".to_owned()
            } else {
                next
            };
            push(
                "TimersCalendar",
                format!("{{ OnCalendar={spec} ; next_elapse={next} }}"),
            );
        }
    }
    push("OnClockChange", yn(cfg.on_clock_change));
    push("OnTimezoneChange", yn(cfg.on_timezone_change));
    let (next_rt, next_mono, last) = elapses(u);
    push("NextElapseUSecRealtime", format_timestamp(next_rt));
    push("NextElapseUSecMonotonic", format_timespan(next_mono, 0));
    push("LastTriggerUSec", format_timestamp(last.0));
    push("LastTriggerUSecMonotonic", format_timespan(last.1, 0));
    push("Result", u.result.as_str().to_owned());
    push("AccuracyUSec", format_timespan(cfg.accuracy, 0));
    push("RandomizedDelayUSec", format_timespan(cfg.random, 0));
    push("FixedRandomDelay", yn(cfg.fixed_random_delay));
    push("Persistent", yn(cfg.persistent));
    push("WakeSystem", yn(cfg.wake_system));
    push("RemainAfterElapse", yn(cfg.remain_after_elapse));
    p
}

/// The `Trigger:` line of a timer's `status`: the next elapse (realtime, as systemctl computes
/// it from both clocks) and how far it is, or `n/a`; empty for other units.
pub fn trigger_line(m: &Manager, u: &Unit) -> String {
    if u.unit_type() != UnitType::Timer {
        return String::new();
    }
    let (next_rt, next_mono, _) = elapses(u);
    let now_rt = m.clock.realtime();
    let now_mono = m.clock.monotonic;
    let next = calc_next_elapse(now_rt, now_mono, next_rt, next_mono);
    if next > 0 && next != USEC_INFINITY {
        format!(
            "    Trigger: {}; {}\n",
            format_timestamp(next),
            relative(next, now_rt)
        )
    } else {
        "    Trigger: n/a\n".to_owned()
    }
}

/// `format_timestamp_relative()` of two realtimes (`1s left`, `5min ago`).
pub fn relative(t: Usec, now: Usec) -> String {
    unitlab_engine::time::timestamp::format_timestamp_relative(t, now).unwrap_or_default()
}
