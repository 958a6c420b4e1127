//! Calendar specifications (`OnCalendar=`), as systemd 252's `calendarspec.c` reads, prints and
//! evaluates them.
//!
//! ## The model
//!
//! A spec is `[WEEKDAYS] [YEAR-MONTH-DAY] [HOUR:MINUTE[:SECOND]] [ZONE]`. Each of the six
//! numeric fields is a *chain*: `*` (anything), or a comma-separated list of components
//! `START[..STOP][/REPEAT]` (seconds may have a six-digit fraction). `~` instead of the second
//! `-` counts days from the end of the month. Weekdays are names (`Mon`, `monday`), lists and
//! ranges (`Mon..Fri`, also `Mon-Fri`). A missing date is `*-*-*`, a missing time `00:00:00`,
//! missing seconds `00`. `@SECONDS` is one instant. The zone is ` UTC`, one of the local
//! zone's abbreviations (`CET`: pins standard or daylight time), or a zone name that the
//! [`ZoneSource`] knows (`Europe/Berlin`). The shorthands `minutely`, `hourly`, `daily`,
//! `weekly`, `monthly`, `yearly`/`annually`, `quarterly` and `semiannually` (and their
//! historical spellings) expand to fixed specs.
//!
//! Parsing normalizes as systemd does: two-digit years become 19xx/20xx, each chain is sorted
//! and deduplicated, a range's stop is rounded down to a multiple of its repeat, a weekday set
//! covering the whole week is dropped; then the spec is validated (years 1970–2199, `~` days
//! within 28 of the month end, ...). [`CalendarSpec`]'s `Display` is the "Normalized form" of
//! `systemd-analyze calendar`.
//!
//! [`CalendarSpec::next_elapse`] is systemd's `calendar_spec_next_usec()`: the first matching
//! instant strictly after a realtime base. It runs systemd's own search over broken-down local
//! time (normalizing through [`Zone::mktime`], giving up after 1000 rounds), so its answers
//! around impossible dates and DST changes are the same as systemd's. That includes the fix that
//! Debian's 252.38 carries (observed on this image, differential-tested): when a DST change makes
//! a candidate come out earlier than the start, the search moves one hour on and from then on
//! keeps the DST flag `mktime` found instead of the spec's.
use std::fmt;

use super::civil::Tm;
use super::zone::{timegm, MktimeState, Zone, ZoneSource};
use super::{Errno, Usec, USEC_PER_SEC, USEC_TIMESTAMP_FORMATTABLE_MAX};

const BITS_WEEKDAYS: i32 = 127;
const MIN_YEAR: i32 = 1970;
const MAX_YEAR: i64 = 2199;
const COMPONENTS_MAX: usize = 240;
const MAX_ITERATIONS: usize = 1000;
const USEC: i32 = USEC_PER_SEC as i32;

/// One component of a chain: `start[..stop][/repeat]` (`stop` is -1 when absent, `repeat` 0).
/// Seconds are in microseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Component {
    /// The first value.
    pub start: i32,
    /// The last value of a range, or -1.
    pub stop: i32,
    /// The step, or 0.
    pub repeat: i32,
}

/// A parsed, normalized calendar specification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarSpec {
    /// Weekday bit set (bit 0 = Monday), -1 for any day.
    pub weekdays_bits: i32,
    /// Whether the day chain counts from the end of the month (`~`).
    pub end_of_month: bool,
    /// Whether the spec is in UTC.
    pub utc: bool,
    /// Pinned DST flag (0 standard, 1 daylight) from a local abbreviation, else -1.
    pub dst: i32,
    /// The named zone the spec is evaluated in, if any.
    pub timezone: Option<Zone>,
    /// The local abbreviation matching `dst` (printed in the normalized form).
    dst_name: String,
    /// Year chain (empty = `*`).
    pub year: Vec<Component>,
    /// Month chain (1–12).
    pub month: Vec<Component>,
    /// Day chain (1–31, or days before the month's end with `~`).
    pub day: Vec<Component>,
    /// Hour chain.
    pub hour: Vec<Component>,
    /// Minute chain.
    pub minute: Vec<Component>,
    /// Seconds chain in microseconds.
    pub microsecond: Vec<Component>,
}

fn konst(v: i32) -> Vec<Component> {
    vec![Component {
        start: v,
        stop: -1,
        repeat: 0,
    }]
}

