//! Preset files and rules (reference §4.12).
//!
//! # Model
//!
//! Preset files are `*.preset` entries in the scope's preset directories (system:
//! `/etc/systemd/system-preset`, `/run/…`, `/usr/local/lib/…`, `/usr/lib/…`, `/lib/…`; user and
//! global: the same with `user-preset`, without `/lib`), all inside the root. They are keyed by
//! basename: the entry in the earliest directory wins, whatever it is (an empty file or a
//! `/dev/null` link therefore disables the vendor file of the same name). The surviving files are
//! read in basename order and their rules appended in order.
//!
//! A line, stripped of whitespace, is empty, a comment (`#`, `;`), `enable PATTERN
//! [INSTANCE…]` (instances only after a template name) or `disable PATTERN`; anything else is
//! logged as `FILE:LINE: Couldn't parse line 'LINE'. Ignoring.` (the line as read, trailing
//! whitespace removed). v252 has no `ignore` directive.
//!
//! [`Presets::query`] tries the rules in order; the first rule whose pattern `fnmatch`es the name,
//! or (for rules with instances) whose template is the unit's template and that either lists the
//! unit's instance or is asked about the template itself, decides. No match means enable.
//!
//! Deviations, both deliberate: a preset file that is a symlink is followed inside the root, and
//! with a root an absolute link (other than to `/dev/null`) counts as missing, where systemd
//! `fopen()`s the host path outside the root. A bare `enable` line makes systemd 252 crash
//! (`fnmatch(NULL, …)`); here it is a rule that never matches.
use super::change::Errno;
use super::discover::join;
use super::fnmatch::fnmatch;
use super::Log;
use crate::diag::Severity;
use crate::fs::{FileKind, FileSystem};
use crate::load::{LookupPaths, Scope};
use crate::name::{NameKind, UnitName};
use camino::{Utf8Path, Utf8PathBuf};
use std::collections::BTreeMap;

/// What a preset rule says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PresetAction {
    /// `enable PATTERN`.
    Enable,
    /// `disable PATTERN`.
    Disable,
}

/// One rule from a preset file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresetRule {
    /// The glob (`None` for a bare `enable` line, which never matches).
    pub pattern: Option<String>,
    /// Enable or disable.
    pub action: PresetAction,
    /// For `enable TEMPLATE INSTANCE…`: the instances.
    pub instances: Option<Vec<String>>,
}

/// The answer of [`Presets::query`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PresetVerdict {
    /// Enable the unit (a rule said so, or no rule matched).
    Enable,
    /// Enable exactly these instances of the queried template.
    EnableInstances(Vec<String>),
    /// Disable the unit.
    Disable,
}

impl PresetVerdict {
    /// Whether the verdict is an enable.
    pub fn enables(&self) -> bool {
        !matches!(self, PresetVerdict::Disable)
    }
}

/// All preset rules of a scope, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Presets {
    /// The rules, in file order.
    pub rules: Vec<PresetRule>,
}

const WHITESPACE: &[char] = &[' ', '\t', '\n', '\r'];

/// The preset directories of `scope` (root-relative), in priority order.
pub fn preset_dirs(scope: Scope) -> &'static [&'static str] {
    match scope {
        Scope::System => &[
            "/etc/systemd/system-preset",
            "/run/systemd/system-preset",
            "/usr/local/lib/systemd/system-preset",
            "/usr/lib/systemd/system-preset",
            "/lib/systemd/system-preset",
        ],
        Scope::Global | Scope::User => &[
            "/etc/systemd/user-preset",
            "/run/systemd/user-preset",
            "/usr/local/lib/systemd/user-preset",
            "/usr/lib/systemd/user-preset",
        ],
    }
}

