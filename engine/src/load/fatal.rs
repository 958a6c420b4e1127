//! Setting values that systemd 252's setting parsers refuse while reading a unit file
//! (reference §3.4): the `Exec*=` command lines (`config_parse_exec()`), `WorkingDirectory=`,
//! `RootDirectory=`/`RootImage=`/`RootVerity=`, `User=`/`Group=`/`SupplementaryGroups=` (and a
//! socket's `SocketUser=`/`SocketGroup=`) and the security labels' specifiers.
//!
//! A *fatal* refusal (`ENOEXEC`) ends the parse of the file at that line: the lines after it are
//! never read (no warnings for them, no dependencies from them). In a fragment it also ends
//! loading: the unit is `bad-setting` (`Unit configuration has fatal error, unit will not be
//! started.`), keeps only the name it was asked for, and its drop-ins and `.wants/`/`.requires/`
//! entries are not read. In a drop-in it only ends that drop-in's parse: systemd ignores the
//! error and the unit loads. The same settings with a `-` prefix (an `Exec*=` command,
//! `WorkingDirectory=`, a label) are refused with a warning ending in `ignoring` instead, and the
//! parse goes on.
//!
//! Besides, the scan counts the commands of `ExecStart=` and `ExecStop=` as systemd's lists hold
//! them (a line may hold several commands separated by `;`; an ignored command is not in the
//! list), which the service checks of [`super::verify`] need.
use crate::diag::{Code, Diagnostic, Severity};
use crate::name::{
    path_is_normalized, path_is_valid, path_simplify as simplify, unescape_bytes,
    unescape_path_bytes, UnitName, UnitType,
};
use crate::syntax::ParsedFile;
use std::borrow::Cow;

/// The result of scanning one file's settings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SettingScan {
    /// The first fatal refusal: its line and message (the parse of the file ends there).
    pub fatal: Option<(u32, String)>,
    /// Every message of the setting parsers up to and including the fatal one, in line order.
    pub messages: Vec<(u32, Severity, String)>,
}

impl SettingScan {
    /// The messages as diagnostics of `file`.
    pub fn diagnostics(&self, file: &ParsedFile) -> Vec<Diagnostic> {
        self.messages
            .iter()
            .map(|(line, sev, m)| {
                Diagnostic::new(&*file.file, *line, *sev, Code::BadSetting, m.clone())
            })
            .collect()
    }
}

/// How a key of the unit type's section is parsed, for the keys this module judges.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Exec,
    WorkingDirectory,
    FatalPath,
    UserGroup,
    UserGroupList,
    Label,
    /// A path whose refusal only ignores the assignment (`Where=`, a swap's `What=`).
    Path,
    /// `config_parse_bool()` with its fatal flag (`DynamicUser=`).
    FatalBool,
}

fn kind_of(ty: UnitType, key: &str) -> Option<Kind> {
    // Most keys are none of these: their first letter tells.
    if !matches!(
        key.as_bytes().first(),
        Some(b'E' | b'W' | b'R' | b'U' | b'G' | b'S' | b'A' | b'D')
    ) {
        return None;
    }
    let exec_context = matches!(
        ty,
        UnitType::Service | UnitType::Socket | UnitType::Mount | UnitType::Swap
    );
    let k = match (ty, key) {
        (
            UnitType::Service,
            "ExecCondition" | "ExecStartPre" | "ExecStart" | "ExecStartPost" | "ExecReload"
            | "ExecStop" | "ExecStopPost",
        ) => Kind::Exec,
        (UnitType::Socket, "ExecStartPre" | "ExecStartPost" | "ExecStopPre" | "ExecStopPost") => {
            Kind::Exec
        }
        (UnitType::Socket, "SocketUser" | "SocketGroup") => Kind::UserGroup,
        (_, "WorkingDirectory") if exec_context => Kind::WorkingDirectory,
        (_, "RootDirectory" | "RootImage" | "RootVerity") if exec_context => Kind::FatalPath,
        (_, "User" | "Group") if exec_context => Kind::UserGroup,
        (_, "DynamicUser") if exec_context => Kind::FatalBool,
        (_, "SupplementaryGroups") if exec_context => Kind::UserGroupList,
        (_, "SELinuxContext" | "AppArmorProfile" | "SmackProcessLabel") if exec_context => {
            Kind::Label
        }
        (UnitType::Mount | UnitType::Automount, "Where") | (UnitType::Swap, "What") => Kind::Path,
        _ => return None,
    };
    Some(k)
}

