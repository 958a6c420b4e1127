//! The unit search path and the named directories of a scope (reference §1).
//!
//! # Model
//!
//! For a [`Scope`] systemd 252 computes one [`LookupPaths`] value:
//!
//! * the **search path**: an ordered list of directories, highest precedence first; the first
//!   directory holding a unit file of a given name provides that unit's fragment. Each entry is a
//!   [`SearchDir`] tagged with its [`DirClass`];
//! * a set of **named directories** that install operations write to and that classify where a
//!   file lives: persistent/runtime config, persistent/runtime control, transient, the three
//!   generator directories and the two "attached" (portable service) directories. They are
//!   computed from the scope and the environment **regardless of `SYSTEMD_UNIT_PATH`**, so
//!   `enable` still writes to `/etc/systemd/system` when that directory is not searched.
//!
//! How the search path is built:
//!
//! 1. *System* and *global* scope use fixed lists (reference §1.2, §1.3, Debian 12 build:
//!    `/lib/systemd/system` is the system data dir). *User* scope is built from
//!    `XDG_CONFIG_HOME` (default `$HOME/.config`), `XDG_CONFIG_DIRS` (default `/etc/xdg`),
//!    `XDG_DATA_HOME` (default `$HOME/.local/share`), `XDG_DATA_DIRS` (default
//!    `/usr/local/share:/usr/share`) and `XDG_RUNTIME_DIR` (no default: every runtime directory is
//!    omitted when it is unset) plus the global directories (§1.4).
//!    A variable that is set but empty counts as set: an empty `XDG_CONFIG_HOME` puts
//!    `/systemd/user` in the path, an empty `XDG_CONFIG_DIRS` contributes nothing. `HOME` is used
//!    only if it is a valid absolute path; otherwise the user database decides ([`Env::passwd_home`]).
//!    Every user-scope entry is made absolute against the current directory and lexically
//!    simplified (duplicate slashes, `.` components and trailing slashes dropped; `..` kept).
//! 2. `SYSTEMD_UNIT_PATH`, if set, is split on `:` (empty entries ignored), each entry made
//!    absolute against the current directory and simplified. If the value ends with `:` the
//!    entries are put *before* the default list; otherwise they *replace* it (an empty value gives
//!    an empty search path) (§1.5).
//! 3. Duplicates are dropped, keeping the first occurrence (string comparison after
//!    simplification).
//! 4. With a root directory (`--root`), every path is inside it. This type keeps all paths
//!    **relative to the root** (absolute paths as seen from inside it) and records the root
//!    separately; [`LookupPaths::host_path`] adds the root back. User scope refuses a root
//!    (§1.6).
//!
//! Without `SYSTEMD_UNIT_PATH` the search path is always sorted by [`DirClass`]; this is checked
//! by a `debug_assert` when it is built.
//!
//! # Named directories and classification
//!
//! The classification predicates of reference §1.7 ([`LookupPaths::is_runtime`],
//! [`is_config`](LookupPaths::is_config), [`is_control`](LookupPaths::is_control),
//! [`is_generator`](LookupPaths::is_generator), [`is_transient`](LookupPaths::is_transient),
//! [`is_vendor`](LookupPaths::is_vendor)) take root-relative paths of *files* and look at their
//! parent directory, comparing component-wise like systemd's `path_equal()`.
//!
//! # Differences from systemd
//!
//! * systemd keeps the `XDG_*`-derived named directories exactly as joined (possibly relative, or
//!   with `//`); here they are simplified and, when the current directory is absolute, made
//!   absolute. systemd compares them component-wise, so only a relative value behaves
//!   differently: systemd would then never classify an absolute file path as being in it.
//! * The root is not checked for existence (systemd fails with `ENOTDIR`); opening it as a
//!   `fs::DirFs` does that.
//! * The `LOOKUP_PATHS_TEMPORARY_GENERATED` and `LOOKUP_PATHS_EXCLUDE_GENERATED` flags are not
//!   modelled.

use super::class::{DirClass, Scope};
use super::env::Env;
use camino::{Utf8Path, Utf8PathBuf};

/// Linux `NAME_MAX`: the longest path component systemd's path helpers accept.
const NAME_MAX: usize = 255;
/// Linux `PATH_MAX` (counted with the trailing NUL byte).
const PATH_MAX: usize = 4096;

/// The system scope's data directory on this Debian 12 build (`SYSTEM_DATA_UNIT_DIR`).
pub const SYSTEM_DATA_UNIT_DIR: &str = "/lib/systemd/system";
/// The global user configuration directory (`USER_CONFIG_UNIT_DIR`); in user scope a unit
/// enabled here is "globally enabled" (reference §1.7).
pub const USER_CONFIG_UNIT_DIR: &str = "/etc/systemd/user";

/// One directory of the search path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SearchDir {
    /// The directory, absolute and relative to the root (see [`LookupPaths::host_path`]).
    pub path: Utf8PathBuf,
    /// What kind of directory this is.
    pub class: DirClass,
}

/// How `SYSTEMD_UNIT_PATH` shaped the search path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnitPathOverride {
    /// `SYSTEMD_UNIT_PATH` is unset: the scope's default list.
    Unset,
    /// `SYSTEMD_UNIT_PATH` is set and does not end with `:`: its entries are the whole search path.
    Replace,
    /// `SYSTEMD_UNIT_PATH` ends with `:`: its entries come first, then the default list.
    Prepend,
}

/// Why the lookup paths could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// A root directory was given for user scope, which systemd refuses with `EINVAL`
    /// (`systemctl --user --root=R …` prints `…: Invalid argument`).
    #[error("a root directory ({root}) cannot be used with {scope} scope: Invalid argument")]
    RootWithUserScope {
        /// The scope (always [`Scope::User`]).
        scope: Scope,
        /// The root that was given.
        root: Utf8PathBuf,
    },
    /// User scope needs a home directory (because `variable` is unset) but `HOME` is unset or not
    /// a valid absolute path and the user database gave none.
    #[error(
        "cannot find the home directory needed for the default of ${variable} in {scope} scope \
         (HOME={home:?} is unusable and the user database has no valid entry)"
    )]
    NoHome {
        /// The scope (always [`Scope::User`]).
        scope: Scope,
        /// The unset variable whose default lives in the home directory (`XDG_CONFIG_HOME` or
        /// `XDG_DATA_HOME`).
        variable: &'static str,
        /// The value of `HOME`, if set.
        home: Option<String>,
    },
    /// A relative directory had to be made absolute but the current directory is not absolute.
    #[error("cannot make {path} (from {variable}) absolute: the current directory {cwd} is not absolute")]
    RelativeCwd {
        /// Where the relative directory came from: `SYSTEMD_UNIT_PATH`, `XDG_*` (the user-scope
        /// default list) or `--root`.
        variable: &'static str,
        /// The relative directory.
        path: String,
        /// The current directory reported by the environment.
        cwd: Utf8PathBuf,
    },
}

impl LookupError {
    /// The error text systemd prints for this failure (its `strerror`), e.g. `"Invalid argument"`.
    pub fn strerror(&self) -> &'static str {
        match self {
            LookupError::RootWithUserScope { .. } => "Invalid argument",
            // getpwuid() found nothing (ESRCH); when only the data home is missing, systemd's
            // user_dirs() fails as a whole and the caller reports ENOMEM.
            LookupError::NoHome {
                variable: "XDG_DATA_HOME",
                ..
            } => "Cannot allocate memory",
            LookupError::NoHome { .. } => "No such process",
            // safe_getcwd() refuses a relative cwd with ENOMEDIUM; in the default user-scope list
            // the failure makes user_dirs() fail as a whole, reported as ENOMEM.
            LookupError::RelativeCwd {
                variable: "XDG_*", ..
            } => "Cannot allocate memory",
            LookupError::RelativeCwd { .. } => "No medium found",
        }
    }
}