/// Follows symlinks at `path` the way `fopen()` on the host would, staying inside the root:
/// `Some(None)` for `/dev/null` (empty), `Some(Some(real))` for an existing entry, `None` if
/// missing (or, with a root, reached through an absolute link that leaves it).
fn open_target(
    fs: &dyn FileSystem,
    lp: &LookupPaths,
    path: &Utf8Path,
) -> Option<Option<Utf8PathBuf>> {
    let mut cur = path.to_owned();
    for _ in 0..=crate::fs::MAX_SYMLINK_HOPS {
        let (real, meta) = super::discover::lstat_host(fs, &cur).ok()?;
        if meta.kind != FileKind::Symlink {
            return Some(Some(real));
        }
        let target = fs.read_link(&real).ok()?;
        let t = target.as_str();
        if t.starts_with('/') {
            let norm = crate::fs::normalize(Utf8Path::new("/"), &target);
            if norm == "/dev/null" {
                return Some(None);
            }
            if lp.root().is_some() {
                return None;
            }
            cur = norm;
        } else {
            let dir = super::discover::parent(&real);
            let next = join(&dir, t);
            if next == "/dev/null" && lp.root().is_none() {
                return Some(None);
            }
            cur = next;
        }
    }
    None
}

/// `conf_files_list_strv(".preset")`: the surviving preset files (root-relative paths in their
/// resolved directories), sorted by basename.
pub fn preset_files(fs: &dyn FileSystem, lp: &LookupPaths) -> Vec<Utf8PathBuf> {
    let mut by_name: BTreeMap<String, Utf8PathBuf> = BTreeMap::new();
    let mut seen_dirs: Vec<Utf8PathBuf> = Vec::new();
    for d in preset_dirs(lp.scope()) {
        let Ok(r) = crate::fs::resolve(fs, Utf8Path::new(d), crate::fs::Follow::Yes) else {
            continue;
        };
        if r.target.kind() != Some(FileKind::Dir) || seen_dirs.contains(&r.path) {
            continue;
        }
        seen_dirs.push(r.path.clone());
        let Ok(entries) = fs.read_dir(&r.path) else {
            continue;
        };
        for e in entries {
            if !e.name.ends_with(".preset") {
                continue;
            }
            by_name
                .entry(e.name.clone())
                .or_insert_with(|| join(&r.path, &e.name));
        }
    }
    by_name.into_values().collect()
}

/// Splits text into lines like systemd's `read_line()`: `\n`, `\r`, `\r\n` and NUL end a line.
fn lines(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Vec<u8> = Vec::new();
    let mut i = 0;
    let mut pending = false;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\n' | 0 => {
                out.push(String::from_utf8_lossy(&cur).into_owned());
                cur.clear();
                pending = false;
            }
            b'\r' => {
                out.push(String::from_utf8_lossy(&cur).into_owned());
                cur.clear();
                pending = false;
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            _ => {
                cur.push(b);
                pending = true;
            }
        }
        i += 1;
    }
    if pending {
        out.push(String::from_utf8_lossy(&cur).into_owned());
    }
    out
}

/// systemd's `first_word()`: `line` starts with `word` followed by whitespace or its end; returns
/// the rest with leading whitespace skipped.
fn first_word<'a>(line: &'a str, word: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(word)?;
    if rest.is_empty() {
        return Some(rest);
    }
    if !rest.starts_with(WHITESPACE) {
        return None;
    }
    Some(rest.trim_start_matches(WHITESPACE))
}

/// Parses one stripped line into a rule; `Err(())` for a line that does not parse, `Ok(None)`
/// for nothing.
fn parse_line(l: &str) -> Result<Option<PresetRule>, ()> {
    if let Some(param) = first_word(l, "enable") {
        if param.is_empty() {
            return Ok(Some(PresetRule {
                pattern: None,
                action: PresetAction::Enable,
                instances: None,
            }));
        }
        let (name, rest) = match param.find(WHITESPACE) {
            Some(i) => (&param[..i], param[i..].trim_start_matches(WHITESPACE)),
            None => (param, ""),
        };
        let instances = if rest.is_empty() {
            None
        } else {
            if crate::name::classify(name) != Some(NameKind::Template) {
                return Err(());
            }
            Some(
                rest.split(WHITESPACE)
                    .filter(|w| !w.is_empty())
                    .map(str::to_owned)
                    .collect(),
            )
        };
        return Ok(Some(PresetRule {
            pattern: Some(name.to_owned()),
            action: PresetAction::Enable,
            instances,
        }));
    }
    if let Some(param) = first_word(l, "disable") {
        return Ok(Some(PresetRule {
            pattern: Some(param.to_owned()),
            action: PresetAction::Disable,
            instances: None,
        }));
    }
    Err(())
}

