//! Which sections and keys a parse accepts: PID 1's view of one unit type, or the installer's view.
use crate::name::UnitType;

/// The view a file is parsed with (reference §3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// PID 1 loading a unit of this type: `[Unit]`, the type's own section and `[Install]` are known;
    /// any other section is warned about (unless it starts with `X-`) and skipped; unknown keys in known
    /// sections are warned about (unless they start with `X-`).
    Unit(UnitType),
    /// The installer (`systemctl enable` & co.): only `[Install]` is parsed; `[Unit]` and the eleven type
    /// sections are skipped silently whatever the unit's type; other sections are warned about like in
    /// PID 1 (v252 `src/shared/install.c` passes them as "-Section" entries; verified with
    /// `systemctl --root enable`).
    Install,
}

/// What a parse does with a section header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SectionRule {
    /// Parse its assignments.
    Known,
    /// Skip it without a word.
    SilentlyIgnored,
    /// Skip it with `Unknown section '…'. Ignoring.`
    Unknown,
}

/// The name of a unit type's own section (`Service`, `Socket`, …).
pub(crate) fn type_section(t: UnitType) -> &'static str {
    match t {
        UnitType::Service => "Service",
        UnitType::Mount => "Mount",
        UnitType::Swap => "Swap",
        UnitType::Socket => "Socket",
        UnitType::Target => "Target",
        UnitType::Device => "Device",
        UnitType::Automount => "Automount",
        UnitType::Timer => "Timer",
        UnitType::Path => "Path",
        UnitType::Slice => "Slice",
        UnitType::Scope => "Scope",
    }
}

/// `[Unit]` plus the eleven type sections: what the installer skips silently.
const INSTALLER_SILENT: &[&str] = &[
    "Unit",
    "Automount",
    "Device",
    "Mount",
    "Path",
    "Scope",
    "Service",
    "Slice",
    "Socket",
    "Swap",
    "Target",
    "Timer",
];

impl Dialect {
    /// Whether the section `name` is parsed in this dialect.
    pub fn knows_section(self, name: &str) -> bool {
        self.section_rule(name) == SectionRule::Known
    }

    pub(crate) fn section_rule(self, name: &str) -> SectionRule {
        let known = match self {
            Dialect::Unit(t) => name == "Unit" || name == "Install" || name == type_section(t),
            Dialect::Install => name == "Install",
        };
        if known {
            SectionRule::Known
        } else if name.starts_with("X-")
            || (self == Dialect::Install && INSTALLER_SILENT.contains(&name))
        {
            SectionRule::SilentlyIgnored
        } else {
            SectionRule::Unknown
        }
    }
}
