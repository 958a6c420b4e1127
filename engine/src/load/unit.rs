//! Loading one unit as PID 1 does (reference §3.3–3.5, §3.1 permission warnings): name lookup in the
//! [`Catalog`], fragment (or mask), drop-ins, `.wants/`/`.requires/` entries, merged settings and the
//! resulting [`LoadState`].
//!
//! The steps, in systemd's order:
//! 1. [`Catalog::lookup`] gives the fragment path and the unit's names; the unit's id becomes the
//!    fragment's file name (instance filled in).
//! 2. No fragment: types that need one (service, socket, target, timer, path, automount, mount, swap)
//!    are `not-found` and nothing else is read; others (slice, device, `init.scope`) are `loaded`.
//!    Non-transient scopes are `not-found`.
//! 3. A fragment that resolves to `/dev/null`, a character device or an empty file makes the unit
//!    `masked` (drop-ins are still read); one that cannot be opened makes it `not-found`; a parse
//!    failure (`Bad message`) makes it `error` and stops loading; a value a setting parser refuses
//!    fatally ([`super::scan_settings`]: an `Exec*=` command that is neither an absolute path nor a
//!    plain file name, an unknown specifier, an invalid `User=`, ...) ends the parse at its line,
//!    makes the unit `bad-setting` and stops loading.
//! 4. `.wants/`/`.requires/` entries and `*.conf` drop-ins are collected and parsed (a drop-in that
//!    fails to parse, or whose parse a fatal setting ends, is ignored from that line on: only the
//!    fragment can make a unit `error` or stop its loading).
//! 5. A `loaded` unit is checked by its type ([`verify`]); a refusal makes it `bad-setting`.
use super::catalog::{Catalog, Lookup, Miss};
use super::dropins::{
    conf_dropins_walked, dependency_entries_walked, DependencyEntry, DirSuffix, DropinWalk,
};
use super::fatal::{scan_counted, CountEffect};
use super::mask::{classify, FileState};
use super::state::LoadState;
use super::verify::verify_counted;
use crate::diag::{Code, Diagnostic, Severity, Sink};
use crate::fs::{FileSystem, FsError, MAX_FILE_SIZE};
use crate::name::{UnitName, UnitType};
use crate::syntax::{self, Dialect, ParsedFile, Settings};
use camino::{Utf8Path, Utf8PathBuf};
use std::sync::Arc;

/// Options of [`load_unit`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Load as PID 1 (the system manager): also warn about world-inaccessible files (reference §3.1).
    /// The user manager and `systemd --test` do not.
    pub pid1: bool,
}

/// Why a unit failed to load, with the `strerror()` text systemd shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadError {
    /// No fragment (ENOENT), a dangling alias, or a fragment that could not be opened.
    NotFound,
    /// An alias chain longer than the hop limit (ELOOP).
    AliasLoop,
    /// The fragment failed to parse (`Bad message`, `Line too long`...): the parser's error text.
    Parse(String),
    /// The fragment could not be read for another reason (e.g. it is a directory).
    Read(String),
    /// The type's verification refused the unit (ENOEXEC): systemd's message.
    BadSetting(String),
    /// A setting parser refused a value of the fragment fatally (ENOEXEC) at `line`, which ended
    /// the parse there (see [`super::scan_settings`]): what it said.
    FatalSetting {
        /// The fragment's line.
        line: u32,
        /// The setting parser's message.
        message: String,
    },
}

impl LoadError {
    /// The `strerror()` text of the error systemd records (`No such file or directory`, ...).
    pub fn strerror(&self) -> &str {
        match self {
            LoadError::NotFound => "No such file or directory",
            LoadError::AliasLoop => "Too many levels of symbolic links",
            LoadError::Parse(s) | LoadError::Read(s) => s,
            LoadError::BadSetting(_) | LoadError::FatalSetting { .. } => "Exec format error",
        }
    }
}

/// One configuration file of a unit: its path as systemd reports it and its parsed content.
#[derive(Clone, Debug)]
pub struct ConfigFile {
    /// The path systemd reports (`Fragment Path`, `DropIn Path`), inside the root (the same
    /// allocation as the parsed file's `file`).
    pub path: Arc<Utf8Path>,
    /// The parsed file (empty for a masked file), shared with the unit's [`Settings`].
    pub parsed: Arc<ParsedFile>,
}

