//! Applying `[Install]` rules: links, aliases, `.wants/` and `.requires/` (reference §4.1 items
//! 2–7), and marking units for removal (§4.2).
use super::alias::verify_alias;
use super::change::{Change, ChangeKind, Errno};
use super::discover::{join, parent, Ctx, Search};
use super::info::Mode;
use super::symlink::{create_symlink, RemoveSet};
use crate::name::{classify, NameKind, UnitName};
use camino::{Utf8Path, Utf8PathBuf};

/// Flags of an apply run.
#[derive(Clone, Copy, Debug, Default)]
pub struct ApplyFlags {
    /// `--force`: replace conflicting alias and link symlinks.
    pub force: bool,
    /// Presets: skip invalid `WantedBy=` targets silently.
    pub ignore_auxiliary_failure: bool,
}

/// Combines like systemd's `r = r < 0 ? r : q`.
fn keep_first_error(r: Result<i32, Errno>, q: Result<i32, Errno>) -> Result<i32, Errno> {
    if r.is_err() {
        r
    } else {
        q
    }
}

fn symlink_aliases(
    ctx: &mut Ctx<'_>,
    i: usize,
    config: &Utf8Path,
    force: bool,
    changes: &mut Vec<Change>,
) -> Result<i32, Errno> {
    let mut r: Result<i32, Errno> = Ok(0);
    if ctx.info(i).aliases.is_empty() {
        return r;
    }
    let info = ctx.info(i).clone();
    let path = info.path.clone().unwrap_or_default();
    for s in &info.aliases {
        let dst = match ctx.printf(i, s) {
            Ok(d) => d,
            Err(q) => {
                changes.push(Change::new(ChangeKind::Error(q), s, None));
                r = keep_first_error(r, Err(q));
                continue;
            }
        };
        let updated = match verify_alias(&info.name, &dst, changes) {
            Ok(u) => u,
            Err(Errno::ELOOP) => continue,
            Err(q) => {
                r = keep_first_error(r, Err(q));
                continue;
            }
        };
        let alias_path = join(config, updated.as_deref().unwrap_or(&dst));
        let q = create_symlink(ctx, &path, &alias_path, force, changes);
        r = keep_first_error(r, q);
    }
    r
}

/// `unit_file_exists()`: 1 if `name` can be found, 0 if not, an error otherwise.
pub fn unit_exists(ctx: &mut Ctx<'_>, name: &str) -> Result<bool, Errno> {
    if !crate::name::is_valid(name) {
        return Err(Errno::EINVAL);
    }
    // On a tree that does not change (while a view is attached) the answer and the lines the
    // lookup logs are the same every time: `preset-all` asks for `multi-user.target` thousands
    // of times.
    let view = ctx.view.clone();
    if let Some((r, logs)) = view
        .as_ref()
        .and_then(|v| v.exists(name, ctx.exclude_generated))
    {
        ctx.logs.extend(logs);
        return r;
    }
    let mut scratch = ctx.scratch();
    let r = match scratch.discover(name, Search::NONE, None) {
        Ok(_) => Ok(true),
        Err(Errno::ENOENT) => Ok(false),
        Err(e) => Err(e),
    };
    if let Some(v) = view {
        v.remember_exists(name, ctx.exclude_generated, (r, scratch.logs.clone()));
    }
    ctx.logs.append(&mut scratch.logs);
    r
}

fn symlink_wants(
    ctx: &mut Ctx<'_>,
    i: usize,
    config: &Utf8Path,
    required: bool,
    flags: ApplyFlags,
    changes: &mut Vec<Change>,
) -> Result<i32, Errno> {
    let list = {
        let info = ctx.info_mut(i);
        std::mem::take(if required {
            &mut info.required_by
        } else {
            &mut info.wanted_by
        })
    };
    if list.is_empty() {
        return Ok(0);
    }
    // The list is lent out while the links are made (nothing below reads it) and put back.
    let r = symlink_wants_list(ctx, i, &list, config, required, flags, changes);
    let info = ctx.info_mut(i);
    *(if required {
        &mut info.required_by
    } else {
        &mut info.wanted_by
    }) = list;
    r
}