struct P<'a> {
    s: &'a [u8],
    i: usize,
}

impl P<'_> {
    fn at(&self, k: usize) -> u8 {
        self.s.get(self.i + k).copied().unwrap_or(0)
    }
    fn skip_spaces(&mut self) {
        while self.at(0) == b' ' {
            self.i += 1;
        }
    }
}

fn starts_with_no_case(s: &[u8], prefix: &str) -> bool {
    s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

fn ends_with_no_case<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let n = s.len().checked_sub(suffix.len())?;
    if s.is_char_boundary(n) && s[n..].eq_ignore_ascii_case(suffix) {
        Some(&s[..n])
    } else {
        None
    }
}

fn parse_weekdays(p: &mut P<'_>, bits: &mut i32) -> Result<(), Errno> {
    const DAYS: [(&str, i32); 14] = [
        ("Monday", 0),
        ("Mon", 0),
        ("Tuesday", 1),
        ("Tue", 1),
        ("Wednesday", 2),
        ("Wed", 2),
        ("Thursday", 3),
        ("Thu", 3),
        ("Friday", 4),
        ("Fri", 4),
        ("Saturday", 5),
        ("Sat", 5),
        ("Sunday", 6),
        ("Sun", 6),
    ];
    let mut l: i32 = -1;
    let mut first = true;
    loop {
        let rest = &p.s[p.i..];
        let Some(&(name, nr)) = DAYS
            .iter()
            .find(|(name, _)| starts_with_no_case(rest, name))
        else {
            return if first { Ok(()) } else { Err(Errno::Invalid) };
        };
        let skip = name.len();
        if !matches!(p.at(skip), 0 | b'-' | b'.' | b',' | b' ') {
            return Err(Errno::Invalid);
        }
        *bits |= 1 << nr;
        if l >= 0 {
            if l > nr {
                return Err(Errno::Invalid);
            }
            for j in l + 1..nr {
                *bits |= 1 << j;
            }
        }
        p.i += skip;
        match p.at(0) {
            0 => return Ok(()),
            b' ' => {
                p.skip_spaces();
                return Ok(());
            }
            b'.' => {
                if l >= 0 || p.at(1) != b'.' {
                    return Err(Errno::Invalid);
                }
                l = nr;
                p.i += 2;
            }
            b'-' => {
                if l >= 0 {
                    return Err(Errno::Invalid);
                }
                l = nr;
                p.i += 1;
            }
            b',' => {
                l = -1;
                p.i += 1;
            }
            _ => {}
        }
        if matches!(p.at(0), 0 | b' ') {
            p.skip_spaces();
            return if l < 0 { Ok(()) } else { Err(Errno::Invalid) };
        }
        first = false;
    }
}

/// `strtoul` on the digits at the cursor (no sign, no space: callers check for a digit first).
fn parse_number(p: &mut P<'_>) -> Result<u64, Errno> {
    let start = p.i;
    let mut v: u64 = 0;
    let mut overflow = false;
    while p.at(0).is_ascii_digit() {
        match v
            .checked_mul(10)
            .and_then(|x| x.checked_add(u64::from(p.at(0) - b'0')))
        {
            Some(x) => v = x,
            None => overflow = true,
        }
        p.i += 1;
    }
    if p.i == start {
        return Err(Errno::Invalid);
    }
    if overflow {
        return Err(Errno::Range);
    }
    Ok(v)
}

fn parse_fraction(p: &mut P<'_>) -> Result<u64, Errno> {
    let mut val = 0u64;
    let mut i = 0;
    while i < 6 {
        let c = p.at(0);
        if !c.is_ascii_digit() {
            if i == 0 {
                return Err(Errno::Invalid);
            }
            while i < 6 {
                val *= 10;
                i += 1;
            }
            break;
        }
        val = val * 10 + u64::from(c - b'0');
        p.i += 1;
        i += 1;
    }
    if (b'5'..=b'9').contains(&p.at(0)) {
        val += 1;
    }
    while p.at(0).is_ascii_digit() {
        p.i += 1;
    }
    Ok(val)
}

