//! Timestamps: systemd's `format_timestamp()`, `format_timestamp_relative()` and
//! `parse_timestamp()`.
//!
//! A timestamp is a realtime instant in microseconds since the epoch. It is shown in a zone as
//! `Tue 2026-11-24 12:00:00 CET` (English weekday, the zone's abbreviation), or relative to
//! "now" as `5min ago` / `1 day 2h left`. Formatting never reads the clock: "now" is passed in.
use super::span::parse_sec;
use super::zone::{gmtime, MktimeState, Zone, ZoneSource};
use super::{
    civil, Errno, Usec, USEC_INFINITY, USEC_PER_DAY, USEC_PER_HOUR, USEC_PER_MINUTE,
    USEC_PER_MONTH, USEC_PER_MSEC, USEC_PER_SEC, USEC_PER_WEEK, USEC_PER_YEAR,
    USEC_TIMESTAMP_FORMATTABLE_MAX,
};

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// systemd's `timestamp_is_set()`: neither 0 nor infinity.
pub fn timestamp_is_set(t: Usec) -> bool {
    t > 0 && t != USEC_INFINITY
}

fn format_tm(t: Usec, tm: &civil::Tm, zone: &str, us: bool) -> String {
    let mut s = format!(
        "{} {:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        WEEKDAYS[tm.wday as usize],
        tm.year,
        tm.mon + 1,
        tm.mday,
        tm.hour,
        tm.min,
        tm.sec
    );
    if us {
        s.push_str(&format!(".{:06}", t % USEC_PER_SEC));
    }
    if !zone.is_empty() {
        s.push(' ');
        s.push_str(zone);
    }
    s
}

fn format_in(t: Usec, zone: Option<&Zone>, us: bool) -> Option<String> {
    if !timestamp_is_set(t) {
        return None;
    }
    if t > USEC_TIMESTAMP_FORMATTABLE_MAX {
        return Some("--- XXXX-XX-XX XX:XX:XX".to_string());
    }
    let sec = (t / USEC_PER_SEC) as i64;
    Some(match zone {
        Some(z) => format_tm(t, &z.localtime(sec), z.local_type(sec).abbr, us),
        None => format_tm(t, &gmtime(sec), "UTC", us),
    })
}

/// `format_timestamp()`: `Tue 2026-11-24 12:00:00 UTC` in `zone`; `None` for an unset
/// timestamp (0 or infinity), as systemd then prints `n/a` or nothing.
pub fn format_timestamp(t: Usec, zone: &Zone) -> Option<String> {
    format_in(t, Some(zone), false)
}

/// `format_timestamp_style(TIMESTAMP_US)`: with `.123456` microseconds.
pub fn format_timestamp_us(t: Usec, zone: &Zone) -> Option<String> {
    format_in(t, Some(zone), true)
}

/// `format_timestamp_style(TIMESTAMP_UTC)`: always in UTC, suffixed ` UTC`.
pub fn format_timestamp_utc(t: Usec) -> Option<String> {
    format_in(t, None, false)
}

/// `format_timestamp_relative()`: how far `t` is from `now` (`5min ago`, `1 day 2h left`,
/// `now`); `None` for an unset timestamp.
pub fn format_timestamp_relative(t: Usec, now: Usec) -> Option<String> {
    if !timestamp_is_set(t) {
        return None;
    }
    let (d, s) = if now > t {
        (now - t, "ago")
    } else {
        (t - now, "left")
    };
    let plural = |n: Usec, one: &'static str, many: &'static str| if n == 1 { one } else { many };
    Some(if d >= USEC_PER_YEAR {
        let years = d / USEC_PER_YEAR;
        let months = d % USEC_PER_YEAR / USEC_PER_MONTH;
        format!(
            "{years} {} {months} {} {s}",
            plural(years, "year", "years"),
            plural(months, "month", "months")
        )
    } else if d >= USEC_PER_MONTH {
        let months = d / USEC_PER_MONTH;
        let days = d % USEC_PER_MONTH / USEC_PER_DAY;
        format!(
            "{months} {} {days} {} {s}",
            plural(months, "month", "months"),
            plural(days, "day", "days")
        )
    } else if d >= USEC_PER_WEEK {
        let weeks = d / USEC_PER_WEEK;
        let days = d % USEC_PER_WEEK / USEC_PER_DAY;
        format!(
            "{weeks} {} {days} {} {s}",
            plural(weeks, "week", "weeks"),
            plural(days, "day", "days")
        )
    } else if d >= 2 * USEC_PER_DAY {
        format!("{} days {s}", d / USEC_PER_DAY)
    } else if d >= 25 * USEC_PER_HOUR {
        format!("1 day {}h {s}", (d - USEC_PER_DAY) / USEC_PER_HOUR)
    } else if d >= 6 * USEC_PER_HOUR {
        format!("{}h {s}", d / USEC_PER_HOUR)
    } else if d >= USEC_PER_HOUR {
        format!(
            "{}h {}min {s}",
            d / USEC_PER_HOUR,
            d % USEC_PER_HOUR / USEC_PER_MINUTE
        )
    } else if d >= 5 * USEC_PER_MINUTE {
        format!("{}min {s}", d / USEC_PER_MINUTE)
    } else if d >= USEC_PER_MINUTE {
        format!(
            "{}min {}s {s}",
            d / USEC_PER_MINUTE,
            d % USEC_PER_MINUTE / USEC_PER_SEC
        )
    } else if d >= USEC_PER_SEC {
        format!("{}s {s}", d / USEC_PER_SEC)
    } else if d >= USEC_PER_MSEC {
        format!("{}ms {s}", d / USEC_PER_MSEC)
    } else if d > 0 {
        format!("{d}us {s}")
    } else {
        "now".to_string()
    })
}

