//! # Time: spans, timestamps, time zones and calendar specifications
//!
//! systemd measures time in **microseconds** (`usec`, a `u64`): a *time span* is a duration, a
//! *timestamp* is a point on the realtime clock (microseconds since the UNIX epoch, UTC). The
//! largest value, [`USEC_INFINITY`], means "never" / "infinity". This module reproduces systemd
//! 252's handling of all three kinds of text around them, byte for byte:
//!
//! * [`span`]: `parse_sec`/`parse_time` (`1h 30min`, `5`, `2.5s`, `infinity`) and
//!   `format_timespan` (`1min 30s`, `infinity`), the form `systemctl show` prints.
//! * [`timestamp`]: `format_timestamp` (`Tue 2026-11-24 12:00:00 UTC`),
//!   `format_timestamp_relative` (`5min ago`, `1 day 2h left`) and `parse_timestamp`, the forms
//!   `systemd-analyze timestamp` accepts.
//! * [`zone`]: time zones. systemd leans on glibc for local time (`localtime_r`, `mktime`), and the
//!   results of calendar computations around daylight-saving changes depend on glibc's exact
//!   behaviour. A [`zone::Zone`] is either UTC or a zone read from **TZif** bytes (the files
//!   under `/usr/share/zoneinfo`, which the *caller* passes in: the engine never reads the host
//!   outside its [`crate::fs::FileSystem`] abstraction). [`zone::Zone::mktime`] models glibc's
//!   `mktime` (its probing, its handling of gaps and overlaps, its offset guess carried from call
//!   to call in a [`zone::MktimeState`]). [`zone::ZoneSource`] looks zones up by name (an in-memory
//!   map, or `/usr/share/zoneinfo` in a filesystem).
//! * [`calendar`]: `OnCalendar=` expressions ([`calendar::CalendarSpec`]): parsing with systemd's
//!   errors, the normalized form `systemd-analyze calendar` prints, and the next elapse after a
//!   given realtime, computed with systemd's own search (so that the oddities around DST changes
//!   and impossible dates match too).
//!
//! Errors are the errno values systemd returns ([`Errno`]), displayed with glibc's `strerror`
//! text, since that is what systemd prints after its messages.
//!
//! ## Example
//!
//! ```
//! use unitlab_engine::time::calendar::CalendarSpec;
//! use unitlab_engine::time::span::{format_timespan, parse_sec};
//! use unitlab_engine::time::timestamp::format_timestamp;
//! use unitlab_engine::time::zone::{Zone, ZoneMap};
//!
//! assert_eq!(parse_sec("1h 30min"), Ok(5_400_000_000));
//! assert_eq!(format_timespan(90_000_000, 0), "1min 30s");
//!
//! let utc = Zone::utc();
//! let spec = CalendarSpec::parse("Mon..Fri 10:00", &utc, &ZoneMap::new()).unwrap();
//! assert_eq!(spec.to_string(), "Mon..Fri *-*-* 10:00:00");
//! // Tue 2026-11-24 12:00:00 UTC
//! let next = spec.next_elapse(1_795_521_600_000_000, &utc).unwrap().unwrap();
//! assert_eq!(format_timestamp(next, &utc).unwrap(), "Wed 2026-11-25 10:00:00 UTC");
//! ```

pub mod calendar;
mod civil;
pub mod span;
pub mod timestamp;
mod tzif;
pub mod zone;

pub use civil::Tm;

/// Microseconds: systemd's `usec_t`.
pub type Usec = u64;

/// "Infinity" / "never": `USEC_INFINITY`.
pub const USEC_INFINITY: Usec = u64::MAX;
/// Microseconds per millisecond.
pub const USEC_PER_MSEC: Usec = 1_000;
/// Microseconds per second.
pub const USEC_PER_SEC: Usec = 1_000_000;
/// Microseconds per minute.
pub const USEC_PER_MINUTE: Usec = 60 * USEC_PER_SEC;
/// Microseconds per hour.
pub const USEC_PER_HOUR: Usec = 60 * USEC_PER_MINUTE;
/// Microseconds per day.
pub const USEC_PER_DAY: Usec = 24 * USEC_PER_HOUR;
/// Microseconds per week.
pub const USEC_PER_WEEK: Usec = 7 * USEC_PER_DAY;
/// Microseconds per month as systemd counts it (30.44 days).
pub const USEC_PER_MONTH: Usec = 2_629_800 * USEC_PER_SEC;
/// Microseconds per year as systemd counts it (365.25 days).
pub const USEC_PER_YEAR: Usec = 31_557_600 * USEC_PER_SEC;
/// The latest timestamp systemd formats or computes with (`Thu 9999-12-30 23:59:59 UTC`).
pub const USEC_TIMESTAMP_FORMATTABLE_MAX: Usec = 253_402_214_399_000_000;

/// The errno values systemd's time functions fail with. `Display` is glibc's `strerror` text,
/// which is what systemd prints after `: ` in its messages (`%m`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
pub enum Errno {
    /// `EINVAL`: the text is not valid.
    #[error("Invalid argument")]
    Invalid,
    /// `ERANGE`: a number is out of range.
    #[error("Numerical result out of range")]
    Range,
    /// `ENOBUFS`: a calendar component list is longer than systemd allows.
    #[error("No buffer space available")]
    NoBufs,
    /// `EDEADLK`: the calendar search gave up (systemd's safety valve).
    #[error("Resource deadlock avoided")]
    Deadlock,
}