fn parse_decimal(p: &mut P<'_>, usec: bool) -> Result<i32, Errno> {
    if !p.at(0).is_ascii_digit() {
        return Err(Errno::Invalid);
    }
    let mut e = P { s: p.s, i: p.i };
    let mut value = parse_number(&mut e)?;
    if usec {
        value = value.checked_mul(USEC_PER_SEC).ok_or(Errno::Range)?;
        if e.at(0) == b'.' && e.at(1) != b'.' {
            e.i += 1;
            let add = parse_fraction(&mut e)?;
            value = value.checked_add(add).ok_or(Errno::Range)?;
        }
    }
    if value > i32::MAX as u64 {
        return Err(Errno::Range);
    }
    p.i = e.i;
    Ok(value as i32)
}

fn parse_components(p: &mut P<'_>, usec: bool, out: &mut Vec<Component>) -> Result<(), Errno> {
    let mut nesting = 0;
    loop {
        if nesting > COMPONENTS_MAX {
            return Err(Errno::NoBufs);
        }
        let mut e = P { s: p.s, i: p.i };
        let start = parse_decimal(&mut e, usec)?;
        let mut stop = -1;
        let mut repeat = 0;
        if e.at(0) == b'.' && e.at(1) == b'.' {
            e.i += 2;
            stop = parse_decimal(&mut e, usec)?;
            repeat = if usec { USEC } else { 1 };
        }
        if e.at(0) == b'/' {
            e.i += 1;
            repeat = parse_decimal(&mut e, usec)?;
            if repeat == 0 {
                return Err(Errno::Range);
            }
        } else {
            if start > i32::MAX - repeat {
                return Err(Errno::Range);
            }
            if usec && stop >= 0 && start + repeat > stop {
                return Err(Errno::Invalid);
            }
        }
        if !matches!(e.at(0), 0 | b' ' | b',' | b'-' | b'~' | b':') {
            return Err(Errno::Invalid);
        }
        out.push(Component {
            start,
            stop,
            repeat,
        });
        p.i = e.i;
        if p.at(0) == b',' {
            p.i += 1;
            nesting += 1;
            continue;
        }
        return Ok(());
    }
}

fn parse_chain(p: &mut P<'_>, usec: bool) -> Result<Vec<Component>, Errno> {
    if p.at(0) == b'*' {
        p.i += 1;
        return Ok(if usec {
            vec![Component {
                start: 0,
                stop: -1,
                repeat: USEC,
            }]
        } else {
            Vec::new()
        });
    }
    let mut chain = Vec::new();
    parse_components(p, usec, &mut chain)?;
    Ok(chain)
}

/// Returns true when the spec was an `@TIMESTAMP` (no time part follows).
fn parse_date(p: &mut P<'_>, c: &mut CalendarSpec) -> Result<bool, Errno> {
    if p.at(0) == 0 {
        return Ok(false);
    }
    if p.at(0) == b'@' {
        let mut e = P { s: p.s, i: p.i + 1 };
        while matches!(e.at(0), b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c') {
            e.i += 1;
        }
        let neg = e.at(0) == b'-';
        if matches!(e.at(0), b'+' | b'-') {
            e.i += 1;
        }
        let value = parse_number(&mut e)?;
        let time = if neg {
            (value as i64).wrapping_neg()
        } else {
            value as i64
        };
        let tm = super::zone::gmtime(time);
        c.utc = true;
        c.year = konst(i32::try_from(tm.year).map_err(|_| Errno::Range)?);
        c.month = konst(tm.mon as i32 + 1);
        c.day = konst(tm.mday as i32);
        c.hour = konst(tm.hour as i32);
        c.minute = konst(tm.min as i32);
        c.microsecond = konst(tm.sec as i32 * USEC);
        p.i = e.i;
        return Ok(true);
    }
    let mut t = P { s: p.s, i: p.i };
    let first = parse_chain(&mut t, false)?;
    if matches!(t.at(0), 0 | b':') {
        return Ok(false);
    }
    match t.at(0) {
        b'~' => c.end_of_month = true,
        b'-' => {}
        _ => return Err(Errno::Invalid),
    }
    t.i += 1;
    let second = parse_chain(&mut t, false)?;
    if matches!(t.at(0), 0 | b' ') {
        t.skip_spaces();
        p.i = t.i;
        c.month = first;
        c.day = second;
        return Ok(false);
    } else if c.end_of_month {
        return Err(Errno::Invalid);
    }
    match t.at(0) {
        b'~' => c.end_of_month = true,
        b'-' => {}
        _ => return Err(Errno::Invalid),
    }
    t.i += 1;
    let third = parse_chain(&mut t, false)?;
    if !matches!(t.at(0), 0 | b' ') {
        return Err(Errno::Invalid);
    }
    t.skip_spaces();
    p.i = t.i;
    c.year = first;
    c.month = second;
    c.day = third;
    Ok(false)
}

