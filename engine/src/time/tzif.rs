//! A small reader for TZif files (RFC 8536, versions 1 to 4) and the POSIX `TZ` rule strings in
//! their footers. Leap-second records are skipped (the `right/` zones are not modelled).

/// One local time type of a TZif file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TimeType {
    /// Offset from UTC in seconds east.
    pub utoff: i64,
    /// Whether this is daylight saving time.
    pub isdst: bool,
    /// The abbreviation (`CET`).
    pub abbr: String,
}

/// When a POSIX `TZ` rule switches: the date form and the local time of day in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RuleDate {
    /// `Jn`: day 1–365, February 29th never counted.
    Julian1(i64),
    /// `n`: day 0–365, February 29th counted.
    Julian0(i64),
    /// `Mm.w.d`: day `d` (0 = Sunday) of week `w` (5 = last) of month `m` (1–12).
    Month { m: i64, w: i64, d: i64 },
}

/// A parsed POSIX `TZ` string (`CET-1CEST,M3.5.0,M10.5.0/3`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PosixTz {
    /// Standard time: abbreviation and offset (seconds east).
    pub std: (String, i64),
    /// Daylight saving time: abbreviation, offset, start and end (date, seconds of local time).
    pub dst: Option<DstRule>,
}

/// The daylight-saving half of a POSIX `TZ` string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DstRule {
    pub abbr: String,
    pub utoff: i64,
    pub start: (RuleDate, i64),
    pub end: (RuleDate, i64),
}

/// The contents of a TZif file that local time conversion needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TzData {
    /// Transition times (seconds since the epoch), ascending.
    pub transitions: Vec<i64>,
    /// For each transition, the index of the time type in force from it on.
    pub indices: Vec<u8>,
    /// The local time types.
    pub types: Vec<TimeType>,
    /// The footer rule for times after the last transition.
    pub footer: Option<PosixTz>,
}

/// Why TZif bytes could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TzifError {
    /// The data does not start with `TZif`.
    #[error("not a TZif file (bad magic)")]
    BadMagic,
    /// The data ends before the sizes in its header say.
    #[error("truncated TZif data")]
    Truncated,
    /// A type index, abbreviation index or count is out of range.
    #[error("corrupt TZif data: {0}")]
    Corrupt(&'static str),
    /// The footer's `TZ` string cannot be parsed.
    #[error("unsupported TZ rule string {0:?}")]
    BadFooter(String),
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], TzifError> {
        let end = self.pos.checked_add(n).ok_or(TzifError::Truncated)?;
        let s = self.data.get(self.pos..end).ok_or(TzifError::Truncated)?;
        self.pos = end;
        Ok(s)
    }
    fn be32(&mut self) -> Result<u32, TzifError> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
}

struct Header {
    version: u8,
    isutcnt: usize,
    isstdcnt: usize,
    leapcnt: usize,
    timecnt: usize,
    typecnt: usize,
    charcnt: usize,
}

fn header(r: &mut Reader<'_>) -> Result<Header, TzifError> {
    if r.take(4)? != b"TZif" {
        return Err(TzifError::BadMagic);
    }
    let version = r.take(1)?[0];
    r.take(15)?;
    let mut counts = [0usize; 6];
    for c in &mut counts {
        *c = r.be32()? as usize;
    }
    Ok(Header {
        version,
        isutcnt: counts[0],
        isstdcnt: counts[1],
        leapcnt: counts[2],
        timecnt: counts[3],
        typecnt: counts[4],
        charcnt: counts[5],
    })
}

