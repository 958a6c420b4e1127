//! Scopes and directory classes: the precedence of unit directories as a type.
//!
//! Every directory of a unit search path belongs to one [`DirClass`]. The classes are declared in
//! **descending precedence** (the first class wins), so that `DirClass` derives `Ord` and "which
//! of these two directories wins" is a comparison. When `SYSTEMD_UNIT_PATH` is not set, the search
//! path systemd builds for any scope lists its directories in this order; [`DirClass::for_scope`]
//! gives the classes each scope uses, and [`LookupPaths`](super::LookupPaths) checks (with a
//! `debug_assert`, and in tests) that the list it builds agrees with both (the idea of
//! gix-config's `source::Kind`).
//!
//! The order is systemd 252's (reference §1.2–1.4, §1.7):
//! control dirs, transient, generator.early, persistent config, attached, runtime config,
//! generator, vendor dirs, generator.late. User scope adds the XDG config dirs and the global
//! (`/etc/systemd/user`) config after the user's own config, the global runtime dir after the
//! user's runtime dir, and the XDG data dirs before the vendor dirs.

use std::fmt;

/// Which unit-file configuration is meant: the system manager's, the per-user manager's, or the
/// configuration shared by all users (`systemctl --global`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Scope {
    /// The system manager (`--system`, the default).
    #[default]
    System,
    /// The configuration of all users' managers (`--global`): `/etc/systemd/user` and friends,
    /// without any per-user (`XDG_*`) directory.
    Global,
    /// The calling user's manager (`--user`): `XDG_*` directories plus the global ones.
    User,
}

impl Scope {
    /// All scopes.
    pub const ALL: [Scope; 3] = [Scope::System, Scope::Global, Scope::User];

    /// The command-line flag that selects this scope (`--system`, `--global`, `--user`).
    pub fn flag(self) -> &'static str {
        match self {
            Scope::System => "--system",
            Scope::Global => "--global",
            Scope::User => "--user",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Scope::System => "system",
            Scope::Global => "global",
            Scope::User => "user",
        })
    }
}

/// The class of a unit directory, in **descending precedence**: a smaller value wins.
///
/// The derived `Ord` is the precedence order of systemd 252's search path (reference §1.2–1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DirClass {
    /// An entry of `SYSTEMD_UNIT_PATH` that is none of the scope's named or default directories.
    /// Such entries are ordered by their position in the variable, not by class.
    Custom,
    /// Persistent drop-ins written by `systemctl set-property` (`/etc/systemd/system.control`,
    /// `$XDG_CONFIG_HOME/systemd/user.control`).
    PersistentControl,
    /// Runtime drop-ins written by `systemctl set-property --runtime`
    /// (`/run/systemd/system.control`, `$XDG_RUNTIME_DIR/systemd/user.control`).
    RuntimeControl,
    /// Transient units (`/run/systemd/transient`, `$XDG_RUNTIME_DIR/systemd/transient`).
    Transient,
    /// Output of generators run early (`…/generator.early`).
    GeneratorEarly,
    /// The scope's persistent configuration (`/etc/systemd/system`, `/etc/systemd/user` for
    /// `--global`, `$XDG_CONFIG_HOME/systemd/user` for `--user`).
    PersistentConfig,
    /// User scope: an entry of `$XDG_CONFIG_DIRS` + `/systemd/user` (default
    /// `/etc/xdg/systemd/user`).
    XdgConfig,
    /// User scope: the global persistent configuration `/etc/systemd/user` (the one `--global`
    /// writes), below the user's own.
    GlobalPersistentConfig,
    /// Persistently attached portable-service units (`/etc/systemd/system.attached`).
    PersistentAttached,
    /// The scope's runtime configuration (`/run/systemd/system`, `/run/systemd/user` for
    /// `--global`, `$XDG_RUNTIME_DIR/systemd/user` for `--user`).
    RuntimeConfig,
    /// User scope: the global runtime configuration `/run/systemd/user`.
    GlobalRuntimeConfig,
    /// Portable-service units attached at runtime (`/run/systemd/system.attached`).
    RuntimeAttached,
    /// Output of generators (`…/generator`).
    Generator,
    /// User scope: `$XDG_DATA_HOME/systemd/user` (default `~/.local/share/systemd/user`).
    DataHome,
    /// User scope: an entry of `$XDG_DATA_DIRS` + `/systemd/user` (default
    /// `/usr/local/share/systemd/user`, `/usr/share/systemd/user`).
    XdgData,
    /// Units shipped by packages or the administrator's local software
    /// (`/usr/local/lib/systemd/system`, `/lib/systemd/system`, `/usr/lib/systemd/system`, and the
    /// `…/systemd/user` equivalents).
    Vendor,
    /// Output of generators run late (`…/generator.late`).
    GeneratorLate,
}