/// Scans `file`, parsed as part of the unit `id`, in file order (reference §3.4).
pub fn scan_settings(id: &UnitName, file: &ParsedFile) -> SettingScan {
    scan(id, file, &mut |_, _| {})
}

/// What one file's `ExecStart=` and `ExecStop=` assignments do to the two command lists: per
/// list, whether an empty assignment reset it, and how many commands were appended after the
/// last reset (or at all).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct CountEffect {
    start: (bool, usize),
    stop: (bool, usize),
}

impl CountEffect {
    fn hear(&mut self, key: &str, n: Option<usize>) {
        let list = match key {
            "ExecStart" => &mut self.start,
            "ExecStop" => &mut self.stop,
            _ => return,
        };
        match n {
            None => *list = (true, 0),
            Some(n) => list.1 += n,
        }
    }

    /// Applies the effect to (start, stop) counts (files in application order).
    pub(crate) fn apply(self, counts: &mut (usize, usize)) {
        for (list, count) in [(self.start, &mut counts.0), (self.stop, &mut counts.1)] {
            if list.0 {
                *count = list.1;
            } else {
                *count += list.1;
            }
        }
    }
}

/// [`scan_settings`] plus the file's [`CountEffect`] (one scan instead of two).
pub(crate) fn scan_counted(id: &UnitName, file: &ParsedFile) -> (SettingScan, CountEffect) {
    let mut effect = CountEffect::default();
    let scan = scan(id, file, &mut |key, n| effect.hear(key, n));
    (scan, effect)
}

/// The commands `ExecStart=` and `ExecStop=` hold after `files` (application order): what
/// `service_verify()` counts.
pub(crate) fn start_stop_counts(id: &UnitName, files: &[&ParsedFile]) -> (usize, usize) {
    let mut counts = (0usize, 0usize);
    for f in files {
        let mut effect = CountEffect::default();
        scan(id, f, &mut |key, n| effect.hear(key, n));
        effect.apply(&mut counts);
    }
    counts
}

/// The scan; `commands(key, n)` hears every `Exec*=` line: `None` for an empty assignment (the
/// list is reset), `Some(n)` for the commands it appended.
fn scan(
    id: &UnitName,
    file: &ParsedFile,
    commands: &mut dyn FnMut(&str, Option<usize>),
) -> SettingScan {
    let ty = id.unit_type();
    let mut out = SettingScan::default();
    for section in file.sections() {
        if section.name != ty.section() {
            continue;
        }
        for e in section.entries() {
            let Some(kind) = kind_of(ty, e.key) else {
                continue;
            };
            let mut log = |sev: Severity, m: String| out.messages.push((e.line, sev, m));
            let fatal = match kind {
                Kind::Exec => {
                    if e.value.is_empty() {
                        commands(e.key, None);
                        false
                    } else {
                        let (n, fatal) = exec(id, e.value, &mut log);
                        commands(e.key, Some(n));
                        fatal
                    }
                }
                Kind::WorkingDirectory => working_directory(id, e.value, &mut log),
                Kind::FatalPath => fatal_path(id, e.key, e.value, &mut log),
                Kind::UserGroup => user_group(id, e.value, &mut log),
                Kind::UserGroupList => user_group_list(id, e.value, &mut log),
                Kind::Label => label(id, e.value, &mut log),
                Kind::Path => {
                    path_value(id, e.key, e.value, &mut log);
                    false
                }
                Kind::FatalBool => {
                    let ok = crate::syntax::parse_boolean(e.value).is_some();
                    if !ok {
                        log(
                            Severity::Error,
                            format!("Failed to parse boolean value: {}", e.value),
                        );
                    }
                    !ok
                }
            };
            if fatal {
                let message = out
                    .messages
                    .last()
                    .map(|(_, _, m)| m.clone())
                    .unwrap_or_default();
                out.fatal = Some((e.line, message));
                return out;
            }
        }
    }
    out
}