impl Presets {
    /// Reads the preset files of the scope (`read_presets()`), with the warnings logged on the
    /// way. Fails like systemd when a preset file cannot be read (e.g. `EISDIR` for a directory).
    pub fn read(fs: &dyn FileSystem, lp: &LookupPaths) -> (Result<Presets, Errno>, Vec<Log>) {
        let mut logs = Vec::new();
        let mut rules = Vec::new();
        for p in preset_files(fs, lp) {
            let bytes = match open_target(fs, lp, &p) {
                None => continue,
                Some(None) => Vec::new(),
                Some(Some(real)) => match fs.lstat(&real) {
                    Ok(m) if m.kind == FileKind::Dir => return (Err(Errno::EISDIR), logs),
                    Ok(m) if m.kind == FileKind::CharDevice => Vec::new(),
                    _ => match fs.read(&real, crate::fs::MAX_FILE_SIZE) {
                        Ok(b) => b,
                        Err(e) if e.is_not_found() => continue,
                        Err(e) => return (Err(Errno::from_fs(&e)), logs),
                    },
                },
            };
            let host = lp.host_path(&p);
            for (n, line) in lines(&bytes).into_iter().enumerate() {
                let trimmed_end = line.trim_end_matches(WHITESPACE);
                let l = trimmed_end.trim_start_matches(WHITESPACE);
                if l.is_empty() || l.starts_with(['#', ';']) {
                    continue;
                }
                match parse_line(l) {
                    Ok(Some(rule)) => rules.push(rule),
                    Ok(None) => {}
                    Err(()) => logs.push(Log {
                        severity: Severity::Warning,
                        text: format!(
                            "{host}:{}: Couldn't parse line '{trimmed_end}'. Ignoring.",
                            n + 1
                        ),
                    }),
                }
            }
        }
        (Ok(Presets { rules }), logs)
    }

    /// `query_presets()`: the verdict for `name` (`EINVAL` for an invalid name). Instance lists
    /// are only reported when `want_instances` (preset operations); `list-unit-files` asks without.
    pub fn query(&self, name: &str, want_instances: bool) -> Result<PresetVerdict, Errno> {
        let unit = UnitName::new(name).map_err(|_| Errno::EINVAL)?;
        for rule in &self.rules {
            let Some(pattern) = &rule.pattern else {
                continue;
            };
            if want_instances {
                if let Some(instances) = &rule.instances {
                    if let Some(t) = unit.template() {
                        if t.as_str() == pattern {
                            if unit.kind() == NameKind::Template {
                                let mut out = Vec::new();
                                for i in instances {
                                    match unit.with_instance(i) {
                                        Ok(n) => out.push(n.into_string()),
                                        // systemd returns the error, which counts as no match.
                                        Err(_) => {
                                            out.clear();
                                            break;
                                        }
                                    }
                                }
                                if out.len() == instances.len() {
                                    return Ok(match rule.action {
                                        PresetAction::Enable => PresetVerdict::EnableInstances(out),
                                        PresetAction::Disable => PresetVerdict::Disable,
                                    });
                                }
                            } else if unit
                                .instance()
                                .is_some_and(|i| instances.iter().any(|x| x == i))
                            {
                                return Ok(verdict(rule.action));
                            }
                        }
                    }
                }
            }
            if fnmatch(pattern, name) {
                return Ok(verdict(rule.action));
            }
        }
        Ok(PresetVerdict::Enable)
    }
}

fn verdict(a: PresetAction) -> PresetVerdict {
    match a {
        PresetAction::Enable => PresetVerdict::Enable,
        PresetAction::Disable => PresetVerdict::Disable,
    }
}

#[cfg(test)]
mod tests {
    //! Expected values from reference §4.12 and runs of systemctl 252 `--root` (preset files
    //! with bad lines, CR line ends, an `/etc` override, a `/dev/null` mask, instance lists).
    use super::*;
    use crate::fs::MemFs;
    use crate::load::MapEnv;

    fn lp() -> LookupPaths {
        LookupPaths::new(Scope::System, Some(Utf8Path::new("/R")), &MapEnv::new("/")).expect("lp")
    }

