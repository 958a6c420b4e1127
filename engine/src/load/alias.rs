//! Validation of alias symlinks (reference §3.3, §3.7).
//!
//! A symlink in a unit directory whose target lies inside the search path is an *alias*: the link's
//! name becomes another name of the unit the target names. PID 1 accepts such a link only if the
//! source type may have aliases, templates are allowed for it, and the target is a valid unit name of
//! the same kind, instance and type suffix. [`validate_alias`] applies these rules in systemd's order
//! and returns the refusal with systemd's wording. (This is not used for `.wants/`/`.requires/`
//! entries, nor for links that leave the search path: those are linked unit files.)
use super::name_parts::{basename, instance_of};
use crate::diag::Severity;
use crate::name::{NameKind, UnitName};
use std::fmt;

/// Why an alias symlink was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AliasProblem {
    /// The source name is not a valid unit name.
    InvalidSource,
    /// The source type cannot have aliases (mount, automount, swap, slice, scope).
    TypeNotAliasable,
    /// The source is a template or instance of a type that cannot be templated.
    TemplateNotAllowed,
    /// The link points to a file of the same name (`a.service → …/a.service`): ignored, not an error.
    SelfAlias,
    /// The target's file name is not a valid unit name.
    InvalidTarget,
    /// Plain ↔ template ↔ instance mismatch (only instance → template is allowed across kinds).
    KindMismatch,
    /// Instance → instance with different instance strings.
    InstanceMismatch,
    /// Different type suffixes.
    SuffixMismatch,
}

/// A refused alias: the problem, how loudly systemd logs it and its exact message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AliasRejection {
    /// What is wrong.
    pub problem: AliasProblem,
    /// The level systemd logs it at (the loader logs refusals at notice level, self-aliases at debug).
    pub severity: Severity,
    /// The message, worded exactly as systemd 252 prints it (it starts with the source name).
    pub message: String,
}

