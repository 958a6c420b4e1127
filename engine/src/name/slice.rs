//! Slice names (reference §2.4): the hierarchy is encoded with dashes, `a-b-c.slice` lives in
//! `a-b.slice`, which lives in `a.slice`, which lives in the root slice `-.slice`.

use super::{unit_name, NameKind, UnitName, UnitType};

/// The root slice.
pub const ROOT_SLICE: &str = "-.slice";

/// Whether `name` is a valid slice name (systemd's `slice_name_is_valid`): a valid plain name ending
/// in `.slice` that is `-.slice` or has no leading dash, no double dash and no trailing dash.
pub fn is_valid_slice_name(name: &str) -> bool {
    if unit_name::classify(name) != Some(NameKind::Plain) {
        return false;
    }
    if name == ROOT_SLICE {
        return true;
    }
    let Some(stem) = name.strip_suffix(".slice") else {
        return false;
    };
    !stem.starts_with('-') && !stem.ends_with('-') && !stem.contains("--")
}

/// The parent of a slice (systemd's `slice_build_parent_slice`): `a-b-c.slice` → `a-b.slice`,
/// `a.slice` → `-.slice`, `-.slice` → `None`; `None` also for names that are not valid slices.
pub fn slice_parent(name: &str) -> Option<UnitName> {
    if !is_valid_slice_name(name) || name == ROOT_SLICE {
        return None;
    }
    let parent = match name.rfind('-') {
        Some(dash) => format!("{}.{}", &name[..dash], UnitType::Slice),
        None => ROOT_SLICE.to_owned(),
    };
    UnitName::new(&parent).ok()
}

/// The child slice `name` of `slice` (systemd's `slice_build_subslice`): `a.slice` + `b` →
/// `a-b.slice`, `-.slice` + `b` → `b.slice`. `None` if `slice` is not a valid slice, `name` not a
/// valid prefix, or the result is too long.
pub fn slice_child(slice: &str, name: &str) -> Option<UnitName> {
    if !is_valid_slice_name(slice) || !unit_name::is_valid_prefix(name) {
        return None;
    }
    let child = if slice == ROOT_SLICE {
        format!("{name}.slice")
    } else {
        format!("{}-{name}.slice", slice.strip_suffix(".slice")?)
    };
    UnitName::new(&child).ok()
}
