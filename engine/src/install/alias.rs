//! Alias validation: PID 1's rule for alias symlinks and the installer's rule for `Alias=`
//! values (reference §4.1 item 7, §8 verify_alias, §8.3).
use super::change::{Change, ChangeKind, Errno};
use super::fsutil::basename;
use crate::name::{classify, NameKind, UnitName};

/// `unit_symlink_name_compatible()`.
fn name_compatible(symlink: &str, target: &str, instance_propagation: bool) -> bool {
    let t1 = classify(symlink);
    if symlink == target && matches!(t1, Some(NameKind::Plain | NameKind::Instance)) {
        return true;
    }
    let Some(template) = UnitName::new(symlink).ok().and_then(|n| n.template()) else {
        return false;
    };
    let t2 = classify(target);
    if template.as_str() != target || t2 != Some(NameKind::Template) {
        return false;
    }
    t1 == Some(NameKind::Instance) || (instance_propagation && t1 == Some(NameKind::Template))
}

/// `unit_file_verify_alias()` (reference §4.1 item 7 and the verify_alias list of §8): checks
/// that `dst` is a valid alias, or legacy `.wants/`/`.requires/` link, for the unit `name`.
/// Returns the instance-propagated name when the instance was filled in; records `EXDEV` (or
/// `EUCLEAN`) changes; a self-alias is `Err(ELOOP)` without a record.
pub fn verify_alias(
    name: &str,
    dst: &str,
    changes: &mut Vec<Change>,
) -> Result<Option<String>, Errno> {
    let exdev = |changes: &mut Vec<Change>, path: &str, source: Option<&str>| {
        changes.push(Change::new(ChangeKind::Error(Errno::EXDEV), path, source));
        Err(Errno::EXDEV)
    };
    if let Some(slash) = dst.bytes().rposition(|b| b == b'/') {
        let alias = &dst[slash + 1..];
        let dir = &dst[..slash];
        let Some(unit) = dir
            .strip_suffix(".wants")
            .or_else(|| dir.strip_suffix(".requires"))
        else {
            return exdev(changes, dst, None);
        };
        let Some(kind) = classify(unit) else {
            return exdev(changes, dst, None);
        };
        if !name_compatible(alias, name, kind == NameKind::Template) {
            return exdev(changes, dst, Some(name));
        }
        return Ok(None);
    }
    let mut updated = None;
    if classify(dst) == Some(NameKind::Template) {
        let own = UnitName::new(name).map_err(|_| Errno::EINVAL)?;
        if let Some(inst) = own.instance() {
            let d = UnitName::new(dst).map_err(|_| Errno::EINVAL)?;
            updated = Some(
                d.with_instance(inst)
                    .map_err(|_| Errno::EINVAL)?
                    .into_string(),
            );
        }
    }
    let effective = updated.clone().unwrap_or_else(|| dst.to_owned());
    match validate_alias_symlink(&effective, name) {
        Ok(()) => Ok(updated),
        Err((Errno::ELOOP, _)) => Err(Errno::ELOOP),
        Err((e, _)) => {
            let e = if e == Errno::EINVAL { Errno::EXDEV } else { e };
            changes.push(Change::new(ChangeKind::Error(e), &effective, Some(name)));
            Err(e)
        }
    }
}

/// PID 1's alias-symlink validation (`unit_validate_alias_symlink_or_warn()`, reference §8.3):
/// `filename` is the link (its basename counts), `target` the link's target. The error comes with
/// the message systemd logs, if it logs one.
pub fn validate_alias_symlink(filename: &str, target: &str) -> Result<(), (Errno, Option<String>)> {
    let src = basename(filename);
    let dst = basename(target);
    let s = UnitName::new(src).map_err(|_| {
        (
            Errno::EINVAL,
            Some(format!(
                "{filename}: not a valid unit name \"{src}\": Invalid argument"
            )),
        )
    })?;
    let sty = s.unit_type();
    if !sty.can_alias() {
        return Err((
            Errno::EINVAL,
            Some(format!(
                "{filename}: symlinks are not allowed for units of this type, rejecting."
            )),
        ));
    }
    if s.kind() != NameKind::Plain && !sty.can_template() {
        return Err((
            Errno::EINVAL,
            Some(format!(
                "{filename}: templates not allowed for {sty} units, rejecting."
            )),
        ));
    }
    if src == dst {
        return Err((Errno::ELOOP, None));
    }
    let d = UnitName::new(dst).map_err(|_| {
        (
            Errno::EXDEV,
            Some(format!(
                "{filename} points to \"{dst}\" which is not a valid unit name: Invalid cross-device link"
            )),
        )
    })?;
    let (sk, dk) = (s.kind(), d.kind());
    if !(sk == dk || (sk == NameKind::Instance && dk == NameKind::Template)) {
        return Err((
            Errno::EXDEV,
            Some(format!(
                "{filename}: symlink target name type \"{dst}\" does not match source, rejecting."
            )),
        ));
    }
    if dk == NameKind::Instance && s.instance() != d.instance() {
        return Err((
            Errno::EXDEV,
            Some(format!(
                "{filename}: unit symlink target \"{dst}\" instance name doesn't match, rejecting."
            )),
        ));
    }
    if d.unit_type() != sty {
        return Err((
            Errno::EXDEV,
            Some(format!(
                "{filename}: symlink target \"{dst}\" has incompatible suffix, rejecting."
            )),
        ));
    }
    Ok(())
}
