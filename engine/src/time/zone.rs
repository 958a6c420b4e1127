//! Time zones and glibc's local time conversions.
//!
//! A [`Zone`] is UTC or a zone read from TZif bytes ([`Zone::from_tzif`]). Its
//! [`localtime`](Zone::localtime) follows glibc: the transition table, then the footer's POSIX
//! rule after the last transition, and before the first transition the first standard-time type.
//! Its [`mktime`](Zone::mktime) follows glibc's `mktime` step by step, because systemd's calendar
//! search feeds it out-of-range and ambiguous times and depends on what it answers:
//!
//! * fields out of range carry into the next larger field;
//! * the conversion probes offsets starting from the offset of the *previous* call (glibc keeps
//!   it in a static variable; here it is a [`MktimeState`] that the caller carries), so a time
//!   that happens twice (the hour repeated when DST ends) resolves to the occurrence whose offset
//!   the previous call used;
//! * a time inside a gap (the hour skipped when DST starts) resolves to the time shifted by the
//!   gap, preferring the DST side when no DST flag was requested;
//! * a requested DST flag (`tm_isdst` 0 or 1) that differs from the one found makes it use the
//!   offset of the nearest time with that flag.
//!
//! [`ZoneSource`] looks zones up by name: a [`ZoneMap`] filled by the caller, or [`FsZones`],
//! which reads `/usr/share/zoneinfo` through a [`FileSystem`].
use std::collections::BTreeMap;
use std::sync::Arc;

use camino::{Utf8Path, Utf8PathBuf};

use super::civil::{self, Tm};
pub use super::tzif::TzifError;
use super::tzif::{self, DstRule, RuleDate, TzData};
use crate::fs::{resolve, FileKind, FileSystem, Follow, Target};

/// A time zone: UTC, or the rules of a TZif file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Zone {
    name: String,
    data: Option<Arc<TzData>>,
}

/// The local time in force at an instant: offset, DST flag and abbreviation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocalType<'a> {
    /// Offset from UTC in seconds east.
    pub utoff: i64,
    /// Whether daylight saving time is in force.
    pub isdst: bool,
    /// The abbreviation (`CET`, `UTC`).
    pub abbr: &'a str,
}

/// glibc's `mktime` offset guess (its static `localtime_offset`), carried from one
/// [`Zone::mktime`] call to the next. A fresh state guesses UTC, as a fresh process does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MktimeState {
    /// The last result's UTC time minus its local seconds (the negated UTC offset).
    pub off: i64,
}

const UTC_TYPE: LocalType<'static> = LocalType {
    utoff: 0,
    isdst: false,
    abbr: "UTC",
};

impl Zone {
    /// UTC (what glibc uses for `TZ=UTC` and for `gmtime`/`timegm`).
    pub fn utc() -> Zone {
        Zone {
            name: "UTC".to_string(),
            data: None,
        }
    }

    /// A zone from the bytes of a TZif file (version 1 to 4), named `name`
    /// (`Europe/Berlin`, as `TZ=` or a calendar spec would name it).
    pub fn from_tzif(name: &str, bytes: &[u8]) -> Result<Zone, TzifError> {
        let data = tzif::parse(bytes)?;
        Ok(Zone {
            name: name.to_string(),
            data: Some(Arc::new(data)),
        })
    }

    /// The zone's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// glibc's `tzname[0]` and `tzname[1]`: the standard and DST abbreviations of the zone's
    /// current rule (the footer's; both the standard name for a zone without DST).
    pub fn tzname(&self) -> [&str; 2] {
        let Some(data) = &self.data else {
            return ["UTC", "UTC"];
        };
        if let Some(f) = &data.footer {
            let dst = f.dst.as_ref().map_or(f.std.0.as_str(), |d| d.abbr.as_str());
            return [f.std.0.as_str(), dst];
        }
        let last = |dst: bool| {
            data.types
                .iter()
                .rev()
                .find(|t| t.isdst == dst)
                .map(|t| t.abbr.as_str())
        };
        let std = last(false).unwrap_or("");
        [std, last(true).unwrap_or(std)]
    }

    /// systemd's `in_utc_timezone()`: the zone is UTC all year (no offset, no DST).
    pub fn is_utc(&self) -> bool {
        match &self.data {
            None => true,
            Some(data) => match &data.footer {
                Some(f) => f.std.1 == 0 && f.dst.is_none(),
                None => data.types.iter().all(|t| t.utoff == 0 && !t.isdst),
            },
        }
    }