/// The unit search path and named directories of one scope (reference §1.1).
///
/// All paths are absolute, lexically simplified, and **relative to the root** (as seen from inside
/// it); [`root`](LookupPaths::root) is the host directory they live in, if any.
///
/// ```
/// use camino::Utf8Path;
/// use unitlab_engine::load::{DirClass, LookupPaths, MapEnv, Scope};
///
/// let env = MapEnv::new("/").with_var("SYSTEMD_UNIT_PATH", "/opt/units:");
/// let lp = LookupPaths::new(Scope::System, Some(Utf8Path::new("/srv/img")), &env).unwrap();
/// // SYSTEMD_UNIT_PATH ends with ':', so its entries come first, then the 13 default dirs.
/// assert_eq!(lp.search_path()[0].path, "/opt/units");
/// assert_eq!(lp.search_path()[0].class, DirClass::Custom);
/// assert_eq!(lp.search_path().len(), 14);
/// // Paths are root-relative; host_path() adds the root.
/// assert_eq!(lp.persistent_config(), "/etc/systemd/system");
/// assert_eq!(lp.host_path(lp.persistent_config()), "/srv/img/etc/systemd/system");
/// assert!(lp.is_config(Utf8Path::new("/etc/systemd/system/a.service")));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupPaths {
    scope: Scope,
    root: Option<Utf8PathBuf>,
    search_path: Vec<SearchDir>,
    unit_path_override: UnitPathOverride,
    persistent_config: Utf8PathBuf,
    runtime_config: Option<Utf8PathBuf>,
    persistent_control: Option<Utf8PathBuf>,
    runtime_control: Option<Utf8PathBuf>,
    transient: Option<Utf8PathBuf>,
    generator: Option<Utf8PathBuf>,
    generator_early: Option<Utf8PathBuf>,
    generator_late: Option<Utf8PathBuf>,
    persistent_attached: Option<Utf8PathBuf>,
    runtime_attached: Option<Utf8PathBuf>,
}

/// The named directories of a scope, as systemd joins them (before absolutization).
struct Named {
    persistent_config: String,
    runtime_config: Option<String>,
    persistent_control: Option<String>,
    runtime_control: Option<String>,
    transient: Option<String>,
    generator: Option<String>,
    generator_early: Option<String>,
    generator_late: Option<String>,
    persistent_attached: Option<String>,
    runtime_attached: Option<String>,
}

impl LookupPaths {
    /// Computes the lookup paths of `scope` inside `root` (`None`, an empty path or `/` mean the
    /// host itself), reading variables and the current directory from `env`.
    ///
    /// A relative `root` is made absolute against `env.cwd()`. The root is not checked here
    /// (systemd also requires it to be an existing directory; opening it with
    /// `fs::DirFs::new` does that).
    ///
    /// # Errors
    /// [`LookupError::RootWithUserScope`] for a root in user scope, [`LookupError::NoHome`] when
    /// user scope needs a home directory and none is usable, [`LookupError::RelativeCwd`] when a
    /// relative directory meets a relative current directory.
    pub fn new(
        scope: Scope,
        root: Option<&Utf8Path>,
        env: &dyn Env,
    ) -> Result<LookupPaths, LookupError> {
        let cwd = env.cwd();
        let root = match root {
            Some(r) if !r.as_str().is_empty() => {
                let abs = make_absolute(r.as_str(), &cwd, "--root")?;
                (abs != "/").then(|| Utf8PathBuf::from(abs))
            }
            _ => None,
        };
        if scope == Scope::User {
            if let Some(root) = root {
                return Err(LookupError::RootWithUserScope { scope, root });
            }
        }

        let named = Named::for_scope(scope, env)?;
        let abs = |variable: &'static str, p: &str| make_absolute(p, &cwd, variable);
        // Named directories are made absolute when the cwd allows it; systemd never fails on them
        // (it keeps them as joined), so neither do we.
        let named_path =
            |p: &str| Utf8PathBuf::from(make_absolute(p, &cwd, "").unwrap_or_else(|_| simplify(p)));
        let named_opt = |p: &Option<String>| p.as_deref().map(named_path);

        let (unit_path_override, from_env) = match env.var("SYSTEMD_UNIT_PATH") {
            None => (UnitPathOverride::Unset, Vec::new()),
            Some(value) => {
                let (value, mode) = match value.strip_suffix(':') {
                    Some(v) => (v.to_string(), UnitPathOverride::Prepend),
                    None => (value, UnitPathOverride::Replace),
                };
                let entries = split_colon(&value)
                    .map(|e| abs("SYSTEMD_UNIT_PATH", e))
                    .collect::<Result<Vec<_>, _>>()?;
                (mode, entries)
            }
        };

        let defaults = default_search_path(scope, &named, env, &cwd);
        let mut search_path: Vec<SearchDir> = Vec::new();
        match unit_path_override {
            UnitPathOverride::Unset => {
                let defaults = defaults?;
                push_unique(&mut search_path, defaults);
                debug_assert!(
                    classes_agree(scope, &search_path),
                    "default search path of {scope} scope is not in DirClass order: {search_path:?}"
                );
            }
            UnitPathOverride::Replace | UnitPathOverride::Prepend => {
                let known = match (&defaults, unit_path_override) {
                    (Ok(d), _) => d.clone(),
                    // Replace mode never needs the defaults; classify against the named dirs only.
                    (Err(_), UnitPathOverride::Replace) => named_dirs_classified(&named, &cwd),
                    (Err(e), _) => return Err(e.clone()),
                };
                let custom = from_env.into_iter().map(|p| {
                    let class = known
                        .iter()
                        .find(|k| k.path == p)
                        .map_or(DirClass::Custom, |k| k.class);
                    SearchDir {
                        path: Utf8PathBuf::from(p),
                        class,
                    }
                });
                push_unique(&mut search_path, custom);
                if unit_path_override == UnitPathOverride::Prepend {
                    push_unique(&mut search_path, known);
                }
            }
        }

        Ok(LookupPaths {
            scope,
            root,
            search_path,
            unit_path_override,
            persistent_config: named_path(&named.persistent_config),
            runtime_config: named_opt(&named.runtime_config),
            persistent_control: named_opt(&named.persistent_control),
            runtime_control: named_opt(&named.runtime_control),
            transient: named_opt(&named.transient),
            generator: named_opt(&named.generator),
            generator_early: named_opt(&named.generator_early),
            generator_late: named_opt(&named.generator_late),
            persistent_attached: named_opt(&named.persistent_attached),
            runtime_attached: named_opt(&named.runtime_attached),
        })
    }

    /// The scope these paths were computed for.
    pub fn scope(&self) -> Scope {
        self.scope
    }

    /// The host directory every path lives in (`--root`), or `None` for the host itself.
    pub fn root(&self) -> Option<&Utf8Path> {
        self.root.as_deref()
    }

    /// The search path, highest precedence first, without duplicates.
    pub fn search_path(&self) -> &[SearchDir] {
        &self.search_path
    }

    /// How `SYSTEMD_UNIT_PATH` shaped [`search_path`](LookupPaths::search_path).
    pub fn unit_path_override(&self) -> UnitPathOverride {
        self.unit_path_override
    }

    /// Where persistent enablement links and units go (`/etc/systemd/system`,
    /// `/etc/systemd/user`, `$XDG_CONFIG_HOME/systemd/user`). Every scope has one.
    pub fn persistent_config(&self) -> &Utf8Path {
        &self.persistent_config
    }

    /// Where `--runtime` enablement goes (`/run/systemd/system`, `/run/systemd/user`,
    /// `$XDG_RUNTIME_DIR/systemd/user`); `None` in user scope without `XDG_RUNTIME_DIR`.
    pub fn runtime_config(&self) -> Option<&Utf8Path> {
        self.runtime_config.as_deref()
    }

    /// Persistent `set-property` drop-ins (`/etc/systemd/system.control`,
    /// `$XDG_CONFIG_HOME/systemd/user.control`); `None` in global scope.
    pub fn persistent_control(&self) -> Option<&Utf8Path> {
        self.persistent_control.as_deref()
    }

    /// Runtime `set-property` drop-ins (`/run/systemd/system.control`,
    /// `$XDG_RUNTIME_DIR/systemd/user.control`); `None` in global scope and in user scope without
    /// `XDG_RUNTIME_DIR`.
    pub fn runtime_control(&self) -> Option<&Utf8Path> {
        self.runtime_control.as_deref()
    }

    /// Transient units (`/run/systemd/transient`, `$XDG_RUNTIME_DIR/systemd/transient`).
    pub fn transient(&self) -> Option<&Utf8Path> {
        self.transient.as_deref()
    }

    /// Normal generator output (`/run/systemd/generator`, `$XDG_RUNTIME_DIR/systemd/generator`).
    pub fn generator(&self) -> Option<&Utf8Path> {
        self.generator.as_deref()
    }

    /// Early generator output (`…/generator.early`).
    pub fn generator_early(&self) -> Option<&Utf8Path> {
        self.generator_early.as_deref()
    }

