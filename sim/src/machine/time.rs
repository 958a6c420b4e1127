//! The simulated wall clock's calendar (UTC only: the machine has no time zones), on top of the
//! engine's broken-down time ([`unitlab_engine::time::zone::gmtime`]).
use unitlab_engine::time::zone::{gmtime, timegm};
use unitlab_engine::time::Tm;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Days since 1970-01-01 of a proleptic Gregorian date (month 1–12).
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let mut tm = Tm {
        year,
        mon: month - 1,
        mday: day,
        ..Tm::default()
    };
    timegm(&mut tm).div_euclid(86_400)
}

fn broken_down(usec: u64) -> Tm {
    gmtime(i64::try_from(usec / 1_000_000).unwrap_or(i64::MAX / 2))
}

fn month_name(tm: &Tm) -> &'static str {
    MONTHS[usize::try_from(tm.mon).unwrap_or(0).min(11)]
}

/// `ls -l`'s time column for a recent file: `Nov 24 12:00` (`%b %e %H:%M`).
pub fn ls_time(usec: u64) -> String {
    let t = broken_down(usec);
    format!(
        "{} {:>2} {:02}:{:02}",
        month_name(&t),
        t.mday,
        t.hour,
        t.min
    )
}

/// journalctl's short timestamp: `Nov 24 12:00:00`.
pub fn journal_time(usec: u64) -> String {
    let t = broken_down(usec);
    format!(
        "{} {:02} {:02}:{:02}:{:02}",
        month_name(&t),
        t.mday,
        t.hour,
        t.min,
        t.sec
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar() {
        // 2026-11-24 is day 20_781 (date -d 2026-11-24 +%s / 86400).
        assert_eq!(days_from_civil(2026, 11, 24), 20_781);
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(
            ls_time(20_781 * 86_400_000_000 + 3_600_000_000),
            "Nov 24 01:00"
        );
        assert_eq!(
            journal_time(20_781 * 86_400_000_000 + 3_723_000_000),
            "Nov 24 01:02:03"
        );
    }
}