impl ConfigFile {
    /// Parses `text` as the file at `path`, a file of the unit `unit`, and judges its settings
    /// (reference §3.4): a fatal refusal cuts the file after its line (the parse ended there, a
    /// syntax failure further down was never reached) and only the messages up to it are
    /// reported, in line order. Returns the fatal refusal's line and message, and what the file
    /// does to the `ExecStart=`/`ExecStop=` command counts (the scan stops at the fatal line, as a
    /// later scan of the cut file would).
    fn parse(
        path: Arc<Utf8Path>,
        text: Vec<u8>,
        unit: &UnitName,
        sink: &mut dyn Sink,
    ) -> (Self, Option<(u32, String)>, CountEffect) {
        let mut diags: Vec<Diagnostic> = Vec::new();
        let dialect = Dialect::Unit(unit.unit_type());
        let mut parsed = syntax::parse_owned(path.clone(), text, dialect, &mut diags);
        let (scan, effect) = scan_counted(unit, &parsed);
        if let Some((line, _)) = &scan.fatal {
            diags.retain(|d| d.line <= *line);
            parsed.failure = None;
            parsed.cut_after_line(*line);
        }
        diags.extend(scan.diagnostics(&parsed));
        diags.sort_by_key(|d| d.line);
        for d in diags {
            sink.push(d);
        }
        let file = ConfigFile {
            path,
            parsed: Arc::new(parsed),
        };
        (file, scan.fatal, effect)
    }
}

/// A unit after loading: what `systemd --test` dumps for it and what `systemctl cat` prints.
#[derive(Clone, Debug)]
pub struct LoadedUnit {
    /// The name that was asked for.
    pub requested: UnitName,
    /// The unit's id (the fragment's name for aliases).
    pub id: UnitName,
    /// All names, including the id (systemd's `Alias:` lines are the others).
    pub names: Vec<UnitName>,
    /// The load state.
    pub load_state: LoadState,
    /// Why loading failed, for the failed states.
    pub load_error: Option<LoadError>,
    /// The fragment path, if any (also for masked units: the mask's path). Shared with the
    /// fragment's [`ConfigFile`].
    pub fragment_path: Option<Arc<Utf8Path>>,
    /// The parsed fragment (not for masked or failed units).
    pub fragment: Option<ConfigFile>,
    /// The `*.conf` drop-ins in application order.
    pub dropins: Vec<ConfigFile>,
    /// Accepted `.wants/` entries.
    pub wants: Vec<DependencyEntry>,
    /// Accepted `.requires/` entries.
    pub requires: Vec<DependencyEntry>,
    /// The merged settings of the fragment and the drop-ins, in application order.
    pub settings: Settings,
}

impl LoadedUnit {
    /// The other names of the unit (`names` without `id`).
    pub fn aliases(&self) -> impl Iterator<Item = &UnitName> {
        self.names.iter().filter(move |n| **n != self.id)
    }

    /// The drop-in paths in application order.
    pub fn dropin_paths(&self) -> impl Iterator<Item = &Utf8Path> {
        self.dropins.iter().map(|d| &*d.path)
    }
}

/// Whether a unit of this type (and name) can be `loaded` without a fragment.
pub fn fragment_optional(name: &UnitName) -> bool {
    match name.unit_type() {
        UnitType::Slice | UnitType::Device => true,
        UnitType::Scope => name.as_str() == "init.scope",
        UnitType::Mount => name.as_str() == "-.mount",
        _ => false,
    }
}

