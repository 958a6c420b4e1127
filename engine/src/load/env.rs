//! The process environment, as the engine sees it.
//!
//! systemd reads a handful of environment variables when it computes its unit search path
//! (`XDG_CONFIG_HOME`, `XDG_CONFIG_DIRS`, `XDG_DATA_HOME`, `XDG_DATA_DIRS`, `XDG_RUNTIME_DIR`,
//! `HOME`, `SYSTEMD_UNIT_PATH`), the current directory (relative entries are made absolute against
//! it) and, when `HOME` is unset or unusable, the user database. The engine never asks the
//! operating system for any of these: it asks an [`Env`]. [`ProcessEnv`] is the one
//! implementation that reads the real process state (and the only place in the engine that
//! touches `std::env`); [`MapEnv`] is a plain map for tests, the simulator and embedders.

use camino::{Utf8Path, Utf8PathBuf};
use std::collections::BTreeMap;

/// Where environment variables, the current directory and the user's home come from.
pub trait Env {
    /// The value of the environment variable `name`, if it is set (an empty value is `Some("")`,
    /// which systemd treats differently from unset).
    fn var(&self, name: &str) -> Option<String>;

    /// The current working directory (absolute). Relative directories in `XDG_*` variables and in
    /// `SYSTEMD_UNIT_PATH` are made absolute against it.
    fn cwd(&self) -> Utf8PathBuf;

    /// The home directory the user database gives for the calling user, used only when `HOME` is
    /// unset, empty, relative or otherwise invalid (systemd's `get_home_dir()`: uid 0 is always
    /// `/root`, `nobody` is `/`, anyone else comes from `getpwuid()`). `None` means "no entry"; user
    /// scope then fails with [`LookupError::NoHome`](super::LookupError::NoHome).
    ///
    /// The default implementation knows no user database and returns `None`.
    fn passwd_home(&self) -> Option<Utf8PathBuf> {
        None
    }
}

/// The real process environment: `std::env` variables, the real current directory, and the
/// user database in `/etc/passwd`.
///
/// This is the only type in the engine that reads `std::env`. The home fallback reads the real
/// uid from `/proc/self/status` and looks it up in `/etc/passwd` (no NSS modules: a user known
/// only to LDAP or `systemd-userdb` has no fallback home here; set `HOME`).
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl ProcessEnv {
    /// A handle on the process environment.
    pub fn new() -> ProcessEnv {
        ProcessEnv
    }

    /// A [`MapEnv`] snapshot of the process environment: every variable that is valid UTF-8, the
    /// current directory and the user-database home.
    pub fn snapshot(&self) -> MapEnv {
        let vars = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        MapEnv {
            vars,
            cwd: self.cwd(),
            passwd_home: self.passwd_home(),
        }
    }

    /// The home directory systemd's `get_home_dir()` falls back to for `uid` when `HOME` is
    /// unusable: `/root` for uid 0, `/` for `nobody` (65534), else the `/etc/passwd` entry.
    pub fn passwd_home_of(uid: u32) -> Option<Utf8PathBuf> {
        passwd_home_for(uid, |p| std::fs::read_to_string(p).ok())
    }

    fn real_uid() -> Option<u32> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find(|l| l.starts_with("Uid:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }
}

/// The uid systemd treats as `nobody` (`UID_NOBODY`).
const UID_NOBODY: u32 = 65534;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var_os(name).map(|v| v.to_string_lossy().into_owned())
    }

    /// The current directory as systemd sees it: glibc's `get_current_dir_name()`, i.e. `$PWD`
    /// when it names the current directory (see [`current_dir_name`]), else `getcwd()`.
    fn cwd(&self) -> Utf8PathBuf {
        let real = std::env::current_dir()
            .ok()
            .and_then(|p| Utf8PathBuf::from_path_buf(p).ok())
            .unwrap_or_else(|| Utf8PathBuf::from("/"));
        current_dir_name(self.var("PWD").as_deref(), &real)
    }

    fn passwd_home(&self) -> Option<Utf8PathBuf> {
        Self::passwd_home_of(Self::real_uid()?)
    }
}

/// glibc's `get_current_dir_name()`, which systemd uses for the current directory: `pwd` (the
/// value of `$PWD`) if it names the same directory as `cwd` (same device and inode, looked up on
/// the host; a relative `pwd` is taken from `cwd`), else `cwd`. `$PWD` is returned as it is, so it may contain symlinks, `..` or even be
/// relative (systemd then refuses to make paths absolute: "No medium found").
pub fn current_dir_name(pwd: Option<&str>, cwd: &Utf8Path) -> Utf8PathBuf {
    use std::os::unix::fs::MetadataExt;
    if let Some(pwd) = pwd.filter(|p| !p.is_empty()) {
        // A relative $PWD is looked up from the current directory, as stat() would.
        let pwd_path = cwd.join(pwd);
        if let (Ok(a), Ok(b)) = (std::fs::metadata(&pwd_path), std::fs::metadata(cwd)) {
            if a.dev() == b.dev() && a.ino() == b.ino() {
                return Utf8PathBuf::from(pwd);
            }
        }
    }
    cwd.to_owned()
}

