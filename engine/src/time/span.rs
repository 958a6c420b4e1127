//! Time spans: systemd's `parse_time()`/`parse_sec()` and `format_timespan()`.
//!
//! A span is a sum of numbers with units (`1h 30min`, `2.5s`, `1d12h`); a bare number takes the
//! default unit (seconds for `parse_sec`). Units, first match wins: `seconds second sec s`,
//! `minutes minute min`, `months month M`, `msec ms`, `m` (minutes), `hours hour hr h`,
//! `days day d`, `weeks week w`, `years year y`, `usec us μs µs`. A month is 30.44 days and a
//! year 365.25 days. `infinity` alone is [`USEC_INFINITY`]. Negative values are `ERANGE`,
//! malformed ones `EINVAL`, as in systemd 252.
use super::{
    Errno, Usec, USEC_INFINITY, USEC_PER_DAY, USEC_PER_HOUR, USEC_PER_MINUTE, USEC_PER_MONTH,
    USEC_PER_MSEC, USEC_PER_SEC, USEC_PER_WEEK, USEC_PER_YEAR,
};

const WHITESPACE: &[u8] = b" \t\n\r";

const UNITS: &[(&str, Usec)] = &[
    ("seconds", USEC_PER_SEC),
    ("second", USEC_PER_SEC),
    ("sec", USEC_PER_SEC),
    ("s", USEC_PER_SEC),
    ("minutes", USEC_PER_MINUTE),
    ("minute", USEC_PER_MINUTE),
    ("min", USEC_PER_MINUTE),
    ("months", USEC_PER_MONTH),
    ("month", USEC_PER_MONTH),
    ("M", USEC_PER_MONTH),
    ("msec", USEC_PER_MSEC),
    ("ms", USEC_PER_MSEC),
    ("m", USEC_PER_MINUTE),
    ("hours", USEC_PER_HOUR),
    ("hour", USEC_PER_HOUR),
    ("hr", USEC_PER_HOUR),
    ("h", USEC_PER_HOUR),
    ("days", USEC_PER_DAY),
    ("day", USEC_PER_DAY),
    ("d", USEC_PER_DAY),
    ("weeks", USEC_PER_WEEK),
    ("week", USEC_PER_WEEK),
    ("w", USEC_PER_WEEK),
    ("years", USEC_PER_YEAR),
    ("year", USEC_PER_YEAR),
    ("y", USEC_PER_YEAR),
    ("usec", 1),
    ("us", 1),
    ("\u{3bc}s", 1),
    ("\u{b5}s", 1),
];

fn skip_ws(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && WHITESPACE.contains(&s[i]) {
        i += 1;
    }
    i
}

/// `parse_sec()`: a span whose bare numbers are seconds.
pub fn parse_sec(text: &str) -> Result<Usec, Errno> {
    parse_time(text, USEC_PER_SEC)
}

