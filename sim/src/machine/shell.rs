//! The shell: reads one command line like bash (words, quotes, `~`/`$VAR` expansion,
//! redirections, heredocs) and dispatches it to a command.
use super::term::Term;
use super::{commands, journalctl, systemctl, Machine};
use std::collections::BTreeMap;
use std::io::Write;

/// Where a command's stdout or stderr goes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Sink {
    File {
        path: String,
        append: bool,
    },
    Null,
    /// stderr only: wherever stdout goes (`2>&1`).
    Stdout,
}

/// A parsed command line.
#[derive(Debug, Default)]
struct Line {
    words: Vec<String>,
    /// Per word: whether it has an unquoted `*`, `?` or `[` (a pattern to expand).
    globs: Vec<bool>,
    stdout: Option<Sink>,
    stderr: Option<Sink>,
    /// The heredoc delimiter and whether it was quoted (no expansion in the body).
    heredoc: Option<(String, bool)>,
}

enum Pending {
    Out(bool),
    Err,
    Heredoc,
}

/// Splits a command line into words and redirections.
fn lex(line: &str, env: &BTreeMap<String, String>) -> Result<Line, String> {
    let mut out = Line::default();
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    let mut word = String::new();
    let mut in_word = false;
    let mut quoted = false;
    let mut pending: Option<Pending> = None;
    let mut glob = false;
    let flush = |word: &mut String,
                 in_word: &mut bool,
                 quoted: &mut bool,
                 glob: &mut bool,
                 pending: &mut Option<Pending>,
                 out: &mut Line|
     -> Result<(), String> {
        if !*in_word {
            return Ok(());
        }
        let w = std::mem::take(word);
        let is_glob = std::mem::take(glob);
        match pending.take() {
            None => {
                out.words.push(w);
                out.globs.push(is_glob);
            }
            Some(Pending::Out(append)) => {
                out.stdout = Some(if w == "/dev/null" {
                    Sink::Null
                } else {
                    Sink::File { path: w, append }
                })
            }
            Some(Pending::Err) => {
                out.stderr = Some(if w == "/dev/null" {
                    Sink::Null
                } else {
                    Sink::File {
                        path: w,
                        append: false,
                    }
                })
            }
            Some(Pending::Heredoc) => out.heredoc = Some((w, *quoted)),
        }
        *in_word = false;
        *quoted = false;
        Ok(())
    };
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' => {
                flush(
                    &mut word,
                    &mut in_word,
                    &mut quoted,
                    &mut glob,
                    &mut pending,
                    &mut out,
                )?;
                i += 1;
            }
            '\'' => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|&c| c == '\'')
                    .ok_or("unexpected EOF while looking for matching `''")?;
                word.extend(&chars[i + 1..i + 1 + end]);
                in_word = true;
                quoted = true;
                i += end + 2;
            }
            '"' => {
                in_word = true;
                quoted = true;
                i += 1;
                loop {
                    let Some(&c) = chars.get(i) else {
                        return Err("unexpected EOF while looking for matching `\"'".into());
                    };
                    match c {
                        '"' => {
                            i += 1;
                            break;
                        }
                        '\\' if matches!(chars.get(i + 1), Some('"' | '\\' | '$' | '`')) => {
                            word.push(chars[i + 1]);
                            i += 2;
                        }
                        '$' => i = expand_var(&chars, i, env, &mut word),
                        _ => {
                            word.push(c);
                            i += 1;
                        }
                    }
                }
            }
            '\\' => {
                if let Some(&n) = chars.get(i + 1) {
                    word.push(n);
                }
                in_word = true;
                quoted = true;
                i += 2;
            }
            '$' => {
                in_word = true;
                i = expand_var(&chars, i, env, &mut word);
            }
            '~' if !in_word && matches!(chars.get(i + 1), None | Some('/' | ' ')) => {
                word.push_str(env.get("HOME").map(String::as_str).unwrap_or("/"));
                in_word = true;
                i += 1;
            }
            '2' if !in_word && chars.get(i + 1) == Some(&'>') => {
                if chars.get(i + 2) == Some(&'&') && chars.get(i + 3) == Some(&'1') {
                    out.stderr = Some(Sink::Stdout);
                    i += 4;
                } else {
                    pending = Some(Pending::Err);
                    i += 2;
                }
            }
            '>' => {
                flush(
                    &mut word,
                    &mut in_word,
                    &mut quoted,
                    &mut glob,
                    &mut pending,
                    &mut out,
                )?;
                let append = chars.get(i + 1) == Some(&'>');
                pending = Some(Pending::Out(append));
                i += if append { 2 } else { 1 };
            }
            '<' if chars.get(i + 1) == Some(&'<') => {
                flush(
                    &mut word,
                    &mut in_word,
                    &mut quoted,
                    &mut glob,
                    &mut pending,
                    &mut out,
                )?;
                pending = Some(Pending::Heredoc);
                i += 2;
                if chars.get(i) == Some(&'-') {
                    i += 1;
                }
            }
            ';' | '|' | '&' | '<' | '`' | '(' | ')' => {
                return Err(format!(
                    "`{c}': shell syntax the simulated shell does not support"
                ));
            }
            _ => {
                if matches!(c, '*' | '?' | '[') {
                    glob = true;
                }
                word.push(c);
                in_word = true;
                i += 1;
            }
        }
    }
    flush(
        &mut word,
        &mut in_word,
        &mut quoted,
        &mut glob,
        &mut pending,
        &mut out,
    )?;
    if pending.is_some() {
        return Err("syntax error near unexpected token `newline'".into());
    }
    Ok(out)
}