fn parse_time(p: &mut P<'_>, c: &mut CalendarSpec) -> Result<(), Errno> {
    if p.at(0) == 0 {
        c.hour = konst(0);
        c.minute = konst(0);
        c.microsecond = konst(0);
        return Ok(());
    }
    let mut t = P { s: p.s, i: p.i };
    let h = parse_chain(&mut t, false)?;
    if t.at(0) != b':' {
        return Err(Errno::Invalid);
    }
    t.i += 1;
    let m = parse_chain(&mut t, false)?;
    let s = if t.at(0) == 0 {
        konst(0)
    } else {
        if t.at(0) != b':' {
            return Err(Errno::Invalid);
        }
        t.i += 1;
        let s = parse_chain(&mut t, true)?;
        if t.at(0) != 0 {
            return Err(Errno::Invalid);
        }
        s
    };
    p.i = t.i;
    c.hour = h;
    c.minute = m;
    c.microsecond = s;
    Ok(())
}

fn normalize_chain(chain: &mut Vec<Component>) {
    for i in chain.iter_mut() {
        if i.stop > i.start && i.repeat > 0 {
            i.stop -= (i.stop - i.start) % i.repeat;
        }
        if (i.stop > i.start && i.repeat > 0 && i.start + i.repeat > i.stop) || i.start == i.stop {
            i.repeat = 0;
            i.stop = -1;
        }
    }
    chain.sort();
    chain.dedup();
}

fn fix_year(chain: &mut [Component]) {
    for c in chain {
        for v in [&mut c.start, &mut c.stop] {
            if (0..70).contains(v) {
                *v += 2000;
            } else if (70..100).contains(v) {
                *v += 1900;
            }
        }
    }
}

fn chain_valid(chain: &[Component], from: i32, to: i32, end_of_month: bool) -> bool {
    // systemd checks the chain recursively and lowers the upper bound by 3 at *each* element
    // when counting from the month's end, so `*-*~28` is valid but `*-*~3,28` is not.
    let mut to = to;
    chain.iter().all(|c| {
        if end_of_month {
            to -= 3;
        }
        if c.start < from || c.start > to || c.repeat > to - from {
            return false;
        }
        if c.stop >= 0 {
            !(c.stop < from || c.stop > to || c.start + c.repeat > c.stop)
        } else if end_of_month {
            c.start - c.repeat >= from
        } else {
            c.start + c.repeat <= to
        }
    })
}

impl CalendarSpec {
    /// Parses `text` as `calendar_spec_from_string()` does. `local` is the local zone (its
    /// abbreviations may end the spec); `zones` says which zone names are valid.
    pub fn parse(text: &str, local: &Zone, zones: &dyn ZoneSource) -> Result<CalendarSpec, Errno> {
        let mut c = CalendarSpec {
            weekdays_bits: 0,
            end_of_month: false,
            utc: false,
            dst: -1,
            timezone: None,
            dst_name: String::new(),
            year: Vec::new(),
            month: Vec::new(),
            day: Vec::new(),
            hour: Vec::new(),
            minute: Vec::new(),
            microsecond: Vec::new(),
        };
        let mut text = text;
        if let Some(rest) = ends_with_no_case(text, " UTC") {
            c.utc = true;
            text = rest;
        } else {
            let names = local.tzname();
            let mut found = false;
            for (j, name) in names.iter().enumerate() {
                if name.is_empty() {
                    continue;
                }
                let Some(rest) = ends_with_no_case(text, name) else {
                    continue;
                };
                if rest.is_empty() || !rest.ends_with(' ') {
                    continue;
                }
                text = &rest[..rest.len() - 1];
                c.dst = j as i32;
                c.dst_name = name.to_string();
                found = true;
                break;
            }
            if !found {
                if let Some(sp) = text.rfind(' ') {
                    if let Some(zone) = zones.zone(&text[sp + 1..]) {
                        c.timezone = Some(zone);
                        text = &text[..sp];
                    }
                }
            }
        }
        if text.is_empty() {
            return Err(Errno::Invalid);
        }
        let lower = text.to_ascii_lowercase();
        match lower.as_str() {
            "minutely" => c.microsecond = konst(0),
            "hourly" => {
                c.minute = konst(0);
                c.microsecond = konst(0);
            }
            "daily" => c.set_midnight(),
            "monthly" => {
                c.day = konst(1);
                c.set_midnight();
            }
            "annually" | "yearly" | "anually" => {
                c.month = konst(1);
                c.day = konst(1);
                c.set_midnight();
            }
            "weekly" => {
                c.weekdays_bits = 1;
                c.set_midnight();
            }
            "quarterly" => {
                c.month = [1, 4, 7, 10].map(|m| konst(m)[0]).to_vec();
                c.day = konst(1);
                c.set_midnight();
            }
            "biannually" | "bi-annually" | "semiannually" | "semi-annually" => {
                c.month = [1, 7].map(|m| konst(m)[0]).to_vec();
                c.day = konst(1);
                c.set_midnight();
            }
            _ => {
                let mut p = P {
                    s: text.as_bytes(),
                    i: 0,
                };
                parse_weekdays(&mut p, &mut c.weekdays_bits)?;
                if !parse_date(&mut p, &mut c)? {
                    parse_time(&mut p, &mut c)?;
                }
                if p.at(0) != 0 {
                    return Err(Errno::Invalid);
                }
            }
        }
        c.normalize();
        if !c.valid() {
            return Err(Errno::Invalid);
        }
        Ok(c)
    }

