//! `EnvironmentFile=`: files of `NAME=VALUE` lines read each time a process of the unit is
//! forked (`exec_context_load_environment()` in systemd 252, checked against the live user
//! manager in `sim/scenarios/user-environment-files.md`).
//!
//! * A setting is an absolute path, optionally a glob, optionally prefixed by `-` (errors are
//!   then ignored). Every file the glob matches is read, in sorted order; later files override
//!   earlier ones, and the files override `Environment=`.
//! * A file that cannot be read (missing, a directory, a glob without a match) or holds invalid
//!   UTF-8 makes the fork fail: the manager logs "Failed to load environment files: ..." and
//!   the service fails with result `resources`, without a process.
//! * The file syntax is the shell-like one of systemd's `parse_env_file_internal()` (see
//!   [`parse`]); assignments whose name is not a valid variable name (`export A=1`) are dropped.
use super::glob::glob_all;
use super::Manager;
use camino::Utf8Path;
use std::collections::HashMap;
use unitlab_engine::fs::{resolve, FileKind, FileSystem, Follow, MemFs, Target};
use unitlab_engine::name::UnitName;

/// The loaded units' `EnvironmentFile=` settings and what each yields now. systemd reads the
/// files at every fork; the simulated processes fork deep inside the state machine, where the
/// filesystem is not at hand, so the files are read when the manager is entered (the shell
/// changes files only between calls) and when units are loaded, and forks use what was read.
#[derive(Debug, Default)]
pub struct Cache {
    /// Whether any loaded unit has `EnvironmentFile=` (the refresh is skipped otherwise).
    any: bool,
    /// Setting (with its `-`) → its assignments, or the error loading it.
    loaded: HashMap<String, Result<Vec<(String, String)>, LoadError>>,
}

impl Manager {
    /// Reads again every `EnvironmentFile=` of the loaded units.
    pub(super) fn refresh_env_files(&mut self, fs: &MemFs) {
        if !self.env_files.any {
            return;
        }
        let mut loaded = HashMap::new();
        for u in self.units.map.values() {
            if let Some(s) = &u.cfg.service {
                for f in &s.environment_files {
                    if !loaded.contains_key(f) {
                        loaded.insert(f.clone(), load_all(fs, std::slice::from_ref(f)));
                    }
                }
            }
        }
        self.env_files.any = !loaded.is_empty();
        self.env_files.loaded = loaded;
    }

    /// Reads the `EnvironmentFile=`s of the units just loaded.
    pub(super) fn env_files_loaded(&mut self, fs: &MemFs, added: &[UnitName]) {
        for id in added {
            let Some(s) = self.units.unit(id).and_then(|u| u.cfg.service.as_ref()) else {
                continue;
            };
            for f in &s.environment_files {
                let v = load_all(fs, std::slice::from_ref(f));
                self.env_files.loaded.insert(f.clone(), v);
                self.env_files.any = true;
            }
        }
    }

    /// The variables the `EnvironmentFile=`s of `id` define, later files overriding earlier
    /// ones, or the error that makes its processes fail to fork.
    pub(super) fn env_files_of(&self, id: &UnitName) -> Result<Vec<(String, String)>, LoadError> {
        // Every fork asks: without any unit using the setting, there is nothing to look up.
        if !self.env_files.any {
            return Ok(Vec::new());
        }
        let Some(s) = self.units.unit(id).and_then(|u| u.cfg.service.as_ref()) else {
            return Ok(Vec::new());
        };
        let mut env = Vec::new();
        for f in &s.environment_files {
            match self.env_files.loaded.get(f) {
                Some(Ok(vars)) => {
                    for (k, v) in vars {
                        set(&mut env, k.clone(), v.clone());
                    }
                }
                Some(Err(e)) => return Err(*e),
                None => {}
            }
        }
        Ok(env)
    }