fn strip_suffix_no_case<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let n = s.len().checked_sub(suffix.len())?;
    if s.is_char_boundary(n) && s[n..].eq_ignore_ascii_case(suffix) {
        Some(&s[..n])
    } else {
        None
    }
}

/// `parse_timestamp()`: the forms `systemd-analyze timestamp` accepts: `now`, `today`,
/// `yesterday`, `tomorrow`, `+5min`, `-5min`, `5min ago`, `5min left`, `@SECONDS`,
/// `[WEEKDAY ]YYYY-MM-DD [HH:MM[:SS[.FRAC]]]` (also two-digit years), `HH:MM[:SS[.FRAC]]`,
/// `Mon DD HH:MM:SS`, each optionally followed by ` UTC` or by one of the local zone's
/// abbreviations. A trailing time zone name that `zones` knows makes systemd 252.38 fail (see
/// the code), and so it does here. `now` is the current realtime and `local` the local zone.
pub fn parse_timestamp(
    text: &str,
    now: Usec,
    local: &Zone,
    zones: &dyn ZoneSource,
) -> Result<Usec, Errno> {
    parse_timestamp_with_state(text, now, local, zones, &mut MktimeState::default())
}

/// [`parse_timestamp`] carrying glibc's `mktime` offset guess across calls, as one process does
/// (it decides which of two occurrences of a repeated local hour is meant).
pub fn parse_timestamp_with_state(
    text: &str,
    now: Usec,
    local: &Zone,
    zones: &dyn ZoneSource,
    state: &mut MktimeState,
) -> Result<Usec, Errno> {
    if let Some(sp) = text.rfind(' ') {
        let name = &text[sp + 1..];
        if strip_suffix_no_case(text, " UTC").is_none() && zones.zone(name).is_some() {
            // systemd 252.38 on Debian 12 evaluates such a timestamp in a forked child and fails
            // with EINVAL for every input (observed: `TZ=UTC systemd-analyze timestamp
            // "2027-12-29 12:00 Europe/Berlin"`), so a zone name that exists always fails.
            return Err(Errno::Invalid);
        }
    }
    parse_impl(text, now, local, false, state)
}

fn parse_impl(
    text: &str,
    now: Usec,
    local: &Zone,
    with_tz: bool,
    state: &mut MktimeState,
) -> Result<Usec, Errno> {
    if !with_tz {
        if let Some(rest) = text.strip_prefix('@') {
            return parse_sec(rest);
        }
    }
    let mut ret = now;
    let (mut plus, mut minus) = (0, 0);
    let mut t = text;
    let mut utc = false;
    let mut dst = -1;
    let mut done = false;
    if !with_tz {
        if t == "now" {
            done = true;
        } else if let Some(rest) = t.strip_prefix('+') {
            plus = parse_sec(rest)?;
            done = true;
        } else if let Some(rest) = t.strip_prefix('-') {
            minus = parse_sec(rest)?;
            done = true;
        } else if let Some(rest) = t.strip_suffix(" ago") {
            minus = parse_sec(rest)?;
            done = true;
        } else if let Some(rest) = t.strip_suffix(" left") {
            plus = parse_sec(rest)?;
            done = true;
        } else if let Some(rest) = strip_suffix_no_case(t, " UTC") {
            t = rest;
            utc = true;
        } else {
            let names = local.tzname();
            for (j, name) in names.iter().enumerate() {
                if name.is_empty() {
                    continue;
                }
                if let Some(rest) = strip_suffix_no_case(t, name) {
                    if let Some(rest) = rest.strip_suffix(' ') {
                        t = rest;
                        dst = j as i64;
                        break;
                    }
                }
            }
        }
    }
    if !done {
        ret = parse_absolute(t, now, local, utc, dst, state)?;
    }
    ret = ret.checked_add(plus).ok_or(Errno::Invalid)?;
    if ret > USEC_TIMESTAMP_FORMATTABLE_MAX {
        return Err(Errno::Invalid);
    }
    ret.checked_sub(minus).ok_or(Errno::Invalid)
}

