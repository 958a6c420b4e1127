//! Proleptic Gregorian calendar arithmetic and the broken-down time (`struct tm`) that the
//! calendar search manipulates.

/// A broken-down time, as C's `struct tm` but with the full year and 64-bit fields. Fields may
/// hold out-of-range values (day 32, hour 24, ...) between normalizations, exactly as systemd's
/// calendar search lets them; [`crate::time::zone::Zone::mktime`] normalizes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Tm {
    /// The year (e.g. 2026; C's `tm_year + 1900`).
    pub year: i64,
    /// Month, 0–11 when normalized.
    pub mon: i64,
    /// Day of the month, 1–31 when normalized.
    pub mday: i64,
    /// Hour, 0–23 when normalized.
    pub hour: i64,
    /// Minute, 0–59 when normalized.
    pub min: i64,
    /// Second, 0–59 when normalized.
    pub sec: i64,
    /// Day of the week, 0 = Sunday (output only).
    pub wday: i64,
    /// Daylight saving flag: negative = unknown, 0 = standard time, positive = DST.
    pub isdst: i64,
    /// Offset from UTC in seconds east (output only).
    pub utoff: i64,
}

/// Whether `year` is a leap year.
pub(crate) fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Days before the first of each month (0-based month) in a common year.
const DAYS_BEFORE: [i64; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/// Number of days in month `mon` (0-based) of `year`.
pub(crate) fn days_in_month(year: i64, mon: i64) -> i64 {
    const LEN: [i64; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if mon == 1 && is_leap(year) {
        29
    } else {
        LEN[mon as usize]
    }
}

/// Days from 1970-01-01 to January 1st of `year`.
pub(crate) fn days_before_year(year: i64) -> i64 {
    let y = year - 1;
    let leaps = y.div_euclid(4) - y.div_euclid(100) + y.div_euclid(400);
    // Leap days from year 1 up to 1969 inclusive: 477.
    (year - 1970) * 365 + (leaps - 477)
}

/// The "local seconds" of a broken-down time: the seconds since the epoch it would be if it were
/// UTC, with every field allowed out of range (C's `ydhms_diff` against the epoch). The month
/// carries into the year; the day, hour, minute and second are linear.
pub(crate) fn local_seconds(tm: &Tm) -> i64 {
    let year = tm.year + tm.mon.div_euclid(12);
    let mon = tm.mon.rem_euclid(12);
    let mut yday = DAYS_BEFORE[mon as usize] + tm.mday - 1;
    if mon >= 2 && is_leap(year) {
        yday += 1;
    }
    let days = days_before_year(year) + yday;
    days * 86_400 + tm.hour * 3_600 + tm.min * 60 + tm.sec
}

/// The broken-down UTC form of `secs` since the epoch plus an offset already applied (`secs` are
/// local seconds); `isdst` and `utoff` are left for the caller.
pub(crate) fn breakdown(secs: i64) -> Tm {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, mon, mday) = civil_from_days(days);
    Tm {
        year,
        mon,
        mday,
        hour: rem / 3_600,
        min: rem % 3_600 / 60,
        sec: rem % 60,
        // 1970-01-01 was a Thursday.
        wday: (days + 4).rem_euclid(7),
        isdst: 0,
        utoff: 0,
    }
}

/// (year, month 0–11, day 1–31) of a day count since 1970-01-01.
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    // Shift to an era starting on 0000-03-01 so that the leap day ends each 4/100/400 cycle.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month - 1, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_days() {
        for days in -800_000..800_000i64 {
            if days % 997 != 0 {
                continue;
            }
            let (y, m, d) = civil_from_days(days);
            let tm = Tm {
                year: y,
                mon: m,
                mday: d,
                ..Tm::default()
            };
            assert_eq!(local_seconds(&tm), days * 86_400, "{y}-{m}-{d}");
        }
        assert_eq!(civil_from_days(0), (1970, 0, 1));
        assert_eq!(breakdown(0).wday, 4);
    }

    #[test]
    fn out_of_range_fields_carry() {
        let tm = Tm {
            year: 2026,
            mon: 12,
            mday: 0,
            hour: 24,
            ..Tm::default()
        };
        // 2027-01-00 24:00 = 2027-01-01 00:00
        let b = breakdown(local_seconds(&tm));
        assert_eq!((b.year, b.mon, b.mday, b.hour), (2027, 0, 1, 0));
    }
}