    /// [`Self::env_files_of`] for a fork: a failure is logged as `exec_spawn()` logs it.
    pub(super) fn env_files_for_fork(
        &mut self,
        id: &UnitName,
    ) -> Result<Vec<(String, String)>, LoadError> {
        self.env_files_of(id).inspect_err(|e| {
            self.unit_log(
                id,
                3,
                format!("{id}: Failed to load environment files: {e}"),
            );
        })
    }
}

/// Why the environment files of a unit could not be loaded: the `strerror()` text systemd
/// prints after "Failed to load environment files: ".
pub type LoadError = &'static str;

/// The assignments of the files named by `settings` (the `EnvironmentFile=` values, each
/// possibly with its `-` prefix), merged in order.
pub fn load_all(fs: &MemFs, settings: &[String]) -> Result<Vec<(String, String)>, LoadError> {
    let mut env: Vec<(String, String)> = Vec::new();
    for setting in settings {
        let (ignore, pattern) = match setting.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, setting.as_str()),
        };
        if !pattern.starts_with('/') {
            if ignore {
                continue;
            }
            return Err("Invalid argument");
        }
        let paths = glob_all(fs, pattern);
        if paths.is_empty() {
            if ignore {
                continue;
            }
            return Err("No such file or directory");
        }
        for path in paths {
            match read_one(fs, &path) {
                Ok(vars) => {
                    for (k, v) in vars {
                        set(&mut env, k, v);
                    }
                }
                Err(_) if ignore => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(env)
}

/// Sets `name` in `env`, keeping the place of an earlier assignment of the same name.
pub fn set(env: &mut Vec<(String, String)>, name: String, value: String) {
    match env.iter_mut().find(|(k, _)| *k == name) {
        Some(slot) => slot.1 = value,
        None => env.push((name, value)),
    }
}

/// One file, following symlinks.
fn read_one(fs: &MemFs, path: &str) -> Result<Vec<(String, String)>, LoadError> {
    let r = resolve(fs, Utf8Path::new(path), Follow::Yes).map_err(|e| e.strerror())?;
    let bytes = match r.target {
        Target::Missing => return Err("No such file or directory"),
        Target::DevNull => Vec::new(),
        Target::Exists(meta) => match meta.kind {
            FileKind::Dir => return Err("Is a directory"),
            FileKind::CharDevice => Vec::new(),
            _ => fs.read(&r.path, u64::MAX).map_err(|e| e.strerror())?,
        },
    };
    parse(&bytes)
}

/// Where the parser is within a line (systemd's states, in our own words).
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before a name: whitespace is skipped, `#` and `;` start a comment.
    PreKey,
    /// In a name, up to `=` (a newline first drops the line).
    Key,
    /// After `=` or a closing quote: whitespace is skipped, quotes open.
    PreValue,
    /// In an unquoted value: trailing whitespace is dropped at the end of the line.
    Value,
    /// After a backslash in an unquoted value: the next byte is literal, a newline vanishes.
    ValueEscape,
    /// Inside `'...'`: everything is literal.
    Single,
    /// Inside `"..."`.
    Double,
    /// After a backslash inside `"..."`: `"`, `\`, `` ` `` and `$` lose the backslash, a
    /// newline vanishes, anything else keeps it.
    DoubleEscape,
    /// A comment, to the end of the line (a backslash escapes the next byte).
    Comment,
    /// After a backslash in a comment.
    CommentEscape,
}

