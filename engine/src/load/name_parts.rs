//! Small string-level helpers on unit names that the loader needs (template of an instance, instance
//! replacement, the prefix used by the drop-in dash walk). They work on `&str` so that the catalog can
//! apply them to names it has already validated with [`crate::name`].
use crate::name::{NameKind, UnitName};

/// The parts of a syntactically valid unit name: `prefix[@instance].suffix`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Parts<'a> {
    /// Text before the first `@` (or before the last `.` without `@`).
    pub prefix: &'a str,
    /// `None` for plain names, `Some("")` for templates, `Some(i)` for instances.
    pub instance: Option<&'a str>,
    /// The type suffix without its dot.
    pub suffix: &'a str,
}

/// Splits a name into its parts. Returns `None` if there is no `.` suffix.
pub(crate) fn parts(name: &str) -> Option<Parts<'_>> {
    let dot = name.rfind('.')?;
    let (stem, suffix) = (&name[..dot], &name[dot + 1..]);
    match stem.find('@') {
        Some(at) => Some(Parts {
            prefix: &stem[..at],
            instance: Some(&stem[at + 1..]),
            suffix,
        }),
        None => Some(Parts {
            prefix: stem,
            instance: None,
            suffix,
        }),
    }
}

/// The kind of a *valid* unit name, or `None` when `name` is not a valid unit name.
pub(crate) fn kind(name: &str) -> Option<NameKind> {
    crate::name::classify(name)
}

/// `foo@.service` for `foo@bar.service` or `foo@.service`; `None` for plain or invalid names.
pub(crate) fn template_of(name: &str) -> Option<String> {
    match kind(name)? {
        NameKind::Plain => None,
        NameKind::Template | NameKind::Instance => {
            let p = parts(name)?;
            Some(format!("{}@.{}", p.prefix, p.suffix))
        }
    }
}

/// The instance of a valid instance name (`bar` for `foo@bar.service`).
pub(crate) fn instance_of(name: &str) -> Option<&str> {
    if kind(name)? != NameKind::Instance {
        return None;
    }
    parts(name)?.instance
}

/// `foo@i.service` from the template (or instance) `foo@.service` and `i`, if the result is valid.
pub(crate) fn replace_instance(name: &str, instance: &str) -> Option<String> {
    let p = parts(name)?;
    p.instance?;
    let built = format!("{}@{}.{}", p.prefix, instance, p.suffix);
    UnitName::new(&built).ok().map(|_| built)
}

/// The last path component of `path` (everything after the last `/`).
pub(crate) fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_names() {
        assert_eq!(
            parts("foo-bar@x.y.service"),
            Some(Parts {
                prefix: "foo-bar",
                instance: Some("x.y"),
                suffix: "service"
            })
        );
        assert_eq!(
            parts("a.service"),
            Some(Parts {
                prefix: "a",
                instance: None,
                suffix: "service"
            })
        );
        assert_eq!(template_of("t@x.service").as_deref(), Some("t@.service"));
        assert_eq!(template_of("t@.service").as_deref(), Some("t@.service"));
        assert_eq!(template_of("t.service"), None);
        assert_eq!(instance_of("t@x.service"), Some("x"));
        assert_eq!(instance_of("t@.service"), None);
        assert_eq!(
            replace_instance("t@.service", "y").as_deref(),
            Some("t@y.service")
        );
        assert_eq!(replace_instance("t.service", "y"), None);
        assert_eq!(basename("/a/b/c.service"), "c.service");
    }
}
