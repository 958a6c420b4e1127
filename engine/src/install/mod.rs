//! Offline install operations: `enable`, `disable`, `reenable`, `link`, `mask`, `unmask`,
//! `revert`, `add-wants`/`add-requires`, `set-default`/`get-default`, `is-enabled`, `preset`/
//! `preset-all` ([`preset_rules`] for the preset files) and `list-unit-files` ([`list`])
//! (reference §4).
//!
//! # Model
//!
//! Enablement is nothing but symlinks in a *config directory* (`/etc/systemd/system`, or
//! `/run/systemd/system` with `--runtime`): `T.wants/NAME` and `T.requires/NAME` links made from
//! `WantedBy=`/`RequiredBy=`, alias links from `Alias=`, a `NAME` link for units linked from outside
//! the search path, and `/dev/null` links for masks. Every operation here:
//!
//! 1. looks units up with the installer's own rules ([`discover`]: search path order, instances
//!    falling back to templates, aliases and linked files followed, `[Install]` read from the
//!    fragment and its drop-ins);
//! 2. creates or removes links ([`symlink`]) and records every effect, notice and error as a
//!    [`Change`], in the order systemd 252 produces them;
//! 3. returns an [`Outcome`]: the changes, the lines logged on the way (parser warnings and
//!    similar) and the overall result. Whether the command fails is decided by the result, not by
//!    the error records (reference §4.0.3).
//!
//! [`render::render_changes`] turns the change list into exactly the lines `systemctl --root`
//! prints. All paths handed to the filesystem are inside the root; changes carry host paths (with
//! the root) where systemctl prints them so, and symlink targets are root-relative.
//!
//! A *dry run* ([`Options::dry_run`]) computes the same outcome without touching the filesystem:
//! `disable` and `unmask` use systemd's own dry-run mode (which does not repeat the removal walk),
//! every other operation runs on a copy-on-write [`Overlay`] of the tree.
//!
//! # Differences from systemd 252 (deliberate or unavoidable)
//!
//! * systemd walks some directories *without* the root prefix (drop-in directories, the config
//!   directory during `disable`, file identity checks): there an absolute symlink leads out of the
//!   root onto the host. The engine never leaves the root; for drop-in directories such a link is
//!   treated as leading nowhere (what systemd sees unless the host happens to have that path);
//!   elsewhere it is followed inside the root.
//! * File identity (`files_same()` in the equivalence rule of §4.0.2) compares resolved paths,
//!   not inodes: two hard links to one file count as different files.
//! * Host specifiers (`%H %l %q %v %b`, and `%u %U %g %G` in user scope) come from
//!   [`HostFacts`] given by the caller; without them they fail with `EUNATCH`.
//! * Directory listing order is the backend's: systemd prints `Removed` lines in `readdir()`
//!   order, so a backend that sorts (like `fs::DirFs`) gives a different order than systemctl
//!   on the same tree (the `unitlab` CLI wraps `DirFs` to keep `readdir()` order).

#![deny(missing_docs)]

mod add_wants;
mod alias;
mod apply;
pub mod change;
mod default;
mod disable;
pub mod discover;
mod dropins;
pub mod dry;
mod enable;
pub mod fnmatch;
mod fsutil;
pub mod info;
mod is_enabled;
mod link;
pub mod list;
mod load;
mod mask;
mod preset;
pub mod preset_rules;
pub mod printf;
pub mod read_cache;
mod reenable;
pub mod render;
mod revert;
pub mod search_view;
mod state;
pub mod symlink;
mod unmask;

pub use add_wants::{add_dependency, Dependency};
pub use alias::{validate_alias_symlink, verify_alias};
pub use change::{Change, ChangeKind, Errno};
pub use default::{get_default, set_default};
pub use disable::disable;
pub use dry::Overlay;
pub use enable::enable;
pub use is_enabled::{installation_targets, is_enabled};
pub use link::link;
pub use list::{list_unit_files, ListFilter, Listing, PresetColumn, UnitFileEntry};
pub use mask::mask;
pub use preset::{preset, preset_all, PresetMode};
pub use preset_rules::{PresetVerdict, Presets};
pub use printf::{HostFacts, HostSource};
pub use reenable::reenable;
pub use render::{render_changes, RenderOptions};
pub use revert::revert;
pub use state::{lookup_state, lookup_state_once, UnitFileState};
pub use unmask::unmask;

use crate::diag::Severity;

/// Flags shared by the operations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// `--runtime`: work in the runtime config directory.
    pub runtime: bool,
    /// `--force`: replace conflicting symlinks where systemd allows it.
    pub force: bool,
    /// Compute the outcome without changing the filesystem.
    pub dry_run: bool,
    /// The locale is UTF-8 (only affects arrows in logged lines).
    pub utf8: bool,
    /// Facts about the running host for `%H`, `%l`, `%q`, `%v`, `%b` and, in user scope,
    /// `%u %U %g %G` (systemd reads them from the host even under `--root`). `None`: those
    /// specifiers fail with `EUNATCH`. Read through [`HostSource`] only when a specifier needs
    /// them.
    pub host: Option<printf::HostSource>,
}

/// A line an operation logged on stderr while it ran (before its changes are printed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Log {
    /// The level systemd logs it at.
    pub severity: Severity,
    /// The full text, without newline.
    pub text: String,
}

/// What an operation did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The change records, in order.
    pub changes: Vec<Change>,
    /// Lines logged while working.
    pub logs: Vec<Log>,
    /// systemd's return value: for `enable`/`reenable` the number of units that carried
    /// installation rules (0 means "no installation config"), else 0 or 1; or the error.
    pub result: Result<i32, Errno>,
}

impl Outcome {
    pub(crate) fn err(e: Errno) -> Outcome {
        Outcome {
            changes: Vec::new(),
            logs: Vec::new(),
            result: Err(e),
        }
    }
}

/// The config directory of `opts` (`ENXIO` if the scope has none, e.g. `--runtime` in user
/// scope without `XDG_RUNTIME_DIR`).
pub(crate) fn config_dir(
    lp: &crate::load::LookupPaths,
    opts: &Options,
) -> Result<camino::Utf8PathBuf, Errno> {
    if opts.runtime {
        lp.runtime_config()
            .map(|p| p.to_owned())
            .ok_or(Errno::ENXIO)
    } else {
        Ok(lp.persistent_config().to_owned())
    }
}

#[cfg(test)]
mod tests;

/// `unit_file_exists()`: whether `name` can be found (following aliases, not links in config
/// directories, without reading `[Install]`), with the lines logged on the way.
/// `exclude_generated` leaves the generator directories out (as the SysV step does).
pub fn unit_file_exists(
    fs: &dyn crate::fs::FileSystem,
    lp: &crate::load::LookupPaths,
    name: &str,
    opts: Options,
    exclude_generated: bool,
) -> (Result<bool, Errno>, Vec<Log>) {
    let mut ctx = discover::Ctx::with(fs, lp, &opts);
    ctx.exclude_generated = exclude_generated;
    let r = apply::unit_exists(&mut ctx, name);
    (r, ctx.logs)
}