fn symlink_wants_list(
    ctx: &mut Ctx<'_>,
    i: usize,
    list: &[String],
    config: &Utf8Path,
    required: bool,
    flags: ApplyFlags,
    changes: &mut Vec<Change>,
) -> Result<i32, Errno> {
    let suffix = if required { ".requires" } else { ".wants" };
    let info = ctx.info(i);
    let own = UnitName::new(&info.name).map_err(|_| Errno::EINVAL)?;
    let mut templates_only = false;
    let n: String = match (own.kind(), &info.default_instance) {
        (NameKind::Plain | NameKind::Instance, _) => info.name.clone(),
        (NameKind::Template, Some(d)) => {
            let inst = own.with_instance(d).map_err(|_| Errno::EINVAL)?;
            let mut scratch = ctx.scratch();
            let (j, _) = scratch.add(Some(inst.as_str()), None, false)?;
            let res = scratch.search(j, Search::FOLLOW);
            ctx.logs.append(&mut scratch.logs);
            res?;
            if scratch.info(j).mode == Some(Mode::Masked) {
                let host = ctx.host(&scratch.info(j).path.clone().unwrap_or_default());
                changes.push(Change::new(ChangeKind::Error(Errno::ERFKILL), &host, None));
                return Err(Errno::ERFKILL);
            }
            inst.into_string()
        }
        (NameKind::Template, None) => {
            templates_only = true;
            info.name.clone()
        }
    };
    let path = ctx.info(i).path.clone().unwrap_or_default();
    let mut r: Result<i32, Errno> = Ok(0);
    for s in list {
        let dst = match ctx.printf(i, s) {
            Ok(d) => d,
            Err(q) => {
                changes.push(Change::new(ChangeKind::Error(q), s, None));
                if r.is_ok() {
                    r = Err(q);
                }
                continue;
            }
        };
        let kind = classify(&dst);
        let valid = match kind {
            None => false,
            Some(NameKind::Plain) => !templates_only,
            Some(_) => true,
        };
        if !valid {
            if flags.ignore_auxiliary_failure {
                continue;
            }
            let q = if kind.is_some() {
                changes.push(Change::new(ChangeKind::Error(Errno::EIDRM), &dst, Some(&n)));
                Errno::EIDRM
            } else {
                changes.push(Change::new(ChangeKind::Error(Errno::EUCLEAN), &dst, None));
                Errno::EUCLEAN
            };
            if r.is_ok() {
                r = Err(q);
            }
            continue;
        }
        let mut link = String::with_capacity(config.as_str().len() + dst.len() + n.len() + 10);
        for part in [config.as_str(), "/", &dst, suffix, "/", &n] {
            link.push_str(part);
        }
        let link = Utf8PathBuf::from(link);
        let q = create_symlink(ctx, &path, &link, true, changes);
        if (q.is_err() && r.is_ok()) || r == Ok(0) {
            r = q;
        }
        if unit_exists(ctx, &dst) == Ok(false) {
            let host = ctx.host(&path);
            changes.push(Change::new(
                ChangeKind::DestinationNotPresent,
                &dst,
                Some(&host),
            ));
        }
    }
    r
}

fn symlink_link(
    ctx: &mut Ctx<'_>,
    i: usize,
    config: &Utf8Path,
    force: bool,
    changes: &mut Vec<Change>,
) -> Result<i32, Errno> {
    let path = ctx.info(i).path.clone().unwrap_or_default();
    let dir = parent(&path);
    // `same_path` for each search directory, with `dir` checked for plainness once (and the
    // search directories once per context).
    let dir_plain = super::fsutil::plain_path(dir.as_str());
    let lp = ctx.lp;
    let plain = ctx.search_dirs_plain();
    if lp.search_path().iter().zip(plain).any(|(d, &d_plain)| {
        if dir_plain && d_plain {
            d.path.as_str() == dir.as_str()
        } else {
            d.path == dir
        }
    }) {
        return Ok(0);
    }
    let link = join(config, &ctx.info(i).name);
    create_symlink(ctx, &path, &link, force, changes)
}