/// Loads `name` (reference §3.3–3.5). Problems go to `sink` worded as systemd logs them; unit-level
/// messages (`UNIT: message` in systemd's log) carry the unit's id as their `file`.
pub fn load_unit(
    fs: &dyn FileSystem,
    catalog: &Catalog,
    name: &UnitName,
    options: &LoadOptions,
    sink: &mut dyn Sink,
) -> LoadedUnit {
    let lookup = catalog.lookup(name);
    // What each file did to the `ExecStart=`/`ExecStop=` counts, for `verify`.
    let mut fragment_counts: Option<CountEffect> = None;
    let mut dropin_counts: Vec<CountEffect> = Vec::new();
    let mut unit = LoadedUnit {
        requested: name.clone(),
        id: lookup.id.clone(),
        names: lookup.names.iter().cloned().collect(),
        load_state: LoadState::Stub,
        load_error: None,
        fragment_path: None,
        fragment: None,
        dropins: Vec::new(),
        wants: Vec::new(),
        requires: Vec::new(),
        settings: Settings::default(),
    };
    let unit_file = Utf8PathBuf::from(unit.id.as_str());

    if name.unit_type() == UnitType::Scope && name.as_str() != "init.scope" {
        return not_found(unit, name, LoadError::NotFound, false);
    }
    if lookup.miss == Some(Miss::TooManyHops) {
        sink.push(Diagnostic::new(
            unit_file.clone(),
            0,
            Severity::Debug,
            Code::Symlink,
            format!("Cannot load unit {name}: Too many levels of symbolic links"),
        ));
        return not_found(unit, name, LoadError::AliasLoop, false);
    }

    match &lookup.fragment {
        None => {
            if !fragment_optional(&unit.id) {
                return not_found(unit, name, LoadError::NotFound, true);
            }
            unit.load_state = LoadState::Loaded;
        }
        Some(path) => {
            let shared: Arc<Utf8Path> = Arc::from(path.as_path());
            unit.fragment_path = Some(shared.clone());
            match classify(fs, path) {
                FileState::Masked => unit.load_state = LoadState::Masked,
                FileState::File { resolved, meta } => {
                    warn_permissions(path, meta.mode, options, sink);
                    let text = match fs.read(&resolved, MAX_FILE_SIZE) {
                        Ok(t) => t,
                        Err(e) => return read_failed(unit, &lookup, path, e, sink),
                    };
                    let (file, fatal, effect) = ConfigFile::parse(shared, text, name, sink);
                    // The counts are reused only if the fragment was judged under the id (an
                    // alias's specifiers could expand differently).
                    fragment_counts = (name.as_str() == unit.id.as_str()).then_some(effect);
                    if let Some((line, message)) = fatal {
                        return fatal_setting(unit, name, file, line, message, sink);
                    }
                    if let Some(failure) = &file.parsed.failure {
                        // systemd fails before merging the unit's other names: the unit keeps the
                        // requested name as its only name (an alias loads as a separate unit).
                        unit.id = name.clone();
                        unit.names = vec![name.clone()];
                        unit.load_state = LoadState::Error;
                        unit.load_error = Some(LoadError::Parse(failure.strerror().to_owned()));
                        unit.fragment = Some(file);
                        return unit;
                    }
                    unit.load_state = LoadState::Loaded;
                    unit.fragment = Some(file);
                }
                FileState::Other { .. } => {
                    unit.id = name.clone();
                    unit.names = vec![name.clone()];
                    unit.load_state = LoadState::Error;
                    unit.load_error = Some(LoadError::Read("Is a directory".to_owned()));
                    return unit;
                }
                FileState::Missing => {
                    return read_failed(
                        unit,
                        &lookup,
                        path,
                        FsError::NotFound { path: path.clone() },
                        sink,
                    )
                }
                FileState::Unresolvable(e) => return read_failed(unit, &lookup, path, e, sink),
            }
        }
    }

    let aliases: Vec<&UnitName> = unit.names.iter().filter(|n| **n != unit.id).collect();
    let walk = DropinWalk::new(catalog, &unit.id, &aliases);
    unit.wants = dependency_entries_walked(fs, catalog, &unit.id, &walk, DirSuffix::Wants, sink);
    unit.requires =
        dependency_entries_walked(fs, catalog, &unit.id, &walk, DirSuffix::Requires, sink);
    for path in conf_dropins_walked(fs, catalog, &walk) {
        let text = match classify(fs, &path) {
            FileState::File { resolved, meta } => {
                warn_permissions(&path, meta.mode, options, sink);
                fs.read(&resolved, MAX_FILE_SIZE).unwrap_or_default()
            }
            _ => Vec::new(),
        };
        // A fatal refusal only ends this drop-in's parse: systemd ignores the error.
        let (file, _, effect) = ConfigFile::parse(Arc::from(path.as_path()), text, &unit.id, sink);
        dropin_counts.push(effect);
        unit.dropins.push(file);
    }

    let mut settings = Settings::default();
    if let Some(f) = &unit.fragment {
        settings.apply(f.parsed.clone());
    }
    for d in &unit.dropins {
        settings.apply(d.parsed.clone());
    }
    unit.settings = settings;

    if unit.load_state == LoadState::Loaded {
        let mut files: Vec<&ParsedFile> = Vec::new();
        if let Some(f) = &unit.fragment {
            files.push(&f.parsed);
        }
        files.extend(unit.dropins.iter().map(|d| &*d.parsed));
        let names: Vec<&UnitName> = unit.names.iter().collect();
        // The counts of the scans above, in application order, if every file was judged under
        // the id (`verify` would scan them again under it).
        let counts = match (&unit.fragment, fragment_counts) {
            (Some(_), None) => None,
            (_, first) => {
                let mut c = (0, 0);
                for e in first.into_iter().chain(dropin_counts.iter().copied()) {
                    e.apply(&mut c);
                }
                Some(c)
            }
        };
        if let Err(refusal) = verify_counted(&unit.id, &names, &files, counts) {
            sink.push(Diagnostic::new(
                unit_file,
                0,
                Severity::Error,
                Code::BadSetting,
                refusal.message.clone(),
            ));
            unit.load_state = LoadState::BadSetting;
            unit.load_error = Some(LoadError::BadSetting(refusal.message));
        }
    }
    unit
}

