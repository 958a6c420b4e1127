//! Unit names: validity, the eleven types, templates and instances, escaping and mangling
//! (reference §2). Placeholder API: filled in by the names work of issue 2.


/// The maximum length of a unit name in bytes.
pub const UNIT_NAME_MAX: usize = 255;

/// The eleven unit types, in systemd's enum order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UnitType {
    /// `.service`
    Service,
    /// `.mount`
    Mount,
    /// `.swap`
    Swap,
    /// `.socket`
    Socket,
    /// `.target`
    Target,
    /// `.device`
    Device,
    /// `.automount`
    Automount,
    /// `.timer`
    Timer,
    /// `.path`
    Path,
    /// `.slice`
    Slice,
    /// `.scope`
    Scope,
}

/// Whether a name is plain, a template or an instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NameKind {
    /// `foo.service`
    Plain,
    /// `foo@.service`
    Template,
    /// `foo@bar.service`
    Instance,
}

/// Why a string is not a unit name.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("\"{name}\" is not a valid unit name: {reason}")]
pub struct NameError {
    /// The refused text.
    pub name: String,
    /// Why.
    pub reason: &'static str,
}

/// A valid unit name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnitName(String);
