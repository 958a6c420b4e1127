//! The merged settings of a unit: its fragment plus its drop-ins, applied in order (reference §3.2,
//! §3.5), with each key's empty-assignment semantics ([`KeyClass`]).
use super::file::ParsedFile;
use super::keys::{self, KeyClass};
use camino::Utf8Path;
use std::borrow::Cow;
use std::sync::Arc;

/// One effective value and where it was assigned.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SettingValue {
    /// The raw value of the assignment (whitespace-stripped, not split, not unquoted).
    pub value: String,
    /// The file that assigned it (shared by all values from the same file).
    pub file: Arc<Utf8Path>,
    /// The line systemd reports for the assignment.
    pub line: u32,
}

/// A section or key name: the key table's own `&'static str` whenever the name is in it (always,
/// for what [`crate::syntax::parse`] marks known), so that names cost no allocation.
type Name = Cow<'static, str>;

/// One section's keys with their effective values.
type SectionValues = Vec<(Name, Vec<SettingValue>)>;

/// The merged view of a fragment and its drop-ins.
///
/// Apply files in systemd's order (the fragment, then drop-ins in application order). Only known keys
/// in sections the dialect parsed are taken, as systemd ignores the rest. Each assignment is one value:
/// splitting `Wants=a b` into names or unquoting is left to the setting's consumer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    /// section → key → effective values in assignment order; sections and keys in first-assignment
    /// order. Plain vectors searched linearly: a unit has a handful of sections and a section at
    /// most as many keys as the key table knows, and small vectors cost far less memory than maps.
    values: Vec<(Name, SectionValues)>,
}

/// The slot of `name` in `list`, appended (with an empty value) if missing.
fn slot<T: Default>(list: &mut Vec<(Name, T)>, name: Name) -> &mut T {
    let index = match list.iter().position(|(n, _)| *n == name) {
        Some(i) => i,
        None => {
            list.push((name, T::default()));
            list.len() - 1
        }
    };
    &mut list[index].1
}

impl Settings {
    /// Applies the known assignments of one parsed file, in order.
    pub fn apply(&mut self, parsed: &ParsedFile) {
        let mut file: Option<Arc<Utf8Path>> = None;
        for section in parsed.sections.iter().filter(|s| s.known) {
            let table = keys::section(&section.name);
            let section_name: Name = match table {
                Some(t) => Cow::Borrowed(t.name),
                None => Cow::Owned(section.name.clone()),
            };
            for entry in section.entries.iter().filter(|e| e.known) {
                let info = keys::lookup(&section.name, &entry.key);
                let class = info.map_or(KeyClass::Single, |k| k.class);
                let key_name: Name = match info {
                    Some(k) => Cow::Borrowed(k.name),
                    None => Cow::Owned(entry.key.clone()),
                };
                let keys = slot(&mut self.values, section_name.clone());
                if entry.value.is_empty() {
                    match class {
                        KeyClass::Dependency | KeyClass::List => {}
                        KeyClass::Single | KeyClass::ResettableList | KeyClass::InstallList => {
                            slot(keys, key_name).clear();
                        }
                        KeyClass::Group => {
                            let group = info.map_or("", |k| k.group);
                            for (key, values) in keys.iter_mut() {
                                if keys::lookup(&section.name, key)
                                    .is_some_and(|k| k.group == group)
                                {
                                    values.clear();
                                }
                            }
                        }
                    }
                    continue;
                }
                let values = slot(keys, key_name);
                if class == KeyClass::Single {
                    values.clear();
                }
                // Most keys are assigned once: start with room for exactly one value (later
                // pushes grow the usual amortised way).
                if values.capacity() == 0 {
                    values.reserve_exact(1);
                }
                let file = file
                    .get_or_insert_with(|| Arc::from(parsed.file.as_path()))
                    .clone();
                values.push(SettingValue {
                    value: entry.value.clone(),
                    file,
                    line: entry.line,
                });
            }
        }
    }

    /// Builds the merged view of `files`, applied in the given order.
    pub fn from_files<'a>(files: impl IntoIterator<Item = &'a ParsedFile>) -> Settings {
        let mut settings = Settings::default();
        for f in files {
            settings.apply(f);
        }
        settings
    }

    fn values_of(&self, section: &str, key: &str) -> Option<&[SettingValue]> {
        let (_, keys) = self.values.iter().find(|(s, _)| s == section)?;
        let (_, values) = keys.iter().find(|(k, _)| k == key)?;
        Some(values)
    }

    /// The effective value of a setting: the last non-reset assignment. `None` if never assigned or
    /// reset by an empty assignment (for single-valued settings an empty value means the default).
    pub fn get(&self, section: &str, key: &str) -> Option<&SettingValue> {
        self.values_of(section, key)?.last()
    }

    /// All effective assignments of a list setting, oldest first, after empty-assignment resets.
    pub fn list(&self, section: &str, key: &str) -> Vec<&SettingValue> {
        self.values_of(section, key)
            .map(|v| v.iter().collect())
            .unwrap_or_default()
    }

    /// The (section, key) pairs that currently have at least one value, in first-assignment order.
    pub fn keys(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().flat_map(|(s, keys)| {
            keys.iter()
                .filter(|(_, v)| !v.is_empty())
                .map(move |(k, _)| (s.as_ref(), k.as_ref()))
        })
    }
}