    /// Late generator output (`…/generator.late`).
    pub fn generator_late(&self) -> Option<&Utf8Path> {
        self.generator_late.as_deref()
    }

    /// Persistently attached portable services (`/etc/systemd/system.attached`); system scope only.
    pub fn persistent_attached(&self) -> Option<&Utf8Path> {
        self.persistent_attached.as_deref()
    }

    /// Portable services attached at runtime (`/run/systemd/system.attached`); system scope only.
    pub fn runtime_attached(&self) -> Option<&Utf8Path> {
        self.runtime_attached.as_deref()
    }

    /// The host path of a root-relative path: `root` + `path` (or `path` itself without a root).
    pub fn host_path(&self, path: &Utf8Path) -> Utf8PathBuf {
        match &self.root {
            None => path.to_owned(),
            Some(root) => Utf8PathBuf::from(join(&[root.as_str(), path.as_str()])),
        }
    }

    /// The root-relative path of a host path (systemd's `skip_root`): `None` if `host` is not
    /// inside the root.
    pub fn strip_root(&self, host: &Utf8Path) -> Option<Utf8PathBuf> {
        let host = simplify(host.as_str());
        match &self.root {
            None => Some(Utf8PathBuf::from(host)),
            Some(root) => {
                let rest = path_startswith(&host, root.as_str())?;
                Some(Utf8PathBuf::from(format!(
                    "/{}",
                    rest.trim_start_matches('/')
                )))
            }
        }
    }

    /// The search-path directory `path` lies in (the first one that is a prefix of it,
    /// component-wise), if any.
    pub fn search_dir_of(&self, path: &Utf8Path) -> Option<&SearchDir> {
        let path = simplify(path.as_str());
        self.search_path
            .iter()
            .find(|d| path_startswith(&path, d.path.as_str()).is_some())
    }

    /// True if `path` lies in (or is) a search-path directory.
    pub fn in_search_path(&self, path: &Utf8Path) -> bool {
        self.search_dir_of(path).is_some()
    }

    /// Reference §1.7 "runtime" for a file: under `/run`, or its parent directory is the runtime
    /// config, a generator, the transient or the runtime control directory.
    pub fn is_runtime(&self, path: &Utf8Path) -> bool {
        let p = simplify(path.as_str());
        under(&p, "/run") || parent(&p).is_some_and(|d| self.is_runtime_dir_simplified(&d))
    }

    /// Like [`is_runtime`](LookupPaths::is_runtime) for a directory itself (systemd's
    /// `check_parent = false`): under `/run`, or one of the runtime directories.
    pub fn is_runtime_dir(&self, dir: &Utf8Path) -> bool {
        let d = simplify(dir.as_str());
        under(&d, "/run") || self.is_runtime_dir_simplified(&d)
    }

    fn is_runtime_dir_simplified(&self, d: &str) -> bool {
        [
            &self.runtime_config,
            &self.generator,
            &self.generator_early,
            &self.generator_late,
            &self.transient,
            &self.runtime_control,
        ]
        .into_iter()
        .any(|n| eq(n, d))
    }

    /// Reference §1.7 "config" for a file: its parent directory is exactly the persistent or the
    /// runtime config directory (subdirectories do not count).
    pub fn is_config(&self, path: &Utf8Path) -> bool {
        parent(&simplify(path.as_str())).is_some_and(|d| self.is_config_simplified(&d))
    }

    /// Like [`is_config`](LookupPaths::is_config) for a directory itself: it is the persistent or
    /// the runtime config directory.
    pub fn is_config_dir(&self, dir: &Utf8Path) -> bool {
        self.is_config_simplified(&simplify(dir.as_str()))
    }

    fn is_config_simplified(&self, d: &str) -> bool {
        self.persistent_config == d || eq(&self.runtime_config, d)
    }

    /// Reference §1.7 "control": the file's parent is the persistent or runtime control directory.
    pub fn is_control(&self, path: &Utf8Path) -> bool {
        parent(&simplify(path.as_str()))
            .is_some_and(|d| eq(&self.persistent_control, &d) || eq(&self.runtime_control, &d))
    }

    /// Reference §1.7 "generator": the file's parent is one of the three generator directories.
    pub fn is_generator(&self, path: &Utf8Path) -> bool {
        parent(&simplify(path.as_str())).is_some_and(|d| {
            eq(&self.generator, &d) || eq(&self.generator_early, &d) || eq(&self.generator_late, &d)
        })
    }

    /// Reference §1.7 "transient": the file's parent is the transient directory.
    pub fn is_transient(&self, path: &Utf8Path) -> bool {
        parent(&simplify(path.as_str())).is_some_and(|d| eq(&self.transient, &d))
    }

    /// Reference §1.7 "vendor" (used by `revert`): under `/usr`, under `/lib` (this build behaves
    /// as split-usr), or a generated file.
    ///
    /// Quirk kept from systemd 252: with a root, systemd compares the root-stripped path with the
    /// root-prefixed generator directories, so generated files never count as vendor under
    /// `--root`.
    pub fn is_vendor(&self, path: &Utf8Path) -> bool {
        let p = simplify(path.as_str());
        under(&p, "/usr")
            || under(&p, "/lib")
            || p == SYSTEM_DATA_UNIT_DIR
            || (self.root.is_none() && self.is_generator(Utf8Path::new(&p)))
    }
}

/// Reference §1.7: in user scope, a unit enabled in this directory is enabled for all users
/// (systemd's `path_is_user_config_dir`: `/etc/systemd/user`).
pub fn is_user_config_dir(dir: &Utf8Path) -> bool {
    dir.as_str() == USER_CONFIG_UNIT_DIR
}

impl Named {
    fn for_scope(scope: Scope, env: &dyn Env) -> Result<Named, LookupError> {
        let s = |p: &str| p.to_string();
        Ok(match scope {
            Scope::System => Named {
                persistent_config: s("/etc/systemd/system"),
                runtime_config: Some(s("/run/systemd/system")),
                persistent_control: Some(s("/etc/systemd/system.control")),
                runtime_control: Some(s("/run/systemd/system.control")),
                transient: Some(s("/run/systemd/transient")),
                generator: Some(s("/run/systemd/generator")),
                generator_early: Some(s("/run/systemd/generator.early")),
                generator_late: Some(s("/run/systemd/generator.late")),
                persistent_attached: Some(s("/etc/systemd/system.attached")),
                runtime_attached: Some(s("/run/systemd/system.attached")),
            },
            Scope::Global => Named {
                persistent_config: s(USER_CONFIG_UNIT_DIR),
                runtime_config: Some(s("/run/systemd/user")),
                persistent_control: None,
                runtime_control: None,
                transient: None,
                generator: None,
                generator_early: None,
                generator_late: None,
                persistent_attached: None,
                runtime_attached: None,
            },
            Scope::User => {
                let config_home = xdg_home(env, "XDG_CONFIG_HOME", "/.config")?;
                let runtime = env.var("XDG_RUNTIME_DIR");
                let in_runtime = |suffix: &str| runtime.as_deref().map(|r| join(&[r, suffix]));
                let gen_prefix = in_runtime("/systemd");
                let in_gen = |name: &str| gen_prefix.as_deref().map(|g| join(&[g, name]));
                Named {
                    persistent_config: join(&[&config_home, "/systemd/user"]),
                    runtime_config: in_runtime("/systemd/user"),
                    persistent_control: Some(join(&[&config_home, "/systemd/user.control"])),
                    runtime_control: in_runtime("/systemd/user.control"),
                    transient: in_runtime("/systemd/transient"),
                    generator: in_gen("generator"),
                    generator_early: in_gen("generator.early"),
                    generator_late: in_gen("generator.late"),
                    persistent_attached: None,
                    runtime_attached: None,
                }
            }
        })
    }
}

/// `$variable` if set (even empty), else the home directory followed by `home_suffix`.
fn xdg_home(
    env: &dyn Env,
    variable: &'static str,
    home_suffix: &str,
) -> Result<String, LookupError> {
    if let Some(v) = env.var(variable) {
        return Ok(v);
    }
    let home = home_dir(env).ok_or_else(|| LookupError::NoHome {
        scope: Scope::User,
        variable,
        home: env.var("HOME"),
    })?;
    Ok(join(&[&home, home_suffix]))
}