/// `parse_time()`: a span whose bare numbers are in `default_unit` microseconds.
pub fn parse_time(text: &str, default_unit: Usec) -> Result<Usec, Errno> {
    let s = text.as_bytes();
    let mut p = skip_ws(s, 0);
    if s[p..].starts_with(b"infinity") {
        let q = skip_ws(s, p + 8);
        return if q == s.len() {
            Ok(USEC_INFINITY)
        } else {
            Err(Errno::Invalid)
        };
    }
    let mut r: Usec = 0;
    let mut something = false;
    loop {
        let mut multiplier = default_unit.max(1);
        p = skip_ws(s, p);
        if p == s.len() {
            if !something {
                return Err(Errno::Invalid);
            }
            break;
        }
        if s[p] == b'-' {
            return Err(Errno::Range);
        }
        // strtoll: optional '+', then digits.
        let mut q = p;
        if s[q] == b'+' {
            q += 1;
        }
        let digits_start = q;
        while q < s.len() && s[q].is_ascii_digit() {
            q += 1;
        }
        let (l, e) = if q == digits_start {
            (0u64, p)
        } else {
            let v: i64 = std::str::from_utf8(&s[digits_start..q])
                .ok()
                .and_then(|d| d.parse().ok())
                .ok_or(Errno::Range)?;
            (v as u64, q)
        };
        let dot = e < s.len() && s[e] == b'.';
        if dot {
            p = e + 1;
            while p < s.len() && s[p].is_ascii_digit() {
                p += 1;
            }
        } else if e == p {
            return Err(Errno::Invalid);
        } else {
            p = e;
        }
        let u = skip_ws(s, p);
        let mut next = u;
        for (suffix, usec) in UNITS {
            if s[u..].starts_with(suffix.as_bytes()) {
                multiplier = *usec;
                next = u + suffix.len();
                break;
            }
        }
        if next == p && p < s.len() {
            return Err(Errno::Invalid);
        }
        p = next;
        if l >= USEC_INFINITY / multiplier {
            return Err(Errno::Range);
        }
        let k = l * multiplier;
        if k >= USEC_INFINITY - r {
            return Err(Errno::Range);
        }
        r += k;
        something = true;
        if dot {
            let mut m = multiplier / 10;
            let mut b = e + 1;
            while b < s.len() && s[b].is_ascii_digit() {
                let k = Usec::from(s[b] - b'0') * m;
                if k >= USEC_INFINITY - r {
                    return Err(Errno::Range);
                }
                r += k;
                b += 1;
                m /= 10;
            }
            if b == e + 1 {
                return Err(Errno::Invalid);
            }
        }
    }
    Ok(r)
}

/// `format_timespan()`: `1min 30s`, `2h 5min`, `1.500000s`, `infinity`, `0`. Parts smaller than
/// `accuracy` are dropped once something was printed; below one minute a fractional remainder
/// is shown in dot notation with as many digits as `accuracy` allows. With `accuracy` 0 this
/// is the form `systemctl show` prints for `…USec=` properties.
pub fn format_timespan(t: Usec, accuracy: Usec) -> String {
    const TABLE: &[(&str, Usec)] = &[
        ("y", USEC_PER_YEAR),
        ("month", USEC_PER_MONTH),
        ("w", USEC_PER_WEEK),
        ("d", USEC_PER_DAY),
        ("h", USEC_PER_HOUR),
        ("min", USEC_PER_MINUTE),
        ("s", USEC_PER_SEC),
        ("ms", USEC_PER_MSEC),
        ("us", 1),
    ];
    if t == USEC_INFINITY {
        return "infinity".to_string();
    }
    if t == 0 {
        return "0".to_string();
    }
    let mut out = String::new();
    let mut t = t;
    let mut something = false;
    for &(suffix, unit) in TABLE {
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
        let mut done = false;
        if t < USEC_PER_MINUTE && b > 0 {
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
                t = 0;
                done = true;
            }
        }
        if !done {
            out.push_str(&format!("{sep}{a}{suffix}"));
            t = b;
        }
        something = true;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        assert_eq!(parse_sec("1h 30min"), Ok(5_400_000_000));
        assert_eq!(parse_sec("5"), Ok(5_000_000));
        assert_eq!(parse_sec(" infinity "), Ok(USEC_INFINITY));
        assert_eq!(parse_sec("infinityx"), Err(Errno::Invalid));
        assert_eq!(parse_sec("-1"), Err(Errno::Range));
        assert_eq!(parse_sec("1.5s"), Ok(1_500_000));
        assert_eq!(parse_sec(".5"), Ok(500_000));
        assert_eq!(parse_sec("5."), Err(Errno::Invalid));
        assert_eq!(parse_sec("12.34.56"), Err(Errno::Invalid));
        assert_eq!(parse_sec("1 2"), Ok(3_000_000));
        assert_eq!(parse_sec(""), Err(Errno::Invalid));
        assert_eq!(parse_sec("5 min"), Ok(300_000_000));
    }

    #[test]
    fn formats() {
        assert_eq!(format_timespan(90_000_000, 0), "1min 30s");
        assert_eq!(format_timespan(1_500_000, 0), "1.500000s");
        assert_eq!(format_timespan(1_500_000, USEC_PER_MSEC), "1.500s");
        assert_eq!(format_timespan(USEC_INFINITY, 0), "infinity");
        assert_eq!(format_timespan(0, 0), "0");
    }
}
