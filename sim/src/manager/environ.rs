//! The environment of the processes a unit runs, as far as the model needs it: the variables
//! of `Environment=` (in order; a name assigned again keeps its place and takes the new value;
//! an empty value resets the list) and `$MAINPID` (the main process, once known). The manager replaces `${NAME}` and
//! whole-word `$NAME` in `Exec*=` commands with them, and the simulated shell expands its own
//! `$NAME` from them ([`super::process`]). Not modelled: `EnvironmentFile=`, `PassEnvironment=`,
//! the manager's own variables (`HOME`, `PATH`, ...).
use super::units::Unit;
use unitlab_engine::syntax::Settings;

/// `Environment=` assignments: each value is a list of `NAME=VALUE` words, quoted as in
/// command lines; words that are not assignments are ignored, as systemd ignores them.
pub fn assignments(s: &Settings) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for v in s.list("Service", "Environment") {
        for word in super::process::split_words(v.value) {
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

/// The variables a process of `u` sees (`control`: a control process, which also gets
/// `$MAINPID` when the main process is known).
pub fn of(u: &Unit, control: bool) -> Vec<(String, String)> {
    let mut env = u
        .cfg
        .service
        .as_ref()
        .map(|s| s.environment.clone())
        .unwrap_or_default();
    if control {
        if let Some(p) = &u.main {
            env.push(("MAINPID".to_owned(), p.pid.to_string()));
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
    const NEED_QUOTES: &str = "\"\\`$*?[]'()<>|&;! \t\n\r";
    if !s.is_empty() && !s.contains(|c| NEED_QUOTES.contains(c)) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if matches!(c, '"' | '\\' | '`' | '$') {
            out.push('\\');
        }
        out.push(c);
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
    }
}