/// systemd's `get_home_dir()`: `HOME` if it is a valid absolute path, else the user database.
fn home_dir(env: &dyn Env) -> Option<String> {
    let usable = |h: &str| is_valid_path(h) && h.starts_with('/');
    if let Some(h) = env.var("HOME").filter(|h| usable(h)) {
        return Some(simplify(&h));
    }
    let h = env.passwd_home()?;
    usable(h.as_str()).then(|| simplify(h.as_str()))
}

/// The default search path of `scope` (without `SYSTEMD_UNIT_PATH`), absolutized, with duplicates
/// still in it.
fn default_search_path(
    scope: Scope,
    named: &Named,
    env: &dyn Env,
    cwd: &Utf8Path,
) -> Result<Vec<SearchDir>, LookupError> {
    use DirClass::*;
    let mut out: Vec<(Option<String>, DirClass)> = Vec::new();
    let mut add = |p: Option<&str>, class: DirClass| out.push((p.map(str::to_string), class));
    match scope {
        Scope::System => {
            add(named.persistent_control.as_deref(), PersistentControl);
            add(named.runtime_control.as_deref(), RuntimeControl);
            add(named.transient.as_deref(), Transient);
            add(named.generator_early.as_deref(), GeneratorEarly);
            add(Some(&named.persistent_config), PersistentConfig);
            add(Some("/etc/systemd/system"), PersistentConfig);
            add(named.persistent_attached.as_deref(), PersistentAttached);
            add(named.runtime_config.as_deref(), RuntimeConfig);
            add(Some("/run/systemd/system"), RuntimeConfig);
            add(named.runtime_attached.as_deref(), RuntimeAttached);
            add(named.generator.as_deref(), Generator);
            add(Some("/usr/local/lib/systemd/system"), Vendor);
            add(Some(SYSTEM_DATA_UNIT_DIR), Vendor);
            add(Some("/usr/lib/systemd/system"), Vendor);
            add(Some("/lib/systemd/system"), Vendor);
            add(named.generator_late.as_deref(), GeneratorLate);
        }
        Scope::Global => {
            add(Some(&named.persistent_config), PersistentConfig);
            add(Some(USER_CONFIG_UNIT_DIR), PersistentConfig);
            add(named.runtime_config.as_deref(), RuntimeConfig);
            add(Some("/run/systemd/user"), RuntimeConfig);
            for v in [
                "/usr/local/share",
                "/usr/share",
                "/usr/local/lib",
                "/usr/lib",
                "/usr/lib",
            ] {
                add(Some(&format!("{v}/systemd/user")), Vendor);
            }
        }
        Scope::User => {
            let config_dirs = env
                .var("XDG_CONFIG_DIRS")
                .unwrap_or_else(|| "/etc/xdg".to_string());
            let data_dirs = env
                .var("XDG_DATA_DIRS")
                .unwrap_or_else(|| "/usr/local/share:/usr/share".to_string());
            let data_home = xdg_home(env, "XDG_DATA_HOME", "/.local/share")?;
            add(named.persistent_control.as_deref(), PersistentControl);
            add(named.runtime_control.as_deref(), RuntimeControl);
            add(named.transient.as_deref(), Transient);
            add(named.generator_early.as_deref(), GeneratorEarly);
            add(Some(&named.persistent_config), PersistentConfig);
            for d in split_colon(&config_dirs) {
                // systemd concatenates here (no slash handling); simplification evens it out.
                add(Some(&format!("{d}/systemd/user")), XdgConfig);
            }
            add(Some(USER_CONFIG_UNIT_DIR), GlobalPersistentConfig);
            add(Some(USER_CONFIG_UNIT_DIR), GlobalPersistentConfig);
            add(Some(USER_CONFIG_UNIT_DIR), GlobalPersistentConfig);
            add(named.runtime_config.as_deref(), RuntimeConfig);
            add(Some("/run/systemd/user"), GlobalRuntimeConfig);
            add(named.generator.as_deref(), Generator);
            add(Some(&join(&[&data_home, "/systemd/user"])), DataHome);
            for d in split_colon(&data_dirs) {
                add(Some(&format!("{d}/systemd/user")), XdgData);
            }
            for v in [
                "/usr/local/lib",
                "/usr/local/share",
                "/usr/lib",
                "/usr/lib",
                "/usr/share",
            ] {
                add(Some(&format!("{v}/systemd/user")), Vendor);
            }
            add(named.generator_late.as_deref(), GeneratorLate);
        }
    }
    let variable = if scope == Scope::User {
        "XDG_*"
    } else {
        "scope"
    };
    out.into_iter()
        .filter_map(|(p, class)| p.map(|p| (p, class)))
        .map(|(p, class)| {
            Ok(SearchDir {
                path: Utf8PathBuf::from(make_absolute(&p, cwd, variable)?),
                class,
            })
        })
        .collect()
}

/// The named directories with their classes, for classifying `SYSTEMD_UNIT_PATH` entries when the
/// default list cannot be computed.
fn named_dirs_classified(named: &Named, cwd: &Utf8Path) -> Vec<SearchDir> {
    use DirClass::*;
    [
        (named.persistent_control.as_deref(), PersistentControl),
        (named.runtime_control.as_deref(), RuntimeControl),
        (named.transient.as_deref(), Transient),
        (named.generator_early.as_deref(), GeneratorEarly),
        (Some(named.persistent_config.as_str()), PersistentConfig),
        (named.persistent_attached.as_deref(), PersistentAttached),
        (named.runtime_config.as_deref(), RuntimeConfig),
        (named.runtime_attached.as_deref(), RuntimeAttached),
        (named.generator.as_deref(), Generator),
        (named.generator_late.as_deref(), GeneratorLate),
    ]
    .into_iter()
    .filter_map(|(p, class)| {
        let p = make_absolute(p?, cwd, "scope").ok()?;
        Some(SearchDir {
            path: Utf8PathBuf::from(p),
            class,
        })
    })
    .collect()
}

/// Appends the entries of `add` that are not in `list` yet.
fn push_unique(list: &mut Vec<SearchDir>, add: impl IntoIterator<Item = SearchDir>) {
    for d in add {
        if !list.iter().any(|e| e.path == d.path) {
            list.push(d);
        }
    }
}

/// The precedence-as-a-type check: a default search path is sorted by class and uses only the
/// classes [`DirClass::for_scope`] lists for its scope.
pub(crate) fn classes_agree(scope: Scope, dirs: &[SearchDir]) -> bool {
    let allowed = DirClass::for_scope(scope);
    dirs.windows(2).all(|w| w[0].class <= w[1].class)
        && dirs.iter().all(|d| allowed.contains(&d.class))
}

fn eq(named: &Option<Utf8PathBuf>, d: &str) -> bool {
    named.as_deref().is_some_and(|n| n.as_str() == d)
}

/// Splits a `:`-separated list, dropping empty entries (systemd's `strv_split(s, ":")` with
/// escapes and quotes kept literally).
fn split_colon(s: &str) -> impl Iterator<Item = &str> {
    s.split(':').filter(|e| !e.is_empty())
}

/// systemd's `path_join()`: concatenates the non-empty parts, adding a `/` between two parts only
/// when neither side has one.
fn join(parts: &[&str]) -> String {
    let mut out = String::new();
    let mut slash = true;
    for p in parts.iter().filter(|p| !p.is_empty()) {
        if !slash && !p.starts_with('/') {
            out.push('/');
        }
        out.push_str(p);
        slash = p.ends_with('/');
    }
    out
}

/// `p` made absolute against `cwd` (when relative) and simplified.
fn make_absolute(p: &str, cwd: &Utf8Path, variable: &'static str) -> Result<String, LookupError> {
    if p.starts_with('/') {
        return Ok(simplify(p));
    }
    if !cwd.as_str().starts_with('/') {
        return Err(LookupError::RelativeCwd {
            variable,
            path: p.to_string(),
            cwd: cwd.to_owned(),
        });
    }
    Ok(simplify(&join(&[cwd.as_str(), p])))
}

/// Skips leading `/` and `./` (systemd's `skip_slash_or_dot`).
fn skip_slash_or_dot(mut p: &str) -> &str {
    loop {
        if let Some(rest) = p.strip_prefix('/') {
            p = rest;
        } else if p.starts_with("./") {
            p = &p[1..];
        } else {
            return p;
        }
    }
}

enum Component<'a> {
    /// No more components.
    End,
    /// A component longer than `NAME_MAX`: the path is invalid from here on.
    TooLong,
    /// A component and the rest of the path after it (slashes and `.` skipped).
    Name(&'a str, &'a str),
}