/// Parses the text of an environment file: `NAME=VALUE` lines, whitespace around names and
/// unquoted values trimmed, `'...'` and `"..."` quoting where a value (or a part of it after a
/// closing quote) begins, backslash escapes and continuation lines, `#`/`;` comments at the
/// start of a line. A NUL byte ends the text. Names that are not valid variable names are
/// dropped; invalid UTF-8 in a name or a value fails the whole file ("Invalid argument").
pub fn parse(text: &[u8]) -> Result<Vec<(String, String)>, LoadError> {
    let text = match text.iter().position(|&b| b == 0) {
        Some(end) => &text[..end],
        None => text,
    };
    let mut out: Vec<(String, String)> = Vec::new();
    let mut key: Vec<u8> = Vec::new();
    let mut value: Vec<u8> = Vec::new();
    // Where trailing whitespace of the name / of an unquoted value begins.
    let mut key_ws: Option<usize> = None;
    let mut value_ws: Option<usize> = None;
    let mut state = State::PreKey;
    let is_ws = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let is_nl = |b: u8| matches!(b, b'\n' | b'\r');
    for &c in text {
        match state {
            State::PreKey => {
                if c == b'#' || c == b';' {
                    state = State::Comment;
                } else if !is_ws(c) {
                    state = State::Key;
                    key_ws = None;
                    key.push(c);
                }
            }
            State::Key => {
                if is_nl(c) {
                    state = State::PreKey;
                    key.clear();
                } else if c == b'=' {
                    state = State::PreValue;
                    value_ws = None;
                } else {
                    if !is_ws(c) {
                        key_ws = None;
                    } else if key_ws.is_none() {
                        key_ws = Some(key.len());
                    }
                    key.push(c);
                }
            }
            State::PreValue => {
                if is_nl(c) {
                    state = State::PreKey;
                    emit(&mut out, &mut key, key_ws, &mut value, None)?;
                } else if c == b'\'' {
                    state = State::Single;
                } else if c == b'"' {
                    state = State::Double;
                } else if c == b'\\' {
                    state = State::ValueEscape;
                } else if !is_ws(c) {
                    state = State::Value;
                    value.push(c);
                }
            }
            State::Value => {
                if is_nl(c) {
                    state = State::PreKey;
                    emit(&mut out, &mut key, key_ws, &mut value, value_ws)?;
                } else if c == b'\\' {
                    state = State::ValueEscape;
                    value_ws = None;
                } else {
                    if !is_ws(c) {
                        value_ws = None;
                    } else if value_ws.is_none() {
                        value_ws = Some(value.len());
                    }
                    value.push(c);
                }
            }
            State::ValueEscape => {
                state = State::Value;
                if !is_nl(c) {
                    value.push(c);
                }
            }
            State::Single => {
                if c == b'\'' {
                    state = State::PreValue;
                } else {
                    value.push(c);
                }
            }
            State::Double => {
                if c == b'"' {
                    state = State::PreValue;
                } else if c == b'\\' {
                    state = State::DoubleEscape;
                } else {
                    value.push(c);
                }
            }
            State::DoubleEscape => {
                state = State::Double;
                if matches!(c, b'"' | b'\\' | b'`' | b'$') {
                    value.push(c);
                } else if c != b'\n' {
                    value.push(b'\\');
                    value.push(c);
                }
            }
            State::Comment => {
                if c == b'\\' {
                    state = State::CommentEscape;
                } else if is_nl(c) {
                    state = State::PreKey;
                }
            }
            State::CommentEscape => state = State::Comment,
        }
    }
    match state {
        State::Value => emit(&mut out, &mut key, key_ws, &mut value, value_ws)?,
        State::PreValue
        | State::ValueEscape
        | State::Single
        | State::Double
        | State::DoubleEscape => emit(&mut out, &mut key, key_ws, &mut value, None)?,
        State::PreKey | State::Key | State::Comment | State::CommentEscape => {}
    }
    Ok(out)
}

/// Ends one assignment: trims the name (and an unquoted value), checks both are UTF-8 and
/// keeps the assignment when the name is a valid variable name.
fn emit(
    out: &mut Vec<(String, String)>,
    key: &mut Vec<u8>,
    key_ws: Option<usize>,
    value: &mut Vec<u8>,
    value_ws: Option<usize>,
) -> Result<(), LoadError> {
    if let Some(end) = key_ws {
        key.truncate(end);
    }
    if let Some(end) = value_ws {
        value.truncate(end);
    }
    let name = String::from_utf8(std::mem::take(key)).map_err(|_| "Invalid argument")?;
    let text = String::from_utf8(std::mem::take(value)).map_err(|_| "Invalid argument")?;
    if valid_name(&name) {
        set(out, name, text);
    }
    Ok(())
}

