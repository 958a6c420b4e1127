//! Change records and errors as data (reference §4.0.3).
//!
//! Every install operation returns the list of [`Change`]s it produced, in the order systemd
//! produces them. A change is either an effect (a symlink created, a path removed), a notice
//! (a unit is masked, a dependency target is missing, ...) or an error attached to a path. The
//! operation's overall result is separate ([`Outcome::result`](super::Outcome::result)): error
//! records alone do not decide the exit status.
use std::fmt;

/// An errno value as systemd reports it, with its `strerror()` text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Errno {
    EPERM,
    ENOENT,
    ESRCH,
    EIO,
    ENXIO,
    ENOMEM,
    EACCES,
    EEXIST,
    EXDEV,
    ENOTDIR,
    EISDIR,
    EINVAL,
    ENOTTY,
    ETXTBSY,
    EFBIG,
    ENAMETOOLONG,
    ENOTEMPTY,
    ELOOP,
    EIDRM,
    EUNATCH,
    EBADE,
    EBADSLT,
    ENOLINK,
    EBADMSG,
    EBADFD,
    ENOBUFS,
    EOPNOTSUPP,
    EADDRNOTAVAIL,
    EUCLEAN,
    ENOMEDIUM,
    ERFKILL,
}

impl Errno {
    /// glibc's `strerror()` text for this errno.
    pub fn strerror(self) -> &'static str {
        use Errno::*;
        match self {
            EPERM => "Operation not permitted",
            ENOENT => "No such file or directory",
            ESRCH => "No such process",
            EIO => "Input/output error",
            ENXIO => "No such device or address",
            ENOMEM => "Cannot allocate memory",
            EACCES => "Permission denied",
            EEXIST => "File exists",
            EXDEV => "Invalid cross-device link",
            ENOTDIR => "Not a directory",
            EISDIR => "Is a directory",
            EINVAL => "Invalid argument",
            ENOTTY => "Inappropriate ioctl for device",
            ETXTBSY => "Text file busy",
            EFBIG => "File too large",
            ENAMETOOLONG => "File name too long",
            ENOTEMPTY => "Directory not empty",
            ELOOP => "Too many levels of symbolic links",
            EIDRM => "Identifier removed",
            EUNATCH => "Protocol driver not attached",
            EBADE => "Invalid exchange",
            EBADSLT => "Invalid slot",
            ENOLINK => "Link has been severed",
            EBADMSG => "Bad message",
            EBADFD => "File descriptor in bad state",
            ENOBUFS => "No buffer space available",
            EOPNOTSUPP => "Operation not supported",
            EADDRNOTAVAIL => "Cannot assign requested address",
            EUCLEAN => "Structure needs cleaning",
            ENOMEDIUM => "No medium found",
            ERFKILL => "Operation not possible due to RF-kill",
        }
    }

    /// The errno of a filesystem failure.
    pub fn from_fs(e: &crate::fs::FsError) -> Errno {
        use crate::fs::FsError as F;
        match e {
            F::NotFound { .. } => Errno::ENOENT,
            F::AlreadyExists { .. } => Errno::EEXIST,
            F::NotADirectory { .. } => Errno::ENOTDIR,
            F::IsADirectory { .. } => Errno::EISDIR,
            F::IsASymlink { .. } | F::SymlinkInPath { .. } | F::TooManyLinks { .. } => Errno::ELOOP,
            F::DirectoryNotEmpty { .. } => Errno::ENOTEMPTY,
            F::TooLarge { .. } => Errno::EFBIG,
            F::PermissionDenied { .. } => Errno::EACCES,
            F::Unsupported { .. } => Errno::EOPNOTSUPP,
            F::NotASymlink { .. } | F::InvalidPath { .. } | F::NonUtf8 { .. } => Errno::EINVAL,
            _ => match e.strerror() {
                "No such file or directory" => Errno::ENOENT,
                "Permission denied" => Errno::EACCES,
                "File exists" => Errno::EEXIST,
                "Invalid argument" => Errno::EINVAL,
                _ => Errno::EIO,
            },
        }
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.strerror())
    }
}

/// What a [`Change`] records. The variants mirror systemd's `InstallChangeType`: the positive
/// kinds first, then errors carried as their errno.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    /// A symlink was created at `path` pointing to `source` (the target text).
    Symlink,
    /// `path` was removed.
    Unlink,
    /// The unit at `path` is masked and was skipped.
    IsMasked,
    /// The unit `path` is masked by a generator and cannot be unmasked (`source` = mask path).
    IsMaskedGenerator,
    /// `path` is an alias whose target does not exist.
    IsDangling,
    /// The unit file `source` was added as a dependency of the missing unit `path`.
    DestinationNotPresent,
    /// The auxiliary (`Also=`) unit `path` could not be enabled.
    AuxiliaryFailed,
    /// An error concerning `path` (and sometimes `source`).
    Error(Errno),
}

/// One change record: a kind, a path and an optional source (reference §4.0.3 for what the two
/// fields hold per kind). Paths are host paths (with the root) where systemd prints them so;
/// symlink targets are root-relative.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Change {
    /// The kind of record.
    pub kind: ChangeKind,
    /// The path (or name) the record is about.
    pub path: String,
    /// The second operand, if any (symlink target, conflicting link target, unit name, ...).
    pub source: Option<String>,
}

impl Change {
    /// Builds a record; `path` and `source` are simplified like systemd's `path_simplify()`.
    pub fn new(kind: ChangeKind, path: &str, source: Option<&str>) -> Change {
        Change {
            kind,
            path: simplify(path),
            source: source.map(simplify),
        }
    }

    /// True for error records.
    pub fn is_error(&self) -> bool {
        matches!(self.kind, ChangeKind::Error(_))
    }
}

/// systemd's `path_simplify()`: drops duplicate slashes, `.` components and a trailing slash
/// (keeps `..`). Applied to plain names it changes nothing.
pub fn simplify(p: &str) -> String {
    if p.is_empty() {
        return String::new();
    }
    let absolute = p.starts_with('/');
    let parts: Vec<&str> = p
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    let mut out = String::new();
    if absolute {
        out.push('/');
    }
    out.push_str(&parts.join("/"));
    if out.is_empty() {
        // "." or "./": systemd keeps a single dot.
        out.push('.');
    }
    out
}