type Log<'a> = dyn FnMut(Severity, String) + 'a;

/// `", ignoring"` or nothing, and the severity that goes with it.
fn tone(ignore: bool) -> (&'static str, Severity) {
    if ignore {
        (", ignoring", Severity::Warning)
    } else {
        ("", Severity::Error)
    }
}

/// `config_parse_exec()`: returns the number of commands appended and whether the refusal was
/// fatal.
fn exec(id: &UnitName, value: &str, log: &mut Log) -> (usize, bool) {
    let mut p = value.as_bytes();
    let mut appended = 0;
    loop {
        let first = match word_and_warn(&mut p, value, log) {
            Ok(Some(w)) => w,
            // Nothing left, or the first word failed to decode: the rest is dropped silently.
            Ok(None) | Err(()) => return (appended, false),
        };
        if *first == *b";" {
            continue;
        }
        let mut f: &[u8] = &first;
        let (mut ignore, mut argv0, mut no_env, mut privileged, mut no_setuid, mut ambient) =
            (false, false, false, false, false, false);
        while let Some(&c) = f.first() {
            match c {
                b'-' if !ignore => ignore = true,
                b'@' if !argv0 => argv0 = true,
                b':' if !no_env => no_env = true,
                b'+' if !(privileged || no_setuid || ambient) => privileged = true,
                b'!' if !(privileged || no_setuid || ambient) => no_setuid = true,
                b'!' if !(privileged || ambient) => {
                    no_setuid = false;
                    ambient = true;
                }
                _ => break,
            }
            f = &f[1..];
        }
        let (suffix, sev) = tone(ignore);
        let path = match expand(id, f, PATH_MAX) {
            Ok(p) => p,
            Err(e) => {
                let text = String::from_utf8_lossy(f);
                log(
                    sev,
                    format!("Failed to resolve unit specifiers in '{text}'{suffix}: {e}"),
                );
                return (appended, !ignore);
            }
        };
        let shown = || String::from_utf8_lossy(&path).into_owned();
        let problem = if path.is_empty() {
            Some(format!("Empty path in command line{suffix}: '{value}'"))
        } else if !string_is_safe(&path) {
            Some(format!(
                "Executable name contains special characters{suffix}: {}",
                shown()
            ))
        } else if path.ends_with(b"/") {
            Some(format!(
                "Executable path specifies a directory{suffix}: {}",
                shown()
            ))
        } else if !(if path.starts_with(b"/") {
            path_is_valid(&path)
        } else {
            filename_is_valid(&path)
        }) {
            Some(format!(
                "Neither a valid executable name nor an absolute path{suffix}: {}",
                shown()
            ))
        } else {
            None
        };
        if let Some(m) = problem {
            log(sev, m);
            return (appended, !ignore);
        }
        let mut words = usize::from(!argv0);
        loop {
            if p.is_empty() {
                break;
            }
            if p[0] == b';' && (p.len() == 1 || is_space(p[1])) {
                p = trim_start(&p[1..]);
                break;
            }
            if p.starts_with(b"\\;") && (p.len() == 2 || is_space(p[2])) {
                p = trim_start(&p[2..]);
                words += 1;
                continue;
            }
            let word = match word_and_warn(&mut p, value, log) {
                Ok(Some(w)) => w,
                Ok(None) => break,
                Err(()) => return (appended, !ignore),
            };
            if let Err(e) = expand(id, &word, usize::MAX) {
                let w = String::from_utf8_lossy(&word);
                log(
                    sev,
                    format!("Failed to resolve unit specifiers in {w}{suffix}: {e}"),
                );
                return (appended, !ignore);
            }
            words += 1;
        }
        if words == 0 {
            log(
                sev,
                format!("Empty executable name or zeroeth argument{suffix}: {value}"),
            );
            return (appended, !ignore);
        }
        appended += 1;
        if p.is_empty() {
            return (appended, false);
        }
    }
}