/// A tiny `strptime`: `fmt` made of `%Y %y %m %d %H %M %S %b`, literal characters and spaces
/// (a space matches any run of white space). Returns the rest of the input.
fn strptime<'a>(input: &'a str, fmt: &str, tm: &mut civil::Tm) -> Option<&'a str> {
    let s = input.as_bytes();
    let mut i = 0;
    let mut f = fmt.bytes();
    let mut have_date = false;
    while let Some(c) = f.next() {
        if c == b'%' {
            let conv = f.next()?;
            if conv == b'b' {
                let word = input.get(i..i + 3)?;
                let m = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(word))?;
                i += 3;
                // The full name is accepted too.
                const LONG: [&str; 12] = [
                    "uary", "ruary", "ch", "il", "", "e", "y", "ust", "tember", "ober", "ember",
                    "ember",
                ];
                let tail = LONG[m];
                if !tail.is_empty()
                    && input
                        .get(i..i + tail.len())
                        .is_some_and(|w| w.eq_ignore_ascii_case(tail))
                {
                    i += tail.len();
                }
                tm.mon = m as i64;
                have_date = true;
                continue;
            }
            while i < s.len() && s[i] == b' ' {
                i += 1;
            }
            let (max_digits, lo, hi) = match conv {
                b'Y' => (4, 0, 9999),
                b'y' | b'm' | b'd' | b'H' | b'M' => (2, 0, 99),
                b'S' => (2, 0, 61),
                _ => return None,
            };
            let start = i;
            while i < s.len() && i - start < max_digits && s[i].is_ascii_digit() {
                i += 1;
            }
            if i == start {
                return None;
            }
            let v: i64 = input[start..i].parse().ok()?;
            if v < lo || v > hi {
                return None;
            }
            match conv {
                b'Y' => tm.year = v,
                b'y' => tm.year = if v < 69 { 2000 + v } else { 1900 + v },
                b'm' if (1..=12).contains(&v) => tm.mon = v - 1,
                b'd' if (1..=31).contains(&v) => tm.mday = v,
                b'H' if v <= 23 => tm.hour = v,
                b'M' if v <= 59 => tm.min = v,
                b'S' => tm.sec = v,
                _ => return None,
            }
            if matches!(conv, b'Y' | b'y' | b'm' | b'd') {
                have_date = true;
            }
        } else if c == b' ' {
            while i < s.len() && s[i].is_ascii_whitespace() {
                i += 1;
            }
        } else {
            if s.get(i) != Some(&c) {
                return None;
            }
            i += 1;
        }
    }
    if have_date {
        let days = civil::local_seconds(&civil::Tm {
            year: tm.year,
            mon: tm.mon,
            mday: tm.mday,
            ..civil::Tm::default()
        })
        .div_euclid(86_400);
        tm.wday = (days + 4).rem_euclid(7);
    }
    Some(&input[i..])
}

