//! Dependencies from unit-file settings (reference §3.2, §5.1): the `[Unit]` dependency directives,
//! `RequiresMountsFor=`, `Slice=`, a timer's or path's `Unit=`, a socket's `Service=`, and the
//! `.wants/`/`.requires/` entries (§5.2). All have origin `file`.
use super::build::{resolve_template, Loader};
use super::kind::DepKind;
use super::mask::DepMask;
use super::specifier::expand_name;
use crate::diag::Severity;
use crate::name::{NameKind, UnitName, UnitType};
use camino::Utf8Path;
use std::sync::Arc;

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

/// [`split_words`] without allocating for the common case (no backslash: the words are the
/// whitespace-separated slices of `value`).
pub(crate) fn words(value: &str) -> Words<'_> {
    if value.contains('\\') {
        Words::Owned(split_words(value).into_iter())
    } else {
        Words::Plain(value.split([' ', '\t', '\n', '\r']))
    }
}

/// The iterator of [`words`].
pub(crate) enum Words<'a> {
    Plain(std::str::Split<'a, [char; 4]>),
    Owned(std::vec::IntoIter<String>),
}

impl<'a> Iterator for Words<'a> {
    type Item = std::borrow::Cow<'a, str>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Words::Plain(it) => it.find(|w| !w.is_empty()).map(std::borrow::Cow::Borrowed),
            Words::Owned(it) => it.next().map(std::borrow::Cow::Owned),
        }
    }
}

/// `contains_instance_specifier_superset()`: the instance part of `format` (after the first `@`,
/// before the last `.`) uses `%i`, `%n` or `%N`, and is not just `%i`.
fn contains_instance_specifier_superset(format: &str) -> bool {
    let Some(at) = format.find('@') else {
        return false;
    };
    let rest = &format[at + 1..];
    let inst = match rest.rfind('.') {
        Some(dot) => &rest[..dot],
        None => rest,
    };
    if inst == "%i" {
        return false;
    }
    let mut percent = false;
    for c in inst.chars() {
        if c == '%' {
            percent = !percent;
        } else if percent {
            if matches!(c, 'n' | 'N' | 'i') {
                return true;
            }
            percent = false;
        }
    }
    false
}

/// `unit_is_likely_recursive_template_dependency()`: `name` is an instance with the same prefix and
/// type as the unit, from the same fragment, and `format` puts the unit's instance into the new
/// instance.
fn likely_recursive(
    l: &Loader<'_>,
    id: &UnitName,
    base: &UnitName,
    name: &str,
    format: &str,
) -> bool {
    // Only an instance (which has an `@`) of the unit's own prefix can be.
    if !name.contains('@') || !name.starts_with(base.prefix()) {
        return false;
    }
    let Ok(other) = UnitName::new(name) else {
        return false;
    };
    if other.kind() != NameKind::Instance
        || other.prefix() != base.prefix()
        || other.unit_type() != base.unit_type()
    {
        return false;
    }
    let fragment = l.catalog.lookup(&other).fragment;
    if fragment.as_deref() != l.node(id).unit.fragment_path.as_deref() {
        return false;
    }
    contains_instance_specifier_superset(format)
}

/// One assignment, borrowed from a parsed file of the unit (the files are shared: the loader
/// holds its own reference while it changes the graph).
struct Assignment<'a> {
    section: &'a str,
    key: &'a str,
    value: &'a str,
    file: &'a Arc<Utf8Path>,
    line: u32,
}

/// Applies the assignments [`assignment`] acts on (dependency directives and
/// `RequiresMountsFor=` in `[Unit]`, `Unit=`/`Service=`/`Sockets=`/`Slice=` in the type's
/// section) of one file, in file order.
fn apply_file(
    l: &mut Loader<'_>,
    id: &UnitName,
    base: &UnitName,
    parsed: &crate::syntax::ParsedFile,
    trigger_set: &mut bool,
) {
    let ty = id.unit_type();
    for section in parsed.sections().filter(|s| s.known) {
        let unit_section = section.name == "Unit";
        if !unit_section && section.name != ty.section() {
            continue;
        }
        for e in section.entries().filter(|e| e.known) {
            let wanted = if unit_section {
                e.key == "RequiresMountsFor" || DepKind::from_directive(e.key).is_some()
            } else {
                matches!(e.key, "Unit" | "Service" | "Sockets" | "Slice")
            };
            if !wanted {
                continue;
            }
            let a = Assignment {
                section: section.name,
                key: e.key,
                value: e.value,
                file: &parsed.file,
                line: e.line,
            };
            assignment(l, id, base, &a, trigger_set);
        }
    }
}