/// Ends loading as `bad-setting` after a fatal refusal in the fragment (reference §3.4): like a
/// parse failure, before the unit's other names are merged and before its drop-ins and
/// `.wants/`/`.requires/` entries are read; the lines before the refused one stay in effect.
fn fatal_setting(
    mut unit: LoadedUnit,
    name: &UnitName,
    file: ConfigFile,
    line: u32,
    message: String,
    sink: &mut dyn Sink,
) -> LoadedUnit {
    sink.push(Diagnostic::new(
        Utf8PathBuf::from(name.as_str()),
        0,
        Severity::Notice,
        Code::BadSetting,
        "Unit configuration has fatal error, unit will not be started.",
    ));
    unit.id = name.clone();
    unit.names = vec![name.clone()];
    unit.load_state = LoadState::BadSetting;
    unit.load_error = Some(LoadError::FatalSetting { line, message });
    let mut settings = Settings::default();
    settings.apply(file.parsed.clone());
    unit.settings = settings;
    unit.fragment = Some(file);
    unit
}

/// Ends loading as `not-found`. systemd merges the looked-up names before it notices that a required
/// fragment is missing, but not when the lookup or the fragment's open failed (`keep_names`).
fn not_found(
    mut unit: LoadedUnit,
    name: &UnitName,
    error: LoadError,
    keep_names: bool,
) -> LoadedUnit {
    unit.id = name.clone();
    if !keep_names {
        unit.names = vec![name.clone()];
    }
    unit.load_state = LoadState::NotFound;
    unit.load_error = Some(error);
    unit.fragment_path = None;
    unit
}

/// A fragment that cannot be opened: systemd logs a notice and the unit stays `not-found`.
fn read_failed(
    unit: LoadedUnit,
    lookup: &Lookup,
    path: &Utf8Path,
    e: FsError,
    sink: &mut dyn Sink,
) -> LoadedUnit {
    sink.push(Diagnostic::new(
        Utf8PathBuf::from(lookup.requested.as_str()),
        0,
        Severity::Notice,
        Code::Unreadable,
        format!("Failed to open {path}: {}", e.strerror()),
    ));
    let name = lookup.requested.clone();
    not_found(unit, &name, LoadError::NotFound, false)
}

/// The permission warnings of reference §3.1 for a regular configuration file.
fn warn_permissions(path: &Utf8Path, mode: u32, options: &LoadOptions, sink: &mut dyn Sink) {
    let mut warn = |text: &str| {
        sink.push(Diagnostic::new(
            path,
            0,
            Severity::Warning,
            Code::Permissions,
            format!("Configuration file {path} is marked {text} Proceeding anyway."),
        ))
    };
    if mode & 0o111 != 0 {
        warn("executable. Please remove executable permission bits.");
    }
    if mode & 0o002 != 0 {
        warn("world-writable. Please remove world writability permission bits.");
    }
    if options.pid1 && mode & 0o044 != 0o044 {
        warn("world-inaccessible. This has no effect as configuration data is accessible via APIs without restrictions.");
    }
}