/// `config_parse_working_directory()`: a `-` prefix makes every refusal a warning.
fn working_directory(id: &UnitName, value: &str, log: &mut Log) -> bool {
    if value.is_empty() {
        return false;
    }
    let (missing_ok, v) = match value.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, value),
    };
    if v == "~" {
        return false;
    }
    let (suffix, sev) = tone(missing_ok);
    match expand(id, v.as_bytes(), PATH_MAX) {
        Err(e) => {
            log(
                sev,
                format!(
                    "Failed to resolve unit specifiers in working directory path '{v}'{suffix}: {e}"
                ),
            );
            !missing_ok
        }
        Ok(p) => check_absolute_path(&p, "WorkingDirectory", !missing_ok, log),
    }
}

/// `config_parse_unit_path_printf()` with its fatal flag (`RootDirectory=` and friends).
fn fatal_path(id: &UnitName, key: &str, value: &str, log: &mut Log) -> bool {
    if value.is_empty() {
        return false;
    }
    match expand(id, value.as_bytes(), PATH_MAX) {
        Err(e) => {
            log(
                Severity::Error,
                format!("Failed to resolve unit specifiers in '{value}': {e}"),
            );
            true
        }
        Ok(p) => check_absolute_path(&p, key, true, log),
    }
}

/// `config_parse_unit_path_printf()` without the fatal flag: the simplified path, or `None`
/// when the assignment is ignored (with a message) or empty.
fn path_value(id: &UnitName, key: &str, value: &str, log: &mut Log) -> Option<Vec<u8>> {
    if value.is_empty() {
        return None;
    }
    match expand(id, value.as_bytes(), PATH_MAX) {
        Err(e) => {
            log(
                Severity::Warning,
                format!("Failed to resolve unit specifiers in '{value}', ignoring: {e}"),
            );
            None
        }
        Ok(p) => (!check_absolute_path(&p, key, false, log) && p.starts_with(b"/"))
            .then(|| simplify(&p))
            .filter(|p| path_is_normalized(p)),
    }
}

/// The value a path setting of the unit type's section holds after `files` (application order),
/// as `config_parse_unit_path_printf()` leaves it: an empty assignment unsets it, an ignored one
/// keeps the value before it.
pub(crate) fn effective_path(id: &UnitName, files: &[&ParsedFile], key: &str) -> Option<String> {
    let section = id.unit_type().section();
    let mut value = None;
    for f in files {
        for s in f.sections().filter(|s| s.name == section) {
            for e in s.entries().filter(|e| e.key == key) {
                if e.value.is_empty() {
                    value = None;
                } else if let Some(p) = path_value(id, key, e.value, &mut |_, _| {}) {
                    value = Some(String::from_utf8_lossy(&p).into_owned());
                }
            }
        }
    }
    value
}

/// `path_simplify_and_warn(PATH_CHECK_ABSOLUTE [| PATH_CHECK_FATAL])`: true when refused fatally.
/// Its messages are errors even when the setting is only ignored.
fn check_absolute_path(path: &[u8], key: &str, fatal: bool, log: &mut Log) -> bool {
    let suffix = if fatal { "" } else { ", ignoring" };
    if !path.starts_with(b"/") {
        let shown = String::from_utf8_lossy(path);
        log(
            Severity::Error,
            format!("{key}= path is not absolute{suffix}: {shown}"),
        );
        return fatal;
    }
    let simplified = simplify(path);
    if !path_is_valid(&simplified) {
        log(
            Severity::Error,
            format!(
                "{key}= path has invalid length ({} bytes){suffix}.",
                simplified.len()
            ),
        );
        return fatal;
    }
    if !path_is_normalized(&simplified) {
        let shown = String::from_utf8_lossy(&simplified);
        log(
            Severity::Error,
            format!("{key}= path is not normalized{suffix}: {shown}"),
        );
        return fatal;
    }
    false
}

/// `config_parse_user_group_compat()`.
fn user_group(id: &UnitName, value: &str, log: &mut Log) -> bool {
    if value.is_empty() {
        return false;
    }
    one_user_group(id, value.as_bytes(), value, log)
}

