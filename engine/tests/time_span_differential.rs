//! Differential tests of time spans and timestamps against `systemd-analyze timespan` and
//! `systemd-analyze timestamp` 252.
//!
//! * Spans: random sums of numbers (with fractions, signs, spaces) and every unit spelling,
//!   plus malformed ones. `systemd-analyze timespan` stops at the first bad argument, so the
//!   batch is resumed after each failure. The "μs:" and "Human:" lines and the error message
//!   must match ([`parse_sec`] and [`format_timespan`]).
//! * Timestamps: `@SECONDS` for random instants (1970–9999) and absolute forms
//!   (`YYYY-MM-DD HH:MM[:SS[.frac]]`, two-digit years, weekday prefixes, ` UTC`, local and named
//!   zones) in several `TZ`s; the "Normalized form", "(in UTC)" and "UNIX seconds" lines and the
//!   errors must match ([`parse_timestamp`], [`format_timestamp`], [`format_timestamp_utc`]).
//!
//! `UNITLAB_TIMESPAN_SEED` reproduces a run.
mod support;

use std::process::Command;

use unitlab_engine::fs::DirFs;
use unitlab_engine::time::span::{format_timespan, parse_sec};
use unitlab_engine::time::timestamp::{
    format_timestamp, format_timestamp_relative, format_timestamp_utc, parse_timestamp_with_state,
};
use unitlab_engine::time::zone::MktimeState;
use unitlab_engine::time::zone::{FsZones, Zone};
use unitlab_engine::time::USEC_PER_SEC;

