//! Reading a scenario file (the format is described in the [module docs](super)).
use super::{heredoc_delimiter, Scenario, Step};
use crate::machine::{Settings, ShellScope};
use camino::{Utf8Path, Utf8PathBuf};

/// A scenario file that cannot be read or does not follow the format.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: Utf8PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A line breaks the format.
    #[error("{path}:{line}: {message}")]
    Syntax {
        /// The file.
        path: Utf8PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// What kind of fenced block the parser is in.
enum Fence {
    Console,
    Other,
}

/// Parses the scenario `text` read from `path`.
pub fn parse(path: &Utf8Path, text: &str) -> Result<Scenario, ParseError> {
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let err = |line: usize, message: String| ParseError::Syntax {
        path: path.to_owned(),
        line,
        message,
    };
    let mut settings = Settings::default();
    let mut requires_manager = false;
    let mut steps: Vec<Step> = Vec::new();
    let mut seen_console = false;
    let mut seen_settings = false;
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        let Some((marker, info)) = fence_open(line) else {
            i += 1;
            continue;
        };
        let tag = info.split_whitespace().next().unwrap_or("");
        let open_line = i + 1;
        i += 1;
        let kind = match tag {
            "console" => Fence::Console,
            "unitlab" => {
                if seen_console || seen_settings {
                    return Err(err(
                        open_line,
                        "the `unitlab` settings block must come once, before the first `console` block"
                            .into(),
                    ));
                }
                seen_settings = true;
                let start = i;
                while i < lines.len() && !fence_close(&lines[i], &marker) {
                    i += 1;
                }
                if i == lines.len() {
                    return Err(err(open_line, "unterminated `unitlab` block".into()));
                }
                requires_manager = parse_settings_into(&lines[start..i], start + 1, &mut settings)
                    .map_err(|(l, m)| err(l, m))?;
                i += 1;
                continue;
            }
            _ => Fence::Other,
        };
        if let Fence::Other = kind {
            while i < lines.len() && !fence_close(&lines[i], &marker) {
                i += 1;
            }
            i += 1;
            continue;
        }
        seen_console = true;
        // A console block.
        loop {
            if i >= lines.len() {
                return Err(err(open_line, "unterminated `console` block".into()));
            }
            if fence_close(&lines[i], &marker) {
                i += 1;
                break;
            }
            let l = &lines[i];
            let Some(command) = l
                .strip_prefix("$ ")
                .or(if l == "$" { Some("") } else { None })
            else {
                if l.trim().is_empty() {
                    i += 1;
                    continue;
                }
                return Err(err(
                    i + 1,
                    format!("expected a `$ COMMAND` line, found output before any command: {l:?}"),
                ));
            };
            if command.trim().is_empty() {
                return Err(err(i + 1, "empty command after `$ `".into()));
            }
            let cmd_line = i + 1;
            i += 1;
            let mut input = None;
            if let Some(delim) = heredoc_delimiter(command) {
                let mut body = Vec::new();
                loop {
                    if i >= lines.len() || fence_close(&lines[i], &marker) {
                        return Err(err(
                            cmd_line,
                            format!("heredoc not terminated: no line `{delim}` before the end of the block"),
                        ));
                    }
                    if lines[i] == delim {
                        i += 1;
                        break;
                    }
                    body.push(lines[i].clone());
                    i += 1;
                }
                input = Some(body);
            } else if command.contains("<<") {
                return Err(err(cmd_line, "heredoc without a delimiter word".into()));
            }
            let status_at = i;
            let mut status = 0;
            let mut has_status_line = false;
            if let Some(s) = lines.get(i).and_then(|l| l.strip_prefix("? ")) {
                status = s.trim().parse().map_err(|_| {
                    err(
                        i + 1,
                        format!("`? N` needs an exit status number, found {s:?}"),
                    )
                })?;
                has_status_line = true;
                i += 1;
            }
            let output_line = i + 1;
            let mut expected = Vec::new();
            while i < lines.len() && !fence_close(&lines[i], &marker) && !is_command(&lines[i]) {
                expected.push(lines[i].clone());
                i += 1;
            }
            steps.push(Step {
                line: cmd_line,
                command: command.to_owned(),
                input,
                status,
                output_line,
                status_at,
                has_status_line,
                expected,
                end: i,
            });
        }
    }
    Ok(Scenario {
        path: path.to_owned(),
        lines,
        settings,
        requires_manager,
        steps,
    })
}