fn one_user_group(id: &UnitName, word: &[u8], shown: &str, log: &mut Log) -> bool {
    match expand(id, word, usize::MAX) {
        Err(e) => {
            log(
                Severity::Error,
                format!("Failed to resolve unit specifiers in {shown}: {e}"),
            );
            true
        }
        Ok(k) => match user_group_name(&k) {
            NameCheck::Invalid => {
                let k = String::from_utf8_lossy(&k);
                log(
                    Severity::Error,
                    format!("Invalid user/group name or numeric ID: {k}"),
                );
                true
            }
            NameCheck::Relaxed => {
                let k = String::from_utf8_lossy(&k);
                log(
                    Severity::Notice,
                    format!(
                        "Accepting user/group name '{k}', which does not match strict user/group name rules."
                    ),
                );
                false
            }
            NameCheck::Strict => false,
        },
    }
}

/// `config_parse_user_group_strv_compat()`: words split without unquoting.
fn user_group_list(id: &UnitName, value: &str, log: &mut Log) -> bool {
    for word in value
        .split([' ', '\t', '\n', '\r'])
        .filter(|w| !w.is_empty())
    {
        if one_user_group(id, word.as_bytes(), word, log) {
            return true;
        }
    }
    false
}

/// `SELinuxContext=`/`AppArmorProfile=`/`SmackProcessLabel=`: only the specifiers can fail.
fn label(id: &UnitName, value: &str, log: &mut Log) -> bool {
    if value.is_empty() {
        return false;
    }
    let (ignore, v) = match value.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, value),
    };
    let (suffix, sev) = tone(ignore);
    match expand(id, v.as_bytes(), usize::MAX) {
        Err(e) => {
            log(
                sev,
                format!("Failed to resolve unit specifiers in '{v}'{suffix}: {e}"),
            );
            !ignore
        }
        Ok(_) => false,
    }
}

// -------------------------------------------------------------------------------------------
// Words: `extract_first_word(EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE)` and its warning wrapper.

const PATH_MAX: usize = 4096;
const NAME_MAX: usize = 255;

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

fn trim_start(mut p: &[u8]) -> &[u8] {
    while let Some(&c) = p.first() {
        if !is_space(c) {
            break;
        }
        p = &p[1..];
    }
    p
}

/// Why a word could not be extracted.
#[derive(Debug, PartialEq, Eq)]
enum WordError {
    /// `EINVAL`: an unknown escape, a trailing backslash or an unbalanced quote.
    Invalid,
}

/// One word; `Ok(None)` at the end of the input. `relax` keeps invalid escapes verbatim.
fn extract_word<'a>(p: &mut &'a [u8], relax: bool) -> Result<Option<Cow<'a, [u8]>>, WordError> {
    let s: &'a [u8] = trim_start(p);
    if s.is_empty() {
        *p = s;
        return Ok(None);
    }
    // The usual word has no quote and no backslash: it is a slice of the input.
    let end = s.iter().position(|&c| is_space(c)).unwrap_or(s.len());
    if !s[..end].iter().any(|&c| matches!(c, b'\'' | b'"' | b'\\')) {
        *p = trim_start(&s[end..]);
        return Ok(Some(Cow::Borrowed(&s[..end])));
    }
    let mut out = Vec::new();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        match quote {
            None if is_space(c) => {
                *p = trim_start(&s[i..]);
                return Ok(Some(Cow::Owned(out)));
            }
            None if c == b'\'' || c == b'"' => quote = Some(c),
            Some(q) if c == q => quote = None,
            _ if c == b'\\' => {
                let rest = &s[i + 1..];
                if rest.is_empty() {
                    if relax && quote.is_none() {
                        out.push(b'\\');
                        break;
                    }
                    return Err(WordError::Invalid);
                }
                match cunescape_one(rest) {
                    Some((bytes, used)) => {
                        out.extend_from_slice(&bytes);
                        i += used;
                    }
                    None if relax => {
                        out.push(b'\\');
                        out.push(rest[0]);
                        i += 1;
                    }
                    None => return Err(WordError::Invalid),
                }
            }
            _ => out.push(c),
        }
        i += 1;
    }
    if quote.is_some() {
        return Err(WordError::Invalid);
    }
    *p = &s[s.len()..];
    Ok(Some(Cow::Owned(out)))
}