impl DirClass {
    /// Every class, in precedence order (highest first).
    pub const ALL: [DirClass; 17] = [
        DirClass::Custom,
        DirClass::PersistentControl,
        DirClass::RuntimeControl,
        DirClass::Transient,
        DirClass::GeneratorEarly,
        DirClass::PersistentConfig,
        DirClass::XdgConfig,
        DirClass::GlobalPersistentConfig,
        DirClass::PersistentAttached,
        DirClass::RuntimeConfig,
        DirClass::GlobalRuntimeConfig,
        DirClass::RuntimeAttached,
        DirClass::Generator,
        DirClass::DataHome,
        DirClass::XdgData,
        DirClass::Vendor,
        DirClass::GeneratorLate,
    ];

    /// The classes a scope's default search path (without `SYSTEMD_UNIT_PATH`) is made of, in
    /// precedence order. `Custom` never appears: it only comes from `SYSTEMD_UNIT_PATH`.
    pub fn for_scope(scope: Scope) -> &'static [DirClass] {
        match scope {
            Scope::System => &[
                DirClass::PersistentControl,
                DirClass::RuntimeControl,
                DirClass::Transient,
                DirClass::GeneratorEarly,
                DirClass::PersistentConfig,
                DirClass::PersistentAttached,
                DirClass::RuntimeConfig,
                DirClass::RuntimeAttached,
                DirClass::Generator,
                DirClass::Vendor,
                DirClass::GeneratorLate,
            ],
            Scope::Global => &[
                DirClass::PersistentConfig,
                DirClass::RuntimeConfig,
                DirClass::Vendor,
            ],
            Scope::User => &[
                DirClass::PersistentControl,
                DirClass::RuntimeControl,
                DirClass::Transient,
                DirClass::GeneratorEarly,
                DirClass::PersistentConfig,
                DirClass::XdgConfig,
                DirClass::GlobalPersistentConfig,
                DirClass::RuntimeConfig,
                DirClass::GlobalRuntimeConfig,
                DirClass::Generator,
                DirClass::DataHome,
                DirClass::XdgData,
                DirClass::Vendor,
                DirClass::GeneratorLate,
            ],
        }
    }

    /// True for the directories systemd fills itself at runtime and that PID 1 excludes from its
    /// unit-cache hash (reference §1.8): generator, transient and control directories.
    pub fn is_managed_by_systemd(self) -> bool {
        matches!(
            self,
            DirClass::PersistentControl
                | DirClass::RuntimeControl
                | DirClass::Transient
                | DirClass::GeneratorEarly
                | DirClass::Generator
                | DirClass::GeneratorLate
        )
    }

    /// True for the three generator classes.
    pub fn is_generator(self) -> bool {
        matches!(
            self,
            DirClass::GeneratorEarly | DirClass::Generator | DirClass::GeneratorLate
        )
    }

    /// A short lowercase name, e.g. `"generator.early"`, `"persistent-config"`.
    pub fn as_str(self) -> &'static str {
        match self {
            DirClass::Custom => "custom",
            DirClass::PersistentControl => "persistent-control",
            DirClass::RuntimeControl => "runtime-control",
            DirClass::Transient => "transient",
            DirClass::GeneratorEarly => "generator.early",
            DirClass::PersistentConfig => "persistent-config",
            DirClass::XdgConfig => "xdg-config",
            DirClass::GlobalPersistentConfig => "global-persistent-config",
            DirClass::PersistentAttached => "persistent-attached",
            DirClass::RuntimeConfig => "runtime-config",
            DirClass::GlobalRuntimeConfig => "global-runtime-config",
            DirClass::RuntimeAttached => "runtime-attached",
            DirClass::Generator => "generator",
            DirClass::DataHome => "data-home",
            DirClass::XdgData => "xdg-data",
            DirClass::Vendor => "vendor",
            DirClass::GeneratorLate => "generator.late",
        }
    }
}

impl fmt::Display for DirClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_is_sorted_and_complete() {
        assert!(DirClass::ALL.windows(2).all(|w| w[0] < w[1]));
        let names: std::collections::BTreeSet<_> =
            DirClass::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(names.len(), DirClass::ALL.len());
    }

    #[test]
    fn scope_classes_are_in_precedence_order() {
        for scope in Scope::ALL {
            let classes = DirClass::for_scope(scope);
            assert!(
                classes.windows(2).all(|w| w[0] < w[1]),
                "{scope}: {classes:?}"
            );
            assert!(!classes.contains(&DirClass::Custom));
        }
    }

    // Reference §1.2: /etc/systemd/system (persistent config) outranks /run/systemd/system.
    #[test]
    fn persistent_config_outranks_runtime_config() {
        assert!(DirClass::PersistentConfig < DirClass::RuntimeConfig);
        assert!(DirClass::GeneratorEarly < DirClass::PersistentConfig);
        assert!(DirClass::Vendor < DirClass::GeneratorLate);
        assert!(DirClass::RuntimeConfig < DirClass::Generator);
    }
}