/// Expands `$NAME` or `${NAME}` at `chars[i]` (a `$`) into `word`; returns the index after it.
fn expand_var(
    chars: &[char],
    i: usize,
    env: &BTreeMap<String, String>,
    word: &mut String,
) -> usize {
    let (start, braced) = if chars.get(i + 1) == Some(&'{') {
        (i + 2, true)
    } else {
        (i + 1, false)
    };
    let mut j = start;
    while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '_') {
        j += 1;
    }
    if j == start {
        word.push('$');
        return i + 1;
    }
    let name: String = chars[start..j].iter().collect();
    if let Some(v) = env.get(&name) {
        word.push_str(v);
    }
    if braced && chars.get(j) == Some(&'}') {
        j + 1
    } else {
        j
    }
}

/// Expands `$VAR`s in a heredoc body (an unquoted delimiter).
fn expand_body(body: &str, env: &BTreeMap<String, String>) -> String {
    let chars: Vec<char> = body.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '$' => i = expand_var(&chars, i, env, &mut out),
            '\\' if matches!(chars.get(i + 1), Some('$' | '\\' | '`')) => {
                out.push(chars[i + 1]);
                i += 2;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// Pathname expansion of an unquoted pattern, as bash does it: every existing path whose
/// components match (a leading `.` only matched explicitly), sorted; the pattern itself when
/// nothing matches.
fn expand_glob(m: &Machine, pattern: &str) -> Vec<String> {
    use unitlab_engine::fs::{resolve, FileSystem, Follow, Target};
    use unitlab_engine::install::fnmatch::fnmatch;
    let absolute = pattern.starts_with('/');
    let base = if absolute {
        camino::Utf8PathBuf::from("/")
    } else {
        m.cwd.clone()
    };
    let mut found: Vec<(camino::Utf8PathBuf, String)> =
        vec![(base, if absolute { "/".into() } else { String::new() })];
    for comp in pattern.split('/').filter(|c| !c.is_empty()) {
        let mut next = Vec::new();
        for (real, shown) in found {
            let show = |n: &str| {
                if shown.is_empty() || shown.ends_with('/') {
                    format!("{shown}{n}")
                } else {
                    format!("{shown}/{n}")
                }
            };
            if !comp.contains(['*', '?', '[']) {
                next.push((
                    unitlab_engine::fs::normalize(&real, comp.into()),
                    show(comp),
                ));
                continue;
            }
            let Ok(dir) = resolve(&m.fs, &real, Follow::Yes) else {
                continue;
            };
            let Ok(entries) = m.fs.read_dir(&dir.path) else {
                continue;
            };
            for e in entries {
                if e.name.starts_with('.') && !comp.starts_with('.') {
                    continue;
                }
                if fnmatch(comp, &e.name) {
                    next.push((dir.path.join(&e.name), show(&e.name)));
                }
            }
        }
        found = next;
    }
    let mut out: Vec<String> = found
        .into_iter()
        .filter(|(p, _)| {
            resolve(&m.fs, p, Follow::No).is_ok_and(|r| !matches!(r.target, Target::Missing))
        })
        .map(|(_, s)| s)
        .collect();
    out.sort();
    if out.is_empty() {
        vec![pattern.to_owned()]
    } else {
        out
    }
}

/// What a command gets: its arguments, its standard input (a heredoc) and its outputs.
pub struct Io<'a> {
    /// Standard input (the heredoc's text), if any.
    pub stdin: Option<&'a str>,
    /// Standard output.
    pub out: &'a mut dyn Write,
    /// Standard error.
    pub err: &'a mut dyn Write,
}

/// Runs a command line (its heredoc lines follow after newlines) and returns its exit status.
pub fn run(m: &mut Machine, text: &str, term: &Term) -> i32 {
    let env = m.env(false);
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let line = match lex(first, &env) {
        Ok(l) => l,
        Err(e) => {
            term.line(&format!("bash: {e}"));
            return 2;
        }
    };
    let stdin: Option<String> = line.heredoc.as_ref().map(|(delim, quoted)| {
        let mut body: Vec<&str> = rest.split('\n').collect();
        if body.last() == Some(&delim.as_str()) {
            body.pop();
        }
        let mut text = body.join("\n");
        if !body.is_empty() {
            text.push('\n');
        }
        if *quoted {
            text
        } else {
            expand_body(&text, &env)
        }
    });
    let words: Vec<String> = line
        .words
        .iter()
        .zip(&line.globs)
        .flat_map(|(w, g)| {
            if *g {
                expand_glob(m, w)
            } else {
                vec![w.clone()]
            }
        })
        .collect();
    let Some(name) = words.first().cloned() else {
        return 0;
    };
    // Files a redirection writes to must be creatable before the command runs.
    for sink in [&line.stdout, &line.stderr].into_iter().flatten() {
        if let Sink::File { path, .. } = sink {
            if let Err(e) = commands::check_writable(m, path) {
                term.line(&format!("bash: {path}: {e}"));
                return 1;
            }
        }
    }
    let file_out = Term::default();
    let file_err = Term::default();
    let mut out: Term = match &line.stdout {
        Some(Sink::File { .. }) | Some(Sink::Null) => file_out.clone(),
        _ => term.clone(),
    };
    let mut err: Term = match &line.stderr {
        Some(Sink::Stdout) => out.clone(),
        Some(Sink::File { .. }) | Some(Sink::Null) => file_err.clone(),
        _ => term.clone(),
    };
    let args = &words[1..];
    let mut io = Io {
        stdin: stdin.as_deref(),
        out: &mut out,
        err: &mut err,
    };
    let status = match name.as_str() {
        "systemctl" => systemctl::run(m, args, &mut io),
        "journalctl" => journalctl::run(m, args, &mut io),
        _ => match commands::find(&name) {
            Some(cmd) => cmd(m, args, &mut io),
            None => {
                let _ = writeln!(io.err, "bash: {name}: command not found");
                127
            }
        },
    };
    for (sink, buf) in [(&line.stdout, &file_out), (&line.stderr, &file_err)] {
        if let Some(Sink::File { path, append }) = sink {
            if let Err(e) = commands::write_file(m, path, buf.take().as_bytes(), *append) {
                term.line(&format!("bash: {path}: {e}"));
                return 1;
            }
        }
    }
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> BTreeMap<String, String> {
        let mut e = BTreeMap::new();
        e.insert("HOME".to_owned(), "/home/user".to_owned());
        e
    }

    #[test]
    fn words_quotes_and_expansion() {
        let l = lex(r#"echo 'a b' "c $HOME" ~/x \$HOME ${HOME}y"#, &env()).expect("lexes");
        assert_eq!(
            l.words,
            [
                "echo",
                "a b",
                "c /home/user",
                "/home/user/x",
                "$HOME",
                "/home/usery"
            ]
        );
    }

    #[test]
    fn redirections_and_heredoc() {
        let l = lex("cat > ~/a.service <<'EOF'", &env()).expect("lexes");
        assert_eq!(l.words, ["cat"]);
        assert_eq!(
            l.stdout,
            Some(Sink::File {
                path: "/home/user/a.service".into(),
                append: false
            })
        );
        assert_eq!(l.heredoc, Some(("EOF".into(), true)));
        let l = lex("echo x >>f 2>&1", &env()).expect("lexes");
        assert_eq!(l.words, ["echo", "x"]);
        assert_eq!(l.stderr, Some(Sink::Stdout));
        assert!(lex("a | b", &env()).is_err());
    }
}