/// systemd's home fallback for `uid`, with `read` giving the contents of a host file.
fn passwd_home_for(uid: u32, read: impl Fn(&str) -> Option<String>) -> Option<Utf8PathBuf> {
    if uid == 0 {
        return Some(Utf8PathBuf::from("/root"));
    }
    // systemd synthesizes "nobody" unless /etc/systemd/dont-synthesize-nobody exists.
    if uid == UID_NOBODY && read("/etc/systemd/dont-synthesize-nobody").is_none() {
        return Some(Utf8PathBuf::from("/"));
    }
    let passwd = read("/etc/passwd")?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        if fields.len() < 7 || fields[2].parse::<u32>().ok()? != uid {
            return None;
        }
        Some(Utf8PathBuf::from(fields[5]))
    })
}

/// An environment held in memory: a map of variables, a current directory and an optional
/// user-database home.
///
/// ```
/// use unitlab_engine::load::{Env, MapEnv};
/// let env = MapEnv::new("/home/u").with_var("HOME", "/home/u").with_var("XDG_RUNTIME_DIR", "/run/user/1000");
/// assert_eq!(env.var("HOME").as_deref(), Some("/home/u"));
/// assert_eq!(env.cwd(), "/home/u");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapEnv {
    /// The variables (a variable absent from the map is unset).
    pub vars: BTreeMap<String, String>,
    /// The current directory (should be absolute).
    pub cwd: Utf8PathBuf,
    /// What [`Env::passwd_home`] returns.
    pub passwd_home: Option<Utf8PathBuf>,
}

impl MapEnv {
    /// An empty environment (no variables, no user-database home) with current directory `cwd`.
    pub fn new(cwd: impl Into<Utf8PathBuf>) -> MapEnv {
        MapEnv {
            vars: BTreeMap::new(),
            cwd: cwd.into(),
            passwd_home: None,
        }
    }

    /// An environment with the given variables and current directory.
    pub fn from_vars(vars: BTreeMap<String, String>, cwd: impl Into<Utf8PathBuf>) -> MapEnv {
        MapEnv {
            vars,
            cwd: cwd.into(),
            passwd_home: None,
        }
    }

    /// Sets a variable (builder style).
    pub fn with_var(mut self, name: impl Into<String>, value: impl Into<String>) -> MapEnv {
        self.vars.insert(name.into(), value.into());
        self
    }

    /// Sets the user-database home (builder style).
    pub fn with_passwd_home(mut self, home: impl AsRef<Utf8Path>) -> MapEnv {
        self.passwd_home = Some(home.as_ref().to_owned());
        self
    }

    /// Sets a variable.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.vars.insert(name.into(), value.into());
    }

    /// Unsets a variable.
    pub fn remove(&mut self, name: &str) {
        self.vars.remove(name);
    }
}

impl Env for MapEnv {
    fn var(&self, name: &str) -> Option<String> {
        self.vars.get(name).cloned()
    }

    fn cwd(&self) -> Utf8PathBuf {
        self.cwd.clone()
    }

    fn passwd_home(&self) -> Option<Utf8PathBuf> {
        self.passwd_home.clone()
    }
}

impl<E: Env + ?Sized> Env for &E {
    fn var(&self, name: &str) -> Option<String> {
        (**self).var(name)
    }
    fn cwd(&self) -> Utf8PathBuf {
        (**self).cwd()
    }
    fn passwd_home(&self) -> Option<Utf8PathBuf> {
        (**self).passwd_home()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_env_set_and_unset() {
        let mut env = MapEnv::new("/w").with_var("A", "1").with_var("E", "");
        assert_eq!(env.var("A").as_deref(), Some("1"));
        assert_eq!(env.var("E").as_deref(), Some(""));
        assert_eq!(env.var("B"), None);
        env.remove("A");
        assert_eq!(env.var("A"), None);
        assert_eq!(env.passwd_home(), None);
        assert_eq!(
            env.clone().with_passwd_home("/h").passwd_home().as_deref(),
            Some(Utf8Path::new("/h"))
        );
    }

    #[test]
    fn passwd_fallback_rules() {
        let files = |p: &str| match p {
            "/etc/passwd" => Some(
                "root:x:0:0:root:/root:/bin/bash\nu:x:1000:1000::/home/u:/bin/sh\n".to_string(),
            ),
            _ => None,
        };
        assert_eq!(
            passwd_home_for(0, files).as_deref(),
            Some(Utf8Path::new("/root"))
        );
        assert_eq!(
            passwd_home_for(UID_NOBODY, files).as_deref(),
            Some(Utf8Path::new("/"))
        );
        assert_eq!(
            passwd_home_for(1000, files).as_deref(),
            Some(Utf8Path::new("/home/u"))
        );
        assert_eq!(passwd_home_for(1001, files), None);
        let no_synth = |p: &str| match p {
            "/etc/systemd/dont-synthesize-nobody" => Some(String::new()),
            _ => None,
        };
        assert_eq!(passwd_home_for(UID_NOBODY, no_synth), None);
    }
}
