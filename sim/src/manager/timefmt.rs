//! Time spans and timestamps as systemd parses and prints them (`parse_sec()`,
//! `format_timespan()`, `format_timestamp()`, `format_timestamp_relative()`). The simulated
//! machine runs in UTC.
use super::Usec;

/// `USEC_INFINITY`.
pub const INFINITY: Usec = u64::MAX;
const SEC: Usec = 1_000_000;
const MINUTE: Usec = 60 * SEC;
const HOUR: Usec = 60 * MINUTE;
const DAY: Usec = 24 * HOUR;
const WEEK: Usec = 7 * DAY;
const MONTH: Usec = 2_629_800 * SEC;
const YEAR: Usec = 31_557_600 * SEC;

/// Parses a time span (`90`, `100ms`, `1min 30s`, `infinity`); a bare number is in `default_unit`
/// microseconds (seconds for most settings). `None` if invalid.
pub fn parse_timespan(s: &str, default_unit: Usec) -> Option<Usec> {
    let s = s.trim();
    if s == "infinity" {
        return Some(INFINITY);
    }
    let mut total: Usec = 0;
    let mut rest = s;
    let mut any = false;
    while !rest.is_empty() {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return None;
        }
        let num: f64 = rest[..num_len].parse().ok()?;
        rest = rest[num_len..].trim_start();
        let unit_len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let mult = match unit {
            "" => default_unit,
            "us" | "usec" | "µs" => 1,
            "ms" | "msec" => 1000,
            "s" | "sec" | "second" | "seconds" => SEC,
            "m" | "min" | "minute" | "minutes" => MINUTE,
            "h" | "hr" | "hour" | "hours" => HOUR,
            "d" | "day" | "days" => DAY,
            "w" | "week" | "weeks" => WEEK,
            "M" | "month" | "months" => MONTH,
            "y" | "year" | "years" => YEAR,
            _ => return None,
        };
        total = total.saturating_add((num * mult as f64) as Usec);
        any = true;
    }
    any.then_some(total)
}

/// `format_timespan(t, accuracy)`: `1min 30s`, `100ms`, `1.500s`, `infinity`, `0`.
pub fn format_timespan(t: Usec, accuracy: Usec) -> String {
    const TABLE: [(&str, Usec); 9] = [
        ("y", YEAR),
        ("month", MONTH),
        ("w", WEEK),
        ("d", DAY),
        ("h", HOUR),
        ("min", MINUTE),
        ("s", SEC),
        ("ms", 1000),
        ("us", 1),
    ];
    if t == INFINITY {
        return "infinity".into();
    }
    if t == 0 {
        return "0".into();
    }
    let accuracy = accuracy.max(1);
    let mut out = String::new();
    let mut t = t;
    let mut something = false;
    for (suffix, unit) in TABLE {
        if t == 0 {
            break;
        }
        if t < accuracy && something {
            break;
        }
        if t < unit {
            continue;
        }
        let a = t / unit;
        let mut b = t % unit;
        let sep = if out.is_empty() { "" } else { " " };
        if t < MINUTE && b > 0 {
            let mut j: i32 = 0;
            let mut cc = unit;
            while cc > 1 {
                j += 1;
                cc /= 10;
            }
            let mut cc = accuracy;
            while cc > 1 {
                b /= 10;
                j -= 1;
                cc /= 10;
            }
            if j > 0 {
                out.push_str(&format!("{sep}{a}.{b:0width$}{suffix}", width = j as usize));
                break;
            }
        }
        out.push_str(&format!("{sep}{a}{suffix}"));
        t = b;
        something = true;
    }
    out
}

/// `format_timestamp()` in UTC: `Tue 2026-11-24 12:47:31 UTC`.
pub fn format_timestamp(realtime: Usec) -> String {
    let secs = realtime / SEC;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    const WD: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    let wd = WD[days.rem_euclid(7) as usize];
    format!(
        "{wd} {y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// Days since 1970-01-01 → (year, month, day) (proleptic Gregorian).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `format_timestamp_relative()`: `19ms ago`, `1min 5s ago`, `now`.
pub fn format_relative(then: Usec, now: Usec) -> String {
    if then > now {
        let d = then - now;
        return format!("{} left", relative_span(d));
    }
    let d = now - then;
    if d == 0 {
        return "now".into();
    }
    format!("{} ago", relative_span(d))
}

fn relative_span(d: Usec) -> String {
    if d >= YEAR {
        let years = d / YEAR;
        let months = (d % YEAR) / MONTH;
        let ys = if years == 1 { "year" } else { "years" };
        let ms = if months == 1 { "month" } else { "months" };
        format!("{years} {ys} {months} {ms}")
    } else if d >= MONTH {
        let months = d / MONTH;
        let days = (d % MONTH) / DAY;
        let ms = if months == 1 { "month" } else { "months" };
        let ds = if days == 1 { "day" } else { "days" };
        format!("{months} {ms} {days} {ds}")
    } else if d >= WEEK {
        let weeks = d / WEEK;
        let days = (d % WEEK) / DAY;
        let ws = if weeks == 1 { "week" } else { "weeks" };
        let ds = if days == 1 { "day" } else { "days" };
        format!("{weeks} {ws} {days} {ds}")
    } else if d >= 2 * DAY {
        format!("{} days", d / DAY)
    } else if d >= 25 * HOUR {
        format!("1 day {}h", (d - DAY) / HOUR)
    } else if d >= 6 * HOUR {
        format!("{}h", d / HOUR)
    } else if d >= HOUR {
        format!("{}h {}min", d / HOUR, (d % HOUR) / MINUTE)
    } else if d >= 5 * MINUTE {
        format!("{}min", d / MINUTE)
    } else if d >= MINUTE {
        format!("{}min {}s", d / MINUTE, (d % MINUTE) / SEC)
    } else if d >= SEC {
        format!("{}s", d / SEC)
    } else if d >= 1000 {
        format!("{}ms", d / 1000)
    } else {
        format!("{d}us")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Values seen in `systemctl --user show` and `status` of systemd 252 (reference §11 runs):
    // RestartUSec=100ms, TimeoutStartUSec=1min 30s, "Duration: 1ms".
    #[test]
    fn timespans_print_like_systemd() {
        assert_eq!(format_timespan(100_000, 1), "100ms");
        assert_eq!(format_timespan(90 * SEC, 1), "1min 30s");
        assert_eq!(format_timespan(INFINITY, 1), "infinity");
        assert_eq!(format_timespan(0, 1), "0");
        assert_eq!(format_timespan(1500, 1000), "1ms");
        assert_eq!(parse_timespan("1min 30s", SEC), Some(90 * SEC));
        assert_eq!(parse_timespan("100ms", SEC), Some(100_000));
        assert_eq!(parse_timespan("5", SEC), Some(5 * SEC));
        assert_eq!(parse_timespan("x", SEC), None);
    }

    #[test]
    fn timestamps_in_utc() {
        // 2026-11-24 12:47:31 UTC was a Tuesday (seen in the live manager's status output).
        let t = 1_795_524_451 * SEC;
        assert_eq!(format_timestamp(t), "Tue 2026-11-24 12:47:31 UTC");
        assert_eq!(format_relative(t, t + 19_000), "19ms ago");
        assert_eq!(format_relative(t, t + 65 * SEC), "1min 5s ago");
    }
}
