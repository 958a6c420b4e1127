//! `journalctl` in the simulated shell: the journal of both managers in journalctl's `short`
//! format (`Nov 24 12:00:01 unitlab systemd[1]: Started a.service.`), with `-u UNIT`, `-b [N]`,
//! `-n N`, `-x` (the catalog text, `░░ `-prefixed as journalctl 252 prints it in a UTF-8
//! locale), `-e`, `--user` and `--system`. The catalog entries are systemd 252's English ones
//! (`base/catalog.txt`).
use super::shell::Io;
use super::{time, Machine, ShellScope};
use crate::manager::JournalEntry;

/// The catalog entries the manager's messages refer to (see `base/catalog.py`).
const CATALOG: &str = include_str!("base/catalog.txt");

/// The machine's host name, as journal lines show it.
pub const HOSTNAME: &str = "unitlab";

/// The catalog text of `id` with its `@FIELD@`s filled in from `entry`.
fn catalog(id: &str, entry: &JournalEntry) -> Option<String> {
    let mut found = None;
    for block in CATALOG.split("\n-- ").map(|b| b.trim_start_matches("-- ")) {
        let (head, body) = block.split_once('\n').unwrap_or((block, ""));
        if head.split_whitespace().next() == Some(id) {
            found = Some(body.trim().to_owned());
            break;
        }
    }
    let mut text = found?;
    let unit = entry.unit.as_ref().map(|u| u.as_str()).unwrap_or_default();
    text = text.replace("@UNIT@", unit);
    if let Some((job, result)) = &entry.job {
        text = text
            .replace("@JOB_ID@", &job.to_string())
            .replace("@JOB_RESULT@", result);
    }
    Some(text)
}

/// Runs `journalctl ARGS`.
pub fn run(m: &mut Machine, args: &[String], io: &mut Io<'_>) -> i32 {
    if args.iter().any(|a| a == "--version") {
        let _ = io.out.write_all(super::systemctl::VERSION.as_bytes());
        return 0;
    }
    let mut units: Vec<String> = Vec::new();
    let mut boot: Option<i64> = None;
    let mut lines: Option<usize> = None;
    let mut catalog_text = false;
    let mut user = false;
    let mut system = false;
    let mut quiet = false;
    let mut i = 0;
    let value = |i: &mut usize, inline: Option<&str>| -> Option<String> {
        if let Some(v) = inline {
            return Some(v.to_owned());
        }
        *i += 1;
        args.get(*i).cloned()
    };
    while i < args.len() {
        let a = args[i].as_str();
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v)),
            _ => (a, None),
        };
        match name {
            "-u" | "--unit" => match value(&mut i, inline) {
                Some(u) => units.push(mangle(&u)),
                None => return missing(io, name),
            },
            "-b" | "--boot" => {
                let next = inline.map(str::to_owned).or_else(|| {
                    args.get(i + 1)
                        .filter(|n| n.parse::<i64>().is_ok())
                        .cloned()
                });
                if inline.is_none() && next.is_some() {
                    i += 1;
                }
                boot = Some(next.and_then(|n| n.parse().ok()).unwrap_or(0));
            }
            "-n" | "--lines" => match value(&mut i, inline).and_then(|v| v.parse().ok()) {
                Some(n) => lines = Some(n),
                None => return missing(io, name),
            },
            "-x" | "--catalog" => catalog_text = true,
            "-e" | "--pager-end" => lines = Some(lines.unwrap_or(1000)),
            "-xe" | "-ex" => {
                catalog_text = true;
                lines = Some(lines.unwrap_or(1000));
            }
            "--user" => user = true,
            "--system" => system = true,
            "-q" | "--quiet" => quiet = true,
            "--no-pager" | "--no-hostname" => {}
            _ => {
                let _ = writeln!(io.err, "journalctl: unrecognized option '{a}'");
                return 1;
            }
        }
        i += 1;
    }
    let current = m.clock.boot;
    let boot_index = match boot {
        None => None,
        Some(n) => {
            let idx = if n <= 0 {
                i64::from(current) + n
            } else {
                n - 1
            };
            match u32::try_from(idx).ok().filter(|b| *b <= current) {
                Some(b) => Some(b),
                None => {
                    let _ = writeln!(
                        io.err,
                        "Data from the specified boot ({n:+}) is not available: No such boot ID in journal"
                    );
                    return 1;
                }
            }
        }
    };
    // Which journals the caller sees: --user only the user's; the user's shell without flags
    // its own journal; root without flags all of them.
    let user_only = user || (!system && m.settings.scope == ShellScope::User);
    let system_only = system && !user;
    let selected: Vec<&JournalEntry> = m
        .journal
        .entries
        .iter()
        .filter(|e| (e.user || !user_only) && !(e.user && system_only))
        .filter(|e| boot_index.is_none_or(|b| e.boot == b))
        .filter(|e| {
            units.is_empty()
                || e.unit
                    .as_ref()
                    .is_some_and(|u| units.iter().any(|x| x == u.as_str()))
        })
        .collect();
    let skip = lines.map_or(0, |n| selected.len().saturating_sub(n));
    let shown = &selected[skip..];
    if shown.is_empty() {
        if !quiet {
            let _ = writeln!(io.out, "-- No entries --");
        }
        return 0;
    }
    let mut last_boot = shown[0].boot;
    for e in shown {
        if e.boot != last_boot {
            let _ = writeln!(io.out, "-- Boot {} --", boot_id(m.settings.seed, e.boot));
            last_boot = e.boot;
        }
        for (k, line) in e.message.text().split('\n').enumerate() {
            if k == 0 {
                let _ = writeln!(
                    io.out,
                    "{} {HOSTNAME} {}[{}]: {line}",
                    time::journal_time(e.realtime),
                    e.identifier,
                    e.pid
                );
            } else {
                let _ = writeln!(io.out, "{line}");
            }
        }
        if catalog_text {
            if let Some(text) = e.message_id.and_then(|id| catalog(id, e)) {
                for l in text.split('\n') {
                    let _ = writeln!(io.out, "░░ {l}");
                }
            }
        }
    }
    0
}

