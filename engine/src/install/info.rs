//! What the installer knows about one unit (systemd's `InstallInfo`).
use camino::Utf8PathBuf;

/// How a unit file was found (systemd's `InstallMode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// A regular unit file.
    Regular,
    /// A symlink to a file outside the search path.
    Linked,
    /// A symlink to another unit inside the search path.
    Alias,
    /// A mask: a symlink to `/dev/null` (or a character device) or an empty file.
    Masked,
}

/// One unit as the installer sees it: its name, where its file is and the `[Install]` settings
/// read from the file and its drop-ins (reference §3.6).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InstallInfo {
    /// The unit name this entry stands for.
    pub name: String,
    /// The file found for it, root-relative (after following links, the final file).
    pub path: Option<Utf8PathBuf>,
    /// How the file was found; `None` while it has not been looked up yet.
    pub mode: Option<Mode>,
    /// `Alias=` values, unexpanded.
    pub aliases: Vec<String>,
    /// `WantedBy=` values, unexpanded.
    pub wanted_by: Vec<String>,
    /// `RequiredBy=` values, unexpanded.
    pub required_by: Vec<String>,
    /// `Also=` values, expanded.
    pub also: Vec<String>,
    /// `DefaultInstance=`, expanded.
    pub default_instance: Option<String>,
    /// For links and aliases: the resolved target of the symlink, root-relative.
    pub symlink_target: Option<Utf8PathBuf>,
    /// Whether this unit was only named by `Also=` (failures are then not fatal).
    pub auxiliary: bool,
}

impl InstallInfo {
    /// A fresh entry.
    pub fn new(name: &str, path: Option<Utf8PathBuf>, auxiliary: bool) -> InstallInfo {
        InstallInfo {
            name: name.to_owned(),
            path,
            auxiliary,
            ..InstallInfo::default()
        }
    }

    /// Has `Alias=`, `WantedBy=` or `RequiredBy=`.
    pub fn has_rules(&self) -> bool {
        !self.aliases.is_empty() || !self.wanted_by.is_empty() || !self.required_by.is_empty()
    }

    /// Has `Also=`.
    pub fn has_also(&self) -> bool {
        !self.also.is_empty()
    }
}
