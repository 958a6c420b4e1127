//! Calendar arithmetic for the simulated wall clock (UTC only: the machine has no time zones).

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01: (year, month 1–12, day 1–31).
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The broken-down UTC time of `usec` microseconds since the epoch.
pub struct Civil {
    /// Month 1–12.
    pub month: i64,
    /// Day 1–31.
    pub day: i64,
    /// Hour, minute, second.
    pub hms: (i64, i64, i64),
}

/// Breaks `usec` down (UTC).
pub fn civil(usec: u64) -> Civil {
    let secs = i64::try_from(usec / 1_000_000).unwrap_or(i64::MAX / 2);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (_, month, day) = civil_from_days(days);
    Civil {
        month,
        day,
        hms: (rem / 3600, rem / 60 % 60, rem % 60),
    }
}

/// Abbreviated month name (`Jan`..`Dec`).
pub fn month_name(month: i64) -> &'static str {
    MONTHS[usize::try_from(month - 1).unwrap_or(0).min(11)]
}

/// `ls -l`'s time column for a recent file: `Nov 24 12:00` (`%b %e %H:%M`).
pub fn ls_time(usec: u64) -> String {
    let c = civil(usec);
    format!(
        "{} {:>2} {:02}:{:02}",
        month_name(c.month),
        c.day,
        c.hms.0,
        c.hms.1
    )
}

/// journalctl's short timestamp: `Nov 24 12:00:00`.
pub fn journal_time(usec: u64) -> String {
    let c = civil(usec);
    format!(
        "{} {:02} {:02}:{:02}:{:02}",
        month_name(c.month),
        c.day,
        c.hms.0,
        c.hms.1,
        c.hms.2
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for d in [-1000, 0, 1, 59, 365, 20_000, 20_781] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
        // 2026-11-24 is day 20_781 (date -d 2026-11-24 +%s / 86400).
        assert_eq!(days_from_civil(2026, 11, 24), 20_781);
        assert_eq!(
            ls_time(20_781 * 86_400_000_000 + 3_600_000_000),
            "Nov 24 01:00"
        );
    }
}
