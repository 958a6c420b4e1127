//! Where a dependency came from: systemd's `UnitDependencyMask`, printed by `systemd --test` as
//! `origin-file`, `destination-default`, ... (reference §5.1).
use std::fmt;

/// A set of dependency sources. The bits are systemd's, in its order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DepMask(u16);

impl DepMask {
    /// No source.
    pub const NONE: DepMask = DepMask(0);
    /// A unit file setting (also `.wants/`/`.requires/` entries and exec-context implications).
    pub const FILE: DepMask = DepMask(1 << 0);
    /// Implied by the unit's type or name (a socket's service, a slice's parent).
    pub const IMPLICIT: DepMask = DepMask(1 << 1);
    /// `DefaultDependencies=yes`.
    pub const DEFAULT: DepMask = DepMask(1 << 2);
    /// udev properties.
    pub const UDEV: DepMask = DepMask(1 << 3);
    /// Path-based (automount/path).
    pub const PATH: DepMask = DepMask(1 << 4);
    /// A mount unit's file.
    pub const MOUNT_FILE: DepMask = DepMask(1 << 5);
    /// `/proc/self/mountinfo`.
    pub const MOUNTINFO: DepMask = DepMask(1 << 6);
    /// `/proc/swaps`.
    pub const PROC_SWAP: DepMask = DepMask(1 << 7);
    /// The slice assignment.
    pub const SLICE_PROPERTY: DepMask = DepMask(1 << 8);

    const NAMES: [(DepMask, &'static str); 9] = [
        (DepMask::FILE, "file"),
        (DepMask::IMPLICIT, "implicit"),
        (DepMask::DEFAULT, "default"),
        (DepMask::UDEV, "udev"),
        (DepMask::PATH, "path"),
        (DepMask::MOUNT_FILE, "mount-file"),
        (DepMask::MOUNTINFO, "mountinfo"),
        (DepMask::PROC_SWAP, "proc-swap"),
        (DepMask::SLICE_PROPERTY, "slice-property"),
    ];

    /// True if no bit is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// True if every bit of `other` is set.
    pub fn contains(self, other: DepMask) -> bool {
        self.0 & other.0 == other.0
    }

    /// The raw bits.
    pub fn bits(self) -> u16 {
        self.0
    }

    /// The names of the set bits in systemd's order (`file`, `implicit`, ...).
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        DepMask::NAMES
            .into_iter()
            .filter(move |(m, _)| self.contains(*m))
            .map(|(_, n)| n)
    }

    /// Parses one name (`file`, `slice-property`, ...).
    pub fn from_name(name: &str) -> Option<DepMask> {
        DepMask::NAMES
            .into_iter()
            .find(|(_, n)| *n == name)
            .map(|(m, _)| m)
    }
}

impl std::ops::BitOr for DepMask {
    type Output = DepMask;
    fn bitor(self, rhs: DepMask) -> DepMask {
        DepMask(self.0 | rhs.0)
    }
}

impl std::ops::BitOrAssign for DepMask {
    fn bitor_assign(&mut self, rhs: DepMask) {
        self.0 |= rhs.0;
    }
}

/// The sources of one stored dependency: `origin` = added by the unit itself, `destination` = added
/// by the other unit (as the inverse of its own dependency).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct DepInfo {
    /// Sources on this unit's side.
    pub origin: DepMask,
    /// Sources on the other unit's side.
    pub destination: DepMask,
}

impl fmt::Display for DepInfo {
    /// As the dump prints it inside the parentheses: `origin-file destination-default`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (side, mask) in [("origin", self.origin), ("destination", self.destination)] {
            for n in mask.names() {
                if !first {
                    f.write_str(" ")?;
                }
                first = false;
                write!(f, "{side}-{n}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The dump format of unit-serialize.c: origin bits first, then destination bits, in table order.
    #[test]
    fn display_like_the_dump() {
        let i = DepInfo {
            origin: DepMask::SLICE_PROPERTY | DepMask::FILE,
            destination: DepMask::DEFAULT,
        };
        assert_eq!(
            i.to_string(),
            "origin-file origin-slice-property destination-default"
        );
        assert_eq!(DepMask::from_name("mount-file"), Some(DepMask::MOUNT_FILE));
    }
}
