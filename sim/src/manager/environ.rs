//! The environment of the processes a unit runs, as far as the model needs it: the variables
//! of `Environment=` (in order; a name assigned again keeps its place and takes the new value;
//! an empty value resets the list) and `$MAINPID` (the main process, once known). The manager replaces `${NAME}` and
//! whole-word `$NAME` in `Exec*=` commands with them, and the simulated shell expands its own
//! `$NAME` from them ([`super::process`]). `EnvironmentFile=` is [`super::env_file`]'s.
//! Not modelled: `PassEnvironment=`,
//! the manager's own variables (`HOME`, `PATH`, ...) and those it gives `ExecStop=`/
//! `ExecStopPost=` (`SERVICE_RESULT`, `EXIT_CODE`, `EXIT_STATUS`).
use super::printf::{unit_printf, Specifiers};
use super::units::Unit;
use unitlab_engine::load::extract_words;
use unitlab_engine::name::UnitName;
use unitlab_engine::syntax::Settings;

/// `Environment=` assignments (`config_parse_environ()`): each value is a list of
/// `NAME=VALUE` words, unquoted and C-unescaped, then specifier-expanded; a word whose
/// specifiers cannot be resolved and a word that is not an assignment are ignored, as systemd
/// ignores them, and a syntax error ends the value (the words before it count).
pub fn assignments(
    s: &Settings,
    unit: &UnitName,
    fragment: Option<&str>,
    sp: &Specifiers,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for v in s.list("Service", "Environment") {
        for word in extract_words(v.value).0 {
            let Some(word) = unit_printf(unit, fragment, sp, &word) else {
                continue;
            };
            let Some((name, value)) = word.split_once('=') else {
                continue;
            };
            let valid = !name.is_empty()
                && !name.starts_with(|c: char| c.is_ascii_digit())
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !valid {
                continue;
            }
            // `strv_env_replace_consume()`: a name set again keeps its place.
            match out.iter_mut().find(|(k, _)| k == name) {
                Some(slot) => slot.1 = value.to_owned(),
                None => out.push((name.to_owned(), value.to_owned())),
            }
        }
    }
    out
}

/// `EnvironmentFile=` values (`config_parse_unit_env_file()`): specifier-expanded, the path
/// after an optional `-` simplified; an empty value resets the list, a value whose specifiers
/// cannot be resolved or whose path is not absolute and normalized is ignored.
pub fn files(
    s: &Settings,
    unit: &UnitName,
    fragment: Option<&str>,
    sp: &Specifiers,
) -> Vec<String> {
    let mut out = Vec::new();
    for v in s.list("Service", "EnvironmentFile") {
        if v.value.is_empty() {
            out.clear();
            continue;
        }
        let Some(text) = unit_printf(unit, fragment, sp, v.value) else {
            continue;
        };
        let (dash, path) = match text.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", text.as_str()),
        };
        if let Some(path) = super::path::simplify(path) {
            out.push(format!("{dash}{path}"));
        }
    }
    out
}

/// The `EnvironmentFiles=` property lines of `systemctl show`: `PATH (ignore_errors=yes|no)`.
pub fn files_property(files: &[String]) -> Vec<String> {
    files
        .iter()
        .map(|f| match f.strip_prefix('-') {
            Some(path) => format!("{path} (ignore_errors=yes)"),
            None => format!("{f} (ignore_errors=no)"),
        })
        .collect()
}

/// The variables a process of `u` sees (`control`: a control process, which also gets
/// `$MAINPID` when the main process is known; `files`: what its `EnvironmentFile=`s hold,
/// which override `Environment=`).
pub fn of(u: &Unit, control: bool, files: &[(String, String)]) -> Vec<(String, String)> {
    // The manager's own variables come first and `Environment=` overrides them
    // (`build_environment()`, then the merge of `exec_context.environment` in `exec_child()`).
    let mut env = Vec::new();
    if control {
        if let Some(p) = &u.main {
            env.push(("MAINPID".to_owned(), p.pid.to_string()));
        }
    }
    if let Some(s) = &u.cfg.service {
        for (k, v) in s.environment.iter().chain(files) {
            super::env_file::set(&mut env, k.clone(), v.clone());
        }
    }
    env
}

/// The `Environment=` property as `systemctl show` prints it: the assignments separated by
/// spaces, each quoted as systemd's `shell_maybe_quote()` does when it needs it.
pub fn property(env: &[(String, String)]) -> String {
    env.iter()
        .map(|(k, v)| maybe_quote(&format!("{k}={v}")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// systemd's `shell_maybe_quote()`: `s` as it is, or in double quotes (with `"`, `\`, `` ` ``
/// and `$` escaped) when it holds a character a shell would treat specially.
pub(crate) fn maybe_quote(s: &str) -> String {
    const NEED_QUOTES: &str = " \t\n\r\"\\`$*?['()<>|&;!";
    let Some(first) = s.find(|c: char| c.is_control() || NEED_QUOTES.contains(c)) else {
        return s.to_owned();
    };
    let mut out = String::with_capacity(s.len() + 4);
    out.push('"');
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        match c {
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if c.is_ascii_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            '"' | '\\' | '`' | '$' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn property_quotes_like_systemctl_show() {
        // Live user manager (user-exec-environment.md): `Environment=CODE=3 "MSG=hello world"`.
        let env = vec![
            ("CODE".to_owned(), "3".to_owned()),
            ("MSG".to_owned(), "hello world".to_owned()),
            ("P".to_owned(), "$x".to_owned()),
        ];
        assert_eq!(property(&env), r#"CODE=3 "MSG=hello world" "P=\$x""#);
        // Live user manager (reviewer): `]` alone needs no quotes, a tab is C-escaped.
        assert_eq!(maybe_quote("C=x]y"), "C=x]y");
        assert_eq!(maybe_quote("E=a\tb"), r#""E=a\tb""#);
    }
}