/// systemd's `path_find_first_component()` (with `..` accepted).
fn first_component(p: &str) -> Component<'_> {
    let first = skip_slash_or_dot(p);
    if first.is_empty() || first == "." {
        return Component::End;
    }
    let end = first.find('/').unwrap_or(first.len());
    if end > NAME_MAX {
        return Component::TooLong;
    }
    let next = skip_slash_or_dot(&first[end..]);
    let next = if next == "." { "" } else { next };
    Component::Name(&first[..end], next)
}

/// systemd's `path_simplify()`: drops duplicate and trailing slashes and `.` components, keeps
/// `..`; a component longer than `NAME_MAX` stops the simplification (the rest is kept as is).
pub(crate) fn simplify(path: &str) -> String {
    if path.is_empty() {
        return String::new();
    }
    let absolute = path.starts_with('/');
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    if absolute {
        out.push('/');
        rest = &path[1..];
    }
    let mut add_slash = false;
    loop {
        match first_component(rest) {
            Component::End => break,
            Component::TooLong => {
                if add_slash {
                    out.push('/');
                }
                out.push_str(rest);
                return out;
            }
            Component::Name(name, next) => {
                if add_slash {
                    out.push('/');
                }
                out.push_str(name);
                add_slash = true;
                rest = next;
            }
        }
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

/// systemd's `path_is_valid()`: non-empty, shorter than `PATH_MAX`, no component longer than
/// `NAME_MAX`.
fn is_valid_path(p: &str) -> bool {
    if p.is_empty() || p.len() >= PATH_MAX {
        return false;
    }
    let mut rest = p;
    loop {
        match first_component(rest) {
            Component::End => return true,
            Component::TooLong => return false,
            Component::Name(_, next) => rest = next,
        }
    }
}

/// Component-wise prefix test on simplified absolute paths: the remainder of `path` after
/// `prefix` (empty if equal), or `None`.
fn path_startswith<'a>(path: &'a str, prefix: &str) -> Option<&'a str> {
    if prefix == "/" {
        return path.strip_prefix('/');
    }
    let rest = path.strip_prefix(prefix)?;
    if rest.is_empty() {
        Some(rest)
    } else {
        rest.strip_prefix('/')
    }
}

fn under(path: &str, prefix: &str) -> bool {
    path_startswith(path, prefix).is_some()
}

/// The parent directory of a simplified absolute path (`None` for `/` and for relative names).
fn parent(p: &str) -> Option<String> {
    if p == "/" || !p.starts_with('/') {
        return None;
    }
    let idx = p.rfind('/')?;
    Some(if idx == 0 {
        "/".to_string()
    } else {
        p[..idx].to_string()
    })
}

#[cfg(test)]
mod tests {
    //! Unit tests of every rule of reference §1, with expected lists taken from the reference or
    //! from `systemd-analyze unit-paths` on this machine (systemd 252.38).
    use super::*;
    use crate::load::env::MapEnv;
    use proptest::prelude::*;

    /// Reference §1.2, as `systemd-analyze unit-paths` prints it on this machine.
    const SYSTEM: [&str; 13] = [
        "/etc/systemd/system.control",
        "/run/systemd/system.control",
        "/run/systemd/transient",
        "/run/systemd/generator.early",
        "/etc/systemd/system",
        "/etc/systemd/system.attached",
        "/run/systemd/system",
        "/run/systemd/system.attached",
        "/run/systemd/generator",
        "/usr/local/lib/systemd/system",
        "/lib/systemd/system",
        "/usr/lib/systemd/system",
        "/run/systemd/generator.late",
    ];

    /// Reference §1.3.
    const GLOBAL: [&str; 6] = [
        "/etc/systemd/user",
        "/run/systemd/user",
        "/usr/local/share/systemd/user",
        "/usr/share/systemd/user",
        "/usr/local/lib/systemd/user",
        "/usr/lib/systemd/user",
    ];

    fn env() -> MapEnv {
        MapEnv::new("/srv")
    }

    fn user_env() -> MapEnv {
        env().with_var("HOME", "/home/u")
    }

    fn lp(scope: Scope, env: &MapEnv) -> LookupPaths {
        LookupPaths::new(scope, None, env).expect("lookup paths")
    }

    fn dirs(lp: &LookupPaths) -> Vec<&str> {
        lp.search_path().iter().map(|d| d.path.as_str()).collect()
    }

    fn classes(lp: &LookupPaths) -> Vec<DirClass> {
        lp.search_path().iter().map(|d| d.class).collect()
    }

    fn p(s: &str) -> &Utf8Path {
        Utf8Path::new(s)
    }

    // §1.2: the 13 directories of this Debian build, in this order.
    #[test]
    fn system_scope_default() {
        let l = lp(Scope::System, &env());
        assert_eq!(dirs(&l), SYSTEM);
        use DirClass::*;
        assert_eq!(
            classes(&l),
            [
                PersistentControl,
                RuntimeControl,
                Transient,
                GeneratorEarly,
                PersistentConfig,
                PersistentAttached,
                RuntimeConfig,
                RuntimeAttached,
                Generator,
                Vendor,
                Vendor,
                Vendor,
                GeneratorLate
            ]
        );
        assert_eq!(l.unit_path_override(), UnitPathOverride::Unset);
        assert_eq!(l.scope(), Scope::System);
        assert_eq!(l.root(), None);
    }

    // §1.1: the named directories of system scope.
    #[test]
    fn system_scope_named_dirs() {
        let l = lp(Scope::System, &env());
        assert_eq!(l.persistent_config(), "/etc/systemd/system");
        assert_eq!(l.runtime_config(), Some(p("/run/systemd/system")));
        assert_eq!(
            l.persistent_control(),
            Some(p("/etc/systemd/system.control"))
        );
        assert_eq!(l.runtime_control(), Some(p("/run/systemd/system.control")));
        assert_eq!(l.transient(), Some(p("/run/systemd/transient")));
        assert_eq!(l.generator(), Some(p("/run/systemd/generator")));
        assert_eq!(l.generator_early(), Some(p("/run/systemd/generator.early")));
        assert_eq!(l.generator_late(), Some(p("/run/systemd/generator.late")));
        assert_eq!(
            l.persistent_attached(),
            Some(p("/etc/systemd/system.attached"))
        );
        assert_eq!(
            l.runtime_attached(),
            Some(p("/run/systemd/system.attached"))
        );
    }

    // §1.2: XDG variables and HOME do not affect system scope.
    #[test]
    fn system_scope_ignores_xdg() {
        let e = env()
            .with_var("XDG_CONFIG_HOME", "/x")
            .with_var("XDG_RUNTIME_DIR", "/r")
            .with_var("XDG_DATA_DIRS", "/d");
        assert_eq!(dirs(&lp(Scope::System, &e)), SYSTEM);
    }

    // §1.3 and §1.1: global scope has no control, transient, generator or attached dirs.
    #[test]
    fn global_scope() {
        let l = lp(
            Scope::Global,
            &user_env().with_var("XDG_RUNTIME_DIR", "/run/user/1"),
        );
        assert_eq!(dirs(&l), GLOBAL);
        use DirClass::*;
        assert_eq!(
            classes(&l),
            [
                PersistentConfig,
                RuntimeConfig,
                Vendor,
                Vendor,
                Vendor,
                Vendor
            ]
        );
        assert_eq!(l.persistent_config(), "/etc/systemd/user");
        assert_eq!(l.runtime_config(), Some(p("/run/systemd/user")));
        assert_eq!(l.persistent_control(), None);
        assert_eq!(l.runtime_control(), None);
        assert_eq!(l.transient(), None);
        assert_eq!(l.generator(), None);
        assert_eq!(l.generator_early(), None);
        assert_eq!(l.generator_late(), None);
        assert_eq!(l.persistent_attached(), None);
        assert_eq!(l.runtime_attached(), None);
    }

