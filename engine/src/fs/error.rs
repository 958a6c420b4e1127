use camino::Utf8PathBuf;

/// A hard filesystem failure. Every variant names the path involved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FsError {
    /// Nothing exists at the path (ENOENT).
    #[error("{path}: No such file or directory")]
    NotFound {
        /// The path inside the root.
        path: Utf8PathBuf,
    },
    /// Something already exists at the path (EEXIST).
    #[error("{path}: File exists")]
    AlreadyExists {
        /// The path inside the root.
        path: Utf8PathBuf,
    },
    /// A component that must be a directory is not one (ENOTDIR).
    #[error("{path}: Not a directory")]
    NotADirectory {
        /// The path inside the root.
        path: Utf8PathBuf,
    },
    /// A directory was found where a file was expected (EISDIR).
    #[error("{path}: Is a directory")]
    IsADirectory {
        /// The path inside the root.
        path: Utf8PathBuf,
    },
    /// `read_link` on something that is not a symlink (EINVAL).
    #[error("{path}: Not a symbolic link")]
    NotASymlink {
        /// The path inside the root.
        path: Utf8PathBuf,
    },
    /// `read` on a symlink: resolve it first.
    #[error("{path}: Is a symbolic link")]
    IsASymlink {
        /// The path inside the root.
        path: Utf8PathBuf,
    },
    /// `read` on something that is neither a regular file, a directory nor a symlink (a device,
    /// fifo or socket): the engine never reads those (a character device is a mask, reference §3.3).
    #[error("{path}: Not a regular file")]
    NotARegularFile {
        /// The path inside the root.
        path: Utf8PathBuf,
    },
    /// `remove_dir` on a directory with entries (ENOTEMPTY).
    #[error("{path}: Directory not empty")]
    DirectoryNotEmpty {
        /// The path inside the root.
        path: Utf8PathBuf,
    },
    /// A parent component of the path is a symlink; backends never follow those.
    #[error("{path}: component {component} is a symbolic link")]
    SymlinkInPath {
        /// The path asked for.
        path: Utf8PathBuf,
        /// The parent component that is a symlink.
        component: Utf8PathBuf,
    },
    /// Too many symlinks were followed while resolving (ELOOP).
    #[error("{path}: Too many levels of symbolic links")]
    TooManyLinks {
        /// The path being resolved.
        path: Utf8PathBuf,
    },
    /// A file is larger than the caller's limit (EFBIG).
    #[error("{path}: File too large ({size} bytes, limit {limit})")]
    TooLarge {
        /// The path inside the root.
        path: Utf8PathBuf,
        /// Its size.
        size: u64,
        /// The limit that was asked for.
        limit: u64,
    },
    /// The path breaks the path contract (relative, `..`, empty component, NUL).
    #[error("{path}: invalid path: {reason}")]
    InvalidPath {
        /// The offending path text.
        path: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// A file name or link target is not UTF-8.
    #[error("{path}: name or link target is not valid UTF-8")]
    NonUtf8 {
        /// The path (lossy for the non-UTF-8 part).
        path: String,
    },
    /// Permission was denied (EACCES/EPERM).
    #[error("{path}: Permission denied")]
    PermissionDenied {
        /// The path inside the root.
        path: Utf8PathBuf,
    },
    /// The backend does not support this operation.
    #[error("{path}: operation {op} is not supported by this backend")]
    Unsupported {
        /// The operation's name.
        op: &'static str,
        /// The path inside the root.
        path: Utf8PathBuf,
    },
    /// Any other I/O error from the real filesystem.
    #[error("{path}: {source}")]
    Io {
        /// The path inside the root.
        path: Utf8PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl FsError {
    /// The text `strerror()` gives for this error's errno, as systemd prints it
    /// (`No such file or directory`, `Too many levels of symbolic links`, ...).
    pub fn strerror(&self) -> &'static str {
        match self {
            FsError::NotFound { .. } => "No such file or directory",
            FsError::AlreadyExists { .. } => "File exists",
            FsError::NotADirectory { .. } => "Not a directory",
            FsError::IsADirectory { .. } => "Is a directory",
            FsError::NotASymlink { .. }
            | FsError::NotARegularFile { .. }
            | FsError::InvalidPath { .. }
            | FsError::NonUtf8 { .. } => "Invalid argument",
            FsError::IsASymlink { .. }
            | FsError::SymlinkInPath { .. }
            | FsError::TooManyLinks { .. } => "Too many levels of symbolic links",
            FsError::DirectoryNotEmpty { .. } => "Directory not empty",
            FsError::TooLarge { .. } => "File too large",
            FsError::PermissionDenied { .. } => "Permission denied",
            FsError::Unsupported { .. } => "Operation not supported",
            FsError::Io { source, .. } => io_strerror(source),
        }
    }

    /// The path the error is about (inside the root; for [`FsError::SymlinkInPath`] the path
    /// asked for, for [`FsError::InvalidPath`] and [`FsError::NonUtf8`] the offending text).
    pub fn path(&self) -> &str {
        match self {
            FsError::NotFound { path }
            | FsError::AlreadyExists { path }
            | FsError::NotADirectory { path }
            | FsError::IsADirectory { path }
            | FsError::NotASymlink { path }
            | FsError::IsASymlink { path }
            | FsError::NotARegularFile { path }
            | FsError::DirectoryNotEmpty { path }
            | FsError::SymlinkInPath { path, .. }
            | FsError::TooManyLinks { path }
            | FsError::TooLarge { path, .. }
            | FsError::PermissionDenied { path }
            | FsError::Unsupported { path, .. }
            | FsError::Io { path, .. } => path.as_str(),
            FsError::InvalidPath { path, .. } | FsError::NonUtf8 { path } => path,
        }
    }

    /// True for [`FsError::NotFound`].
    pub fn is_not_found(&self) -> bool {
        matches!(self, FsError::NotFound { .. })
    }
}

fn io_strerror(e: &std::io::Error) -> &'static str {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "No such file or directory",
        K::PermissionDenied => "Permission denied",
        K::AlreadyExists => "File exists",
        K::InvalidInput | K::InvalidData => "Invalid argument",
        K::Unsupported => "Operation not supported",
        _ => "Input/output error",
    }
}
