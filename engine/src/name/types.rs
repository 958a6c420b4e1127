//! The eleven unit types (reference §2.1) and what each may do (aliases, templates, §2.2).

use std::fmt;
use std::str::FromStr;

use super::NameError;

/// The eleven unit types, in systemd's enum order (`src/basic/unit-def.h`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UnitType {
    /// `.service`
    Service,
    /// `.socket`
    Socket,
    /// `.target`
    Target,
    /// `.device`
    Device,
    /// `.mount`
    Mount,
    /// `.automount`
    Automount,
    /// `.swap`
    Swap,
    /// `.timer`
    Timer,
    /// `.path`
    Path,
    /// `.slice`
    Slice,
    /// `.scope`
    Scope,
}

impl UnitType {
    /// Every type, in systemd's enum order.
    pub const ALL: [UnitType; 11] = [
        UnitType::Service,
        UnitType::Socket,
        UnitType::Target,
        UnitType::Device,
        UnitType::Mount,
        UnitType::Automount,
        UnitType::Swap,
        UnitType::Timer,
        UnitType::Path,
        UnitType::Slice,
        UnitType::Scope,
    ];

    /// The suffix without the dot, e.g. `"service"`.
    pub fn as_str(self) -> &'static str {
        match self {
            UnitType::Service => "service",
            UnitType::Socket => "socket",
            UnitType::Target => "target",
            UnitType::Device => "device",
            UnitType::Mount => "mount",
            UnitType::Automount => "automount",
            UnitType::Swap => "swap",
            UnitType::Timer => "timer",
            UnitType::Path => "path",
            UnitType::Slice => "slice",
            UnitType::Scope => "scope",
        }
    }

    /// The type whose suffix (without the dot) is exactly `suffix`; case-sensitive, like systemd's
    /// `unit_type_from_string`.
    pub fn from_suffix(suffix: &str) -> Option<UnitType> {
        UnitType::from_suffix_bytes(suffix.as_bytes())
    }

    /// Byte-level variant of [`UnitType::from_suffix`] (one `match` on the bytes: names are
    /// classified very often while a graph is built).
    pub(crate) fn from_suffix_bytes(suffix: &[u8]) -> Option<UnitType> {
        Some(match suffix {
            b"service" => UnitType::Service,
            b"socket" => UnitType::Socket,
            b"target" => UnitType::Target,
            b"device" => UnitType::Device,
            b"mount" => UnitType::Mount,
            b"automount" => UnitType::Automount,
            b"swap" => UnitType::Swap,
            b"timer" => UnitType::Timer,
            b"path" => UnitType::Path,
            b"slice" => UnitType::Slice,
            b"scope" => UnitType::Scope,
            _ => return None,
        })
    }

    /// Whether units of this type may have aliases (symlinks, `Alias=`): service, socket, target,
    /// device, timer and path (reference §2.2).
    pub fn can_alias(self) -> bool {
        matches!(
            self,
            UnitType::Service
                | UnitType::Socket
                | UnitType::Target
                | UnitType::Device
                | UnitType::Timer
                | UnitType::Path
        )
    }

    /// Whether units of this type may be templates or instances: service, socket, target, timer and
    /// path (reference §2.2).
    pub fn can_template(self) -> bool {
        matches!(
            self,
            UnitType::Service
                | UnitType::Socket
                | UnitType::Target
                | UnitType::Timer
                | UnitType::Path
        )
    }

    /// The name of the type-specific section of a unit file, e.g. `"Service"`.
    pub fn section(self) -> &'static str {
        match self {
            UnitType::Service => "Service",
            UnitType::Socket => "Socket",
            UnitType::Target => "Target",
            UnitType::Device => "Device",
            UnitType::Mount => "Mount",
            UnitType::Automount => "Automount",
            UnitType::Swap => "Swap",
            UnitType::Timer => "Timer",
            UnitType::Path => "Path",
            UnitType::Slice => "Slice",
            UnitType::Scope => "Scope",
        }
    }
}

impl fmt::Display for UnitType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for UnitType {
    type Err = NameError;

    fn from_str(s: &str) -> Result<UnitType, NameError> {
        UnitType::from_suffix(s).ok_or_else(|| NameError::new(s, "not a unit type"))
    }
}