    // §1.4 with HOME and XDG_RUNTIME_DIR set, defaults for the rest (systemd-analyze output).
    #[test]
    fn user_scope_defaults() {
        let l = lp(
            Scope::User,
            &user_env().with_var("XDG_RUNTIME_DIR", "/run/user/1000"),
        );
        assert_eq!(
            dirs(&l),
            [
                "/home/u/.config/systemd/user.control",
                "/run/user/1000/systemd/user.control",
                "/run/user/1000/systemd/transient",
                "/run/user/1000/systemd/generator.early",
                "/home/u/.config/systemd/user",
                "/etc/xdg/systemd/user",
                "/etc/systemd/user",
                "/run/user/1000/systemd/user",
                "/run/systemd/user",
                "/run/user/1000/systemd/generator",
                "/home/u/.local/share/systemd/user",
                "/usr/local/share/systemd/user",
                "/usr/share/systemd/user",
                "/usr/local/lib/systemd/user",
                "/usr/lib/systemd/user",
                "/run/user/1000/systemd/generator.late",
            ]
        );
        use DirClass::*;
        assert_eq!(
            classes(&l),
            [
                PersistentControl,
                RuntimeControl,
                Transient,
                GeneratorEarly,
                PersistentConfig,
                XdgConfig,
                GlobalPersistentConfig,
                RuntimeConfig,
                GlobalRuntimeConfig,
                Generator,
                DataHome,
                XdgData,
                XdgData,
                Vendor,
                Vendor,
                GeneratorLate
            ]
        );
        assert_eq!(l.persistent_config(), "/home/u/.config/systemd/user");
        assert_eq!(l.runtime_config(), Some(p("/run/user/1000/systemd/user")));
        assert_eq!(
            l.persistent_control(),
            Some(p("/home/u/.config/systemd/user.control"))
        );
        assert_eq!(
            l.runtime_control(),
            Some(p("/run/user/1000/systemd/user.control"))
        );
        assert_eq!(l.transient(), Some(p("/run/user/1000/systemd/transient")));
        assert_eq!(l.generator(), Some(p("/run/user/1000/systemd/generator")));
        assert_eq!(
            l.generator_early(),
            Some(p("/run/user/1000/systemd/generator.early"))
        );
        assert_eq!(
            l.generator_late(),
            Some(p("/run/user/1000/systemd/generator.late"))
        );
        assert_eq!(l.persistent_attached(), None);
        assert_eq!(l.runtime_attached(), None);
    }

    // §1.4: without XDG_RUNTIME_DIR every runtime entry is omitted, not an error.
    #[test]
    fn user_scope_without_runtime_dir() {
        let l = lp(Scope::User, &user_env());
        assert_eq!(
            dirs(&l),
            [
                "/home/u/.config/systemd/user.control",
                "/home/u/.config/systemd/user",
                "/etc/xdg/systemd/user",
                "/etc/systemd/user",
                "/run/systemd/user",
                "/home/u/.local/share/systemd/user",
                "/usr/local/share/systemd/user",
                "/usr/share/systemd/user",
                "/usr/local/lib/systemd/user",
                "/usr/lib/systemd/user",
            ]
        );
        assert_eq!(l.runtime_config(), None);
        assert_eq!(l.runtime_control(), None);
        assert_eq!(l.transient(), None);
        assert_eq!(l.generator(), None);
        assert_eq!(l.generator_early(), None);
        assert_eq!(l.generator_late(), None);
    }

    // §1.4: relative entries are made absolute against the cwd; an empty XDG_DATA_HOME is set
    // (giving /systemd/user); XDG_DATA_DIRS replaces the default data dirs; duplicates dropped
    // (systemd-analyze output, cwd /srv).
    #[test]
    fn user_scope_xdg_values() {
        let e = user_env()
            .with_var("XDG_CONFIG_HOME", "cfg")
            .with_var("XDG_CONFIG_DIRS", "/a:b/:/a")
            .with_var("XDG_DATA_HOME", "")
            .with_var("XDG_DATA_DIRS", "d")
            .with_var("XDG_RUNTIME_DIR", "rt");
        let l = lp(Scope::User, &e);
        assert_eq!(
            dirs(&l),
            [
                "/srv/cfg/systemd/user.control",
                "/srv/rt/systemd/user.control",
                "/srv/rt/systemd/transient",
                "/srv/rt/systemd/generator.early",
                "/srv/cfg/systemd/user",
                "/a/systemd/user",
                "/srv/b/systemd/user",
                "/etc/systemd/user",
                "/srv/rt/systemd/user",
                "/run/systemd/user",
                "/srv/rt/systemd/generator",
                "/systemd/user",
                "/srv/d/systemd/user",
                "/usr/local/lib/systemd/user",
                "/usr/local/share/systemd/user",
                "/usr/lib/systemd/user",
                "/usr/share/systemd/user",
                "/srv/rt/systemd/generator.late",
            ]
        );
        // Named directories are made absolute too (see the deviation note in the module docs).
        assert_eq!(l.persistent_config(), "/srv/cfg/systemd/user");
        assert_eq!(l.runtime_config(), Some(p("/srv/rt/systemd/user")));
    }

    // An empty XDG_CONFIG_DIRS contributes no directory (it is not the /etc/xdg default); empty
    // XDG_CONFIG_HOME/XDG_RUNTIME_DIR give directories directly under / (verified with
    // systemd-analyze).
    #[test]
    fn user_scope_empty_values() {
        let e = user_env()
            .with_var("XDG_CONFIG_HOME", "")
            .with_var("XDG_CONFIG_DIRS", "")
            .with_var("XDG_DATA_DIRS", "")
            .with_var("XDG_RUNTIME_DIR", "");
        let l = lp(Scope::User, &e);
        assert_eq!(
            dirs(&l),
            [
                "/systemd/user.control",
                "/systemd/transient",
                "/systemd/generator.early",
                "/systemd/user",
                "/etc/systemd/user",
                "/run/systemd/user",
                "/systemd/generator",
                "/home/u/.local/share/systemd/user",
                "/usr/local/lib/systemd/user",
                "/usr/local/share/systemd/user",
                "/usr/lib/systemd/user",
                "/usr/share/systemd/user",
                "/systemd/generator.late",
            ]
        );
        assert_eq!(l.runtime_config(), Some(p("/systemd/user")));
        assert_eq!(l.persistent_config(), "/systemd/user");
    }

    // get_home_dir(): HOME is simplified; an empty or relative HOME falls back to the user
    // database; with no usable home, user scope fails.
    #[test]
    fn user_scope_home_rules() {
        let l = lp(Scope::User, &env().with_var("HOME", "/h//x/"));
        assert_eq!(l.persistent_config(), "/h/x/.config/systemd/user");
        let l = lp(Scope::User, &env().with_var("HOME", "/"));
        assert_eq!(l.persistent_config(), "/.config/systemd/user");
        for home in [Some(""), Some("rel"), None] {
            let mut e = env().with_passwd_home("/root");
            if let Some(h) = home {
                e.set("HOME", h);
            }
            assert_eq!(
                lp(Scope::User, &e).persistent_config(),
                "/root/.config/systemd/user"
            );
            e.passwd_home = None;
            let err = LookupPaths::new(Scope::User, None, &e).expect_err("no home");
            assert_eq!(
                err,
                LookupError::NoHome {
                    scope: Scope::User,
                    variable: "XDG_CONFIG_HOME",
                    home: home.map(str::to_string)
                }
            );
            assert_eq!(err.strerror(), "No such process");
        }
        // A relative user-database home is refused too.
        let e = env().with_passwd_home("home");
        assert!(LookupPaths::new(Scope::User, None, &e).is_err());
        // A home is not needed when both XDG homes are set.
        let e = env()
            .with_var("XDG_CONFIG_HOME", "/c")
            .with_var("XDG_DATA_HOME", "/d");
        assert_eq!(lp(Scope::User, &e).persistent_config(), "/c/systemd/user");
        // Only the data home is missing: systemd fails with ENOMEM, unless SYSTEMD_UNIT_PATH
        // replaces the default list (which is then never computed).
        let e = env().with_var("XDG_CONFIG_HOME", "/c");
        let err = LookupPaths::new(Scope::User, None, &e).expect_err("no data home");
        assert!(matches!(
            err,
            LookupError::NoHome {
                variable: "XDG_DATA_HOME",
                ..
            }
        ));
        assert_eq!(err.strerror(), "Cannot allocate memory");
        let l = lp(Scope::User, &e.clone().with_var("SYSTEMD_UNIT_PATH", "/u"));
        assert_eq!(dirs(&l), ["/u"]);
        assert!(
            LookupPaths::new(Scope::User, None, &e.with_var("SYSTEMD_UNIT_PATH", "/u:")).is_err()
        );
        // Global and system scope never need a home.
        assert_eq!(dirs(&lp(Scope::Global, &env())), GLOBAL);
    }