/// `env_name_is_valid()`: letters, digits and `_`, not starting with a digit.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(text: &str, name: &str) -> Option<String> {
        parse(text.as_bytes())
            .expect("parses")
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    #[test]
    fn values_as_the_live_manager_read_them() {
        // Each case was read by the live user manager (`sim/scenarios/user-environment-files.md`
        // shows the observable ones: the variable became a `/bin/sh -c 'exit $X'` status).
        assert_eq!(get("A=3\n", "A").as_deref(), Some("3"));
        assert_eq!(get("export B=4\n", "B"), None);
        assert_eq!(get("  C = 5\n", "C").as_deref(), Some("5"));
        assert_eq!(get("D='6'\n", "D").as_deref(), Some("6"));
        assert_eq!(get("E=\"7\"\n", "E").as_deref(), Some("7"));
        assert_eq!(get("G=1\\\n1\n", "G").as_deref(), Some("11"));
        assert_eq!(get("# H=9\n;H=10\nH=12\n", "H").as_deref(), Some("12"));
        assert_eq!(get("I=13\nI=14\n", "I").as_deref(), Some("14"));
        assert_eq!(get("J=\"1\"5\n", "J").as_deref(), Some("15"));
        assert_eq!(get("K=1'6'\n", "K").as_deref(), Some("1'6'"));
        assert_eq!(get("L\t=17\n", "L").as_deref(), Some("17"));
        assert_eq!(get("M=18 \n", "M").as_deref(), Some("18"));
        assert_eq!(get("N=19\r\n", "N").as_deref(), Some("19"));
        assert_eq!(get("bad line\nO=20\n", "O").as_deref(), Some("20"));
    }

    #[test]
    fn quoting_escapes_and_the_end_of_the_text() {
        assert_eq!(get("A=\"x\\\"y\\n\"", "A").as_deref(), Some("x\"y\\n"));
        assert_eq!(get("A=a\\ b  ", "A").as_deref(), Some("a b"));
        assert_eq!(get("A='a\nb'", "A").as_deref(), Some("a\nb"));
        assert_eq!(get("A=", "A").as_deref(), Some(""));
        assert_eq!(get("A", "A"), None);
        assert_eq!(get("A=1\0B=2\n", "B"), None);
        assert_eq!(get("# a comment \\\nA=1\n", "A"), None);
        assert_eq!(get("1A=1\nA-B=2\n", "1A"), None);
        assert_eq!(parse(b"A=\xff\n"), Err("Invalid argument"));
    }

    #[test]
    fn files_globs_and_ignored_errors() {
        let fs = MemFs::new();
        fs.create_dir_all(Utf8Path::new("/etc/env")).unwrap();
        fs.write_atomic(Utf8Path::new("/etc/env/a.conf"), b"X=1\nY=a\n")
            .unwrap();
        fs.write_atomic(Utf8Path::new("/etc/env/b.conf"), b"X=2\n")
            .unwrap();
        let all = |s: &[&str]| load_all(&fs, &s.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            all(&["/etc/env/*.conf"]),
            Ok(vec![("X".into(), "2".into()), ("Y".into(), "a".into())])
        );
        assert_eq!(all(&["/etc/env/none"]), Err("No such file or directory"));
        assert_eq!(all(&["/etc/env/*.none"]), Err("No such file or directory"));
        assert_eq!(all(&["/etc/env"]), Err("Is a directory"));
        assert_eq!(all(&["-/etc/env/none", "-/etc/env"]), Ok(Vec::new()));
    }
}
