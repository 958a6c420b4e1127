//! A mount unit's own dependencies (`mount_add_non_exec_dependencies()`), for mount units with a
//! fragment in the system manager: the backing device, the parent mount point, the source path of
//! bind and loop mounts, and the default ordering against `local-fs.target`/`remote-fs.target`,
//! `umount.target` and, for tmpfs, `swap.target` (origin `mount-file`). Quota services and initrd
//! special cases are not modelled.
use super::build::{Loader, Manager};
use super::implicit::{require_mounts_for, setting, simplify};
use super::kind::DepKind;
use super::mask::DepMask;
use crate::name::{escape_path, name_from_path, UnitName, UnitType};

const NETWORK_FS: [&str; 14] = [
    "afs",
    "ceph",
    "cifs",
    "smb3",
    "smbfs",
    "sshfs",
    "ncpfs",
    "ncp",
    "nfs",
    "nfs4",
    "gfs",
    "gfs2",
    "glusterfs",
    "pvfs2",
];

fn has_option(options: &str, name: &str) -> bool {
    options
        .split(',')
        .any(|o| o == name || o.split_once('=').is_some_and(|(k, _)| k == name))
}

fn by_name(l: &mut Loader<'_>, id: &UnitName, kinds: &[DepKind], name: &str, mask: DepMask) {
    let _ = l.add_by_name(id, kinds, name, true, mask);
}

/// True if `path` is `prefix` or below it (whole components).
fn path_starts_with(path: &str, prefix: &str) -> bool {
    path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// `mount_is_extrinsic()`: mounts the manager does not manage itself (every mount of a user
/// manager; the OS's own `/`, `/usr`, `/etc`; the API file systems below `/proc`, `/sys`, `/dev`;
/// `/run/initramfs`; `x-initrd.mount` mounts outside the initrd). They get no default ordering and
/// live in `-.slice`.
pub(crate) fn is_extrinsic(manager: Manager, where_: &str, options: &str) -> bool {
    manager == Manager::User
        || ["/", "/usr", "/etc"].contains(&where_)
        || ["/run/initramfs", "/proc", "/sys", "/dev"]
            .iter()
            .any(|p| path_starts_with(where_, p))
        || has_option(options, "x-initrd.mount")
}

/// [`is_extrinsic`] for a mount unit of the graph (its `Where=`, else its name's path).
pub(crate) fn unit_is_extrinsic(l: &Loader<'_>, id: &UnitName) -> bool {
    let Some(where_) = setting(l, id, "Mount", "Where")
        .and_then(|w| simplify(&w))
        .or_else(|| id.to_path().ok().map(|p| p.to_string()))
    else {
        return l.graph.options.manager == Manager::User;
    };
    let options = setting(l, id, "Mount", "Options").unwrap_or_default();
    is_extrinsic(l.graph.options.manager, &where_, &options)
}

/// The mount unit's own dependencies.
pub(crate) fn extras(l: &mut Loader<'_>, id: &UnitName) {
    let Some(where_) = setting(l, id, "Mount", "Where")
        .and_then(|w| simplify(&w))
        .or_else(|| id.to_path().ok().map(|p| p.to_string()))
    else {
        return;
    };
    let what = setting(l, id, "Mount", "What").unwrap_or_default();
    let fstype = setting(l, id, "Mount", "Type").unwrap_or_default();
    let options = setting(l, id, "Mount", "Options").unwrap_or_default();
    let bind = has_option(&options, "bind")
        || has_option(&options, "rbind")
        || fstype == "bind"
        || fstype == "rbind";
    let loop_ = has_option(&options, "loop");
    let network = has_option(&options, "_netdev") || NETWORK_FS.contains(&fstype.as_str());
    let mask = DepMask::MOUNT_FILE;

    // The backing device.
    if !what.is_empty()
        && !bind
        && crate::name::is_device_path(&what)
        && what != "/dev/root"
        && what != "/dev/nfs"
        && where_ != "/"
    {
        let bound = has_option(&options, "x-systemd.device-bound");
        if let Ok(dev) = name_from_path(&what, UnitType::Device) {
            let kind = if bound {
                DepKind::BindsTo
            } else {
                DepKind::Requires
            };
            by_name(l, id, &[kind, DepKind::After], dev.as_str(), mask);
            if !bound {
                by_name(l, id, &[DepKind::StopPropagatedFrom], dev.as_str(), mask);
            }
        }
        if what.starts_with("/dev/") {
            if let Ok(escaped) = escape_path(&what) {
                by_name(
                    l,
                    id,
                    &[DepKind::After],
                    &format!("blockdev@{escaped}.target"),
                    mask,
                );
            }
        }
    }
    // The parent mount point, and the source of bind/loop/local mounts.
    if where_ != "/" {
        let parent = match where_.rfind('/') {
            Some(0) | None => "/".to_owned(),
            Some(i) => where_[..i].to_owned(),
        };
        require_mounts_for(l, id, &parent, DepMask::IMPLICIT);
    }
    if what.starts_with('/') && (bind || loop_ || !network) {
        require_mounts_for(l, id, &what, DepMask::FILE);
    }
    // Default ordering (not for extrinsic mounts).
    let default = l.node(id).default_dependencies;
    if !default || is_extrinsic(l.graph.options.manager, &where_, &options) {
        return;
    }
    let (after, before) = if network {
        ("remote-fs-pre.target", "remote-fs.target")
    } else {
        ("local-fs-pre.target", "local-fs.target")
    };
    if !has_option(&options, "nofail") {
        by_name(l, id, &[DepKind::Before], before, mask);
    }
    by_name(l, id, &[DepKind::After], after, mask);
    by_name(
        l,
        id,
        &[DepKind::Before, DepKind::Conflicts],
        "umount.target",
        mask,
    );
    if network {
        by_name(l, id, &[DepKind::After], "network.target", mask);
        by_name(
            l,
            id,
            &[DepKind::Wants, DepKind::After],
            "network-online.target",
            mask,
        );
    }
    if fstype == "tmpfs" {
        by_name(l, id, &[DepKind::After], "swap.target", mask);
    }
}
