//! Reading `[Install]` from a unit file or drop-in into an [`InstallInfo`](super::info::InstallInfo)
//! (systemd's `config_parse()` with the installer's item table): `Alias=`, `WantedBy=`,
//! `RequiredBy=` accumulate (an empty value resets), `DefaultInstance=` last wins (templates
//! only), `Also=` units join the context as they are read.
use super::change::Errno;
use super::discover::Ctx;
use crate::diag::Severity;
use crate::name::NameKind;
use crate::syntax::{parse, Dialect};
use camino::Utf8Path;

impl Ctx<'_> {
    /// Parses `[Install]` of one file into entry `i` (systemd's `config_parse()` with the
    /// installer's item table).
    pub(crate) fn apply_file(
        &mut self,
        i: usize,
        host: &Utf8Path,
        bytes: &[u8],
    ) -> Result<(), Errno> {
        let mut diags = Vec::new();
        let parsed = parse(host, bytes, Dialect::Install, &mut diags);
        if !crate::name::is_valid(&self.info(i).name) {
            return Err(Errno::EINVAL);
        }
        let mut own: Vec<(u32, String)> = Vec::new();
        let mut abort: Option<(u32, Errno)> = None;
        'outer: for section in parsed.sections().filter(|s| s.known && s.name == "Install") {
            for e in section.entries() {
                let line = e.line;
                let at = |m: String| (line, format!("{host}:{line}: {m}"));
                match e.key {
                    "Alias" => {
                        let ty =
                            crate::name::unit_type_of(&self.info(i).name).ok_or(Errno::EINVAL)?;
                        if !ty.can_alias() {
                            own.push(at(format!(
                                "Alias= is not allowed for {ty} units, ignoring."
                            )));
                            continue;
                        }
                        let info = self.info_mut(i);
                        if let Some(m) = strv_assign(&mut info.aliases, e.value) {
                            own.push(at(m));
                        }
                    }
                    "WantedBy" => {
                        let info = self.info_mut(i);
                        if let Some(m) = strv_assign(&mut info.wanted_by, e.value) {
                            own.push(at(m));
                        }
                    }
                    "RequiredBy" => {
                        let info = self.info_mut(i);
                        if let Some(m) = strv_assign(&mut info.required_by, e.value) {
                            own.push(at(m));
                        }
                    }
                    "DefaultInstance" => {
                        match crate::name::classify(&self.info(i).name).ok_or(Errno::EINVAL)? {
                            NameKind::Instance => continue,
                            NameKind::Plain => {
                                own.push(at(
                                    "DefaultInstance= only makes sense for template units, ignoring."
                                        .to_owned(),
                                ));
                                continue;
                            }
                            NameKind::Template => {}
                        }
                        let printed = match self.printf(i, e.value) {
                            Ok(p) => p,
                            Err(err) => {
                                own.push(at(format!(
                                    "Failed to resolve instance name in DefaultInstance=\"{}\": {}",
                                    e.value,
                                    err.strerror()
                                )));
                                abort = Some((line, err));
                                break 'outer;
                            }
                        };
                        if printed.is_empty() {
                            self.info_mut(i).default_instance = None;
                        } else if !crate::name::is_valid_instance(&printed) {
                            own.push(at(format!("Invalid DefaultInstance= value \"{printed}\".")));
                            abort = Some((line, Errno::EINVAL));
                            break 'outer;
                        } else {
                            self.info_mut(i).default_instance = Some(printed);
                        }
                    }
                    "Also" => {
                        let words = match plain_words(e.value) {
                            Ok(w) => w,
                            Err(err) => {
                                abort = Some((line, err));
                                break 'outer;
                            }
                        };
                        for word in words {
                            let printed = match self.printf(i, &word) {
                                Ok(p) => p,
                                Err(err) => {
                                    own.push(at(format!(
                                        "Failed to resolve unit name in Also=\"{word}\": {}",
                                        err.strerror()
                                    )));
                                    abort = Some((line, err));
                                    break 'outer;
                                }
                            };
                            if let Err(err) = self.add(Some(&printed), None, true) {
                                abort = Some((line, err));
                                break 'outer;
                            }
                            self.info_mut(i).also.push(printed);
                        }
                    }
                    _ => {}
                }
            }
        }
        let cut = abort.map_or(u32::MAX, |(l, _)| l);
        let mut lines: Vec<(u32, u8, Severity, String)> = diags
            .iter()
            .filter(|d| d.severity != Severity::Debug && d.line <= cut)
            .map(|d| (d.line, 0, d.severity, d.to_string()))
            .collect();
        lines.extend(own.into_iter().map(|(l, t)| (l, 1, Severity::Warning, t)));
        lines.sort_by_key(|(l, o, _, _)| (*l, *o));
        for (_, _, severity, text) in lines {
            self.log(severity, text);
        }
        if let Some((_, e)) = abort {
            return Err(e);
        }
        if let Some(f) = parsed.failure {
            return Err(match f {
                crate::syntax::ParseFailure::BadMessage { .. } => Errno::EBADMSG,
                crate::syntax::ParseFailure::LineTooLong { .. } => Errno::ENOBUFS,
                crate::syntax::ParseFailure::InvalidUtf8 { .. } => Errno::EINVAL,
            });
        }
        Ok(())
    }
}

/// `config_parse_strv()` with `EXTRACT_UNQUOTE|EXTRACT_RETAIN_ESCAPE`: an empty value resets the
/// list; otherwise the words are appended. Quotes (`'`, `"`) group and are removed; a backslash is
/// an ordinary character. An unterminated quote stops with the warning returned (words before it
/// are kept).
fn strv_assign(list: &mut Vec<String>, value: &str) -> Option<String> {
    if value.is_empty() {
        list.clear();
        return None;
    }
    if !value.contains(['\'', '"']) {
        // No quotes: the words are the runs between whitespace (the loop below gives the same).
        list.extend(
            value
                .split([' ', '\t', '\n', '\r'])
                .filter(|w| !w.is_empty())
                .map(str::to_owned),
        );
        return None;
    }
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in value.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => word.push(c),
            None if c == '\'' || c == '"' => {
                in_word = true;
                quote = Some(c);
            }
            None if matches!(c, ' ' | '\t' | '\n' | '\r') => {
                if in_word {
                    list.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            None => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if quote.is_some() {
        return Some(format!("Invalid syntax, ignoring: {value}"));
    }
    if in_word {
        list.push(word);
    }
    None
}

/// `extract_first_word()` without flags (used by `Also=`): whitespace-separated, a backslash takes
/// the next character literally, quotes are ordinary characters; a trailing backslash is `EINVAL`.
fn plain_words(value: &str) -> Result<Vec<String>, Errno> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            in_word = true;
            match chars.next() {
                Some(n) => word.push(n),
                None => return Err(Errno::EINVAL),
            }
        } else if matches!(c, ' ' | '\t' | '\n' | '\r') {
            if in_word {
                out.push(std::mem::take(&mut word));
                in_word = false;
            }
        } else {
            in_word = true;
            word.push(c);
        }
    }
    if in_word {
        out.push(word);
    }
    Ok(out)
}