    /// The local time type in force at `t` (seconds since the epoch).
    pub fn local_type(&self, t: i64) -> LocalType<'_> {
        let Some(data) = &self.data else {
            return UTC_TYPE;
        };
        let ty = |i: usize| {
            let tt = &data.types[i];
            LocalType {
                utoff: tt.utoff,
                isdst: tt.isdst,
                abbr: tt.abbr.as_str(),
            }
        };
        let n = data.transitions.len();
        if n == 0 || t < data.transitions[0] {
            if n == 0 {
                if let Some(f) = &data.footer {
                    return footer_type(f, t);
                }
            }
            let i = data.types.iter().position(|tt| !tt.isdst).unwrap_or(0);
            return ty(i);
        }
        if t >= data.transitions[n - 1] {
            if let Some(f) = &data.footer {
                return footer_type(f, t);
            }
            return ty(usize::from(data.indices[n - 1]));
        }
        // The last transition at or before t.
        let k = data.transitions.partition_point(|&x| x <= t);
        ty(usize::from(data.indices[k - 1]))
    }

    /// `localtime_r`: the broken-down local time of `t` (seconds since the epoch).
    pub fn localtime(&self, t: i64) -> Tm {
        let lt = self.local_type(t);
        let mut tm = civil::breakdown(t + lt.utoff);
        tm.isdst = i64::from(lt.isdst);
        tm.utoff = lt.utoff;
        tm
    }

    /// `mktime`: the instant of the broken-down local time `tm`, normalizing `tm` in place
    /// (fields, weekday, DST flag and offset), as glibc does it (see the module docs). Returns
    /// a negative value when glibc would fail (and, as in C, for instants before 1970).
    pub fn mktime(&self, tm: &mut Tm, state: &mut MktimeState) -> i64 {
        if self.data.is_none() {
            return timegm(tm);
        }
        let isdst = tm.isdst;
        let sec_requested = tm.sec;
        let sec = tm.sec.clamp(0, 59);
        let local = civil::local_seconds(&Tm { sec, ..*tm });
        let t0 = local + state.off;
        let (mut t, mut t1, mut t2) = (t0, t0, t0);
        let mut dst2 = false;
        let mut probes = 6;
        let mut lt;
        let mut matched = false;
        let mut probed;
        loop {
            probed = t;
            lt = self.local_type(t);
            let dt = local - (t + lt.utoff);
            if dt == 0 {
                matched = true;
                break;
            }
            if t == t1
                && t != t2
                && (if isdst < 0 {
                    !dst2 || lt.isdst
                } else {
                    (isdst != 0) != lt.isdst
                })
            {
                // Oscillating around a gap.
                break;
            }
            probes -= 1;
            if probes == 0 {
                return -1;
            }
            t1 = t2;
            t2 = t;
            t += dt;
            dst2 = lt.isdst;
        }
        if matched && isdst >= 0 && (isdst != 0) != lt.isdst {
            // The answer will not be the last probe's.
            probed = i64::MIN;
            // Use the offset of the nearest time with the requested DST flag (glibc 2.36 probes
            // every 601 200 s up to about ±7 years); without one, assume
            // a one-hour difference.
            const STRIDE: i64 = 601_200;
            const DELTA_BOUND: i64 = 457_243_209 / 2 + STRIDE;
            let mut delta = STRIDE;
            let mut found = false;
            'search: while delta < DELTA_BOUND {
                for direction in [-1i64, 1] {
                    let ot = t + delta * direction;
                    let olt = self.local_type(ot);
                    if olt.isdst == (isdst != 0) {
                        t = local - olt.utoff;
                        found = true;
                        break 'search;
                    }
                }
                delta += STRIDE;
            }
            if !found {
                let dst_difference = i64::from(isdst == 0) - i64::from(!lt.isdst);
                t += 3600 * dst_difference;
            }
        }
        state.off = t - local;
        if sec_requested != sec {
            t += sec_requested - sec;
        }
        if t == probed {
            // The last probe's local type is the answer's: skip a second lookup.
            let mut out = civil::breakdown(t + lt.utoff);
            out.isdst = i64::from(lt.isdst);
            out.utoff = lt.utoff;
            *tm = out;
        } else {
            *tm = self.localtime(t);
        }
        t
    }
}

/// `timegm`: the instant of a broken-down UTC time, normalizing `tm` in place.
pub fn timegm(tm: &mut Tm) -> i64 {
    let t = civil::local_seconds(tm);
    *tm = civil::breakdown(t);
    t
}

/// `gmtime_r`.
pub fn gmtime(t: i64) -> Tm {
    civil::breakdown(t)
}

fn footer_type(f: &tzif::PosixTz, t: i64) -> LocalType<'_> {
    let std = LocalType {
        utoff: f.std.1,
        isdst: false,
        abbr: f.std.0.as_str(),
    };
    let Some(d) = &f.dst else {
        return std;
    };
    let dst = LocalType {
        utoff: d.utoff,
        isdst: true,
        abbr: d.abbr.as_str(),
    };
    if is_dst(d, f.std.1, t) {
        dst
    } else {
        std
    }
}

