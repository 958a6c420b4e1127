//! Unit-name validity and the [`UnitName`] type (reference §2.2).
//!
//! A name is `PREFIX[@INSTANCE].TYPE`. Validity is checked on bytes, exactly like systemd's
//! `unit_name_is_valid`: at most [`UNIT_NAME_MAX`] bytes; a last `.` that is not the first byte and
//! is followed by one of the eleven type suffixes; before it only `[A-Za-z0-9:_.\-\\@]`; no leading
//! `@`. The *first* `@` decides the kind: none → plain, `@` right before the suffix dot → template,
//! otherwise instance (later `@`s belong to the instance).

use std::borrow::Borrow;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use super::{NameError, UnitType, UNIT_NAME_MAX};

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

/// `[A-Za-z0-9:_.\-\\]`: the bytes allowed in a prefix (systemd's `VALID_CHARS`).
pub(crate) fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b':' | b'-' | b'_' | b'.' | b'\\')
}

/// [`is_name_byte`] plus `@` (allowed in instances).
pub(crate) fn is_name_byte_with_at(b: u8) -> bool {
    b == b'@' || is_name_byte(b)
}

/// [`is_name_byte_with_at`] plus the glob bytes `[]!-*?`.
pub(crate) fn is_glob_name_byte(b: u8) -> bool {
    is_name_byte_with_at(b) || matches!(b, b'[' | b']' | b'!' | b'*' | b'?')
}

/// Classifies `name` as systemd does, or returns why it is not a unit name.
fn check(name: &[u8]) -> Result<(NameKind, UnitType), &'static str> {
    if name.is_empty() {
        return Err("empty");
    }
    if name.len() > UNIT_NAME_MAX {
        return Err("longer than 255 bytes");
    }
    let dot = match name.iter().rposition(|&b| b == b'.') {
        None => return Err("no type suffix"),
        Some(0) => return Err("nothing before the type suffix"),
        Some(d) => d,
    };
    let ty = UnitType::from_suffix_bytes(&name[dot + 1..]).ok_or("unknown type suffix")?;
    let body = &name[..dot];
    if !body.iter().all(|&b| is_name_byte_with_at(b)) {
        return Err("invalid character");
    }
    let kind = match body.iter().position(|&b| b == b'@') {
        None => NameKind::Plain,
        Some(0) => return Err("starts with '@'"),
        Some(at) if at + 1 == dot => NameKind::Template,
        Some(_) => NameKind::Instance,
    };
    Ok((kind, ty))
}

/// Whether `name` is a valid unit name of any kind (systemd's `unit_name_is_valid(n, UNIT_NAME_ANY)`).
pub fn is_valid(name: &str) -> bool {
    check(name.as_bytes()).is_ok()
}

/// Byte-level [`is_valid`].
pub(crate) fn is_valid_bytes(name: &[u8]) -> bool {
    check(name).is_ok()
}

/// The kind of a valid unit name, or `None` if `name` is not valid.
pub fn classify(name: &str) -> Option<NameKind> {
    check(name.as_bytes()).ok().map(|(k, _)| k)
}

/// The type of a valid unit name (systemd's `unit_name_to_type`), or `None` if `name` is invalid.
pub fn unit_type_of(name: &str) -> Option<UnitType> {
    check(name.as_bytes()).ok().map(|(_, t)| t)
}

/// Whether `prefix` is a valid unit-name prefix: non-empty, only `[A-Za-z0-9:_.\-\\]` (no `@`).
pub fn is_valid_prefix(prefix: &str) -> bool {
    !prefix.is_empty() && prefix.bytes().all(is_name_byte)
}

/// Whether `instance` is a valid instance string: non-empty, the prefix bytes plus `@`. The length
/// limit depends on the whole name and is checked when the name is built.
pub fn is_valid_instance(instance: &str) -> bool {
    !instance.is_empty() && instance.bytes().all(is_name_byte_with_at)
}

