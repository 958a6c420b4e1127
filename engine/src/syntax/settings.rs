//! The merged settings of a unit: its fragment plus its drop-ins, applied in order (reference §3.2,
//! §3.5), with each key's empty-assignment semantics ([`KeyClass`]).
//!
//! [`Settings`] holds the parsed files it was built from (shared, not copied) and, per key, the
//! positions of the assignments in effect; values are read from the files' text on demand.
use super::file::ParsedFile;
use super::keys::{self, KeyClass, KeyInfo};
use camino::Utf8Path;
use std::sync::Arc;

/// One effective value and where it was assigned: a view into one of the parsed files of a
/// [`Settings`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Setting<'a> {
    /// The raw value of the assignment (whitespace-stripped, not split, not unquoted).
    pub value: &'a str,
    /// The file that assigned it.
    pub file: &'a Arc<Utf8Path>,
    /// The line systemd reports for the assignment.
    pub line: u32,
}

impl Setting<'_> {
    /// An owned copy.
    pub fn to_owned_value(&self) -> SettingValue {
        SettingValue {
            value: self.value.to_owned(),
            file: Arc::clone(self.file),
            line: self.line,
        }
    }
}

/// An owned value and where it was assigned (for callers that keep values beyond the life of the
/// parsed files, see [`Setting::to_owned_value`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SettingValue {
    /// The raw value of the assignment (whitespace-stripped, not split, not unquoted).
    pub value: String,
    /// The file that assigned it (shared by all values from the same file).
    pub file: Arc<Utf8Path>,
    /// The line systemd reports for the assignment.
    pub line: u32,
}

/// Where an assignment is: the file (index in [`Settings::files`]) and the entry (index in the
/// file's entries).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct At {
    file: u32,
    entry: u32,
}

/// One key of one section with its effective values, oldest first.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Slot {
    /// The section's index in [`keys::sections()`].
    section: u8,
    info: &'static KeyInfo,
    values: Vec<At>,
}

/// The merged view of a fragment and its drop-ins.
///
/// Apply files in systemd's order (the fragment, then drop-ins in application order). Only known keys
/// in sections the dialect parsed are taken, as systemd ignores the rest. Each assignment is one value:
/// splitting `Wants=a b` into names or unquoting is left to the setting's consumer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    /// The files applied, in order.
    files: Vec<Arc<ParsedFile>>,
    /// (section, key) → effective values, in the order the keys were first assigned (or reset).
    /// A plain vector searched linearly: a unit has a few dozen keys at most, and a small vector
    /// costs far less memory than a map.
    slots: Vec<Slot>,
}

impl From<&ParsedFile> for Arc<ParsedFile> {
    /// A shared copy of a parsed file (copies it; prefer parsing straight into an `Arc`).
    fn from(parsed: &ParsedFile) -> Arc<ParsedFile> {
        Arc::new(parsed.clone())
    }
}

impl Settings {
    /// The slot of (`section`, `info`), appended (without values) if missing.
    fn slot(&mut self, section: u8, info: &'static KeyInfo) -> &mut Vec<At> {
        let index = match self
            .slots
            .iter()
            .position(|s| s.section == section && std::ptr::eq(s.info, info))
        {
            Some(i) => i,
            None => {
                self.slots.push(Slot {
                    section,
                    info,
                    values: Vec::new(),
                });
                self.slots.len() - 1
            }
        };
        &mut self.slots[index].values
    }

    /// Applies the known assignments of one parsed file, in order.
    pub fn apply(&mut self, parsed: impl Into<Arc<ParsedFile>>) {
        let parsed = parsed.into();
        let Ok(file) = u32::try_from(self.files.len()) else {
            return;
        };
        let mut used = false;
        for section in parsed.raw_sections.iter().filter(|s| s.known) {
            let Some(table) = keys::section_index(parsed.str(section.name)) else {
                continue;
            };
            let Ok(table) = u8::try_from(table) else {
                continue;
            };
            let first = section.first as usize;
            let entries = parsed
                .raw_entries
                .get(first..first + section.count as usize)
                .unwrap_or(&[]);
            for (i, entry) in entries.iter().enumerate() {
                let Some(info) = entry.info else {
                    continue;
                };
                let at = At {
                    file,
                    entry: section.first + i as u32,
                };
                let (_, range) = entry.value.place();
                if range.is_empty() {
                    match info.class {
                        KeyClass::Dependency | KeyClass::List => {}
                        KeyClass::Single | KeyClass::ResettableList | KeyClass::InstallList => {
                            self.slot(table, info).clear();
                        }
                        KeyClass::Group => {
                            for s in &mut self.slots {
                                if s.section == table && s.info.group == info.group {
                                    s.values.clear();
                                }
                            }
                        }
                    }
                    continue;
                }
                let values = self.slot(table, info);
                if info.class == KeyClass::Single {
                    values.clear();
                }
                // Most keys are assigned once: start with room for exactly one value (later
                // pushes grow the usual amortised way).
                if values.capacity() == 0 {
                    values.reserve_exact(1);
                }
                values.push(at);
                used = true;
            }
        }
        // Files that assign nothing are not kept.
        if used {
            self.files.push(parsed);
        }
    }

    /// Builds the merged view of `files`, applied in the given order.
    pub fn from_files<F: Into<Arc<ParsedFile>>>(files: impl IntoIterator<Item = F>) -> Settings {
        let mut settings = Settings::default();
        for f in files {
            settings.apply(f);
        }
        settings
    }

    fn slot_of(&self, section: &str, key: &str) -> Option<&Slot> {
        let table = u8::try_from(keys::section_index(section)?).ok()?;
        self.slots
            .iter()
            .find(|s| s.section == table && s.info.name == key)
    }

    fn view(&self, at: At) -> Option<Setting<'_>> {
        let file = self.files.get(at.file as usize)?;
        let entry = file.raw_entries.get(at.entry as usize)?;
        Some(Setting {
            value: file.str(entry.value),
            file: &file.file,
            line: entry.line,
        })
    }

    /// The effective value of a setting: the last non-reset assignment. `None` if never assigned or
    /// reset by an empty assignment (for single-valued settings an empty value means the default).
    pub fn get(&self, section: &str, key: &str) -> Option<Setting<'_>> {
        self.view(*self.slot_of(section, key)?.values.last()?)
    }

    /// All effective assignments of a list setting, oldest first, after empty-assignment resets.
    pub fn list(&self, section: &str, key: &str) -> Vec<Setting<'_>> {
        self.slot_of(section, key)
            .map(|s| s.values.iter().filter_map(|&at| self.view(at)).collect())
            .unwrap_or_default()
    }

    /// The (section, key) pairs that currently have at least one value, in the order in which the
    /// keys were first assigned (or reset).
    pub fn keys(&self) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
        let sections = keys::sections();
        self.slots
            .iter()
            .filter(|s| !s.values.is_empty())
            .filter_map(move |s| Some((sections.get(s.section as usize)?.name, s.info.name)))
    }

    /// The files applied (those that assigned at least one value), in order.
    pub fn files(&self) -> impl Iterator<Item = &ParsedFile> {
        self.files.iter().map(|f| &**f)
    }
}