/// glibc's `__tz_compute`: is `t` in DST under the rule, for the UTC year of `t`?
fn is_dst(d: &DstRule, std_off: i64, t: i64) -> bool {
    let year = civil::breakdown(t).year;
    let start = change(d.start, year, std_off);
    let end = change(d.end, year, d.utoff);
    if start > end {
        t < end || t >= start
    } else {
        t >= start && t < end
    }
}

/// The UTC instant of a rule's switch in `year`, given the offset in force before it.
fn change((date, secs): (RuleDate, i64), year: i64, offset: i64) -> i64 {
    let year_start = civil::days_before_year(year);
    let leap = civil::is_leap(year);
    let day = match date {
        RuleDate::Julian1(n) => year_start + n - 1 + i64::from(leap && n >= 60),
        RuleDate::Julian0(n) => year_start + n,
        RuleDate::Month { m, w, d } => {
            let mon = m - 1;
            let first = civil::local_seconds(&Tm {
                year,
                mon,
                mday: 1,
                ..Tm::default()
            }) / 86_400;
            let dow = (first + 4).rem_euclid(7);
            let mut off = d - dow;
            if off < 0 {
                off += 7;
            }
            let len = civil::days_in_month(year, mon);
            for _ in 1..w {
                if off + 7 >= len {
                    break;
                }
                off += 7;
            }
            first + off
        }
    };
    day * 86_400 + secs - offset
}

/// systemd's `verify_timezone()` name rules: ASCII letters, digits, `-_+/`, no leading, trailing
/// or doubled `/`. (`UTC` is always valid.)
pub fn timezone_name_is_valid(name: &str) -> bool {
    if name.is_empty() || name.starts_with('/') || name.ends_with('/') || name.contains("//") {
        return false;
    }
    name.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'+' | b'/'))
}

/// Looks time zones up by name, as systemd's `timezone_is_valid()` followed by `TZ=:NAME` does.
pub trait ZoneSource {
    /// The zone called `name`, or `None` if there is no valid zone by that name.
    fn zone(&self, name: &str) -> Option<Zone>;
}

/// Zones given by the caller, by name. `UTC` is always known.
#[derive(Clone, Debug, Default)]
pub struct ZoneMap {
    zones: BTreeMap<String, Zone>,
}

impl ZoneMap {
    /// An empty map (knowing only `UTC`).
    pub fn new() -> ZoneMap {
        ZoneMap::default()
    }

    /// Adds a zone under its name.
    pub fn insert(&mut self, zone: Zone) {
        self.zones.insert(zone.name().to_string(), zone);
    }

    /// The names of the zones added.
    pub fn zone_names(&self) -> impl Iterator<Item = &str> {
        self.zones.keys().map(String::as_str)
    }
}

impl ZoneSource for ZoneMap {
    fn zone(&self, name: &str) -> Option<Zone> {
        if !timezone_name_is_valid(name) {
            return None;
        }
        match self.zones.get(name) {
            Some(z) => Some(z.clone()),
            None if name == "UTC" => Some(Zone::utc()),
            None => None,
        }
    }
}

/// Zones read from a zoneinfo directory (`/usr/share/zoneinfo`) inside a [`FileSystem`].
pub struct FsZones<'a> {
    fs: &'a dyn FileSystem,
    dir: Utf8PathBuf,
}