fn is_command(line: &str) -> bool {
    line.starts_with("$ ") || line == "$"
}

/// A line opening a fence: its marker (the backticks or tildes) and info string.
fn fence_open(line: &str) -> Option<(String, &str)> {
    let t = line.trim_start();
    let ch = t.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = t.chars().take_while(|c| *c == ch).count();
    (n >= 3).then(|| (t[..n].to_owned(), t[n..].trim()))
}

/// Whether `line` closes a fence opened with `marker`.
fn fence_close(line: &str, marker: &str) -> bool {
    let t = line.trim();
    t.starts_with(marker) && t.chars().all(|c| marker.starts_with(c))
}

/// Parses the lines of a `unitlab` block (the first at 1-based line `first`) into `settings`;
/// returns whether `requires = manager` was given. Errors carry the 1-based line.
pub fn parse_settings(lines: &[String], first: usize) -> Result<(Settings, bool), (usize, String)> {
    let mut s = Settings::default();
    let r = parse_settings_into(lines, first, &mut s)?;
    Ok((s, r))
}

fn parse_settings_into(
    lines: &[String],
    first: usize,
    s: &mut Settings,
) -> Result<bool, (usize, String)> {
    let mut requires_manager = false;
    for (k, raw) in lines.iter().enumerate() {
        let n = first + k;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=').or_else(|| line.split_once(':')) else {
            return Err((n, format!("expected `key = value`, found {line:?}")));
        };
        let (key, value) = (key.trim(), value.trim().trim_matches('"'));
        let bad = |what: &str| (n, format!("{key}: {what}, found {value:?}"));
        match key {
            "scope" => {
                s.scope = match value {
                    "system" => ShellScope::System,
                    "user" => ShellScope::User,
                    _ => return Err(bad("expected `system` or `user`")),
                }
            }
            "user" => {
                if value.is_empty()
                    || !value
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                {
                    return Err(bad("expected a user name"));
                }
                s.user = value.to_owned();
            }
            "uid" => s.uid = value.parse().map_err(|_| bad("expected a number"))?,
            "seed" => s.seed = value.parse().map_err(|_| bad("expected a number"))?,
            "start" => {
                s.start = parse_time(value)
                    .ok_or_else(|| bad("expected `YYYY-MM-DD HH:MM:SS` (UTC)"))?
            }
            "base" => {
                s.base = match value {
                    "stock" => true,
                    "none" => false,
                    _ => return Err(bad("expected `stock` or `none`")),
                }
            }
            "requires" => match value {
                "manager" => requires_manager = true,
                _ => return Err(bad("expected `manager`")),
            },
            _ => return Err((n, format!("unknown setting {key:?} (known: scope, user, uid, seed, start, base, requires)"))),
        }
    }
    Ok(requires_manager)
}

/// `YYYY-MM-DD HH:MM:SS` (UTC) as microseconds since the epoch.
pub(crate) fn parse_time(value: &str) -> Option<u64> {
    let (date, time) = value.split_once([' ', 'T']).unwrap_or((value, "00:00:00"));
    let d: Vec<i64> = date
        .split('-')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let t: Vec<i64> = time
        .trim_end_matches('Z')
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let ([y, m, dd], [hh, mm, ss]) = (d.as_slice(), t.as_slice()) else {
        return None;
    };
    if !(1..=12).contains(m) || !(1..=31).contains(dd) || *hh > 23 || *mm > 59 || *ss > 60 {
        return None;
    }
    let days = crate::machine::days_from_civil(*y, *m, *dd);
    let secs = days * 86_400 + hh * 3600 + mm * 60 + ss;
    u64::try_from(secs).ok().map(|s| s * 1_000_000)
}