/// `install_info_apply()`: the number of rules applied for entry `i` (0 or 1), or an error.
fn apply_one(
    ctx: &mut Ctx<'_>,
    i: usize,
    config: &Utf8Path,
    flags: ApplyFlags,
    changes: &mut Vec<Change>,
) -> Result<i32, Errno> {
    if ctx.info(i).mode != Some(Mode::Regular) {
        return Ok(0);
    }
    symlink_link(ctx, i, config, flags.force, changes)?;
    let mut r = symlink_aliases(ctx, i, config, flags.force, changes);
    let q = symlink_wants(ctx, i, config, false, flags, changes);
    if r == Ok(0) {
        r = q;
    }
    let q = symlink_wants(ctx, i, config, true, flags, changes);
    if r == Ok(0) {
        r = q;
    }
    r
}

/// `install_context_apply()`: processes every entry not processed yet, in order.
pub fn apply_all(
    ctx: &mut Ctx<'_>,
    config: &Utf8Path,
    search: Search,
    flags: ApplyFlags,
    changes: &mut Vec<Change>,
) -> Result<i32, Errno> {
    let mut r: Result<i32, Errno> = Ok(0);
    while let Some(i) = ctx.next_unprocessed() {
        if let Err(q) = ctx.traverse(i, search) {
            let name = ctx.info(i).name.clone();
            if ctx.info(i).auxiliary {
                changes.push(Change::new(ChangeKind::AuxiliaryFailed, &name, None));
                continue;
            }
            changes.push(Change::new(ChangeKind::Error(q), &name, None));
            return Err(q);
        }
        match ctx.info(i).mode {
            Some(Mode::Masked) => {
                let host = ctx.host(&ctx.info(i).path.clone().unwrap_or_default());
                changes.push(Change::new(ChangeKind::IsMasked, &host, None));
                if let Ok(n) = r {
                    r = Ok(n + 1);
                }
                continue;
            }
            Some(Mode::Regular) => {}
            _ => continue,
        }
        let q = apply_one(ctx, i, config, flags, changes);
        if let Ok(n) = r {
            r = match q {
                Err(e) => Err(e),
                Ok(m) => Ok(n + m),
            };
        }
    }
    r
}

/// `install_context_mark_for_removal()`: looks every entry up (so that `Also=` units join) and
/// marks the names to remove.
pub fn mark_for_removal(
    ctx: &mut Ctx<'_>,
    set: &mut RemoveSet,
    changes: &mut Vec<Change>,
) -> Result<(), Errno> {
    while let Some(i) = ctx.next_unprocessed() {
        let r = ctx.traverse(i, Search::LOAD_FOLLOW);
        let info = ctx.info(i).clone();
        let where_ = match &info.path {
            Some(p) => ctx.host(p),
            None => info.name.clone(),
        };
        match r {
            Err(Errno::ENOLINK) => {
                changes.push(Change::new(ChangeKind::IsDangling, &where_, None));
            }
            Err(Errno::ENOENT) => {
                if !info.auxiliary {
                    changes.push(Change::new(ChangeKind::Error(Errno::ENOENT), &where_, None));
                }
            }
            Err(e) => {
                changes.push(Change::new(ChangeKind::Error(e), &where_, None));
            }
            Ok(_) => match info.mode {
                Some(Mode::Masked) => {
                    changes.push(Change::new(ChangeKind::IsMasked, &where_, None));
                    continue;
                }
                Some(Mode::Regular) => {}
                _ => continue,
            },
        }
        set.insert(info.name.clone());
    }
    Ok(())
}