    fn set_midnight(&mut self) {
        self.hour = konst(0);
        self.minute = konst(0);
        self.microsecond = konst(0);
    }

    fn normalize(&mut self) {
        if self.timezone.as_ref().is_some_and(|z| z.name() == "UTC") {
            self.utc = true;
            self.timezone = None;
        }
        if self.weekdays_bits <= 0 || self.weekdays_bits >= BITS_WEEKDAYS {
            self.weekdays_bits = -1;
        }
        if self.end_of_month && self.day.is_empty() {
            self.end_of_month = false;
        }
        fix_year(&mut self.year);
        for chain in [
            &mut self.year,
            &mut self.month,
            &mut self.day,
            &mut self.hour,
            &mut self.minute,
            &mut self.microsecond,
        ] {
            normalize_chain(chain);
        }
    }

    fn valid(&self) -> bool {
        self.weekdays_bits <= BITS_WEEKDAYS
            && chain_valid(&self.year, MIN_YEAR, MAX_YEAR as i32, false)
            && chain_valid(&self.month, 1, 12, false)
            && chain_valid(&self.day, 1, 31, self.end_of_month)
            && chain_valid(&self.hour, 0, 23, false)
            && chain_valid(&self.minute, 0, 59, false)
            && chain_valid(&self.microsecond, 0, 60 * USEC - 1, false)
    }

    /// The next elapse strictly after `after` (realtime µs), in `local` time unless the spec
    /// names UTC or a zone: `calendar_spec_next_usec()`. `Ok(None)` when it never elapses again.
    /// Uses a fresh [`MktimeState`] (see [`next_elapse_with_state`](Self::next_elapse_with_state)).
    pub fn next_elapse(&self, after: Usec, local: &Zone) -> Result<Option<Usec>, Errno> {
        self.next_elapse_with_state(after, local, &mut MktimeState::default())
    }

    /// [`next_elapse`](Self::next_elapse) carrying glibc's `mktime` offset guess across calls, as
    /// one systemd process does (a spec with a named zone is computed in a forked child in
    /// systemd, so it starts from, and does not change, the caller's state).
    pub fn next_elapse_with_state(
        &self,
        after: Usec,
        local: &Zone,
        state: &mut MktimeState,
    ) -> Result<Option<Usec>, Errno> {
        let mut child_state;
        let (zone, state) = match &self.timezone {
            Some(z) => {
                child_state = *state;
                (z, &mut child_state)
            }
            None => (local, state),
        };
        let mut ctx = Ctx {
            spec: self,
            zone,
            state,
            memo: None,
        };
        ctx.next_usec(after)
    }
}

struct Ctx<'a> {
    spec: &'a CalendarSpec,
    zone: &'a Zone,
    state: &'a mut MktimeState,
    /// The last conversion: (input, offset guess before, output, result, guess after). The
    /// search converts the same broken-down time several times in a row; `mktime` is a pure
    /// function of the input and the guess, so the answer is reused.
    memo: Option<(Tm, i64, Tm, i64, i64)>,
}

enum Found {
    Unchanged,
    Changed,
    NoMatch,
}