    #[test]
    fn parse_warnings_keep_leading_whitespace_and_count_cr_lines() {
        let fs = MemFs::new();
        fs.add_file(
            "/usr/lib/systemd/system-preset/10-x.preset",
            "  bogus line  \n\tdisable\nenable a.service x y\nenable  foo@.service  i1   i2 \r\nbar\rbaz\n#c\n;c\nenablea\n",
        )
        .expect("file");
        let (p, logs) = Presets::read(&fs, &lp());
        let p = p.expect("presets");
        let texts: Vec<_> = logs.iter().map(|l| l.text.as_str()).collect();
        let f = "/R/usr/lib/systemd/system-preset/10-x.preset";
        assert_eq!(
            texts,
            vec![
                format!("{f}:1: Couldn't parse line '  bogus line'. Ignoring."),
                format!("{f}:3: Couldn't parse line 'enable a.service x y'. Ignoring."),
                format!("{f}:5: Couldn't parse line 'bar'. Ignoring."),
                format!("{f}:6: Couldn't parse line 'baz'. Ignoring."),
                format!("{f}:9: Couldn't parse line 'enablea'. Ignoring."),
            ]
        );
        assert_eq!(p.rules.len(), 2);
        assert_eq!(p.rules[0].pattern.as_deref(), Some(""));
        assert_eq!(
            p.rules[1].instances,
            Some(vec!["i1".to_owned(), "i2".to_owned()])
        );
    }

    #[test]
    fn etc_overrides_and_devnull_masks_by_basename() {
        let fs = MemFs::new();
        fs.add_file(
            "/usr/lib/systemd/system-preset/10-a.preset",
            "enable a.service\n",
        )
        .expect("file");
        fs.add_file("/usr/lib/systemd/system-preset/20-b.preset", "disable *\n")
            .expect("file");
        fs.add_file(
            "/etc/systemd/system-preset/10-a.preset",
            "disable a.service\n",
        )
        .expect("file");
        let (p, _) = Presets::read(&fs, &lp());
        let p = p.expect("presets");
        assert_eq!(p.query("a.service", true), Ok(PresetVerdict::Disable));
        fs.add_symlink("/etc/systemd/system-preset/20-b.preset", "/dev/null")
            .expect("link");
        let (p, _) = Presets::read(&fs, &lp());
        let p = p.expect("presets");
        assert_eq!(p.query("zz.service", true), Ok(PresetVerdict::Enable));
    }

    #[test]
    fn first_match_wins_and_instances() {
        let fs = MemFs::new();
        fs.add_file(
            "/usr/lib/systemd/system-preset/50-x.preset",
            "enable prefix-1.service\ndisable prefix-*.service\nenable prefix-2.service\n\
             enable foo@.service bar0 bar1\nenable emptylist@.service\ndisable *\n",
        )
        .expect("file");
        let (p, _) = Presets::read(&fs, &lp());
        let p = p.expect("presets");
        assert_eq!(p.query("prefix-1.service", true), Ok(PresetVerdict::Enable));
        assert_eq!(
            p.query("prefix-2.service", true),
            Ok(PresetVerdict::Disable)
        );
        assert_eq!(
            p.query("foo@.service", true),
            Ok(PresetVerdict::EnableInstances(vec![
                "foo@bar0.service".to_owned(),
                "foo@bar1.service".to_owned()
            ]))
        );
        assert_eq!(p.query("foo@bar1.service", true), Ok(PresetVerdict::Enable));
        assert_eq!(p.query("foo@def.service", true), Ok(PresetVerdict::Disable));
        // list-unit-files asks without instance lists: the instance only matches by glob.
        assert_eq!(
            p.query("foo@bar1.service", false),
            Ok(PresetVerdict::Disable)
        );
        assert_eq!(
            p.query("emptylist@.service", true),
            Ok(PresetVerdict::Enable)
        );
        assert_eq!(p.query("bad name", true), Err(Errno::EINVAL));
    }

    #[test]
    fn a_directory_named_like_a_preset_file_fails() {
        let fs = MemFs::new();
        fs.add_dir("/etc/systemd/system-preset/30-d.preset")
            .expect("dir");
        let (p, _) = Presets::read(&fs, &lp());
        assert_eq!(p, Err(Errno::EISDIR));
    }
}