impl<'a> FsZones<'a> {
    /// Zones under `/usr/share/zoneinfo` of `fs`.
    pub fn new(fs: &'a dyn FileSystem) -> FsZones<'a> {
        FsZones::with_dir(fs, Utf8Path::new("/usr/share/zoneinfo"))
    }

    /// Zones under `dir` of `fs`.
    pub fn with_dir(fs: &'a dyn FileSystem, dir: &Utf8Path) -> FsZones<'a> {
        FsZones {
            fs,
            dir: dir.to_path_buf(),
        }
    }

    /// The zone a `localtime` symlink (e.g. `/etc/localtime`) designates, named after the part
    /// of its target below the zoneinfo directory; `None` if it is missing or unreadable.
    pub fn local_zone(&self, link: &Utf8Path) -> Option<Zone> {
        let resolved = resolve(self.fs, link, Follow::Yes).ok()?;
        let name = resolved
            .path
            .strip_prefix(&self.dir)
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|_| "localtime".to_string());
        self.read(&resolved.path, &name)
    }

    fn read(&self, path: &Utf8Path, name: &str) -> Option<Zone> {
        let resolved = resolve(self.fs, path, Follow::Yes).ok()?;
        match resolved.target {
            Target::Exists(meta) if meta.kind == FileKind::File => {}
            _ => return None,
        }
        let bytes = self.fs.read(&resolved.path, 1 << 20).ok()?;
        Zone::from_tzif(name, &bytes).ok()
    }
}

impl ZoneSource for FsZones<'_> {
    fn zone(&self, name: &str) -> Option<Zone> {
        if !timezone_name_is_valid(name) {
            return None;
        }
        match self.read(&self.dir.join(name), name) {
            Some(z) => Some(z),
            None if name == "UTC" => Some(Zone::utc()),
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A TZif v2 file: the given transitions and types in both blocks, and `footer`.
    fn tzif(transitions: &[(i64, u8)], types: &[(i32, bool, &str)], footer: &str) -> Vec<u8> {
        let mut chars = Vec::new();
        let mut idx = Vec::new();
        for (_, _, abbr) in types {
            idx.push(chars.len() as u8);
            chars.extend_from_slice(abbr.as_bytes());
            chars.push(0);
        }
        let block = |wide: bool| {
            let mut b = Vec::new();
            b.extend_from_slice(b"TZif2");
            b.extend_from_slice(&[0; 15]);
            for n in [0, 0, 0, transitions.len(), types.len(), chars.len()] {
                b.extend_from_slice(&(n as u32).to_be_bytes());
            }
            for (t, _) in transitions {
                if wide {
                    b.extend_from_slice(&t.to_be_bytes());
                } else {
                    b.extend_from_slice(&(*t as i32).to_be_bytes());
                }
            }
            b.extend(transitions.iter().map(|(_, i)| *i));
            for (k, (off, dst, _)) in types.iter().enumerate() {
                b.extend_from_slice(&off.to_be_bytes());
                b.push(u8::from(*dst));
                b.push(idx[k]);
            }
            b.extend_from_slice(&chars);
            b
        };
        let mut out = block(false);
        out.extend(block(true));
        out.push(b'\n');
        out.extend_from_slice(footer.as_bytes());
        out.push(b'\n');
        out
    }

    fn berlin_rule_only() -> Zone {
        let bytes = tzif(&[], &[(3600, false, "CET")], "CET-1CEST,M3.5.0,M10.5.0/3");
        Zone::from_tzif("Europe/Berlin", &bytes).expect("parses")
    }

    #[test]
    fn footer_rule_matches_glibc() {
        // Expected values from `TZ=Europe/Berlin date -d @T +%Z%z` on this image.
        let z = berlin_rule_only();
        for (t, abbr, off) in [
            (1_774_745_999, "CET", 3600),
            (1_774_746_000, "CEST", 7200),
            (1_792_889_999, "CEST", 7200),
            (1_792_890_000, "CET", 3600),
            (2_140_000_000, "CEST", 7200),
            (2_153_000_000, "CET", 3600),
        ] {
            let lt = z.local_type(t);
            assert_eq!((lt.abbr, lt.utoff), (abbr, off), "at {t}");
        }
        assert_eq!(z.tzname(), ["CET", "CEST"]);
        assert!(!z.is_utc());
    }

    #[test]
    fn transitions_then_footer() {
        // One transition into a fixed +0530 type, footer saying the same.
        let bytes = tzif(
            &[(-1_000_000_000, 1)],
            &[(19_270, false, "LMT"), (19_800, false, "IST")],
            "IST-5:30",
        );
        let z = Zone::from_tzif("Asia/Kolkata", &bytes).expect("parses");
        assert_eq!(z.local_type(-2_000_000_000).abbr, "LMT");
        assert_eq!(z.local_type(0).abbr, "IST");
        assert_eq!(z.local_type(5_000_000_000).utoff, 19_800);
    }

    #[test]
    fn mktime_matches_glibc() {
        // Expected values from glibc 2.36's mktime() (through Python ctypes, TZ=Europe/Berlin,
        // one process, calls in this order).
        let z = berlin_rule_only();
        let mut st = MktimeState::default();
        let mut call = |y, mon, mday, hour, min, sec, isdst| {
            let mut tm = Tm {
                year: y,
                mon,
                mday,
                hour,
                min,
                sec,
                isdst,
                ..Tm::default()
            };
            let t = z.mktime(&mut tm, &mut st);
            (t, tm.hour, tm.min, tm.isdst)
        };
        // Spring-forward gap: 02:30 does not exist.
        assert_eq!(call(2026, 2, 29, 2, 30, 0, -1), (1_774_747_800, 3, 30, 1));
        assert_eq!(call(2026, 2, 29, 2, 30, 0, 0), (1_774_747_800, 3, 30, 1));
        assert_eq!(call(2026, 2, 29, 2, 30, 0, 1), (1_774_744_200, 1, 30, 0));
        // Fall-back overlap: 02:30 happens twice.
        assert_eq!(call(2026, 9, 25, 2, 30, 0, -1), (1_792_888_200, 2, 30, 1));
        // Out-of-range fields carry.
        let (t, hour, min, _) = call(2026, 12, 0, 24, 0, 70, -1);
        assert_eq!((t, hour, min), (1_798_758_070, 0, 1));
    }
}