impl Ctx<'_> {
    fn mk(&mut self, tm: &mut Tm) -> i64 {
        if let Some((input, off, output, t, off_after)) = &self.memo {
            if input == tm && *off == self.state.off {
                *tm = *output;
                self.state.off = *off_after;
                return *t;
            }
        }
        let (input, off) = (*tm, self.state.off);
        let t = if self.spec.utc {
            timegm(tm)
        } else {
            self.zone.mktime(tm, self.state)
        };
        self.memo = Some((input, off, *tm, t, self.state.off));
        t
    }

    fn next_usec(&mut self, after: Usec) -> Result<Option<Usec>, Errno> {
        if after > USEC_TIMESTAMP_FORMATTABLE_MAX {
            return Err(Errno::Invalid);
        }
        let usec = after + 1;
        let t = (usec / USEC_PER_SEC) as i64;
        let mut tm = if self.spec.utc {
            super::zone::gmtime(t)
        } else {
            self.zone.localtime(t)
        };
        let mut tm_usec = (usec % USEC_PER_SEC) as i64;
        match self.find_next(&mut tm, &mut tm_usec)? {
            false => Ok(None),
            true => {
                let t = self.mk(&mut tm);
                if t < 0 {
                    return Err(Errno::Invalid);
                }
                Ok(Some(t as Usec * USEC_PER_SEC + tm_usec as Usec))
            }
        }
    }

    fn end_of_month(&mut self, tm: &Tm, day: i32) -> i64 {
        let mut t = *tm;
        t.mon += 1;
        t.mday = 1 - i64::from(day);
        if self.mk(&mut t) < 0 || t.mon != tm.mon {
            return -1;
        }
        t.mday
    }

    fn matching(&mut self, chain: &[Component], is_day: bool, tm: &Tm, val: &mut i64) -> Found {
        if chain.is_empty() {
            return Found::Unchanged;
        }
        let eom = self.spec.end_of_month && is_day;
        let mut d: Option<i64> = None;
        for c in chain {
            let (start, stop) = if eom {
                let mut start = self.end_of_month(tm, c.start);
                let mut stop = self.end_of_month(tm, c.stop);
                if stop > 0 {
                    std::mem::swap(&mut start, &mut stop);
                }
                (start, stop)
            } else {
                (i64::from(c.start), i64::from(c.stop))
            };
            if start >= *val {
                if d.is_none() || d.is_some_and(|d| start < d) {
                    d = Some(start);
                }
            } else if c.repeat > 0 {
                let r = i64::from(c.repeat);
                let k = start + r * ((*val - start + r - 1) / r);
                if (d.is_none() || d.is_some_and(|d| k < d)) && (stop < 0 || k <= stop) {
                    d = Some(k);
                }
            }
        }
        match d {
            None => Found::NoMatch,
            Some(d) => {
                let changed = *val != d;
                *val = d;
                if changed {
                    Found::Changed
                } else {
                    Found::Unchanged
                }
            }
        }
    }

    /// `tm_within_bounds()`: -1 (out of bounds / backwards), 0 (normalized forward), 1 (as is).
    fn within_bounds(&mut self, tm: &mut Tm) -> i32 {
        if tm.year > MAX_YEAR {
            return -1;
        }
        let mut t = *tm;
        if self.mk(&mut t) < 0 {
            return -1;
        }
        let cmp = if t.year != tm.year {
            let c = t.year.cmp(&tm.year);
            t.mon = 0;
            c
        } else if t.mon != tm.mon {
            let c = t.mon.cmp(&tm.mon);
            t.mday = 1;
            c
        } else if t.mday != tm.mday {
            let c = t.mday.cmp(&tm.mday);
            t.hour = 0;
            c
        } else if t.hour != tm.hour {
            let c = t.hour.cmp(&tm.hour);
            t.min = 0;
            c
        } else if t.min != tm.min {
            let c = t.min.cmp(&tm.min);
            t.sec = 0;
            c
        } else {
            t.sec.cmp(&tm.sec)
        };
        match cmp {
            std::cmp::Ordering::Less => -1,
            std::cmp::Ordering::Greater => {
                *tm = t;
                0
            }
            std::cmp::Ordering::Equal => 1,
        }
    }

    fn matches_weekday(&mut self, tm: &Tm) -> bool {
        let bits = self.spec.weekdays_bits;
        if !(0..BITS_WEEKDAYS).contains(&bits) {
            return true;
        }
        let mut t = *tm;
        if self.mk(&mut t) < 0 {
            return false;
        }
        let k = if t.wday == 0 { 6 } else { t.wday - 1 };
        bits & (1 << k) != 0
    }

    /// systemd's `find_next()`: `Ok(true)` with `tm`/`tm_usec` set, `Ok(false)` for ENOENT.
    fn find_next(&mut self, tm: &mut Tm, tm_usec: &mut i64) -> Result<bool, Errno> {
        let spec = self.spec;
        let mut c = *tm;
        let mut us = *tm_usec;
        fn reset(c: &mut Tm, us: &mut i64, from_hour: bool, from_min: bool, from_sec: bool) {
            if from_hour {
                c.hour = 0;
            }
            if from_min {
                c.min = 0;
            }
            if from_sec {
                c.sec = 0;
                *us = 0;
            }
        }
        let start = (c.year, c.mon, c.mday, c.hour, c.min, c.sec, us);
        // Once a candidate came out earlier than the start (a DST change moved it back), the
        // DST flag that mktime() finds is kept instead of the spec's (systemd 252.38's fix for
        // zones with negative DST, observed on this image).
        let mut keep_dst = false;
        for _ in 0..MAX_ITERATIONS {
            let _ = self.mk(&mut c);
            if !keep_dst {
                c.isdst = i64::from(spec.dst);
            }

            let mut year = c.year;
            let r = self.matching(&spec.year, false, &c, &mut year);
            c.year = year;
            match r {
                Found::NoMatch => return Ok(false),
                Found::Changed => {
                    c.mon = 0;
                    c.mday = 1;
                    reset(&mut c, &mut us, true, true, true);
                }
                Found::Unchanged => {}
            }
            if self.within_bounds(&mut c) <= 0 {
                return Ok(false);
            }

            let mut mon = c.mon + 1;
            let r = self.matching(&spec.month, false, &c, &mut mon);
            c.mon = mon - 1;
            if let Found::Changed = r {
                c.mday = 1;
                reset(&mut c, &mut us, true, true, true);
            }
            let b = if let Found::NoMatch = r {
                -1
            } else {
                self.within_bounds(&mut c)
            };
            if b < 0 {
                c.year += 1;
                c.mon = 0;
                c.mday = 1;
                reset(&mut c, &mut us, true, true, true);
                continue;
            }
            if b == 0 {
                continue;
            }

            let mut mday = c.mday;
            let r = self.matching(&spec.day, true, &c, &mut mday);
            c.mday = mday;
            if let Found::Changed = r {
                reset(&mut c, &mut us, true, true, true);
            }
            let b = if let Found::NoMatch = r {
                -1
            } else {
                self.within_bounds(&mut c)
            };
            if b < 0 {
                c.mon += 1;
                c.mday = 1;
                reset(&mut c, &mut us, true, true, true);
                continue;
            }
            if b == 0 {
                continue;
            }

            if !self.matches_weekday(&c) {
                c.mday += 1;
                reset(&mut c, &mut us, true, true, true);
                continue;
            }

            let mut hour = c.hour;
            let r = self.matching(&spec.hour, false, &c, &mut hour);
            c.hour = hour;
            if let Found::Changed = r {
                reset(&mut c, &mut us, false, true, true);
            }
            let b = if let Found::NoMatch = r {
                -1
            } else {
                self.within_bounds(&mut c)
            };
            if b < 0 {
                c.mday += 1;
                reset(&mut c, &mut us, true, true, true);
                continue;
            }
            if b == 0 {
                continue;
            }

            let mut min = c.min;
            let r = self.matching(&spec.minute, false, &c, &mut min);
            c.min = min;
            if let Found::Changed = r {
                reset(&mut c, &mut us, false, false, true);
            }
            let b = if let Found::NoMatch = r {
                -1
            } else {
                self.within_bounds(&mut c)
            };
            if b < 0 {
                c.hour += 1;
                reset(&mut c, &mut us, false, true, true);
                continue;
            }
            if b == 0 {
                continue;
            }

            let mut sec = c.sec * i64::from(USEC) + us;
            let r = self.matching(&spec.microsecond, false, &c, &mut sec);
            us = sec % i64::from(USEC);
            c.sec = sec / i64::from(USEC);
            let b = if let Found::NoMatch = r {
                -1
            } else {
                self.within_bounds(&mut c)
            };
            if b < 0 {
                c.min += 1;
                reset(&mut c, &mut us, false, false, true);
                continue;
            }
            if b == 0 {
                continue;
            }

            if (c.year, c.mon, c.mday, c.hour, c.min, c.sec, us) < start {
                keep_dst = true;
                c.hour += 1;
                continue;
            }
            *tm = c;
            *tm_usec = us;
            return Ok(true);
        }
        Err(Errno::Deadlock)
    }
}