fn missing(io: &mut Io<'_>, opt: &str) -> i32 {
    let _ = writeln!(io.err, "journalctl: option '{opt}' requires an argument");
    1
}

/// `foo` → `foo.service`, as journalctl mangles `-u` arguments.
fn mangle(u: &str) -> String {
    match unitlab_engine::name::mangle(
        u,
        unitlab_engine::name::MangleOptions {
            default_suffix: unitlab_engine::name::UnitType::Service,
            allow_globs: true,
        },
    ) {
        Ok(m) => m.name,
        Err(_) => u.to_owned(),
    }
}

/// A boot id derived from the seed and the boot index (32 hex digits).
pub fn boot_id(seed: u64, boot: u32) -> String {
    let mut x = seed ^ (u64::from(boot) << 32) ^ 0x9e37_79b9_7f4a_7c15;
    let mut out = String::new();
    for _ in 0..2 {
        x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        out.push_str(&format!("{:016x}", z ^ (z >> 31)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use unitlab_engine::name::UnitName;

    fn entry(user: bool, unit: &str, msg: &str, id: Option<&'static str>) -> JournalEntry {
        JournalEntry {
            boot: 0,
            realtime: crate::machine::Settings::default().start + 1_500_000,
            monotonic: 1_500_000,
            user,
            identifier: "systemd".into(),
            pid: if user { 1234 } else { 1 },
            unit: UnitName::new(unit).ok(),
            message: msg.into(),
            message_id: id,
            fields: Vec::new(),
            job: Some((7, "dependency")),
            priority: 3,
        }
    }

    /// The catalog lines follow journalctl 252's `print_catalog()`: every line of the catalog
    /// text (Subject, Defined-By, Support, blank, body) prefixed with `░░ ` in a UTF-8 locale.
    #[test]
    fn renders_short_format_with_catalog() {
        let mut m = Machine::new(crate::machine::Settings::default());
        // The boot's own messages are not what this test is about.
        m.journal.entries.clear();
        assert_eq!(m.run("journalctl"), ("-- No entries --\n".to_owned(), 0));
        m.journal
            .push(entry(false, "a.service", "Starting a.service...", None));
        m.journal.push(entry(
            false,
            "a.service",
            "Dependency failed for a.service.",
            Some("be02cf6855d2428ba40df7e9d022f03d"),
        ));
        m.journal
            .push(entry(true, "u.service", "Started u.service.", None));
        let (out, status) = m.run("journalctl -x -u a");
        assert_eq!(status, 0);
        assert_eq!(
            out,
            "Nov 24 12:00:01 unitlab systemd[1]: Starting a.service...\n\
             Nov 24 12:00:01 unitlab systemd[1]: Dependency failed for a.service.\n\
             ░░ Subject: A start job for unit a.service has failed\n\
             ░░ Defined-By: systemd\n\
             ░░ Support: https://www.debian.org/support\n\
             ░░ \n\
             ░░ A start job for unit a.service has finished with a failure.\n\
             ░░ \n\
             ░░ The job identifier is 7 and the job result is dependency.\n"
        );
        let (out, _) = m.run("journalctl --user -n 1");
        assert_eq!(
            out,
            "Nov 24 12:00:01 unitlab systemd[1234]: Started u.service.\n"
        );
        let (out, _) = m.run("journalctl -b -n 1 --system");
        assert_eq!(
            out,
            "Nov 24 12:00:01 unitlab systemd[1]: Dependency failed for a.service.\n"
        );
        assert_eq!(
            m.run("journalctl -b -1"),
            (
                "Data from the specified boot (-1) is not available: No such boot ID in journal\n"
                    .to_owned(),
                1
            )
        );
    }

    #[test]
    fn catalog_fills_fields() {
        let e = JournalEntry {
            boot: 0,
            realtime: 0,
            monotonic: 0,
            user: true,
            identifier: "systemd".into(),
            pid: 1,
            unit: UnitName::new("a.service").ok(),
            message: "Failed to start a.service.".into(),
            message_id: Some("be02cf6855d2428ba40df7e9d022f03d"),
            fields: Vec::new(),
            job: Some((7, "dependency")),
            priority: 3,
        };
        let t = catalog("be02cf6855d2428ba40df7e9d022f03d", &e).expect("entry");
        assert!(t.starts_with("Subject: A start job for unit a.service has failed\n"));
        assert!(t.ends_with("The job identifier is 7 and the job result is dependency."));
    }
}