/// A valid unit name (reference §2.2). Cheap accessors split it into prefix, instance and suffix.
///
/// The text is shared (`Arc<str>`): names are cloned far more often than they are made (every
/// dependency, job and index holds one), and a clone only counts a reference.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnitName(Arc<str>);

impl UnitName {
    /// Validates `name`.
    pub fn new(name: &str) -> Result<UnitName, NameError> {
        match check(name.as_bytes()) {
            Ok(_) => Ok(UnitName(Arc::from(name))),
            Err(reason) => Err(NameError::new(name, reason)),
        }
    }

    /// Builds `PREFIX[@INSTANCE].TYPE` (systemd's `unit_name_build_from_type`): the prefix and the
    /// instance are validated, then the whole name.
    pub fn build(
        prefix: &str,
        instance: Option<&str>,
        ty: UnitType,
    ) -> Result<UnitName, NameError> {
        let name = match instance {
            Some(i) => format!("{prefix}@{i}.{ty}"),
            None => format!("{prefix}.{ty}"),
        };
        if !is_valid_prefix(prefix) {
            return Err(NameError::new(&name, "invalid prefix"));
        }
        if let Some(i) = instance {
            if !is_valid_instance(i) {
                return Err(NameError::new(&name, "invalid instance"));
            }
        }
        UnitName::new(&name)
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Consumes the name, giving back the string.
    pub fn into_string(self) -> String {
        String::from(&*self.0)
    }

    // Byte loops rather than `rfind`/`find`: names are short, and these run for nearly every
    // dependency while a graph is built.
    fn dot(&self) -> usize {
        self.0
            .as_bytes()
            .iter()
            .rposition(|&b| b == b'.')
            .expect("a valid unit name has a suffix dot")
    }

    fn at(&self) -> Option<usize> {
        let dot = self.dot();
        self.0.as_bytes()[..dot].iter().position(|&b| b == b'@')
    }

    /// The unit type.
    pub fn unit_type(&self) -> UnitType {
        // The suffix is one of the eleven (the name is valid): its length and first two bytes
        // tell which, without comparing strings.
        // No suffix has a dot, so the suffix's length is the first of the five lengths (4, 5,
        // 6, 7, 9) that has a dot before it, looked at from the end: no scan of the name.
        let b = self.0.as_bytes();
        let n = b.len();
        let dot_at = |len: usize| n > len && b[n - len - 1] == b'.';
        let len = [4, 5, 6, 7, 9]
            .into_iter()
            .find(|&len| dot_at(len))
            .unwrap_or_else(|| n - self.dot() - 1);
        let suffix = &b[n - len..];
        debug_assert_eq!(len, n - self.dot() - 1, "{self}");
        match (suffix.len(), suffix[0], suffix.get(1).copied().unwrap_or(0)) {
            (7, _, _) => UnitType::Service,
            (6, b's', _) => UnitType::Socket,
            (6, b't', _) => UnitType::Target,
            (6, _, _) => UnitType::Device,
            (5, b'm', _) => UnitType::Mount,
            (5, b't', _) => UnitType::Timer,
            (5, b's', b'l') => UnitType::Slice,
            (5, _, _) => UnitType::Scope,
            (9, _, _) => UnitType::Automount,
            (4, b's', _) => UnitType::Swap,
            _ => UnitType::Path,
        }
    }

    /// Plain, template or instance.
    pub fn kind(&self) -> NameKind {
        match self.at() {
            None => NameKind::Plain,
            Some(at) if at + 1 == self.dot() => NameKind::Template,
            Some(_) => NameKind::Instance,
        }
    }

    /// Everything before the first `@`, or before the last `.` for plain names (`%p`).
    pub fn prefix(&self) -> &str {
        let end = self.at().unwrap_or_else(|| self.dot());
        &self.0[..end]
    }

    /// The instance (between the first `@` and the last `.`, `%i`) of an instance name; `None` for
    /// plain names and templates.
    pub fn instance(&self) -> Option<&str> {
        let at = self.at()?;
        let dot = self.dot();
        (dot > at + 1).then(|| &self.0[at + 1..dot])
    }

    /// The template of an instance or template: prefix + `@` + suffix (`foo@bar.service` →
    /// `foo@.service`); `None` for plain names.
    pub fn template(&self) -> Option<UnitName> {
        let at = self.at()?;
        let dot = self.dot();
        Some(UnitName(Arc::from(format!(
            "{}{}",
            &self.0[..=at],
            &self.0[dot..]
        ))))
    }

    /// Replaces the instance of a template or instance (systemd's `unit_name_replace_instance`).
    /// Fails on plain names, invalid instances and results longer than 255 bytes.
    pub fn with_instance(&self, instance: &str) -> Result<UnitName, NameError> {
        let Some(at) = self.at() else {
            return Err(NameError::new(&self.0, "not a template or instance"));
        };
        let name = format!("{}{}{}", &self.0[..=at], instance, &self.0[self.dot()..]);
        if !is_valid_instance(instance) {
            return Err(NameError::new(&name, "invalid instance"));
        }
        match check(name.as_bytes()) {
            Ok((NameKind::Instance, _)) => Ok(UnitName(Arc::from(name))),
            Ok(_) => Err(NameError::new(&name, "not an instance")),
            Err(reason) => Err(NameError::new(&name, reason)),
        }
    }

    /// The same name with another type (systemd's `unit_name_change_suffix`); fails if the result
    /// is too long.
    pub fn with_type(&self, ty: UnitType) -> Result<UnitName, NameError> {
        UnitName::new(&format!("{}.{}", self.stem(), ty))
    }

    /// The type suffix without the dot, e.g. `"service"`.
    pub fn suffix(&self) -> &str {
        &self.0[self.dot() + 1..]
    }

    /// The name without `.suffix` (`%N`), e.g. `foo@bar` for `foo@bar.service`.
    pub fn stem(&self) -> &str {
        &self.0[..self.dot()]
    }

    /// Whether this is a hashed long name made by [`super::name_from_path`] (a plain name whose stem
    /// ends in `_` + 16 lowercase hex digits); such names cannot be turned back into paths.
    pub fn is_hashed(&self) -> bool {
        if self.kind() != NameKind::Plain {
            return false;
        }
        let stem = self.stem().as_bytes();
        if stem.len() < super::hash::HASH_CHARS + 1 {
            return false;
        }
        let (head, hash) = stem.split_at(stem.len() - super::hash::HASH_CHARS);
        head.last() == Some(&b'_') && hash.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    }

    /// The path this name was derived from (systemd's `unit_name_to_path`): the prefix, path-unescaped.
    /// Fails for hashed names and prefixes that are not escaped normalized paths.
    pub fn to_path(&self) -> Result<camino::Utf8PathBuf, NameError> {
        if self.is_hashed() {
            return Err(NameError::new(
                &self.0,
                "hashed name cannot be turned into a path",
            ));
        }
        super::unescape_path(self.prefix())
    }
}

impl fmt::Display for UnitName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for UnitName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for UnitName {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl FromStr for UnitName {
    type Err = NameError;

    fn from_str(s: &str) -> Result<UnitName, NameError> {
        UnitName::new(s)
    }
}

impl TryFrom<&str> for UnitName {
    type Error = NameError;

    fn try_from(s: &str) -> Result<UnitName, NameError> {
        UnitName::new(s)
    }
}

impl TryFrom<String> for UnitName {
    type Error = NameError;

    fn try_from(s: String) -> Result<UnitName, NameError> {
        match check(s.as_bytes()) {
            Ok(_) => Ok(UnitName(Arc::from(s))),
            Err(reason) => Err(NameError::new(&s, reason)),
        }
    }
}

impl From<UnitName> for String {
    fn from(n: UnitName) -> String {
        n.into_string()
    }
}