    // §1.5: a value without a trailing colon replaces the search path.
    #[test]
    fn unit_path_replace() {
        let l = lp(Scope::System, &env().with_var("SYSTEMD_UNIT_PATH", "/a:/b"));
        assert_eq!(dirs(&l), ["/a", "/b"]);
        assert_eq!(classes(&l), [DirClass::Custom, DirClass::Custom]);
        assert_eq!(l.unit_path_override(), UnitPathOverride::Replace);
        // §1.5: the named directories are computed regardless.
        assert_eq!(l.persistent_config(), "/etc/systemd/system");
        assert_eq!(l.generator(), Some(p("/run/systemd/generator")));
    }

    // §1.5: a trailing colon prepends the entries to the default list.
    #[test]
    fn unit_path_prepend() {
        let l = lp(
            Scope::System,
            &env().with_var("SYSTEMD_UNIT_PATH", "/a:/b:"),
        );
        let mut want = vec!["/a", "/b"];
        want.extend(SYSTEM);
        assert_eq!(dirs(&l), want);
        assert_eq!(l.unit_path_override(), UnitPathOverride::Prepend);
    }

    // An empty value is set and replaces the path by nothing; ":" prepends nothing (systemd-analyze).
    #[test]
    fn unit_path_empty_and_colon() {
        assert!(lp(Scope::System, &env().with_var("SYSTEMD_UNIT_PATH", ""))
            .search_path()
            .is_empty());
        assert_eq!(
            dirs(&lp(
                Scope::System,
                &env().with_var("SYSTEMD_UNIT_PATH", ":")
            )),
            SYSTEM
        );
        assert_eq!(
            dirs(&lp(
                Scope::Global,
                &env().with_var("SYSTEMD_UNIT_PATH", "::")
            )),
            GLOBAL
        );
    }

    // Relative entries are made absolute, entries are simplified and duplicates dropped, named
    // dirs keep their class and move to their first position (systemd-analyze, cwd /srv).
    #[test]
    fn unit_path_relative_duplicates_and_classes() {
        let v = "b:/a/./:/a:/etc/systemd/system:";
        let l = lp(Scope::System, &env().with_var("SYSTEMD_UNIT_PATH", v));
        let mut want = vec!["/srv/b", "/a", "/etc/systemd/system"];
        want.extend(SYSTEM.iter().filter(|d| **d != "/etc/systemd/system"));
        assert_eq!(dirs(&l), want);
        assert_eq!(l.search_path()[2].class, DirClass::PersistentConfig);
        assert_eq!(l.search_path()[0].class, DirClass::Custom);
        // A user-scope entry naming a default XDG dir gets that dir's class.
        let e = user_env().with_var(
            "SYSTEMD_UNIT_PATH",
            "/etc/xdg/systemd/user//:/usr/share/systemd/user",
        );
        let l = lp(Scope::User, &e);
        assert_eq!(classes(&l), [DirClass::XdgConfig, DirClass::XdgData]);
        // '..' is kept, like systemd's path_simplify().
        let l = lp(
            Scope::System,
            &env().with_var("SYSTEMD_UNIT_PATH", "/b/../c/"),
        );
        assert_eq!(dirs(&l), ["/b/../c"]);
    }

    // §1.6: a root keeps paths root-relative; host_path() adds the root back; "" and "/" are no
    // root; a relative root is made absolute.
    #[test]
    fn root_handling() {
        let l = LookupPaths::new(Scope::System, Some(p("/r//x/")), &env()).expect("root");
        assert_eq!(l.root(), Some(p("/r/x")));
        assert_eq!(dirs(&l), SYSTEM);
        assert_eq!(
            l.host_path(l.persistent_config()),
            "/r/x/etc/systemd/system"
        );
        assert_eq!(
            l.strip_root(p("/r/x/etc/systemd/system/a.service"))
                .as_deref(),
            Some(p("/etc/systemd/system/a.service"))
        );
        assert_eq!(l.strip_root(p("/r/xy/a")), None);
        assert_eq!(l.strip_root(p("/r/x")).as_deref(), Some(p("/")));
        for none in ["", "/", "//", "/./"] {
            let l = LookupPaths::new(Scope::System, Some(p(none)), &env()).expect("no root");
            assert_eq!(l.root(), None, "{none:?}");
            assert_eq!(l.host_path(p("/etc")), "/etc");
        }
        let l = LookupPaths::new(Scope::Global, Some(p("rel")), &env()).expect("relative root");
        assert_eq!(l.root(), Some(p("/srv/rel")));
        // §1.5: --root applies to SYSTEMD_UNIT_PATH entries as well.
        let e = env().with_var("SYSTEMD_UNIT_PATH", "/a");
        let l = LookupPaths::new(Scope::System, Some(p("/r")), &e).expect("root");
        assert_eq!(l.host_path(&l.search_path()[0].path), "/r/a");
    }

    // §1.6: user scope refuses a root with EINVAL ("Invalid argument"), but "/" is no root.
    #[test]
    fn root_refused_for_user_scope() {
        let err = LookupPaths::new(Scope::User, Some(p("/r")), &user_env()).expect_err("EINVAL");
        assert_eq!(
            err,
            LookupError::RootWithUserScope {
                scope: Scope::User,
                root: "/r".into()
            }
        );
        assert_eq!(err.strerror(), "Invalid argument");
        assert!(err.to_string().contains("/r"));
        assert!(LookupPaths::new(Scope::User, Some(p("/")), &user_env()).is_ok());
    }

    // A relative cwd (possible through a relative $PWD, see env::current_dir_name) only matters
    // when something relative must be made absolute; systemd-analyze then prints "No medium found"
    // for SYSTEMD_UNIT_PATH and "Cannot allocate memory" for the user-scope default list (both
    // verified with PWD=. in the differential tests).
    #[test]
    fn relative_cwd() {
        let e = MapEnv::new(".").with_var("HOME", "/h");
        assert_eq!(dirs(&lp(Scope::System, &e)), SYSTEM);
        assert_eq!(
            dirs(&lp(Scope::User, &e))[0],
            "/h/.config/systemd/user.control"
        );
        let err = LookupPaths::new(
            Scope::System,
            None,
            &e.clone().with_var("SYSTEMD_UNIT_PATH", "a"),
        )
        .expect_err("relative entry");
        assert!(matches!(
            err,
            LookupError::RelativeCwd {
                variable: "SYSTEMD_UNIT_PATH",
                ..
            }
        ));
        assert_eq!(err.strerror(), "No medium found");
        let err = LookupPaths::new(Scope::User, None, &e.clone().with_var("XDG_DATA_HOME", "d"))
            .expect_err("relative XDG dir");
        assert!(matches!(
            err,
            LookupError::RelativeCwd {
                variable: "XDG_*",
                ..
            }
        ));
        assert_eq!(err.strerror(), "Cannot allocate memory");
        // Named dirs never fail: with SYSTEMD_UNIT_PATH replacing the list, a relative
        // XDG_CONFIG_HOME is fine and its named dir stays relative.
        let e = e
            .with_var("XDG_CONFIG_HOME", "c")
            .with_var("SYSTEMD_UNIT_PATH", "/u");
        let l = lp(Scope::User, &e);
        assert_eq!(dirs(&l), ["/u"]);
        assert_eq!(l.persistent_config(), "c/systemd/user");
    }