/// The words of a setting value as systemd's `extract_first_word(EXTRACT_UNQUOTE |
/// EXTRACT_CUNESCAPE)` splits them (quotes removed, C escapes such as `\t`, `\x41`, `\u00e9`
/// resolved; bytes that are not UTF-8 replaced). The second value says whether the value ended
/// in a syntax error (an unknown escape, a trailing backslash, an unbalanced quote): the words
/// before it are returned, as `Environment=` keeps them ("Invalid syntax, ignoring").
pub fn extract_words(value: &str) -> (Vec<String>, bool) {
    let mut p = value.as_bytes();
    let mut out = Vec::new();
    loop {
        match extract_word(&mut p, false) {
            Ok(Some(w)) => out.push(String::from_utf8_lossy(&w).into_owned()),
            Ok(None) => return (out, false),
            Err(WordError::Invalid) => return (out, true),
        }
    }
}

/// `extract_first_word_and_warn()`: an invalid escape is kept verbatim with a warning; an
/// unbalanced quote is an error (`Err`).
fn word_and_warn<'a>(
    p: &mut &'a [u8],
    rvalue: &str,
    log: &mut Log,
) -> Result<Option<Cow<'a, [u8]>>, ()> {
    let save = *p;
    if let Ok(w) = extract_word(p, false) {
        return Ok(w);
    }
    *p = save;
    match extract_word(p, true) {
        Ok(w) => {
            let shown = String::from_utf8_lossy(w.as_deref().unwrap_or_default()).into_owned();
            log(
                Severity::Warning,
                format!("Ignoring unknown escape sequences: \"{shown}\""),
            );
            Ok(w)
        }
        Err(_) => {
            log(
                Severity::Error,
                format!("Unbalanced quoting, ignoring: \"{rvalue}\""),
            );
            Err(())
        }
    }
}

fn unhex(c: u8) -> Option<u32> {
    (c as char).to_digit(16)
}

/// `cunescape_one()` on the text after a backslash: the bytes it stands for and how many input
/// bytes it used; `None` for an invalid sequence.
fn cunescape_one(p: &[u8]) -> Option<(Vec<u8>, usize)> {
    let simple = |b: u8| Some((vec![b], 1));
    match p[0] {
        b'a' => simple(7),
        b'b' => simple(8),
        b'f' => simple(12),
        b'n' => simple(b'\n'),
        b'r' => simple(b'\r'),
        b't' => simple(b'\t'),
        b'v' => simple(11),
        b'\\' | b'"' | b'\'' => simple(p[0]),
        b's' => simple(b' '),
        b'x' => {
            let a = unhex(*p.get(1)?)?;
            let b = unhex(*p.get(2)?)?;
            let v = (a << 4) | b;
            (v != 0).then(|| (vec![v as u8], 3))
        }
        b'u' | b'U' => {
            let n = if p[0] == b'u' { 4 } else { 8 };
            let mut v: u32 = 0;
            for k in 1..=n {
                v = (v << 4) | unhex(*p.get(k)?)?;
            }
            let c = char::from_u32(v).filter(|_| v != 0)?;
            let mut buf = [0u8; 4];
            Some((c.encode_utf8(&mut buf).as_bytes().to_vec(), n + 1))
        }
        b'0'..=b'7' => {
            let oct = |k: usize| -> Option<u32> {
                let c = *p.get(k)?;
                (b'0'..=b'7').contains(&c).then(|| u32::from(c - b'0'))
            };
            let v = (oct(0)? << 6) | (oct(1)? << 3) | oct(2)?;
            (v != 0).then(|| (vec![v as u8], 3))
        }
        _ => None,
    }
}

// -------------------------------------------------------------------------------------------
// Specifiers: `unit_full_printf()`/`unit_path_printf()`.

/// `specifier_printf()` with the unit table: only failures matter here, so values that depend on
/// the running machine are stand-ins of the right shape. `Err` carries the `strerror()` text.
fn expand<'a>(id: &UnitName, text: &'a [u8], max: usize) -> Result<Cow<'a, [u8]>, &'static str> {
    if !text.contains(&b'%') {
        return if text.len() > max {
            Err("File name too long")
        } else {
            Ok(Cow::Borrowed(text))
        };
    }
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let c = text[i];
        i += 1;
        if c != b'%' {
            out.push(c);
        } else if i == text.len() {
            out.push(b'%');
        } else {
            let s = text[i];
            i += 1;
            match specifier(id, s)? {
                Some(v) => out.extend_from_slice(&v),
                None if s.is_ascii_alphanumeric() => return Err("Invalid slot"),
                None => {
                    out.push(b'%');
                    out.push(s);
                }
            }
        }
        if out.len() > max {
            return Err("File name too long");
        }
    }
    Ok(Cow::Owned(out))
}