/// Adds the dependencies a unit's files and drop-in directories configure, in systemd's order: the
/// fragment's assignments, the `.wants/` entries, the `.requires/` entries, then the drop-ins'
/// assignments (dependency directives are never reset, so applying them one by one gives the
/// merged result).
pub(crate) fn file_dependencies(l: &mut Loader<'_>, id: &UnitName) {
    let node = &l.node(id);
    // Shared references to the parsed files (not to the node: the node is copied on write while
    // anyone else holds it).
    let fragment: Option<Arc<crate::syntax::ParsedFile>> =
        node.unit.fragment.as_ref().map(|f| f.parsed.clone());
    let dropins: Vec<Arc<crate::syntax::ParsedFile>> =
        node.unit.dropins.iter().map(|d| d.parsed.clone()).collect();
    let wants: Vec<UnitName> = node.unit.wants.iter().map(|e| e.name.clone()).collect();
    let requires: Vec<UnitName> = node.unit.requires.iter().map(|e| e.name.clone()).collect();
    let mut trigger_set = false;

    // The fragment is parsed under the requested name (see `Loader::add_by_name_as`); the drop-in
    // directories and files are read after the merge, under the id.
    let requested = l.node(id).unit.requested.clone();
    let base = if requested.unit_type() == id.unit_type() {
        requested
    } else {
        id.clone()
    };
    l.parsing_as = Some((id.clone(), base.clone()));
    if let Some(f) = &fragment {
        apply_file(l, id, &base, f, &mut trigger_set);
    }
    l.parsing_as = None;
    for (kind, entries) in [(DepKind::Wants, wants), (DepKind::Requires, requires)] {
        for name in entries {
            if let Err(e) = l.add_by_unit_name(id, &[kind], &name, true, DepMask::FILE) {
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
    for d in &dropins {
        apply_file(l, id, id, d, &mut trigger_set);
    }
}

fn assignment(
    l: &mut Loader<'_>,
    id: &UnitName,
    base: &UnitName,
    a: &Assignment<'_>,
    trigger_set: &mut bool,
) {
    let ty = id.unit_type();
    let v = a;
    if a.section == "Unit" {
        if let Some(kind) = DepKind::from_directive(a.key) {
            if v.value.is_empty() {
                return;
            }
            if a.key.ends_with("Overridable") {
                let new = kind.as_str();
                let key = &a.key;
                l.file_log(v.file, v.line, format!("Unit dependency type {key}= is obsolete, replacing by {new}=, please update your unit file"));
            }
            directive(l, id, base, kind, v);
        } else if a.key == "RequiresMountsFor" {
            for word in words(v.value) {
                let path = unquote(&word);
                super::implicit::require_mounts_for(l, id, &path, DepMask::FILE);
            }
        }
    } else if a.section == ty.section() && !v.value.is_empty() {
        match (ty, a.key) {
            (UnitType::Timer | UnitType::Path, "Unit") => {
                trigger_unit(l, id, base, v, trigger_set);
            }
            (UnitType::Socket, "Service") => socket_service(l, id, base, v),
            (UnitType::Service, "Sockets") => service_sockets(l, id, base, v),
            (_, "Slice") => slice(l, id, base, v),
            _ => {}
        }
    }
}

fn unquote(word: &str) -> String {
    let w = word.trim_matches(|c| c == '"' || c == '\'');
    w.to_owned()
}

/// One assignment of a `[Unit]` dependency directive (`config_parse_unit_deps()`).
fn directive(
    l: &mut Loader<'_>,
    id: &UnitName,
    base: &UnitName,
    kind: DepKind,
    v: &Assignment<'_>,
) {
    for word in words(v.value) {
        let name = match expand_name(base, &l.graph.options.credentials, &word) {
            Ok(n) => n,
            Err(e) => {
                l.file_log(
                    v.file,
                    v.line,
                    format!(
                        "Failed to resolve unit specifiers in '{word}', ignoring: {}",
                        e.strerror()
                    ),
                );
                continue;
            }
        };
        if likely_recursive(l, id, base, &name, &word) {
            l.sink.push(crate::diag::Diagnostic::new(
                v.file.to_path_buf(),
                v.line,
                Severity::Debug,
                crate::diag::Code::Dependency,
                format!(
                    "Dropping dependency {kind}={word} that likely leads to infinite recursion."
                ),
            ));
            continue;
        }
        if let Err(e) = l.add_by_name_as(id, base, &[kind], &name, true, DepMask::FILE) {
            l.file_log(
                v.file,
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
fn trigger_unit(
    l: &mut Loader<'_>,
    id: &UnitName,
    base: &UnitName,
    v: &Assignment<'_>,
    have: &mut bool,
) {
    if *have {
        l.file_log(
            v.file,
            v.line,
            format!("Multiple units to trigger specified, ignoring: {}", v.value),
        );
        return;
    }
    let name = match expand_name(base, &l.graph.options.credentials, v.value) {
        Ok(n) => n,
        Err(e) => {
            l.file_log(
                v.file,
                v.line,
                format!(
                    "Failed to resolve unit specifiers in {}, ignoring: {}",
                    v.value,
                    e.strerror()
                ),
            );
            return;
        }
    };
    let ty = crate::name::unit_type_of(&name);
    if ty.is_none() || ty == Some(id.unit_type()) {
        l.file_log(
            v.file,
            v.line,
            format!("Unit type not valid, ignoring: {}", v.value),
        );
        return;
    }
    if name == id.as_str() {
        l.file_log(
            v.file,
            v.line,
            format!("Units cannot trigger themselves, ignoring: {}", v.value),
        );
        return;
    }
    match l.add_by_name_as(
        id,
        base,
        &[DepKind::Before, DepKind::Triggers],
        &name,
        true,
        DepMask::FILE,
    ) {
        Ok(_) => *have = true,
        Err(e) => l.file_log(
            v.file,
            v.line,
            format!(
                "Failed to add trigger on {name}, ignoring: {}",
                e.strerror()
            ),
        ),
    }
}

/// A socket's `Service=`: only loads the service; the trigger is added with the socket's extras.
fn socket_service(l: &mut Loader<'_>, id: &UnitName, base: &UnitName, v: &Assignment<'_>) {
    let Ok(name) = expand_name(base, &l.graph.options.credentials, v.value) else {
        return;
    };
    if !name.ends_with(".service") {
        l.file_log(
            v.file,
            v.line,
            format!("Unit must be of type service, ignoring: {}", v.value),
        );
        return;
    }
    let Ok(un) = UnitName::new(&name) else { return };
    let sid = l.load(&un);
    l.graph.socket_service.insert(id.clone(), sid);
}

/// A service's `Sockets=` (`config_parse_service_sockets()`): `Wants=` and `After=` on each
/// socket, and `TriggeredBy`, all origin `file`.
fn service_sockets(l: &mut Loader<'_>, id: &UnitName, base: &UnitName, v: &Assignment<'_>) {
    for word in words(v.value) {
        let name = match expand_name(base, &l.graph.options.credentials, &word) {
            Ok(n) => n,
            Err(e) => {
                l.file_log(
                    v.file,
                    v.line,
                    format!(
                        "Failed to resolve unit specifiers in '{word}', ignoring: {}",
                        e.strerror()
                    ),
                );
                continue;
            }
        };
        if !name.ends_with(".socket") {
            l.file_log(
                v.file,
                v.line,
                format!("Unit must be of type socket, ignoring: {name}"),
            );
            continue;
        }
        for kinds in [
            &[DepKind::Wants, DepKind::After][..],
            &[DepKind::TriggeredBy],
        ] {
            if let Err(e) = l.add_by_name_as(id, base, kinds, &name, true, DepMask::FILE) {
                l.file_log(
                    v.file,
                    v.line,
                    format!(
                        "Failed to add dependency on {name}, ignoring: {}",
                        e.strerror()
                    ),
                );
            }
        }
    }
}

/// `Slice=`.
fn slice(l: &mut Loader<'_>, id: &UnitName, base: &UnitName, v: &Assignment<'_>) {
    let Ok(name) = expand_name(base, &l.graph.options.credentials, v.value) else {
        return;
    };
    let Ok(un) = resolve_template(base, &name) else {
        l.file_log(
            v.file,
            v.line,
            format!("Failed to load slice unit {name}, ignoring: Invalid argument"),
        );
        return;
    };
    let sid = l.load(&un);
    if sid.unit_type() != UnitType::Slice || id.unit_type() == UnitType::Slice {
        l.file_log(
            v.file,
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
        for v in [
            " a.service\tb.service ",
            "a\\ b c",
            "",
            "  ",
            "x\r\ny",
            "\"q\" r",
        ] {
            let fast: Vec<String> = super::words(v).map(|w| w.into_owned()).collect();
            assert_eq!(fast, split_words(v), "{v:?}");
        }
    }
}