/// Parses TZif bytes (version 1 data, or the 64-bit block and footer of versions 2 and later).
pub(crate) fn parse(data: &[u8]) -> Result<TzData, TzifError> {
    let mut r = Reader { data, pos: 0 };
    let h1 = header(&mut r)?;
    let (h, wide) = if h1.version >= b'2' {
        // Skip the version 1 data block.
        let v1_len = h1.timecnt * 5
            + h1.typecnt * 6
            + h1.charcnt
            + h1.leapcnt * 8
            + h1.isstdcnt
            + h1.isutcnt;
        r.take(v1_len)?;
        (header(&mut r)?, true)
    } else {
        (h1, false)
    };
    if h.typecnt == 0 {
        return Err(TzifError::Corrupt("no local time types"));
    }
    let tsize = if wide { 8 } else { 4 };
    let times = r.take(h.timecnt * tsize)?;
    let transitions: Vec<i64> = times
        .chunks_exact(tsize)
        .map(|c| {
            if wide {
                i64::from_be_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]])
            } else {
                i64::from(i32::from_be_bytes([c[0], c[1], c[2], c[3]]))
            }
        })
        .collect();
    let indices = r.take(h.timecnt)?.to_vec();
    if indices.iter().any(|&i| usize::from(i) >= h.typecnt) {
        return Err(TzifError::Corrupt("transition type index out of range"));
    }
    let raw_types = r.take(h.typecnt * 6)?;
    let chars = r.take(h.charcnt)?;
    let mut types = Vec::with_capacity(h.typecnt);
    for t in raw_types.chunks_exact(6) {
        let utoff = i64::from(i32::from_be_bytes([t[0], t[1], t[2], t[3]]));
        let start = usize::from(t[5]);
        if start > chars.len() {
            return Err(TzifError::Corrupt("abbreviation index out of range"));
        }
        let rest = &chars[start..];
        let len = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
        types.push(TimeType {
            utoff,
            isdst: t[4] != 0,
            abbr: String::from_utf8_lossy(&rest[..len]).into_owned(),
        });
    }
    r.take(h.leapcnt * (tsize + 4) + h.isstdcnt + h.isutcnt)?;
    let footer = if wide {
        let rest = &data[r.pos..];
        match rest.strip_prefix(b"\n") {
            Some(body) => {
                let end = body.iter().position(|&b| b == b'\n').unwrap_or(body.len());
                let text = String::from_utf8_lossy(&body[..end]).into_owned();
                if text.is_empty() {
                    None
                } else {
                    Some(parse_posix_tz(&text).ok_or(TzifError::BadFooter(text))?)
                }
            }
            None => None,
        }
    } else {
        None
    };
    Ok(TzData {
        transitions,
        indices,
        types,
        footer,
    })
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn num(&mut self) -> Option<i64> {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        if self.i == start || self.i - start > 9 {
            return None;
        }
        std::str::from_utf8(&self.s[start..self.i])
            .ok()?
            .parse()
            .ok()
    }
    fn name(&mut self) -> Option<String> {
        let start;
        let end;
        if self.eat(b'<') {
            start = self.i;
            while self.peek().is_some_and(|c| c != b'>') {
                self.i += 1;
            }
            end = self.i;
            if !self.eat(b'>') {
                return None;
            }
        } else {
            start = self.i;
            while self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
                self.i += 1;
            }
            end = self.i;
        }
        if end - start < 3 {
            return None;
        }
        Some(String::from_utf8_lossy(&self.s[start..end]).into_owned())
    }
    /// `[+-]hh[:mm[:ss]]` in seconds (sign as written).
    fn hms(&mut self, max_hours: i64) -> Option<i64> {
        let neg = if self.eat(b'-') {
            true
        } else {
            self.eat(b'+');
            false
        };
        let h = self.num()?;
        if h > max_hours {
            return None;
        }
        let mut secs = h * 3600;
        if self.eat(b':') {
            secs += self.num()? * 60;
            if self.eat(b':') {
                secs += self.num()?;
            }
        }
        Some(if neg { -secs } else { secs })
    }
    fn rule(&mut self) -> Option<(RuleDate, i64)> {
        let date = if self.eat(b'J') {
            RuleDate::Julian1(self.num()?)
        } else if self.eat(b'M') {
            let m = self.num()?;
            if !self.eat(b'.') {
                return None;
            }
            let w = self.num()?;
            if !self.eat(b'.') {
                return None;
            }
            let d = self.num()?;
            if !(1..=12).contains(&m) || !(1..=5).contains(&w) || d > 6 {
                return None;
            }
            RuleDate::Month { m, w, d }
        } else {
            RuleDate::Julian0(self.num()?)
        };
        let time = if self.eat(b'/') { self.hms(167)? } else { 7200 };
        Some((date, time))
    }
}

/// Parses a POSIX `TZ` string; `None` if it is not one this reader understands.
pub(crate) fn parse_posix_tz(text: &str) -> Option<PosixTz> {
    let mut c = Cursor {
        s: text.as_bytes(),
        i: 0,
    };
    let std_name = c.name()?;
    // POSIX offsets are west of Greenwich: "CET-1" is one hour east.
    let std_off = -c.hms(24)?;
    if c.peek().is_none() {
        return Some(PosixTz {
            std: (std_name, std_off),
            dst: None,
        });
    }
    let dst_name = c.name()?;
    let dst_off = match c.peek() {
        Some(b',') | None => std_off + 3600,
        _ => -c.hms(24)?,
    };
    let (start, end) = if c.eat(b',') {
        let start = c.rule()?;
        if !c.eat(b',') {
            return None;
        }
        (start, c.rule()?)
    } else {
        // glibc's default: the US rules.
        (
            (RuleDate::Month { m: 3, w: 2, d: 0 }, 7200),
            (RuleDate::Month { m: 11, w: 1, d: 0 }, 7200),
        )
    };
    if c.peek().is_some() {
        return None;
    }
    Some(PosixTz {
        std: (std_name, std_off),
        dst: Some(DstRule {
            abbr: dst_name,
            utoff: dst_off,
            start,
            end,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posix_strings() {
        let tz = parse_posix_tz("CET-1CEST,M3.5.0,M10.5.0/3").expect("parses");
        assert_eq!(tz.std, ("CET".to_string(), 3600));
        let dst = tz.dst.expect("has dst");
        assert_eq!(dst.utoff, 7200);
        assert_eq!(dst.start, (RuleDate::Month { m: 3, w: 5, d: 0 }, 7200));
        assert_eq!(dst.end, (RuleDate::Month { m: 10, w: 5, d: 0 }, 10800));
        let tz = parse_posix_tz("<+0530>-5:30").expect("parses");
        assert_eq!(tz.std, ("+0530".to_string(), 19800));
        assert!(parse_posix_tz("EST5EDT,M3.2.0,M11.1.0").is_some());
        assert!(parse_posix_tz("X").is_none());
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(parse(b"nope"), Err(TzifError::BadMagic));
        assert_eq!(parse(b"TZif2"), Err(TzifError::Truncated));
    }
}
