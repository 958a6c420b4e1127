//! Load paths, the unit catalog, drop-ins and load states (reference §1, §3.3–3.7).
//!
//! # The loading model
//!
//! Loading a unit by name goes through four layers, each in its own module:
//!
//! 1. **Name map** ([`Catalog`], reference §3.3). The search directories are scanned once, in
//!    priority order; the first directory entry with a given name wins. An entry is a fragment file,
//!    a *linked* unit file (a symlink leaving the search path: the symlink itself is the fragment),
//!    or an *alias* (a symlink into the search path, validated by [`validate_alias`]). Looking a name
//!    up follows aliases, falls back from an instance to its template, and collects all names of the
//!    unit ([`Lookup`]).
//! 2. **Unit** ([`load_unit`], [`LoadedUnit`]). The fragment is opened: `/dev/null`, a character
//!    device or an empty file is a mask; otherwise it is parsed with [`crate::syntax::parse`].
//! 3. **Drop-ins** ([`conf_dropins`], [`dependency_entries`], reference §3.5). `*.conf` files from the
//!    unit's `.d/` directories (name walk per search directory, then aliases, then the type-level
//!    directory), shadowed by basename and applied in basename order; `.wants/`/`.requires/` symlinks
//!    found the same way. The installer's narrower view is [`installer_dropins`] (§3.6).
//! 4. **Load state** ([`LoadState`], §3.4): `loaded`, `not-found`, `masked`, `error` (the fragment
//!    failed to parse) or `bad-setting` (a setting parser refused a value of the fragment fatally,
//!    see [`scan_settings`], or a type check of [`verify`] refused the unit).
//!
//! Every problem on the way is a [`crate::diag::Diagnostic`] worded as systemd 252 logs it; nothing
//! here fails with `Err` because of a unit file's content.
//!
//! The lookup-path part decides *where* unit files are looked for: [`Scope`] selects the
//! configuration, [`Env`] supplies the environment it depends on, [`LookupPaths`] is the ordered
//! search path (each directory tagged with its [`DirClass`]) plus the named directories install
//! operations write to.

mod class;
mod env;
mod paths;

pub use class::{DirClass, Scope};
pub use env::{current_dir_name, Env, MapEnv, ProcessEnv};
pub use paths::{
    is_user_config_dir, LookupError, LookupPaths, SearchDir, UnitPathOverride,
    SYSTEM_DATA_UNIT_DIR, USER_CONFIG_UNIT_DIR,
};

mod alias;
mod catalog;
mod dropins;
mod fatal;
mod mask;
mod name_index;
mod name_parts;
mod state;
mod unit;
mod verify;

pub use alias::{names_compatible, validate_alias, AliasProblem, AliasRejection};
pub use catalog::{
    directory_name_is_valid, Catalog, Entry, EntryKind, Lookup, Miss, MAX_ALIAS_HOPS,
};
pub use dropins::{
    conf_dropins, conf_files, dependency_entries, dropin_dirs, hidden_or_backup, installer_dropins,
    type_dir_name, DependencyEntry, DirSuffix,
};
pub use fatal::{extract_words, scan_settings, SettingScan};
pub use mask::{classify, FileState};
pub use state::LoadState;
pub use unit::{fragment_optional, load_unit, ConfigFile, LoadError, LoadOptions, LoadedUnit};
pub use verify::{verify, Refusal};