impl fmt::Display for AliasRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Checks an alias symlink `source` (the link; its basename is the alias name, the whole text is
/// used in messages, as systemd does) pointing to `target` (a path or name; its basename is the
/// aliased unit). `Ok(())` when the alias is valid.
pub fn validate_alias(source: &str, target: &str) -> Result<(), AliasRejection> {
    let reject = |problem, severity, message: String| {
        Err(AliasRejection {
            problem,
            severity,
            message,
        })
    };
    let src = basename(source);
    let dst = basename(target);

    let src_name = match UnitName::new(src) {
        Ok(n) => n,
        Err(_) => {
            return reject(
                AliasProblem::InvalidSource,
                Severity::Notice,
                format!("{source}: not a valid unit name \"{src}\": Invalid argument"),
            )
        }
    };
    let src_type = src_name.unit_type();
    if !src_type.can_alias() {
        return reject(
            AliasProblem::TypeNotAliasable,
            Severity::Notice,
            format!("{source}: symlinks are not allowed for units of this type, rejecting."),
        );
    }
    if src_name.kind() != NameKind::Plain && !src_type.can_template() {
        return reject(
            AliasProblem::TemplateNotAllowed,
            Severity::Notice,
            format!(
                "{source}: templates not allowed for {} units, rejecting.",
                src_type.as_str()
            ),
        );
    }
    if src == dst {
        return reject(
            AliasProblem::SelfAlias,
            Severity::Debug,
            format!("{source}: unit self-alias: {src} \u{2192} {dst}, ignoring."),
        );
    }
    let dst_name = match UnitName::new(dst) {
        Ok(n) => n,
        Err(_) => {
            return reject(
                AliasProblem::InvalidTarget,
                Severity::Notice,
                format!("{source} points to \"{dst}\" which is not a valid unit name: Invalid cross-device link"),
            )
        }
    };
    let (sk, dk) = (src_name.kind(), dst_name.kind());
    if !(sk == dk || (sk == NameKind::Instance && dk == NameKind::Template)) {
        return reject(
            AliasProblem::KindMismatch,
            Severity::Notice,
            format!(
                "{source}: symlink target name type \"{dst}\" does not match source, rejecting."
            ),
        );
    }
    if dk == NameKind::Instance && instance_of(src) != instance_of(dst) {
        return reject(
            AliasProblem::InstanceMismatch,
            Severity::Notice,
            format!(
                "{source}: unit symlink target \"{dst}\" instance name doesn't match, rejecting."
            ),
        );
    }
    if dst_name.unit_type() != src_type {
        return reject(
            AliasProblem::SuffixMismatch,
            Severity::Notice,
            format!("{source}: symlink target \"{dst}\" has incompatible suffix, rejecting."),
        );
    }
    Ok(())
}

/// Whether a `.wants/`/`.requires/` entry named `entry` and its link target's basename `target`
/// agree (systemd only warns when they do not): same name (plain or instance), an instance pointing
/// to its template, or, when `instance_propagation` is set (the depending unit is an instance), a
/// template pointing to the same template.
pub fn names_compatible(entry: &str, target: &str, instance_propagation: bool) -> bool {
    let ek = super::name_parts::kind(entry);
    if entry == target && matches!(ek, Some(NameKind::Plain | NameKind::Instance)) {
        return true;
    }
    let Some(template) = super::name_parts::template_of(entry) else {
        return false;
    };
    let tk = super::name_parts::kind(target);
    if ek == Some(NameKind::Instance) && tk == Some(NameKind::Template) && template == target {
        return true;
    }
    instance_propagation
        && ek == Some(NameKind::Template)
        && tk == Some(NameKind::Template)
        && template == target
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(s: &str, t: &str) -> Option<AliasProblem> {
        validate_alias(s, t).err().map(|r| r.problem)
    }

    // Messages verified with `systemd-analyze unit-files` on this machine (reference §3.3).
    #[test]
    fn messages_match_systemd() {
        let m = |s: &str, t: &str| validate_alias(s, t).unwrap_err().message;
        assert_eq!(
            m("bad.service", "/d/r.socket"),
            "bad.service: symlink target \"r.socket\" has incompatible suffix, rejecting."
        );
        assert_eq!(
            m("x.mount", "/d/a.service"),
            "x.mount: symlinks are not allowed for units of this type, rejecting."
        );
        assert_eq!(
            m("x@.slice", "/d/t@.service"),
            "x@.slice: symlinks are not allowed for units of this type, rejecting."
        );
        assert_eq!(m("iv.service", "/d/in valid"), "iv.service points to \"in valid\" which is not a valid unit name: Invalid cross-device link");
        assert_eq!(m("plain.service", "/d/t@.service"), "plain.service: symlink target name type \"t@.service\" does not match source, rejecting.");
        assert_eq!(m("i@x.service", "/d/t@y.service"), "i@x.service: unit symlink target \"t@y.service\" instance name doesn't match, rejecting.");
    }

    #[test]
    fn rules() {
        assert_eq!(problem("a.service", "/d/b.service"), None);
        assert_eq!(
            problem("a.service", "/d/a.service"),
            Some(AliasProblem::SelfAlias)
        );
        assert_eq!(problem("j@x.service", "/d/t@.service"), None);
        assert_eq!(problem("q@x.service", "/d/t@x.service"), None);
        assert_eq!(
            problem("q@.service", "/d/t@x.service"),
            Some(AliasProblem::KindMismatch)
        );
        assert_eq!(problem("q@.service", "/d/t@.service"), None);
        assert_eq!(problem("d.device", "/d/e.device"), None);
        assert_eq!(
            problem("d@x.device", "/d/e@x.device"),
            Some(AliasProblem::TemplateNotAllowed)
        );
        assert_eq!(
            validate_alias("a.service", "a.service")
                .unwrap_err()
                .severity,
            Severity::Debug
        );
    }

    #[test]
    fn wants_entry_compatibility() {
        assert!(names_compatible("a.service", "a.service", false));
        assert!(!names_compatible("a.service", "w.service", false));
        assert!(names_compatible("t@x.service", "t@.service", false));
        assert!(!names_compatible("t@.service", "t@.service", false));
        assert!(names_compatible("t@.service", "t@.service", true));
    }
}