fn format_weekdays(f: &mut fmt::Formatter<'_>, bits: i32) -> fmt::Result {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let mut l: i32 = -1;
    let mut need_comma = false;
    let mut x = 0;
    while x < 7 {
        if bits & (1 << x) != 0 {
            if l < 0 {
                if need_comma {
                    f.write_str(",")?;
                } else {
                    need_comma = true;
                }
                f.write_str(DAYS[x as usize])?;
                l = x;
            }
        } else if l >= 0 {
            if x > l + 1 {
                f.write_str(if x > l + 2 { ".." } else { "," })?;
                f.write_str(DAYS[x as usize - 1])?;
            }
            l = -1;
        }
        x += 1;
    }
    if l >= 0 && x > l + 1 {
        f.write_str(if x > l + 2 { ".." } else { "," })?;
        f.write_str(DAYS[x as usize - 1])?;
    }
    Ok(())
}

fn format_chain(
    f: &mut fmt::Formatter<'_>,
    width: usize,
    chain: &[Component],
    usec: bool,
) -> fmt::Result {
    let d = if usec { USEC } else { 1 };
    let star = chain.is_empty()
        || (usec
            && chain
                .iter()
                .any(|c| c.start == 0 && c.stop < 0 && c.repeat == USEC));
    if star {
        return f.write_str("*");
    }
    for (i, c) in chain.iter().enumerate() {
        if i > 0 {
            f.write_str(",")?;
        }
        write!(f, "{:0width$}", c.start / d)?;
        if c.start % d > 0 {
            write!(f, ".{:06}", c.start % d)?;
        }
        if c.stop > 0 {
            write!(f, "..{:0width$}", c.stop / d)?;
        }
        if c.stop % d > 0 {
            write!(f, ".{:06}", c.stop % d)?;
        }
        if c.repeat > 0 && !(c.stop > 0 && c.repeat == d) {
            write!(f, "/{}", c.repeat / d)?;
        }
        if c.repeat % d > 0 {
            write!(f, ".{:06}", c.repeat % d)?;
        }
    }
    Ok(())
}