/// One specifier of the unit table: `Ok(None)` if `s` is not in the table.
fn specifier(id: &UnitName, s: u8) -> Result<Option<Vec<u8>>, &'static str> {
    let bad = |_| "Invalid argument";
    let prefix = id.prefix();
    let v: Vec<u8> = match s {
        b'%' => b"%".to_vec(),
        b'i' => id.instance().unwrap_or_default().as_bytes().to_vec(),
        b'I' => unescape_bytes(id.instance().unwrap_or_default().as_bytes()).map_err(bad)?,
        b'n' => id.as_str().as_bytes().to_vec(),
        b'N' => id.stem().as_bytes().to_vec(),
        b'p' => prefix.as_bytes().to_vec(),
        b'P' => unescape_bytes(prefix.as_bytes()).map_err(bad)?,
        b'j' => last_component(prefix).as_bytes().to_vec(),
        b'J' => unescape_bytes(last_component(prefix).as_bytes()).map_err(bad)?,
        b'f' => match id.instance() {
            Some(i) => unescape_path_bytes(i.as_bytes()).map_err(bad)?,
            None => unescape_path_bytes(id.stem().as_bytes()).map_err(bad)?,
        },
        b'y' | b'Y' | b'c' | b'r' | b'R' | b'C' | b'd' | b'E' | b'L' | b'S' | b't' | b'h'
        | b's' | b'T' | b'V' => b"/x".to_vec(),
        b'a' | b'A' | b'b' | b'B' | b'H' | b'l' | b'q' | b'm' | b'M' | b'o' | b'v' | b'w'
        | b'W' | b'g' | b'G' | b'u' | b'U' => b"x".to_vec(),
        _ => return Ok(None),
    };
    Ok(Some(v))
}

/// `%j`: the part of the prefix after its last dash.
fn last_component(prefix: &str) -> &str {
    prefix.rsplit('-').next().unwrap_or(prefix)
}

// -------------------------------------------------------------------------------------------
// Path and name checks.

/// `string_is_safe()`: no control characters, quotes, backslash or DEL.
fn string_is_safe(s: &[u8]) -> bool {
    s.iter()
        .all(|&c| c >= b' ' && !matches!(c, b'"' | b'\'' | b'\\' | 0x7f))
}

/// `filename_is_valid()`.
fn filename_is_valid(s: &[u8]) -> bool {
    !s.is_empty() && s != b"." && s != b".." && !s.contains(&b'/') && s.len() <= NAME_MAX
}

/// How `valid_user_group_name(VALID_USER_ALLOW_NUMERIC|VALID_USER_RELAX|VALID_USER_WARN)` judges
/// a name.
enum NameCheck {
    /// A numeric id, or a name of the strict rules.
    Strict,
    /// Accepted by the relaxed rules only (systemd logs a notice).
    Relaxed,
    /// Refused.
    Invalid,
}

