//! Dependencies from unit-file settings (reference §3.2, §5.1): the `[Unit]` dependency directives,
//! `RequiresMountsFor=`, `Slice=`, a timer's or path's `Unit=`, a socket's `Service=`, and the
//! `.wants/`/`.requires/` entries (§5.2). All have origin `file`.
use super::build::{resolve_template, Loader};
use super::kind::DepKind;
use super::mask::DepMask;
use super::specifier::expand_name;
use crate::diag::Severity;
use crate::name::{NameKind, UnitName, UnitType};
use crate::syntax::SettingValue;

/// Splits a dependency list like `extract_first_word(..., EXTRACT_RETAIN_ESCAPE)`: whitespace
/// separates words, quotes are kept as characters, a backslash keeps itself and the next character.
pub fn split_words(value: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut chars = value.chars();
    let mut in_word = false;
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' | '\r' => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '\\' => {
                in_word = true;
                cur.push('\\');
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

/// Whether a dependency of instance `u` on `name` (expanded from `format`) likely recurses forever:
/// both are instances of the same template and the format uses `%i`, `%n` or `%N`.
fn likely_recursive(u: &UnitName, name: &str, format: &str) -> bool {
    if u.kind() != NameKind::Instance {
        return false;
    }
    let Ok(other) = UnitName::new(name) else {
        return false;
    };
    if other.kind() != NameKind::Instance || other.template() != u.template() {
        return false;
    }
    format.contains("%i") || format.contains("%n") || format.contains("%N")
}

/// Adds the dependencies a unit's settings and drop-in directories configure.
pub(crate) fn file_dependencies(l: &mut Loader<'_>, id: &UnitName) {
    let node = &l.graph.nodes[id];
    let settings = node.unit.settings.clone();
    let wants: Vec<UnitName> = node.unit.wants.iter().map(|e| e.name.clone()).collect();
    let requires: Vec<UnitName> = node.unit.requires.iter().map(|e| e.name.clone()).collect();
    let ty = id.unit_type();

    let keys: Vec<(String, String)> = settings
        .keys()
        .map(|(s, k)| (s.to_owned(), k.to_owned()))
        .collect();
    for (section, key) in keys {
        let values: Vec<SettingValue> =
            settings.list(&section, &key).into_iter().cloned().collect();
        if section == "Unit" {
            if let Some(kind) = DepKind::from_directive(&key) {
                for v in &values {
                    if key.ends_with("Overridable") {
                        let new = kind.as_str();
                        l.file_log(&v.file, v.line, format!("Unit dependency type {key}= is obsolete, replacing by {new}=, please update your unit file."));
                    }
                    directive(l, id, kind, v);
                }
            } else if key == "RequiresMountsFor" {
                for v in &values {
                    for word in split_words(&v.value) {
                        let path = unquote(&word);
                        super::implicit::require_mounts_for(l, id, &path, DepMask::FILE);
                    }
                }
            }
        } else if section == ty.section() {
            match (ty, key.as_str()) {
                (UnitType::Timer | UnitType::Path, "Unit") => {
                    trigger_unit(l, id, &values);
                }
                (UnitType::Socket, "Service") => {
                    if let Some(v) = values.last() {
                        socket_service(l, id, v);
                    }
                }
                (_, "Slice") => {
                    if let Some(v) = values.last() {
                        slice(l, id, v);
                    }
                }
                _ => {}
            }
        }
    }

    for (kind, entries) in [(DepKind::Wants, wants), (DepKind::Requires, requires)] {
        for name in entries {
            if let Err(e) = l.add_by_name(id, &[kind], name.as_str(), true, DepMask::FILE) {
                l.unit_log(
                    id,
                    Severity::Warning,
                    format!(
                        "Cannot add {kind} dependency on {name}, ignoring: {}",
                        e.strerror()
                    ),
                );
            }
        }
    }
}

fn unquote(word: &str) -> String {
    let w = word.trim_matches(|c| c == '"' || c == '\'');
    w.to_owned()
}

/// One assignment of a `[Unit]` dependency directive (`config_parse_unit_deps()`).
fn directive(l: &mut Loader<'_>, id: &UnitName, kind: DepKind, v: &SettingValue) {
    let creds = l.graph.options.credentials.clone();
    for word in split_words(&v.value) {
        let name = match expand_name(id, &creds, &word) {
            Ok(n) => n,
            Err(e) => {
                l.file_log(
                    &v.file,
                    v.line,
                    format!(
                        "Failed to resolve unit specifiers in '{word}', ignoring: {}",
                        e.strerror()
                    ),
                );
                continue;
            }
        };
        if likely_recursive(id, &name, &word) {
            l.sink.push(crate::diag::Diagnostic::new(
                v.file.clone(),
                v.line,
                Severity::Debug,
                crate::diag::Code::Dependency,
                format!(
                    "Dropping dependency {kind}={word} that likely leads to infinite recursion."
                ),
            ));
            continue;
        }
        if let Err(e) = l.add_by_name(id, &[kind], &name, true, DepMask::FILE) {
            l.file_log(
                &v.file,
                v.line,
                format!(
                    "Failed to add dependency on {name}, ignoring: {}",
                    e.strerror()
                ),
            );
        }
    }
}

/// A timer's or path's `Unit=` (`config_parse_trigger_unit()`): the first one wins.
fn trigger_unit(l: &mut Loader<'_>, id: &UnitName, values: &[SettingValue]) {
    let creds = l.graph.options.credentials.clone();
    let mut have = false;
    for v in values {
        if have {
            l.file_log(
                &v.file,
                v.line,
                format!("Multiple units to trigger specified, ignoring: {}", v.value),
            );
            continue;
        }
        let name = match expand_name(id, &creds, &v.value) {
            Ok(n) => n,
            Err(e) => {
                l.file_log(
                    &v.file,
                    v.line,
                    format!(
                        "Failed to resolve unit specifiers in {}, ignoring: {}",
                        v.value,
                        e.strerror()
                    ),
                );
                continue;
            }
        };
        let ty = crate::name::unit_type_of(&name);
        if ty.is_none() || ty == Some(id.unit_type()) {
            l.file_log(
                &v.file,
                v.line,
                format!("Unit type not valid, ignoring: {}", v.value),
            );
            continue;
        }
        if name == id.as_str() {
            l.file_log(
                &v.file,
                v.line,
                format!("Units cannot trigger themselves, ignoring: {}", v.value),
            );
            continue;
        }
        match l.add_by_name(
            id,
            &[DepKind::Before, DepKind::Triggers],
            &name,
            true,
            DepMask::FILE,
        ) {
            Ok(_) => have = true,
            Err(e) => l.file_log(
                &v.file,
                v.line,
                format!(
                    "Failed to add trigger on {name}, ignoring: {}",
                    e.strerror()
                ),
            ),
        }
    }
}

/// A socket's `Service=`: only loads the service; the trigger is added with the socket's extras.
fn socket_service(l: &mut Loader<'_>, id: &UnitName, v: &SettingValue) {
    let creds = l.graph.options.credentials.clone();
    let Ok(name) = expand_name(id, &creds, &v.value) else {
        return;
    };
    if !name.ends_with(".service") {
        l.file_log(
            &v.file,
            v.line,
            format!("Unit must be of type service, ignoring: {}", v.value),
        );
        return;
    }
    let Ok(un) = UnitName::new(&name) else { return };
    let sid = l.load(&un);
    l.graph.socket_service.insert(id.clone(), sid);
}

/// `Slice=`.
fn slice(l: &mut Loader<'_>, id: &UnitName, v: &SettingValue) {
    let creds = l.graph.options.credentials.clone();
    let Ok(name) = expand_name(id, &creds, &v.value) else {
        return;
    };
    let Ok(un) = resolve_template(id, &name) else {
        l.file_log(
            &v.file,
            v.line,
            format!("Failed to load slice unit {name}, ignoring: Invalid argument"),
        );
        return;
    };
    let sid = l.load(&un);
    if sid.unit_type() != UnitType::Slice || id.unit_type() == UnitType::Slice {
        l.file_log(
            &v.file,
            v.line,
            format!("Failed to assign slice {sid} to unit {id}, ignoring: Invalid argument"),
        );
        return;
    }
    l.add(id, DepKind::InSlice, &sid, true, DepMask::SLICE_PROPERTY);
}

#[cfg(test)]
mod tests {
    use super::*;

    // reference §3.2: whitespace lists, quotes kept, commas are not separators.
    #[test]
    fn words() {
        assert_eq!(
            split_words(" a.service\tb.service "),
            ["a.service", "b.service"]
        );
        assert_eq!(split_words("\"a.service\""), ["\"a.service\""]);
        assert_eq!(split_words("a.service,b.service"), ["a.service,b.service"]);
        assert!(split_words("   ").is_empty());
    }
}