/// The normalized form (`calendar_spec_to_string()`).
impl fmt::Display for CalendarSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.weekdays_bits > 0 && self.weekdays_bits <= BITS_WEEKDAYS {
            format_weekdays(f, self.weekdays_bits)?;
            f.write_str(" ")?;
        }
        format_chain(f, 4, &self.year, false)?;
        f.write_str("-")?;
        format_chain(f, 2, &self.month, false)?;
        f.write_str(if self.end_of_month { "~" } else { "-" })?;
        format_chain(f, 2, &self.day, false)?;
        f.write_str(" ")?;
        format_chain(f, 2, &self.hour, false)?;
        f.write_str(":")?;
        format_chain(f, 2, &self.minute, false)?;
        f.write_str(":")?;
        format_chain(f, 2, &self.microsecond, true)?;
        if self.utc {
            f.write_str(" UTC")?;
        } else if let Some(z) = &self.timezone {
            write!(f, " {}", z.name())?;
        } else if self.dst >= 0 && !self.dst_name.is_empty() {
            write!(f, " {}", self.dst_name)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::zone::ZoneMap;

    fn norm(s: &str) -> Result<String, Errno> {
        CalendarSpec::parse(s, &Zone::utc(), &ZoneMap::new()).map(|c| c.to_string())
    }

    #[test]
    fn normalizes() {
        assert_eq!(norm("daily").as_deref(), Ok("*-*-* 00:00:00"));
        assert_eq!(
            norm("Mon..Fri *-*-* 10:00").as_deref(),
            Ok("Mon..Fri *-*-* 10:00:00")
        );
        assert_eq!(norm("weekly").as_deref(), Ok("Mon *-*-* 00:00:00"));
        assert_eq!(norm("bogus"), Err(Errno::Invalid));
    }
}