fn run(tz: &str, verb: &str, args: &[String]) -> (String, String) {
    let out = Command::new("systemd-analyze")
        .env("TZ", tz)
        .env("SYSTEMD_COLORS", "0")
        .env("LC_ALL", "C")
        .arg(verb)
        .arg("--")
        .args(args)
        .output()
        .expect("run systemd-analyze");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The blocks of a table output: for each argument, its (label, value) rows.
fn blocks(stdout: &str) -> Vec<Vec<(String, String)>> {
    let mut out = vec![Vec::new()];
    for line in stdout.lines() {
        if line.is_empty() {
            out.push(Vec::new());
            continue;
        }
        let (label, value) = line
            .trim_start()
            .split_once(": ")
            .unwrap_or((line.trim_start(), ""));
        out.last_mut()
            .expect("non-empty")
            .push((label.to_string(), value.to_string()));
    }
    out
}

/// format-table's last column: a cell narrower than the column is padded and then loses its
/// trailing white space; the widest cell is printed as is.
fn table_column(rows: &[(String, String)]) -> Vec<(String, String)> {
    let width = rows
        .iter()
        .map(|(_, v)| v.chars().count())
        .max()
        .unwrap_or(0);
    rows.iter()
        .map(|(k, v)| {
            let v = if v.chars().count() < width {
                v.trim_end().to_string()
            } else {
                v.clone()
            };
            (k.clone(), v)
        })
        .collect()
}

fn random_span(rng: &mut support::Rng) -> String {
    const UNITS: &[&str] = &[
        "", "", "s", "sec", "second", "seconds", "m", "min", "minute", "minutes", "h", "hr",
        "hour", "hours", "d", "day", "days", "w", "week", "weeks", "M", "month", "months", "y",
        "year", "years", "ms", "msec", "us", "usec", "\u{3bc}s", "\u{b5}s", "x", "mins",
    ];
    const NUMS: &[&str] = &[
        "0",
        "1",
        "5",
        "30",
        "90",
        "1.5",
        ".5",
        "2.25",
        "0.000001",
        "3600",
        "1234567",
        "10.",
        "+5",
        "-1",
        "007",
        "99999999999",
        "18446744073709551615",
        "1.5.5",
    ];
    if rng.chance(5) {
        return rng
            .pick(&["infinity", " infinity ", "infinityx", "", " ", "infinity 5"])
            .to_string();
    }
    let n = 1 + rng.below(3);
    let mut s = String::new();
    for i in 0..n {
        if i > 0 || rng.chance(10) {
            s.push_str(rng.pick(&[" ", "", "  ", "\t"]));
        }
        s.push_str(rng.pick(NUMS));
        s.push_str(rng.pick(&["", "", " "]));
        s.push_str(rng.pick(UNITS));
    }
    s
}

#[test]
fn timespans_match_systemd_analyze() {
    if !support::systemd_analyze() {
        return;
    }
    let seed = support::seed_from_env("UNITLAB_TIMESPAN_SEED");
    eprintln!("timespan differential: UNITLAB_TIMESPAN_SEED={seed}");
    let mut rng = support::Rng::new(seed);
    let spans: Vec<String> = (0..400).map(|_| random_span(&mut rng)).collect();
    let (mut compared, mut errors) = (0usize, 0usize);
    let mut mismatches = Vec::new();
    let mut rest: &[String] = &spans;
    while !rest.is_empty() {
        let (stdout, stderr) = run("UTC", "timespan", rest);
        let got = blocks(&stdout);
        let mut stopped = rest.len();
        for (i, text) in rest.iter().enumerate() {
            let theirs = got.get(i).filter(|b| !b.is_empty());
            match (theirs, parse_sec(text)) {
                (Some(rows), Ok(us)) => {
                    let want = vec![
                        ("Original".to_string(), text.clone()),
                        ("\u{3bc}s".to_string(), us.to_string()),
                        ("Human".to_string(), format_timespan(us, 0)),
                    ];
                    // The table trims nothing but the label; compare values after the first ": ".
                    // Labels aside ("μs" is "us" outside UTF-8 locales), the values must match.
                    let values = |r: &[(String, String)]| {
                        r.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>()
                    };
                    if values(rows) != values(&table_column(&want)) {
                        mismatches.push(format!("{text:?}: systemd {rows:?}, unitlab {want:?}"));
                    }
                    compared += 1;
                }
                (None, Err(e)) => {
                    let first = stderr.lines().next().unwrap_or("");
                    let want = format!("Failed to parse time span '{text}': {e}");
                    if first != want {
                        mismatches.push(format!("{text:?}: systemd {first:?}, unitlab {want:?}"));
                    }
                    errors += 1;
                    stopped = i + 1;
                    break;
                }
                (theirs, ours) => {
                    mismatches.push(format!(
                        "{text:?}: systemd {theirs:?} / {stderr:?}, unitlab {ours:?}"
                    ));
                    stopped = i + 1;
                    break;
                }
            }
        }
        rest = &rest[stopped..];
    }
    eprintln!(
        "timespan differential: {compared} spans and {errors} errors compared; {} mismatches",
        mismatches.len()
    );
    for m in mismatches.iter().take(20) {
        eprintln!("{m}");
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches (seed {seed})",
        mismatches.len()
    );
}

fn random_stamp(rng: &mut support::Rng) -> String {
    if rng.chance(60) {
        let secs = rng.next() % 253_402_214_399;
        return if rng.chance(20) {
            format!("@{secs}.{:06}", rng.below(1_000_000))
        } else {
            format!("@{secs}")
        };
    }
    let year = rng.pick(&["2026", "2027", "1999", "2038", "26", "99", "9999", "1970"]);
    let mon = rng.pick(&["01", "3", "10", "11", "12", "13", "02"]);
    let day = rng.pick(&["1", "24", "28", "29", "30", "31", "32"]);
    let time = rng.pick(&[
        "",
        " 12:00",
        " 02:30",
        " 02:30:00",
        " 23:59:59",
        " 12:00:00.5",
        " 1:2:3",
        " 24:00",
        " 03:00:00.1234567",
    ]);
    let prefix = rng.pick(&["", "", "Tue ", "Sunday ", "mon "]);
    let suffix = rng.pick(&[
        "",
        "",
        " UTC",
        " utc",
        " CET",
        " CEST",
        " EST",
        " Europe/Berlin",
        " America/New_York",
        " Mars/Olympus",
    ]);
    format!("{prefix}{year}-{mon}-{day}{time}{suffix}")
}

#[test]
fn timestamps_match_systemd_analyze() {
    if !support::systemd_analyze() {
        return;
    }
    let seed = support::seed_from_env("UNITLAB_TIMESPAN_SEED");
    eprintln!("timestamp differential: UNITLAB_TIMESPAN_SEED={seed}");
    let mut rng = support::Rng::new(seed);
    let stamps: Vec<String> = (0..300).map(|_| random_stamp(&mut rng)).collect();
    // Zone names are looked up in this machine's /usr/share/zoneinfo, as the oracle does.
    let host = DirFs::new("/").expect("host root");
    let zones = FsZones::new(&host);
    let (mut compared, mut errors, mut relatives) = (0usize, 0usize, 0usize);
    let mut mismatches = Vec::new();
    for tz in ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"] {
        let local = Zone::from_tzif(
            tz,
            &std::fs::read(format!("/usr/share/zoneinfo/{tz}")).expect("zone"),
        )
        .expect("parses");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_micros() as u64)
            .unwrap_or(0);
        let (stdout, stderr) = run(tz, "timestamp", &stamps);
        let after = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_micros() as u64)
            .unwrap_or(0);
        let got = blocks(&stdout);
        let mut my_errors = Vec::new();
        // One systemd-analyze process: glibc's mktime offset guess carries from one to the next.
        let mut state = MktimeState::default();
        for (i, text) in stamps.iter().enumerate() {
            let block = got.get(i).cloned().unwrap_or_default();
            let their_relative = block
                .iter()
                .find(|(l, _)| l == "From now")
                .map(|(_, v)| v.clone());
            let theirs: Vec<(String, String)> =
                block.into_iter().filter(|(l, _)| l != "From now").collect();
            let mine = match parse_timestamp_with_state(text, now, &local, &zones, &mut state) {
                Err(e) => {
                    my_errors.push(format!("Failed to parse \"{text}\": {e}"));
                    Vec::new()
                }
                Ok(us) => {
                    let mut rows = vec![
                        ("Original form".to_string(), text.clone()),
                        (
                            "Normalized form".to_string(),
                            format_timestamp(us, &local).unwrap_or_default(),
                        ),
                    ];
                    if !local.is_utc() {
                        rows.push((
                            "(in UTC)".to_string(),
                            format_timestamp_utc(us).unwrap_or_default(),
                        ));
                    }
                    let unix = if us % USEC_PER_SEC == 0 {
                        format!("@{}", us / USEC_PER_SEC)
                    } else {
                        format!("@{}.{:06}", us / USEC_PER_SEC, us % USEC_PER_SEC)
                    };
                    rows.push(("UNIX seconds".to_string(), unix));
                    // "From now" used the oracle's clock, read between `now` and `after`: one
                    // of the two ends must give the same text.
                    if let Some(theirs) = &their_relative {
                        relatives += 1;
                        let at = |n| format_timestamp_relative(us, n).unwrap_or_default();
                        if *theirs != at(now) && *theirs != at(after) {
                            mismatches.push(format!(
                                "TZ={tz} {text:?}: From now: systemd {theirs:?}, unitlab {:?}..{:?}",
                                at(now),
                                at(after)
                            ));
                        }
                    }
                    rows
                }
            };
            compared += 1;
            if theirs != mine {
                mismatches.push(format!(
                    "TZ={tz} {text:?}\n  systemd: {theirs:?}\n  unitlab: {mine:?}"
                ));
            }
        }
        let their_errors: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with("Failed to"))
            .collect();
        errors += their_errors.len();
        if their_errors != my_errors {
            mismatches.push(format!("TZ={tz}: error lines differ\n  systemd: {their_errors:?}\n  unitlab: {my_errors:?}"));
        }
    }
    eprintln!(
        "timestamp differential: {compared} timestamps ({relatives} \"From now\") and {errors} errors compared; {} mismatches",
        mismatches.len()
    );
    for m in mismatches.iter().take(20) {
        eprintln!("{m}");
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches (seed {seed})",
        mismatches.len()
    );
}
