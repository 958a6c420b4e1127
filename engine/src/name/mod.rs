#![deny(missing_docs)]
//! Unit names: validity, the eleven types, templates and instances, escaping and mangling
//! (reference §2), exactly as systemd 252 (`src/basic/unit-name.c`) defines them.
//!
//! # The model
//!
//! A unit name is `PREFIX[@INSTANCE].TYPE`, at most 255 bytes, where `TYPE` is one of the eleven
//! [`UnitType`]s. A name without `@` is *plain* (`foo.service`); `foo@.service` is a *template*,
//! and `foo@bar.service` an *instance* of it. Everything is decided on bytes: only
//! `[A-Za-z0-9:_.\-\\@]` may appear before the type suffix, so any other text (paths, spaces,
//! non-ASCII) must be *escaped* first: `/` becomes `-` and other bytes `\xNN`. Paths have their own
//! escaping (simplified first, `/` alone becomes `-`), and a path-derived name over 255 bytes is
//! shortened with a SipHash-2-4 digest. Command-line arguments go through *mangling*, which
//! recognises device and mount paths, escapes what must be escaped and appends a default suffix.
//! Slices encode their place in the hierarchy with dashes.
//!
//! * [`UnitType`], [`NameKind`], [`UnitName`], [`is_valid`], [`classify`], [`is_valid_prefix`],
//!   [`is_valid_instance`] — validity and structure (reference §2.1, §2.2);
//! * [`escape`], [`unescape`] and their byte forms — string escaping (§2.3);
//! * [`escape_path`], [`unescape_path`], [`name_from_path`], [`is_device_path`] — paths (§2.3);
//! * [`mangle`] with [`MangleOptions`] → [`Mangled`] — systemctl's argument handling (§2.3);
//! * [`is_valid_slice_name`], [`slice_parent`], [`slice_child`] — slices (§2.4);
//! * [`siphash24`] — the hash of long names, written from the SipHash specification.
//!
//! Nothing here panics on any input; failures are [`NameError`]s carrying the refused text.

mod escape;
mod hash;
mod mangle;
mod path;
mod slice;
mod types;
mod unit_name;

pub use escape::{escape, escape_bytes, unescape, unescape_bytes};
pub use hash::{siphash24, LONG_NAME_HASH_KEY};
pub use mangle::{glob_notice, mangle, mangle_bytes, mangle_with_notices, MangleOptions, Mangled};
pub(crate) use path::simplify as path_simplify;
pub use path::{
    escape_path, escape_path_bytes, is_device_path, name_from_path, path_is_normalized,
    path_is_valid, unescape_path, unescape_path_bytes,
};
pub use slice::{is_valid_slice_name, slice_child, slice_parent, ROOT_SLICE};
pub use types::UnitType;
pub use unit_name::{
    classify, is_valid, is_valid_instance, is_valid_prefix, unit_type_of, NameKind, UnitName,
};

/// The maximum length of a unit name in bytes (systemd's `UNIT_NAME_MAX` is 256 with the NUL).
pub const UNIT_NAME_MAX: usize = 255;

/// Why a string is not (or does not give) a unit name, an escaped string or a path.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("\"{name}\": {reason}")]
pub struct NameError {
    /// The refused text.
    pub name: String,
    /// Why.
    pub reason: &'static str,
}

impl NameError {
    /// A new error for `name`.
    pub fn new(name: &str, reason: &'static str) -> NameError {
        NameError {
            name: name.to_owned(),
            reason,
        }
    }

    /// A new error for text that may not be UTF-8 (converted lossily for the message).
    pub fn lossy(name: &[u8], reason: &'static str) -> NameError {
        NameError {
            name: String::from_utf8_lossy(name).into_owned(),
            reason,
        }
    }
}

#[cfg(test)]
mod tests;