    // §1.7 classification, system scope.
    #[test]
    fn classification_system() {
        let l = lp(Scope::System, &env());
        assert!(l.is_runtime(p("/run/x/a.service")));
        assert!(l.is_runtime(p("/run")));
        assert!(!l.is_runtime(p("/running/a.service")));
        assert!(!l.is_runtime(p("/etc/systemd/system/a.service")));
        assert!(l.is_runtime_dir(p("/run/systemd/system")));
        assert!(!l.is_runtime_dir(p("/etc/systemd/system")));

        assert!(l.is_config(p("/etc/systemd/system/a.service")));
        assert!(l.is_config(p("/run/systemd/system/a.service")));
        assert!(l.is_config(p("/etc/systemd/system//./a.service")));
        assert!(!l.is_config(p("/etc/systemd/system/multi-user.target.wants/a.service")));
        assert!(!l.is_config(p("/usr/lib/systemd/system/a.service")));
        assert!(l.is_config_dir(p("/etc/systemd/system/")));
        assert!(!l.is_config_dir(p("/etc/systemd/system/x.wants")));

        assert!(l.is_control(p("/etc/systemd/system.control/a.service")));
        assert!(l.is_control(p("/run/systemd/system.control/a.service")));
        assert!(!l.is_control(p("/etc/systemd/system.control/a.service.d/50-x.conf")));

        for g in ["generator", "generator.early", "generator.late"] {
            assert!(l.is_generator(Utf8Path::new(&format!("/run/systemd/{g}/a.service"))));
            assert!(l.is_runtime(Utf8Path::new(&format!("/run/systemd/{g}/a.service"))));
            assert!(l.is_vendor(Utf8Path::new(&format!("/run/systemd/{g}/a.service"))));
        }
        assert!(!l.is_generator(p("/run/systemd/system/a.service")));
        assert!(l.is_transient(p("/run/systemd/transient/a.service")));
        assert!(!l.is_transient(p("/run/systemd/transient/x/a.service")));

        assert!(l.is_vendor(p("/usr/lib/systemd/system/a.service")));
        assert!(l.is_vendor(p("/usr/local/lib/systemd/system/a.service")));
        assert!(l.is_vendor(p("/lib/systemd/system/a.service")));
        assert!(!l.is_vendor(p("/etc/systemd/system/a.service")));
        assert!(!l.is_vendor(p("/library/a.service")));

        // Degenerate inputs are never classified.
        for odd in ["/", "", "a.service"] {
            assert!(!l.is_config(p(odd)) && !l.is_control(p(odd)) && !l.is_generator(p(odd)));
            assert!(!l.is_transient(p(odd)));
        }
    }

    // §1.7 quirk: under --root a generated file is not "vendor" (systemd compares the stripped
    // path with the prefixed generator dirs), while /usr and /lib still are.
    #[test]
    fn vendor_generator_quirk_under_root() {
        let l = LookupPaths::new(Scope::System, Some(p("/r")), &env()).expect("root");
        assert!(l.is_generator(p("/run/systemd/generator/a.service")));
        assert!(!l.is_vendor(p("/run/systemd/generator/a.service")));
        assert!(l.is_vendor(p("/usr/lib/systemd/system/a.service")));
    }

    // §1.7, user scope: the per-user runtime dirs and /run count as runtime; the global dirs are
    // not config of user scope; /etc/systemd/user is the user config dir.
    #[test]
    fn classification_user() {
        let l = lp(
            Scope::User,
            &user_env().with_var("XDG_RUNTIME_DIR", "/tmp/rt"),
        );
        assert!(l.is_config(p("/home/u/.config/systemd/user/a.service")));
        assert!(l.is_config(p("/tmp/rt/systemd/user/a.service")));
        assert!(l.is_runtime(p("/tmp/rt/systemd/user/a.service")));
        assert!(l.is_runtime(p("/tmp/rt/systemd/generator.late/a.service")));
        assert!(!l.is_runtime(p("/tmp/rt/systemd/a.service")));
        assert!(!l.is_config(p("/etc/systemd/user/a.service")));
        assert!(l.is_control(p("/home/u/.config/systemd/user.control/a.service")));
        assert!(l.is_transient(p("/tmp/rt/systemd/transient/a.service")));
        assert!(is_user_config_dir(p("/etc/systemd/user")));
        assert!(!is_user_config_dir(p("/home/u/.config/systemd/user")));
        let l = lp(Scope::User, &user_env());
        assert!(!l.is_runtime(p("/tmp/rt/systemd/user/a.service")));
    }

    #[test]
    fn search_dir_lookup() {
        let l = lp(Scope::System, &env());
        let d = l
            .search_dir_of(p("/lib/systemd/system/a.service"))
            .expect("in path");
        assert_eq!(d.class, DirClass::Vendor);
        assert_eq!(d.path, "/lib/systemd/system");
        assert!(l.in_search_path(p("/etc/systemd/system/x.wants/a.service")));
        assert!(!l.in_search_path(p("/etc/systemd/systemx/a.service")));
        assert!(!l.in_search_path(p("/opt/a.service")));
    }

    #[test]
    fn simplify_like_systemd() {
        for (input, want) in [
            ("///foo//./bar/.", "/foo/bar"),
            (".//./foo//./bar/.", "foo/bar"),
            ("/", "/"),
            ("//", "/"),
            ("/./", "/"),
            (".", "."),
            ("./", "."),
            ("/a/../b/", "/a/../b"),
            ("/a/.b/./c", "/a/.b/c"),
            ("a/", "a"),
            ("", ""),
        ] {
            assert_eq!(simplify(input), want, "{input:?}");
        }
        let long = "x".repeat(NAME_MAX + 1);
        assert_eq!(
            simplify(&format!("//a//{long}//b/")),
            format!("/a/{long}//b/")
        );
        assert!(is_valid_path("/a/b"));
        assert!(!is_valid_path(""));
        assert!(!is_valid_path(&format!("/{long}")));
        assert!(!is_valid_path(&format!("/{}", "a/".repeat(2048))));
    }

    #[test]
    fn join_like_systemd() {
        assert_eq!(join(&["foo", "bar"]), "foo/bar");
        assert_eq!(join(&["foo/", "bar"]), "foo/bar");
        assert_eq!(join(&["", "foo", "", "bar", ""]), "foo/bar");
        assert_eq!(join(&["", "/systemd/user"]), "/systemd/user");
        assert_eq!(join(&["a/", "/systemd"]), "a//systemd");
    }

    // The tiny universe the random tests draw directory names from: they collide on purpose.
    fn dir_value() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "",
            "/a",
            "/a/",
            "a",
            "./a",
            "/etc",
            "/usr/share",
            "/usr/local/share",
            "/run/user/1",
            "//b//",
            "/a/../b",
        ])
        .prop_map(str::to_string)
    }

    fn var_value() -> impl Strategy<Value = Option<String>> {
        prop::option::of(prop::collection::vec(dir_value(), 0..4).prop_map(|v| v.join(":")))
    }

    proptest! {
        // gix-config's source.rs idea: without SYSTEMD_UNIT_PATH the search path is sorted by
        // DirClass for every scope and every environment, has no duplicates, and only absolute
        // simplified paths.
        #[test]
        fn default_path_is_sorted_by_class(
            scope in prop::sample::select(Scope::ALL.to_vec()),
            vars in prop::collection::vec(var_value(), 6),
            unit_path in var_value(),
            trailing in any::<bool>(),
        ) {
            let names = ["HOME", "XDG_CONFIG_HOME", "XDG_CONFIG_DIRS", "XDG_DATA_HOME", "XDG_DATA_DIRS", "XDG_RUNTIME_DIR"];
            let mut e = env().with_passwd_home("/root");
            for (n, v) in names.iter().zip(&vars) {
                if let Some(v) = v {
                    e.set(*n, v.clone());
                }
            }
            let l = lp(scope, &e);
            prop_assert!(classes_agree(scope, l.search_path()), "{:?}", l.search_path());
            let mut seen = std::collections::BTreeSet::new();
            for d in l.search_path() {
                prop_assert!(seen.insert(d.path.clone()), "duplicate {}", d.path);
                prop_assert!(d.path.is_absolute());
                prop_assert_eq!(simplify(d.path.as_str()), d.path.as_str());
            }
            // With SYSTEMD_UNIT_PATH prepended, the default path follows the entries, in order.
            if let Some(u) = unit_path {
                let value = if trailing { format!("{u}:") } else { u.clone() };
                let lu = lp(scope, &e.clone().with_var("SYSTEMD_UNIT_PATH", value.clone()));
                // Model of reference §1.5: prepend iff the value ends with ':'.
                let prepend = value.ends_with(':');
                let cwd = Utf8Path::new("/srv");
                let mut want: Vec<String> = Vec::new();
                let entries = split_colon(&value).map(|x| make_absolute(x, cwd, "t").expect("abs"));
                let defaults = dirs(&l).into_iter().map(str::to_string).filter(|_| prepend);
                for x in entries.chain(defaults) {
                    if !want.contains(&x) {
                        want.push(x);
                    }
                }
                prop_assert_eq!(dirs(&lu), want);
                // Named directories do not depend on SYSTEMD_UNIT_PATH.
                prop_assert_eq!(lu.persistent_config(), l.persistent_config());
                prop_assert_eq!(lu.runtime_config(), l.runtime_config());
                prop_assert_eq!(lu.generator_late(), l.generator_late());
            }
        }
    }
}