fn user_group_name(u: &[u8]) -> NameCheck {
    if u.is_empty() {
        return NameCheck::Invalid;
    }
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    if digits(u) {
        // `parse_uid()`: 0 … 4294967294 except 65535; other digit strings are refused too.
        let ok = std::str::from_utf8(u)
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .is_some_and(|n| n < u64::from(u32::MAX) && n != 65535);
        return if ok {
            NameCheck::Strict
        } else {
            NameCheck::Invalid
        };
    }
    let refused = u.starts_with(b" ")
        || u.ends_with(b" ")
        || std::str::from_utf8(u).is_err()
        || u.iter()
            .any(|&c| c < b' ' || c == 0x7f || c == b':' || c == b'/')
        || (u[0] == b'-' && digits(&u[1..]))
        || u == b"."
        || u == b"..";
    if refused {
        return NameCheck::Invalid;
    }
    let strict = (u[0].is_ascii_alphabetic() || u[0] == b'_')
        && u[1..]
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
        && u.len() <= 31;
    if strict {
        NameCheck::Strict
    } else {
        NameCheck::Relaxed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{parse, Dialect};
    use camino::Utf8Path;

    fn scan_of(name: &str, body: &str) -> SettingScan {
        let id = UnitName::new(name).expect("valid name");
        let text = format!("[Service]\n{body}\nBogus=1\n");
        let f = parse(
            Utf8Path::new("/u/x.service"),
            text.as_bytes(),
            Dialect::Unit(id.unit_type()),
            &mut Vec::new(),
        );
        scan_settings(&id, &f)
    }

    // Outcomes seen on systemd 252 on this image (`systemd --test`; the same cases run against
    // it in engine/tests/catalog_differential.rs, "fatal setting errors").
    #[test]
    fn fatal_exec_values_end_the_parse_at_their_line() {
        for (body, line, message) in [
            (
                "ExecStart=./foo",
                2,
                "Neither a valid executable name nor an absolute path: ./foo",
            ),
            (
                "ExecStart=/bin/echo %Z",
                2,
                "Failed to resolve unit specifiers in %Z: Invalid slot",
            ),
            (
                "ExecStart=/bin/",
                2,
                "Executable path specifies a directory: /bin/",
            ),
            ("ExecStart=@", 2, "Empty path in command line: '@'"),
            (
                "ExecStart=/bin/echo \"abc",
                2,
                "Unbalanced quoting, ignoring: \"/bin/echo \"abc\"",
            ),
            (
                "ExecStart=/bin/true ; ./bar",
                2,
                "Neither a valid executable name nor an absolute path: ./bar",
            ),
            (
                "ExecStart=/bin/true\nWorkingDirectory=rel",
                3,
                "WorkingDirectory= path is not absolute: rel",
            ),
            (
                "ExecStart=/bin/true\nUser=a:b",
                3,
                "Invalid user/group name or numeric ID: a:b",
            ),
            (
                "ExecStart=/bin/true\nRootDirectory=rel",
                3,
                "RootDirectory= path is not absolute: rel",
            ),
        ] {
            let s = scan_of("x.service", body);
            assert_eq!(s.fatal, Some((line, message.to_owned())), "{body}");
        }
    }

    #[test]
    fn ignored_values_warn_and_the_parse_goes_on() {
        for body in [
            "ExecStart=-./foo",
            "ExecStart=\"/bin/echo",
            "ExecStart=/bin/true\nWorkingDirectory=-rel",
            "ExecStart=/bin/true\nSELinuxContext=-%Z",
            "ExecStart=/bin/echo \\q 'a\\tb'",
            "ExecStart=foo bar",
        ] {
            assert_eq!(scan_of("x.service", body).fatal, None, "{body}");
        }
    }

    #[test]
    fn commands_are_counted_as_systemd_lists_them() {
        let counts = |body: &str| {
            let id = UnitName::new("x.service").expect("valid name");
            let text = format!("[Service]\n{body}\n");
            let f = parse(
                Utf8Path::new("/u/x.service"),
                text.as_bytes(),
                Dialect::Unit(UnitType::Service),
                &mut Vec::new(),
            );
            start_stop_counts(&id, &[&f])
        };
        assert_eq!(counts("ExecStart=/bin/true ; /bin/false"), (2, 0));
        assert_eq!(counts("ExecStart=-./foo\nExecStop=/bin/true"), (0, 1));
        assert_eq!(counts("ExecStart=/bin/true \\;  x ;"), (1, 0));
        assert_eq!(
            counts("ExecStart=/bin/true\nExecStart=\nExecStop=/bin/true"),
            (0, 1)
        );
        assert_eq!(counts("ExecStart=\"/bin/echo"), (0, 0));
    }

    #[test]
    fn instance_specifiers_expand_for_the_first_word() {
        // %I of `a@-bin-true.service` is `-bin-true`: a plain file name, found in $PATH.
        assert_eq!(scan_of("a@-bin-true.service", "ExecStart=%I").fatal, None);
        assert!(scan_of("a@x.service", "ExecStart=%i/y").fatal.is_some());
    }
}