fn parse_absolute(
    t: &str,
    now: Usec,
    local: &Zone,
    utc: bool,
    dst: i64,
    state: &mut MktimeState,
) -> Result<Usec, Errno> {
    let x = (now / USEC_PER_SEC) as i64;
    let mut tm = if utc { gmtime(x) } else { local.localtime(x) };
    tm.isdst = dst;
    let mut x_usec = 0;
    let from_tm =
        |mut tm: civil::Tm, weekday: Option<i64>, x_usec: Usec, state: &mut MktimeState| {
            if weekday.is_some_and(|w| w != tm.wday) {
                return Err(Errno::Invalid);
            }
            let x = if utc {
                super::zone::timegm(&mut tm)
            } else {
                local.mktime(&mut tm, state)
            };
            if x < 0 {
                return Err(Errno::Invalid);
            }
            let ret = x as Usec * USEC_PER_SEC + x_usec;
            if ret > USEC_TIMESTAMP_FORMATTABLE_MAX {
                return Err(Errno::Invalid);
            }
            Ok(ret)
        };
    match t {
        "today" | "yesterday" | "tomorrow" => {
            tm.mday += match t {
                "yesterday" => -1,
                "tomorrow" => 1,
                _ => 0,
            };
            tm.hour = 0;
            tm.min = 0;
            tm.sec = 0;
            return from_tm(tm, None, 0, state);
        }
        _ => {}
    }
    const DAYS: [(&str, i64); 14] = [
        ("Sunday", 0),
        ("Sun", 0),
        ("Monday", 1),
        ("Mon", 1),
        ("Tuesday", 2),
        ("Tue", 2),
        ("Wednesday", 3),
        ("Wed", 3),
        ("Thursday", 4),
        ("Thu", 4),
        ("Friday", 5),
        ("Fri", 5),
        ("Saturday", 6),
        ("Sat", 6),
    ];
    let mut weekday = None;
    let mut t = t;
    for (name, nr) in DAYS {
        if t.len() > name.len()
            && t.is_char_boundary(name.len())
            && t[..name.len()].eq_ignore_ascii_case(name)
            && t.as_bytes()[name.len()] == b' '
        {
            weekday = Some(nr);
            t = &t[name.len() + 1..];
            break;
        }
    }
    let copy = tm;
    // (format, may have a fraction, zero the seconds, zero the time)
    const FORMS: [(&str, bool, bool, bool); 9] = [
        ("%y-%m-%d %H:%M:%S", true, false, false),
        ("%Y-%m-%d %H:%M:%S", true, false, false),
        ("%b %d %H:%M:%S", true, false, false),
        ("%y-%m-%d %H:%M", false, true, false),
        ("%Y-%m-%d %H:%M", false, true, false),
        ("%y-%m-%d", false, false, true),
        ("%Y-%m-%d", false, false, true),
        ("%H:%M:%S", true, false, false),
        ("%H:%M", false, true, false),
    ];
    for (fmt, frac, zero_sec, zero_time) in FORMS {
        tm = copy;
        let Some(rest) = strptime(t, fmt, &mut tm) else {
            continue;
        };
        if frac && rest.starts_with('.') {
            let mut add = 0u64;
            let digits = &rest.as_bytes()[1..];
            let mut k = 0;
            while k < 6 {
                match digits.get(k) {
                    Some(d) if d.is_ascii_digit() => add = add * 10 + u64::from(d - b'0'),
                    _ => {
                        if k == 0 {
                            return Err(Errno::Invalid);
                        }
                        add *= 10u64.pow((6 - k) as u32);
                        break;
                    }
                }
                k += 1;
            }
            if k == 6 && digits.get(6).is_some_and(|d| (b'5'..=b'9').contains(d)) {
                add += 1;
            }
            let end = digits
                .iter()
                .position(|d| !d.is_ascii_digit())
                .unwrap_or(digits.len());
            if end != digits.len() {
                return Err(Errno::Invalid);
            }
            x_usec = add;
            return from_tm(tm, weekday, x_usec, state);
        }
        if !rest.is_empty() {
            continue;
        }
        if zero_sec {
            tm.sec = 0;
        }
        if zero_time {
            tm.hour = 0;
            tm.min = 0;
            tm.sec = 0;
        }
        return from_tm(tm, weekday, x_usec, state);
    }
    Err(Errno::Invalid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::zone::ZoneMap;

    #[test]
    fn formats() {
        let utc = Zone::utc();
        // Tue 2026-11-24 12:00:00 UTC
        let t = 1_795_521_600 * USEC_PER_SEC;
        assert_eq!(
            format_timestamp(t, &utc).as_deref(),
            Some("Tue 2026-11-24 12:00:00 UTC")
        );
        assert_eq!(format_timestamp(0, &utc), None);
        assert_eq!(
            format_timestamp_relative(t, t + 5 * USEC_PER_MINUTE).as_deref(),
            Some("5min ago")
        );
        assert_eq!(format_timestamp_relative(t, t).as_deref(), Some("now"));
    }

    #[test]
    fn parses() {
        let utc = Zone::utc();
        let zones = ZoneMap::new();
        let now = 1_795_521_600 * USEC_PER_SEC + 17;
        let p = |s| parse_timestamp(s, now, &utc, &zones);
        assert_eq!(
            p("2026-11-24 12:00:00 UTC"),
            Ok(1_795_521_600 * USEC_PER_SEC)
        );
        assert_eq!(p("Tue 2026-11-24 12:00"), Ok(1_795_521_600 * USEC_PER_SEC));
        assert_eq!(p("Mon 2026-11-24 12:00"), Err(Errno::Invalid));
        assert_eq!(p("today"), Ok(1_795_478_400 * USEC_PER_SEC));
        assert_eq!(p("now"), Ok(now));
        assert_eq!(p("@5"), Ok(5 * USEC_PER_SEC));
        assert_eq!(p("bogus"), Err(Errno::Invalid));
    }
}
