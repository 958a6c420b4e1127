//! # unitlab-engine
//!
//! A pure-Rust, embeddable engine for systemd 252 unit files. It reads and explains a unit tree the
//! way systemd 252 does — in a directory tree of your choice, without root and without a running
//! systemd. The truth it follows is the real systemd 252 (Debian 12): every rule here is checked by
//! differential tests against the real binaries.
//!
//! ## The model
//!
//! * **A filesystem** ([`fs::FileSystem`]) is an object-safe trait with two backends: the
//!   deterministic in-memory [`fs::MemFs`] and the rooted real-directory [`fs::DirFs`] (the
//!   `--root=DIR` semantics). Backends never follow symlinks; the engine resolves paths itself
//!   ([`fs::resolve`]), one component at a time, with systemd's root rules: absolute link targets
//!   are taken inside the root, `..` never climbs above it, a link to `/dev/null` is a mask and is
//!   not followed, and a bounded number of links is followed. Nothing outside the root is read or
//!   written, whatever the links in the tree say.
//! * **Load paths** ([`load::LookupPaths`]) are the directories systemd searches, highest priority
//!   first, for the system, global and user scopes (with `SYSTEMD_UNIT_PATH` and the `XDG_*`
//!   variables, read through an [`load::Env`], never from the process directly). Each directory has
//!   a class ([`load::DirClass`], an `Ord` enum) that says what a file in it means.
//! * **Unit names** ([`name`]) are validated, classified (plain, template, instance; eleven types),
//!   escaped and mangled exactly as `systemd-escape` and `systemctl` do.
//! * **The parser** ([`syntax::parse`]) never fails wholesale and never panics: problems are
//!   [`diag::Diagnostic`]s worded exactly as systemd logs them. A broken section header fails the
//!   file, and the unit's load state becomes `error`, as in systemd.
//! * **The catalog** ([`load::Catalog`]) is systemd's name → fragment map: the first directory
//!   that has a name wins; symlinks inside the search path are aliases (validated as systemd
//!   validates them), symlinks leaving it are linked unit files, `/dev/null` links and empty files
//!   are masks. [`load::load_unit`] adds drop-ins (name, template, prefix, alias and type-level
//!   `.d` directories, one file per basename), `.wants/`/`.requires/` entries and the load state.
//!
//! Hard failures are `thiserror` enums naming the paths and units involved; unit-file problems
//! are diagnostics, collected and never returned as errors.
//!
//! ## Example
//!
//! ```
//! use unitlab_engine::diag::Diagnostic;
//! use unitlab_engine::fs::MemFs;
//! use unitlab_engine::load::{load_unit, Catalog, LoadOptions, LoadState, LookupPaths, MapEnv, Scope};
//! use unitlab_engine::name::UnitName;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // A tiny tree: a vendor unit, an alias for it in /etc, and a mask.
//! let fs = MemFs::new();
//! fs.add_file("/lib/systemd/system/web.service", "[Service]\nExecStart=/usr/bin/web\nBogus=1\n")?;
//! fs.add_symlink("/etc/systemd/system/www.service", "/lib/systemd/system/web.service")?;
//! fs.add_symlink("/etc/systemd/system/old.service", "/dev/null")?;
//!
//! let paths = LookupPaths::new(Scope::System, None, &MapEnv::new("/"))?;
//! let mut diagnostics: Vec<Diagnostic> = Vec::new();
//! let catalog = Catalog::build(&fs, &paths, &mut diagnostics);
//!
//! let www = load_unit(&fs, &catalog, &UnitName::new("www.service")?, &LoadOptions::default(), &mut diagnostics);
//! assert_eq!(www.id.as_str(), "web.service");
//! assert_eq!(www.load_state, LoadState::Loaded);
//! assert_eq!(www.fragment_path.as_deref().map(|p| p.as_str()), Some("/lib/systemd/system/web.service"));
//!
//! let old = load_unit(&fs, &catalog, &UnitName::new("old.service")?, &LoadOptions::default(), &mut diagnostics);
//! assert_eq!(old.load_state, LoadState::Masked);
//!
//! // The unknown key is a diagnostic, worded as systemd 252 logs it.
//! assert!(diagnostics.iter().any(|d| d.to_string()
//!     == "/lib/systemd/system/web.service:3: Unknown key 'Bogus' in section [Service], ignoring."));
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod diag;
pub mod fs;
pub mod graph;
pub mod install;
pub mod load;
pub mod name;
pub mod syntax;
pub mod time;
pub mod transaction;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
