//! The merged settings of a unit: its fragment plus its drop-ins, applied in order (reference §3.2,
//! §3.5), with each key's empty-assignment semantics ([`KeyClass`]).
use super::file::ParsedFile;
use super::keys::{self, KeyClass};
use camino::Utf8PathBuf;
use indexmap::IndexMap;

/// One effective value and where it was assigned.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SettingValue {
    /// The raw value of the assignment (whitespace-stripped, not split, not unquoted).
    pub value: String,
    /// The file that assigned it.
    pub file: Utf8PathBuf,
    /// The line systemd reports for the assignment.
    pub line: u32,
}

/// The merged view of a fragment and its drop-ins.
///
/// Apply files in systemd's order (the fragment, then drop-ins in application order). Only known keys
/// in sections the dialect parsed are taken, as systemd ignores the rest. Each assignment is one value:
/// splitting `Wants=a b` into names or unquoting is left to the setting's consumer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    /// section → key → effective values in assignment order.
    values: IndexMap<String, IndexMap<String, Vec<SettingValue>>>,
}

impl Settings {
    /// Applies the known assignments of one parsed file, in order.
    pub fn apply(&mut self, parsed: &ParsedFile) {
        for section in parsed.sections.iter().filter(|s| s.known) {
            for entry in section.entries.iter().filter(|e| e.known) {
                let info = keys::lookup(&section.name, &entry.key);
                let class = info.map_or(KeyClass::Single, |k| k.class);
                let keys = self.values.entry(section.name.clone()).or_default();
                if entry.value.is_empty() {
                    match class {
                        KeyClass::Dependency | KeyClass::List => {}
                        KeyClass::Single | KeyClass::ResettableList | KeyClass::InstallList => {
                            keys.entry(entry.key.clone()).or_default().clear();
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
                let values = keys.entry(entry.key.clone()).or_default();
                if class == KeyClass::Single {
                    values.clear();
                }
                values.push(SettingValue {
                    value: entry.value.clone(),
                    file: parsed.file.clone(),
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

    /// The effective value of a setting: the last non-reset assignment. `None` if never assigned or
    /// reset by an empty assignment (for single-valued settings an empty value means the default).
    pub fn get(&self, section: &str, key: &str) -> Option<&SettingValue> {
        self.values.get(section)?.get(key)?.last()
    }

    /// All effective assignments of a list setting, oldest first, after empty-assignment resets.
    pub fn list(&self, section: &str, key: &str) -> Vec<&SettingValue> {
        self.values
            .get(section)
            .and_then(|keys| keys.get(key))
            .map(|v| v.iter().collect())
            .unwrap_or_default()
    }

    /// The (section, key) pairs that currently have at least one value, in first-assignment order.
    pub fn keys(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().flat_map(|(s, keys)| {
            keys.iter()
                .filter(|(_, v)| !v.is_empty())
                .map(move |(k, _)| (s.as_str(), k.as_str()))
        })
    }
}
