//! The backend conformance suite (test support, hidden from the docs).
//!
//! One set of checks, each a function taking `&dyn FileSystem` (a fresh, empty backend), that every
//! [`FileSystem`] must pass. [`fs_conformance!`](crate::fs_conformance) turns them into `#[test]`s
//! for a backend factory (the idea of rust-vfs's `test_vfs!`); `engine/tests/fs_conformance.rs`
//! instantiates it for [`MemFs`] and for a [`DirFs`] on a fresh temporary directory, and later
//! crates can certify their own backends the same way (they need `proptest` as a dev-dependency).
//!
//! The checks panic on failure, like tests do; nothing here is used by the engine itself.

use super::{
    copy_tree, resolve, DirEntry, DirFs, FileKind, FileSystem, Follow, FsError, MemFs, Resolved,
    Target, MAX_FILE_SIZE, MAX_SYMLINK_HOPS,
};
use camino::{Utf8Path, Utf8PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Something that owns a backend under test (the backend plus whatever keeps it alive).
pub trait Fixture {
    /// The backend.
    fn fs(&self) -> &dyn FileSystem;
}

impl Fixture for MemFs {
    fn fs(&self) -> &dyn FileSystem {
        self
    }
}

impl Fixture for DirFs {
    fn fs(&self) -> &dyn FileSystem {
        self
    }
}

/// A temporary host directory, removed (with everything below it) when dropped.
#[derive(Debug)]
pub struct ScratchDir {
    path: Utf8PathBuf,
}

static SCRATCH_COUNTER: AtomicU64 = AtomicU64::new(0);

impl ScratchDir {
    /// Creates a fresh empty directory under the system's temporary directory.
    pub fn new(tag: &str) -> ScratchDir {
        let base =
            Utf8PathBuf::from_path_buf(std::env::temp_dir()).expect("the temp dir path is UTF-8");
        let count = SCRATCH_COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path = base.join(format!(
            "unitlab-{tag}-{}-{count}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir(&path).unwrap_or_else(|e| panic!("creating {path}: {e}"));
        // Like MemFs's root, whatever the umask (the differential tests compare modes).
        let mode = <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o755);
        std::fs::set_permissions(&path, mode).unwrap_or_else(|e| panic!("chmod {path}: {e}"));
        ScratchDir { path }
    }

    /// Its host path.
    pub fn path(&self) -> &Utf8Path {
        &self.path
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// A [`DirFs`] on a fresh [`ScratchDir`].
#[derive(Debug)]
pub struct ScratchFs {
    /// The backend, rooted at `dir`.
    pub fs: DirFs,
    /// The directory (removed on drop, after `fs`).
    pub dir: ScratchDir,
}

impl ScratchFs {
    /// A `DirFs` on a new empty temporary directory.
    pub fn new() -> ScratchFs {
        let dir = ScratchDir::new("dirfs");
        let fs = DirFs::new(dir.path()).expect("a fresh temp dir is a valid root");
        ScratchFs { fs, dir }
    }
}

impl Default for ScratchFs {
    fn default() -> Self {
        ScratchFs::new()
    }
}

impl Fixture for ScratchFs {
    fn fs(&self) -> &dyn FileSystem {
        &self.fs
    }
}

fn p(s: &str) -> &Utf8Path {
    Utf8Path::new(s)
}

fn ok<T>(result: Result<T, FsError>, what: &str) -> T {
    result.unwrap_or_else(|e| panic!("{what}: unexpected error: {e} ({e:?})"))
}

/// Asserts that `$e` is `Err` matching `$pat`.
macro_rules! assert_err {
    ($e:expr, $pat:pat) => {{
        let what = stringify!($e);
        match $e {
            Err(ref err @ $pat) => {
                let _ = err;
            }
            Err(other) => panic!("{what}: expected {}, got {other:?}", stringify!($pat)),
            Ok(value) => panic!("{what}: expected {}, got Ok({value:?})", stringify!($pat)),
        }
    }};
}

fn mkdir(fs: &dyn FileSystem, path: &str) {
    ok(fs.create_dir_all(p(path)), path);
}

fn write(fs: &dyn FileSystem, path: &str, data: &str) {
    if let Some(idx) = path.rfind('/').filter(|i| *i > 0) {
        mkdir(fs, &path[..idx]);
    }
    ok(fs.write_atomic(p(path), data.as_bytes()), path);
}

fn link(fs: &dyn FileSystem, path: &str, target: &str) {
    if let Some(idx) = path.rfind('/').filter(|i| *i > 0) {
        mkdir(fs, &path[..idx]);
    }
    ok(fs.symlink(p(target), p(path)), path);
}

fn kind(fs: &dyn FileSystem, path: &str) -> Option<FileKind> {
    match fs.lstat(p(path)) {
        Ok(meta) => Some(meta.kind),
        Err(FsError::NotFound { .. }) => None,
        Err(e) => panic!("lstat {path}: {e}"),
    }
}

fn names(fs: &dyn FileSystem, path: &str) -> Vec<String> {
    ok(fs.read_dir(p(path)), path)
        .into_iter()
        .map(|e| e.name)
        .collect()
}

/// A canonical listing of the tree below `path`: one line per object with its kind, mode (not for
/// symlinks) and contents or target text; sizes of directories and times are left out.
pub fn listing(fs: &dyn FileSystem, path: &Utf8Path) -> Vec<String> {
    let mut out = Vec::new();
    list_into(fs, path, &mut out);
    out
}

fn list_into(fs: &dyn FileSystem, path: &Utf8Path, out: &mut Vec<String>) {
    let meta = ok(fs.lstat(path), path.as_str());
    match meta.kind {
        FileKind::Dir => {
            out.push(format!("{path} dir {:o}", meta.mode));
            for DirEntry { name, .. } in ok(fs.read_dir(path), path.as_str()) {
                list_into(fs, &super::path::child(path, &name), out);
            }
        }
        FileKind::File => {
            let data = ok(fs.read(path, MAX_FILE_SIZE), path.as_str());
            out.push(format!(
                "{path} file {:o} {:?}",
                meta.mode,
                String::from_utf8_lossy(&data)
            ));
        }
        FileKind::Symlink => {
            out.push(format!(
                "{path} -> {}",
                ok(fs.read_link(path), path.as_str())
            ));
        }
        other => out.push(format!("{path} {other:?} {:o}", meta.mode)),
    }
}

// ---------------------------------------------------------------------------------------------
// Trait methods
// ---------------------------------------------------------------------------------------------

/// `lstat` reports kinds without following, sizes of files and links, modes, and the errors.
pub fn lstat_reports_kinds(fs: &dyn FileSystem) {
    write(fs, "/d/f", "hello");
    link(fs, "/l", "d");
    link(fs, "/abs", "/d");
    let root = ok(fs.lstat(p("/")), "/");
    assert_eq!(root.kind, FileKind::Dir);
    let file = ok(fs.lstat(p("/d/f")), "/d/f");
    assert_eq!(
        (file.kind, file.size, file.mode),
        (FileKind::File, 5, 0o644)
    );
    let dir = ok(fs.lstat(p("/d")), "/d");
    assert_eq!((dir.kind, dir.mode), (FileKind::Dir, 0o755));
    let l = ok(fs.lstat(p("/l")), "/l");
    assert_eq!((l.kind, l.size), (FileKind::Symlink, 1));
    let abs = ok(fs.lstat(p("/abs")), "/abs");
    assert_eq!((abs.kind, abs.size), (FileKind::Symlink, 2));
    assert_err!(fs.lstat(p("/nothing")), FsError::NotFound { .. });
    assert_err!(fs.lstat(p("/nothing/x")), FsError::NotFound { .. });
    assert_err!(fs.lstat(p("/d/f/x")), FsError::NotADirectory { .. });
    // Following /l would find /d/f: backends must refuse instead.
    match fs.lstat(p("/l/f")) {
        Err(FsError::SymlinkInPath { path, component }) => {
            assert_eq!((path.as_str(), component.as_str()), ("/l/f", "/l"));
        }
        other => panic!("lstat /l/f: expected SymlinkInPath, got {other:?}"),
    }
    assert_err!(fs.lstat(p("/abs/f")), FsError::SymlinkInPath { .. });
}

/// `read` returns contents up to the limit and refuses directories, symlinks and big files.
pub fn read_respects_limits(fs: &dyn FileSystem) {
    write(fs, "/d/ten", "0123456789");
    write(fs, "/d/empty", "");
    link(fs, "/l", "d/ten");
    link(fs, "/dl", "d");
    assert_eq!(ok(fs.read(p("/d/ten"), 10), "limit 10"), b"0123456789");
    assert_eq!(
        ok(fs.read(p("/d/ten"), MAX_FILE_SIZE), "default limit"),
        b"0123456789"
    );
    assert_eq!(ok(fs.read(p("/d/empty"), 0), "empty"), b"");
    match fs.read(p("/d/ten"), 9) {
        Err(FsError::TooLarge { path, size, limit }) => {
            assert_eq!((path.as_str(), size, limit), ("/d/ten", 10, 9));
        }
        other => panic!("read limit 9: expected TooLarge, got {other:?}"),
    }
    assert_err!(fs.read(p("/d"), 10), FsError::IsADirectory { .. });
    assert_err!(fs.read(p("/"), 10), FsError::IsADirectory { .. });
    assert_err!(fs.read(p("/l"), 10), FsError::IsASymlink { .. });
    assert_err!(fs.read(p("/d/none"), 10), FsError::NotFound { .. });
    assert_err!(fs.read(p("/dl/ten"), 10), FsError::SymlinkInPath { .. });
    assert_err!(fs.read(p("/d/ten/x"), 10), FsError::NotADirectory { .. });
}

/// `read_link` gives the target text verbatim.
pub fn read_link_is_verbatim(fs: &dyn FileSystem) {
    mkdir(fs, "/d");
    let targets = [
        "../../x//y/./",
        "/abs/olute",
        "relative.service",
        "with space",
        "/dev/null",
        "..",
        "line\nbreak",
        "ünïcödé",
    ];
    for (i, target) in targets.iter().enumerate() {
        let path = format!("/d/l{i}");
        link(fs, &path, target);
        assert_eq!(ok(fs.read_link(p(&path)), &path), *target);
        assert_eq!(
            ok(fs.lstat(p(&path)), &path).size,
            target.len() as u64,
            "{path} size"
        );
    }
    write(fs, "/d/f", "x");
    link(fs, "/dl", "d");
    assert_err!(fs.read_link(p("/d/f")), FsError::NotASymlink { .. });
    assert_err!(fs.read_link(p("/d")), FsError::NotASymlink { .. });
    assert_err!(fs.read_link(p("/d/none")), FsError::NotFound { .. });
    assert_err!(fs.read_link(p("/dl/l0")), FsError::SymlinkInPath { .. });
}

/// `read_links` gives, name by name, exactly what `read_link` gives: targets of every shape, a
/// file, a directory, a missing name, names that are not plain (`..`, `a/b`), and the whole list
/// in a missing directory, below a file, and below a symlinked directory.
pub fn read_links_equals_read_link(fs: &dyn FileSystem) {
    let targets = [
        "/lib/systemd/system/a.service",
        "/dev/null",
        "../x/../y",
        "b.service",
        "ünï",
    ];
    for (i, target) in targets.iter().enumerate() {
        link(fs, &format!("/etc/l{i}"), target);
    }
    write(fs, "/etc/f", "x");
    mkdir(fs, "/etc/sub");
    link(fs, "/etc/sub/deep", "/deep");
    link(fs, "/etcl", "etc");
    let names = [
        "l0", "l1", "missing", "l2", "f", "sub", "l3", "..", ".", "sub/deep", "l4", "l0",
    ];
    for dir in ["/etc", "/etc/sub", "/nowhere", "/etc/f", "/etcl", "/"] {
        let together = fs.read_links(p(dir), &names);
        assert_eq!(together.len(), names.len(), "{dir}");
        for (name, got) in names.iter().zip(together) {
            let one = Utf8PathBuf::from(format!("{}/{name}", dir.trim_end_matches('/')));
            let want = match crate::fs::check_path(&one) {
                Ok(()) => fs.read_link(&one),
                Err(e) => Err(e),
            };
            assert_eq!(format!("{got:?}"), format!("{want:?}"), "{dir} {name}");
        }
    }
}

/// A directory that was used (its entries read, listed, stat'ed) and is then replaced through
/// the backend by a symlink or a file is not used any more: operations below it see the
/// replacement (a symlink in the path, not a directory), never the old directory or the link's
/// target.
pub fn replaced_directories_are_not_reused(fs: &dyn FileSystem) {
    write(fs, "/a/b/f", "old");
    link(fs, "/a/b/l", "target");
    write(fs, "/elsewhere/b/f", "elsewhere");
    link(fs, "/elsewhere/b/l", "other");
    assert_eq!(ok(fs.read(p("/a/b/f"), 64), "read"), b"old");
    assert_eq!(ok(fs.read_link(p("/a/b/l")), "read_link"), "target");
    assert_eq!(names(fs, "/a/b"), ["f", "l"]);
    // Replaced by a symlink to a directory with the same names.
    ok(fs.remove_dir_all(p("/a")), "remove_dir_all");
    link(fs, "/a", "elsewhere");
    assert_err!(fs.read(p("/a/b/f"), 64), FsError::SymlinkInPath { .. });
    assert_err!(fs.read_link(p("/a/b/l")), FsError::SymlinkInPath { .. });
    assert_err!(fs.lstat(p("/a/b/f")), FsError::SymlinkInPath { .. });
    assert_err!(fs.read_dir(p("/a/b")), FsError::SymlinkInPath { .. });
    assert_err!(fs.read_dir(p("/a")), FsError::NotADirectory { .. });
    let links = fs.read_links(p("/a/b"), &["l"]);
    assert!(
        matches!(links.as_slice(), [Err(FsError::SymlinkInPath { .. })]),
        "{links:?}"
    );
    // Renamed away, then replaced by a file.
    write(fs, "/c/d/f", "c");
    assert_eq!(ok(fs.read(p("/c/d/f"), 64), "read"), b"c");
    ok(fs.rename(p("/c"), p("/moved")), "rename");
    write(fs, "/c", "a file now");
    assert_err!(fs.read(p("/c/d/f"), 64), FsError::NotADirectory { .. });
    assert_err!(fs.lstat(p("/c/d/f")), FsError::NotADirectory { .. });
    assert_eq!(ok(fs.read(p("/moved/d/f"), 64), "read moved"), b"c");
    // Removed: not found, even though it was used before.
    ok(fs.remove_dir_all(p("/moved")), "remove moved");
    assert_err!(fs.read(p("/moved/d/f"), 64), FsError::NotFound { .. });
    assert_err!(fs.read_link(p("/moved/d/f")), FsError::NotFound { .. });
    assert_err!(fs.read_dir(p("/moved/d")), FsError::NotFound { .. });
}

/// Many directories used in turn (more than a backend might keep open at once), each read twice,
/// interleaved: every answer stays right.
pub fn many_directories_stay_consistent(fs: &dyn FileSystem) {
    const N: usize = 300;
    for i in 0..N {
        write(fs, &format!("/many/d{i}/f"), &format!("contents {i}"));
        link(fs, &format!("/many/d{i}/l"), &format!("target{i}"));
    }
    for round in 0..2 {
        for i in (0..N).rev().chain(0..N) {
            let d = format!("/many/d{i}");
            assert_eq!(
                ok(fs.read(p(&format!("{d}/f")), 64), &d),
                format!("contents {i}").as_bytes(),
                "round {round}"
            );
            assert_eq!(
                ok(fs.read_link(p(&format!("{d}/l"))), &d),
                format!("target{i}")
            );
            assert_eq!(
                ok(fs.lstat(p(&format!("{d}/f"))), &d).size,
                format!("contents {i}").len() as u64
            );
            assert_err!(fs.lstat(p(&format!("{d}/none"))), FsError::NotFound { .. });
        }
        assert_eq!(names(fs, "/many").len(), N);
    }
}

/// `read_dir` lists names and kinds sorted by name, and only works on real directories.
pub fn read_dir_lists_sorted_entries(fs: &dyn FileSystem) {
    write(fs, "/d/b", "");
    write(fs, "/d/a.service", "");
    mkdir(fs, "/d/c.wants");
    link(fs, "/d/A", "b");
    write(fs, "/d/a@.service", "");
    mkdir(fs, "/empty");
    link(fs, "/dl", "d");
    let entries = ok(fs.read_dir(p("/d")), "/d");
    let expected = [
        ("A", FileKind::Symlink),
        ("a.service", FileKind::File),
        ("a@.service", FileKind::File),
        ("b", FileKind::File),
        ("c.wants", FileKind::Dir),
    ];
    let got: Vec<(&str, FileKind)> = entries.iter().map(|e| (e.name.as_str(), e.kind)).collect();
    assert_eq!(got, expected);
    assert!(ok(fs.read_dir(p("/empty")), "/empty").is_empty());
    assert_eq!(names(fs, "/"), ["d", "dl", "empty"]);
    assert_err!(fs.read_dir(p("/d/b")), FsError::NotADirectory { .. });
    assert_err!(fs.read_dir(p("/dl")), FsError::NotADirectory { .. });
    assert_err!(fs.read_dir(p("/none")), FsError::NotFound { .. });
    assert_err!(fs.read_dir(p("/dl/c.wants")), FsError::SymlinkInPath { .. });

    // `read_dir_metadata`: the same listing, each entry with what `lstat` says about it.
    write(fs, "/d/b", "four");
    let with_meta = ok(fs.read_dir_metadata(p("/d")), "/d");
    let listed: Vec<DirEntry> = with_meta.iter().map(|(e, _)| e.clone()).collect();
    assert_eq!(listed, ok(fs.read_dir(p("/d")), "/d"));
    for (entry, meta) in &with_meta {
        let path = format!("/d/{}", entry.name);
        let lstat = ok(fs.lstat(p(&path)), &path);
        assert_eq!(
            (meta.kind, meta.size, meta.mode),
            (lstat.kind, lstat.size, lstat.mode),
            "{path}"
        );
        assert_eq!(meta.kind, entry.kind, "{path}");
    }
    assert!(with_meta.iter().any(|(e, m)| e.name == "b" && m.size == 4));
    assert!(ok(fs.read_dir_metadata(p("/empty")), "/empty").is_empty());
    assert_err!(
        fs.read_dir_metadata(p("/d/b")),
        FsError::NotADirectory { .. }
    );
    assert_err!(
        fs.read_dir_metadata(p("/dl")),
        FsError::NotADirectory { .. }
    );
    assert_err!(fs.read_dir_metadata(p("/none")), FsError::NotFound { .. });
    assert_err!(
        fs.read_dir_metadata(p("/dl/c.wants")),
        FsError::SymlinkInPath { .. }
    );
}

/// `create_dir_all` creates missing levels, accepts existing directories, never follows links.
pub fn create_dir_all_rules(fs: &dyn FileSystem) {
    ok(fs.create_dir_all(p("/")), "/");
    ok(fs.create_dir_all(p("/x/y/z")), "/x/y/z");
    ok(fs.create_dir_all(p("/x/y/z")), "again");
    ok(fs.create_dir_all(p("/x/y")), "prefix");
    assert_eq!(kind(fs, "/x/y/z"), Some(FileKind::Dir));
    assert_eq!(ok(fs.lstat(p("/x/y/z")), "mode").mode, 0o755);
    write(fs, "/x/f", "");
    assert_err!(fs.create_dir_all(p("/x/f")), FsError::AlreadyExists { .. });
    assert_err!(
        fs.create_dir_all(p("/x/f/g")),
        FsError::NotADirectory { .. }
    );
    mkdir(fs, "/target");
    link(fs, "/x/l", "/target");
    assert_err!(fs.create_dir_all(p("/x/l")), FsError::AlreadyExists { .. });
    assert_err!(
        fs.create_dir_all(p("/x/l/new")),
        FsError::SymlinkInPath { .. }
    );
    assert!(
        names(fs, "/target").is_empty(),
        "nothing may be created through the link"
    );
}

/// `symlink` stores any target text and refuses to replace anything.
pub fn symlink_rules(fs: &dyn FileSystem) {
    mkdir(fs, "/d");
    ok(
        fs.symlink(p("/does/not/exist"), p("/d/dangling")),
        "dangling",
    );
    assert_eq!(kind(fs, "/d/dangling"), Some(FileKind::Symlink));
    write(fs, "/d/f", "");
    for existing in ["/d/f", "/d", "/d/dangling"] {
        assert_err!(
            fs.symlink(p("x"), p(existing)),
            FsError::AlreadyExists { .. }
        );
    }
    assert_err!(fs.symlink(p("x"), p("/")), FsError::AlreadyExists { .. });
    assert_err!(fs.symlink(p("x"), p("/none/l")), FsError::NotFound { .. });
    assert_err!(
        fs.symlink(p("x"), p("/d/f/l")),
        FsError::NotADirectory { .. }
    );
    link(fs, "/dl", "d");
    assert_err!(
        fs.symlink(p("x"), p("/dl/l")),
        FsError::SymlinkInPath { .. }
    );
    assert_eq!(kind(fs, "/d/l"), None);
    assert_err!(
        fs.symlink(p(""), p("/d/empty")),
        FsError::InvalidPath { .. }
    );
    assert_err!(
        fs.symlink(p("a\0b"), p("/d/nul")),
        FsError::InvalidPath { .. }
    );
}

/// `remove_file` removes non-directories (a symlink, never its target).
pub fn remove_file_rules(fs: &dyn FileSystem) {
    write(fs, "/d/f", "keep");
    link(fs, "/d/l", "f");
    link(fs, "/dl", "d");
    ok(fs.remove_file(p("/d/l")), "/d/l");
    assert_eq!(kind(fs, "/d/l"), None);
    assert_eq!(ok(fs.read(p("/d/f"), 10), "target kept"), b"keep");
    assert_err!(fs.remove_file(p("/dl/f")), FsError::SymlinkInPath { .. });
    ok(fs.remove_file(p("/dl")), "/dl");
    assert_eq!(kind(fs, "/d/f"), Some(FileKind::File));
    assert_err!(fs.remove_file(p("/d")), FsError::IsADirectory { .. });
    assert_err!(fs.remove_file(p("/d/none")), FsError::NotFound { .. });
    assert_err!(fs.remove_file(p("/")), FsError::InvalidPath { .. });
    ok(fs.remove_file(p("/d/f")), "/d/f");
    assert!(names(fs, "/d").is_empty());
}

/// `remove_dir` removes empty directories only.
pub fn remove_dir_rules(fs: &dyn FileSystem) {
    write(fs, "/full/f", "");
    mkdir(fs, "/empty");
    link(fs, "/el", "empty");
    assert_err!(fs.remove_dir(p("/full")), FsError::DirectoryNotEmpty { .. });
    assert_err!(fs.remove_dir(p("/full/f")), FsError::NotADirectory { .. });
    assert_err!(fs.remove_dir(p("/el")), FsError::NotADirectory { .. });
    assert_err!(fs.remove_dir(p("/none")), FsError::NotFound { .. });
    assert_err!(fs.remove_dir(p("/")), FsError::InvalidPath { .. });
    ok(fs.remove_dir(p("/empty")), "/empty");
    assert_eq!(kind(fs, "/empty"), None);
    assert_eq!(kind(fs, "/full/f"), Some(FileKind::File));
}

/// `remove_dir_all` removes a tree without following symlinks out of it.
pub fn remove_dir_all_rules(fs: &dyn FileSystem) {
    write(fs, "/keep/file", "k");
    write(fs, "/tree/a/b/c", "");
    link(fs, "/tree/a/out", "/keep");
    link(fs, "/tree/rel", "../keep");
    link(fs, "/kl", "keep");
    ok(fs.remove_dir_all(p("/tree")), "/tree");
    assert_eq!(kind(fs, "/tree"), None);
    assert_eq!(names(fs, "/keep"), ["file"]);
    assert_err!(
        fs.remove_dir_all(p("/kl/file")),
        FsError::SymlinkInPath { .. }
    );
    ok(fs.remove_dir_all(p("/kl")), "a symlink is removed itself");
    assert_eq!(kind(fs, "/kl"), None);
    assert_eq!(names(fs, "/keep"), ["file"]);
    ok(fs.remove_dir_all(p("/keep/file")), "a file");
    assert!(names(fs, "/keep").is_empty());
    assert_err!(fs.remove_dir_all(p("/none")), FsError::NotFound { .. });
    assert_err!(fs.remove_dir_all(p("/")), FsError::InvalidPath { .. });
}

/// `write_atomic` creates or replaces a regular file (mode 0644), replacing a symlink itself.
pub fn write_atomic_rules(fs: &dyn FileSystem) {
    mkdir(fs, "/d");
    ok(fs.write_atomic(p("/d/f"), b"one"), "create");
    assert_eq!(ok(fs.read(p("/d/f"), 10), "read"), b"one");
    ok(fs.set_mode(p("/d/f"), 0o600), "chmod");
    ok(fs.write_atomic(p("/d/f"), b"two!"), "replace");
    let meta = ok(fs.lstat(p("/d/f")), "lstat");
    assert_eq!(
        (meta.kind, meta.size, meta.mode),
        (FileKind::File, 4, 0o644)
    );
    ok(fs.write_atomic(p("/d/empty"), b""), "empty");
    assert_eq!(ok(fs.read(p("/d/empty"), 0), "read empty"), b"");
    link(fs, "/d/l", "f");
    ok(fs.write_atomic(p("/d/l"), b"new"), "over a symlink");
    assert_eq!(kind(fs, "/d/l"), Some(FileKind::File));
    assert_eq!(ok(fs.read(p("/d/f"), 10), "target untouched"), b"two!");
    assert_eq!(
        names(fs, "/d"),
        ["empty", "f", "l"],
        "no temporary files are left"
    );
    assert_err!(fs.write_atomic(p("/d"), b""), FsError::IsADirectory { .. });
    assert_err!(fs.write_atomic(p("/"), b""), FsError::IsADirectory { .. });
    assert_err!(fs.write_atomic(p("/none/f"), b""), FsError::NotFound { .. });
    assert_err!(
        fs.write_atomic(p("/d/f/x"), b""),
        FsError::NotADirectory { .. }
    );
    link(fs, "/dl", "d");
    assert_err!(
        fs.write_atomic(p("/dl/g"), b""),
        FsError::SymlinkInPath { .. }
    );
    assert_eq!(names(fs, "/d"), ["empty", "f", "l"]);
}

/// `rename` follows POSIX `rename(2)` on the last components.
pub fn rename_rules(fs: &dyn FileSystem) {
    write(fs, "/a/f", "f");
    ok(fs.rename(p("/a/f"), p("/a/g")), "file");
    assert_eq!(
        (kind(fs, "/a/f"), ok(fs.read(p("/a/g"), 9), "g")),
        (None, b"f".to_vec())
    );
    write(fs, "/a/h", "h");
    ok(fs.rename(p("/a/h"), p("/a/g")), "over a file");
    assert_eq!(ok(fs.read(p("/a/g"), 9), "g"), b"h");
    link(fs, "/a/rel", "g");
    ok(
        fs.rename(p("/a/rel"), p("/b.link")),
        "a symlink moves verbatim",
    );
    assert_eq!(ok(fs.read_link(p("/b.link")), "link"), "g");
    write(fs, "/a/t", "t");
    link(fs, "/a/l", "t");
    ok(fs.rename(p("/a/g"), p("/a/l")), "over a symlink");
    assert_eq!(kind(fs, "/a/l"), Some(FileKind::File));
    assert_eq!(ok(fs.read(p("/a/t"), 9), "t"), b"t");
    write(fs, "/dir/sub/x", "x");
    ok(fs.rename(p("/dir"), p("/moved")), "a directory");
    assert_eq!(ok(fs.read(p("/moved/sub/x"), 9), "moved"), b"x");
    mkdir(fs, "/emptydir");
    ok(
        fs.rename(p("/moved"), p("/emptydir")),
        "over an empty directory",
    );
    assert_eq!(names(fs, "/emptydir"), ["sub"]);
    write(fs, "/full/y", "");
    assert_err!(
        fs.rename(p("/emptydir"), p("/full")),
        FsError::DirectoryNotEmpty { .. }
    );
    assert_err!(
        fs.rename(p("/a/t"), p("/full")),
        FsError::IsADirectory { .. }
    );
    assert_err!(
        fs.rename(p("/full"), p("/a/t")),
        FsError::NotADirectory { .. }
    );
    assert_err!(
        fs.rename(p("/emptydir"), p("/emptydir/sub/in")),
        FsError::InvalidPath { .. }
    );
    assert_err!(fs.rename(p("/none"), p("/x")), FsError::NotFound { .. });
    assert_err!(fs.rename(p("/a/t"), p("/none/x")), FsError::NotFound { .. });
    assert_err!(fs.rename(p("/a/t"), p("/")), FsError::InvalidPath { .. });
    assert_err!(fs.rename(p("/"), p("/x")), FsError::InvalidPath { .. });
    ok(fs.rename(p("/a/t"), p("/a/t")), "onto itself");
    assert_eq!(ok(fs.read(p("/a/t"), 9), "t"), b"t");
    link(fs, "/al", "a");
    assert_err!(
        fs.rename(p("/al/t"), p("/t")),
        FsError::SymlinkInPath { .. }
    );
    assert_err!(
        fs.rename(p("/a/t"), p("/al/t2")),
        FsError::SymlinkInPath { .. }
    );
    assert_eq!(names(fs, "/a"), ["l", "t"]);
}

/// `set_mode` changes permission bits of files and directories, never through a symlink.
pub fn set_mode_rules(fs: &dyn FileSystem) {
    write(fs, "/d/f", "");
    link(fs, "/d/l", "f");
    match fs.set_mode(p("/d/f"), 0o600) {
        Err(FsError::Unsupported { .. }) => return,
        other => ok(other, "chmod file"),
    }
    assert_eq!(ok(fs.lstat(p("/d/f")), "f").mode, 0o600);
    ok(fs.set_mode(p("/d/f"), 0o4755), "setuid bit");
    assert_eq!(ok(fs.lstat(p("/d/f")), "f").mode, 0o4755);
    ok(fs.set_mode(p("/d"), 0o700), "chmod dir");
    assert_eq!(ok(fs.lstat(p("/d")), "d").mode, 0o700);
    assert_err!(fs.set_mode(p("/d/l"), 0o600), FsError::IsASymlink { .. });
    assert_eq!(ok(fs.lstat(p("/d/f")), "f").mode, 0o4755);
    assert_err!(fs.set_mode(p("/d/none"), 0o600), FsError::NotFound { .. });
    ok(fs.set_mode(p("/d"), 0o755), "restore");
}

/// `create_char_device` is optional; where supported, a device is listed, never read, and
/// removed like a file.
pub fn char_device_rules(fs: &dyn FileSystem) {
    mkdir(fs, "/dev");
    match fs.create_char_device(p("/dev/null")) {
        Err(FsError::Unsupported { op, path }) => {
            assert_eq!((op, path.as_str()), ("create_char_device", "/dev/null"));
            assert_eq!(
                kind(fs, "/dev/null"),
                None,
                "an unsupported call changes nothing"
            );
            return;
        }
        other => ok(other, "create_char_device"),
    }
    assert_eq!(kind(fs, "/dev/null"), Some(FileKind::CharDevice));
    let entries = ok(fs.read_dir(p("/dev")), "/dev");
    assert_eq!(
        entries,
        [DirEntry {
            name: "null".into(),
            kind: FileKind::CharDevice
        }]
    );
    assert_err!(fs.read(p("/dev/null"), 10), FsError::NotARegularFile { .. });
    assert_err!(
        fs.create_char_device(p("/dev/null")),
        FsError::AlreadyExists { .. }
    );
    assert_err!(
        fs.create_char_device(p("/none/null")),
        FsError::NotFound { .. }
    );
    let r = res(fs, "/dev/null");
    assert_eq!(
        (r.path.as_str(), r.target.kind()),
        ("/dev/null", Some(FileKind::CharDevice))
    );
    ok(fs.remove_file(p("/dev/null")), "remove the device");
    assert_eq!(kind(fs, "/dev/null"), None);
}

/// Modification times never go backwards when a file is replaced.
pub fn modified_time_moves_forward(fs: &dyn FileSystem) {
    write(fs, "/f", "1");
    let before = ok(fs.lstat(p("/f")), "f").modified_ns;
    write(fs, "/f", "2");
    let after = ok(fs.lstat(p("/f")), "f").modified_ns;
    assert!(after >= before, "{after} < {before}");
}

/// Paths that break the contract are [`FsError::InvalidPath`] for every method.
pub fn path_contract_is_enforced(fs: &dyn FileSystem) {
    write(fs, "/a/b", "x");
    mkdir(fs, "/d");
    for bad in [
        "",
        "a",
        "a/b",
        "/a/../a/b",
        "/a/./b",
        "/a//b",
        "/a/",
        "//",
        "/a/b\0",
        "/..",
        "/.",
    ] {
        let b = p(bad);
        let good = p("/d/new");
        macro_rules! invalid {
            ($e:expr) => {
                match $e {
                    Err(FsError::InvalidPath { .. }) => {}
                    other => panic!(
                        "{} with {bad:?}: expected InvalidPath, got {other:?}",
                        stringify!($e)
                    ),
                }
            };
        }
        invalid!(fs.lstat(b));
        invalid!(fs.read(b, 10));
        invalid!(fs.read_link(b));
        invalid!(fs.read_dir(b));
        invalid!(fs.create_dir_all(b));
        invalid!(fs.symlink(p("x"), b));
        invalid!(fs.remove_file(b));
        invalid!(fs.remove_dir(b));
        invalid!(fs.remove_dir_all(b));
        invalid!(fs.write_atomic(b, b"x"));
        invalid!(fs.rename(b, good));
        invalid!(fs.rename(p("/a/b"), b));
        invalid!(fs.set_mode(b, 0o644));
    }
    assert_eq!(names(fs, "/"), ["a", "d"]);
    assert_eq!(names(fs, "/a"), ["b"]);
    assert!(names(fs, "/d").is_empty());
}

// ---------------------------------------------------------------------------------------------
// resolve
// ---------------------------------------------------------------------------------------------

fn res(fs: &dyn FileSystem, path: &str) -> Resolved {
    ok(resolve(fs, p(path), Follow::Yes), path)
}

fn res_kind(fs: &dyn FileSystem, path: &str) -> (String, Option<FileKind>, usize) {
    let r = res(fs, path);
    (r.path.into_string(), r.target.kind(), r.hops)
}

/// The layout of a typical root used by the resolve checks: a unit under `/usr/lib`, the merged
/// `/usr` links of Debian, and masks of every form (reference §3.3).
fn unit_tree(fs: &dyn FileSystem) {
    write(fs, "/usr/lib/systemd/system/a.service", "[Unit]\n");
    mkdir(fs, "/etc/systemd/system");
    link(fs, "/lib", "usr/lib");
}

/// Relative targets continue from the link's directory, absolute ones are re-rooted.
pub fn resolve_relative_and_absolute_targets(fs: &dyn FileSystem) {
    unit_tree(fs);
    link(
        fs,
        "/etc/systemd/system/abs.service",
        "/usr/lib/systemd/system/a.service",
    );
    link(
        fs,
        "/etc/systemd/system/rel.service",
        "../../../usr/lib/systemd/system/a.service",
    );
    link(fs, "/etc/systemd/system/same.service", "a.service");
    write(fs, "/etc/systemd/system/a.service", "");
    let unit = "/usr/lib/systemd/system/a.service";
    assert_eq!(
        res_kind(fs, "/etc/systemd/system/abs.service"),
        (unit.into(), Some(FileKind::File), 1)
    );
    assert_eq!(
        res_kind(fs, "/etc/systemd/system/rel.service"),
        (unit.into(), Some(FileKind::File), 1)
    );
    assert_eq!(
        res_kind(fs, "/etc/systemd/system/same.service"),
        (
            "/etc/systemd/system/a.service".into(),
            Some(FileKind::File),
            1
        )
    );
    // no links: the path itself, 0 hops
    assert_eq!(res_kind(fs, unit), (unit.into(), Some(FileKind::File), 0));
    assert_eq!(res_kind(fs, "/"), ("/".into(), Some(FileKind::Dir), 0));
    // the input need not be normal
    assert_eq!(
        res_kind(fs, "//usr/./lib/../lib/systemd/system/a.service").0,
        unit
    );
    assert_err!(
        resolve(fs, p("usr/lib"), Follow::Yes),
        FsError::InvalidPath { .. }
    );
    assert_err!(
        resolve(fs, p("/usr\0"), Follow::Yes),
        FsError::InvalidPath { .. }
    );
}

/// `..` never climbs above the root, in the path or in link targets.
pub fn resolve_dotdot_is_clamped_at_root(fs: &dyn FileSystem) {
    unit_tree(fs);
    link(
        fs,
        "/etc/systemd/system/up.service",
        "../../../../../../../../usr/lib/systemd/system/a.service",
    );
    link(fs, "/etc/up", "/../../..");
    let unit = "/usr/lib/systemd/system/a.service";
    assert_eq!(res_kind(fs, "/etc/systemd/system/up.service").0, unit);
    assert_eq!(
        res_kind(fs, "/../../usr/lib/systemd/system/a.service").0,
        unit
    );
    assert_eq!(
        res_kind(fs, "/etc/up"),
        ("/".into(), Some(FileKind::Dir), 1)
    );
    assert_eq!(
        res_kind(fs, "/etc/up/usr/lib/systemd/system/a.service").0,
        unit
    );
    assert_eq!(res_kind(fs, "/.."), ("/".into(), Some(FileKind::Dir), 0));
}

/// Symlinked directories are followed in parent components (`/lib -> usr/lib`), and `..` after a
/// symlinked directory applies to the link's target (physical resolution, like the kernel).
pub fn resolve_symlinked_directories(fs: &dyn FileSystem) {
    unit_tree(fs);
    link(fs, "/etc/sys", "/usr/lib/systemd/system");
    write(fs, "/usr/lib/systemd/x", "");
    let unit = "/usr/lib/systemd/system/a.service";
    assert_eq!(
        res_kind(fs, "/lib/systemd/system/a.service"),
        (unit.into(), Some(FileKind::File), 1)
    );
    assert_eq!(
        res_kind(fs, "/etc/sys/a.service"),
        (unit.into(), Some(FileKind::File), 1)
    );
    assert_eq!(
        res_kind(fs, "/etc/sys/../x"),
        ("/usr/lib/systemd/x".into(), Some(FileKind::File), 1)
    );
    assert_eq!(
        res_kind(fs, "/etc/sys"),
        ("/usr/lib/systemd/system".into(), Some(FileKind::Dir), 1)
    );
    let r = ok(
        resolve(fs, p("/lib/systemd/system/a.service"), Follow::No),
        "Follow::No",
    );
    assert_eq!(
        (r.path.as_str(), r.target.kind()),
        (unit, Some(FileKind::File))
    );
}

/// `Follow::No` stops at a final symlink but still follows parents.
pub fn resolve_follow_no_stops_at_final_link(fs: &dyn FileSystem) {
    unit_tree(fs);
    link(fs, "/usr/lib/systemd/system/b.service", "a.service");
    let r = ok(
        resolve(fs, p("/lib/systemd/system/b.service"), Follow::No),
        "Follow::No",
    );
    assert_eq!(r.path, "/usr/lib/systemd/system/b.service");
    assert_eq!((r.target.kind(), r.hops), (Some(FileKind::Symlink), 1));
    match r.target {
        Target::Exists(meta) => assert_eq!(meta.size, "a.service".len() as u64),
        other => panic!("expected Exists, got {other:?}"),
    }
    let r = res(fs, "/lib/systemd/system/b.service");
    assert_eq!(
        (r.path.as_str(), r.hops),
        ("/usr/lib/systemd/system/a.service", 2)
    );
    // a final /dev/null link is not a mask with Follow::No: it is just a link
    link(fs, "/etc/systemd/system/m.service", "/dev/null");
    let r = ok(
        resolve(fs, p("/etc/systemd/system/m.service"), Follow::No),
        "mask, Follow::No",
    );
    assert_eq!(r.target.kind(), Some(FileKind::Symlink));
}

/// Chains are followed; loops and chains of [`MAX_SYMLINK_HOPS`] links fail with TooManyLinks.
pub fn resolve_chains_and_loops(fs: &dyn FileSystem) {
    write(fs, "/end", "end");
    // /c0 -> /c1 -> ... -> /c{n-1} -> /end: resolving /c{k} follows n-k links.
    let n = MAX_SYMLINK_HOPS;
    for i in 0..n {
        let target = if i + 1 == n {
            "end".to_owned()
        } else {
            format!("c{}", i + 1)
        };
        link(fs, &format!("/c{i}"), &target);
    }
    // 31 links: the most systemd's chase_symlinks() follows (CHASE_SYMLINKS_MAX = 32, decremented
    // before each link, ELOOP when it reaches zero).
    let r = res(fs, "/c1");
    assert_eq!(
        (r.path.as_str(), r.hops, r.target.kind()),
        ("/end", n - 1, Some(FileKind::File))
    );
    // 32 links: ELOOP
    match resolve(fs, p("/c0"), Follow::Yes) {
        Err(FsError::TooManyLinks { path }) => assert_eq!(path, "/c0"),
        other => panic!("32 links: expected TooManyLinks, got {other:?}"),
    }
    // with Follow::No the final link is not followed, so /c0 is fine
    assert_eq!(ok(resolve(fs, p("/c0"), Follow::No), "c0").hops, 0);
    link(fs, "/loop1", "loop2");
    link(fs, "/loop2", "/loop1");
    link(fs, "/self", "self");
    link(fs, "/dirloop", "dirloop/x");
    for path in ["/loop1", "/loop2/x", "/self", "/dirloop"] {
        assert_err!(
            resolve(fs, p(path), Follow::Yes),
            FsError::TooManyLinks { .. }
        );
    }
    // a loop in a parent component fails even with Follow::No
    assert_err!(
        resolve(fs, p("/loop1/x"), Follow::No),
        FsError::TooManyLinks { .. }
    );
}

/// Links to `/dev/null` in every form are masks, found without following them (reference §3.3).
pub fn resolve_dev_null_forms(fs: &dyn FileSystem) {
    unit_tree(fs);
    let masks = [
        ("m1.service", "/dev/null"),
        ("m2.service", "../../../../dev/null"),
        ("m3.service", "/usr/../dev/null"),
        ("m4.service", "../../../dev/null"),
        ("m5.service", "//dev/./null"),
        ("m6.service", "../../../../../../dev/null"),
    ];
    for (name, target) in masks {
        link(fs, &format!("/etc/systemd/system/{name}"), target);
    }
    link(fs, "/etc/systemd/system/via.service", "m2.service");
    link(fs, "/usr/lib/systemd/system/x.service", "/dev/null");
    for (name, _) in masks.iter().chain(
        [
            ("via.service", ""),
            ("../../../lib/systemd/system/x.service", ""),
        ]
        .iter(),
    ) {
        let path = format!("/etc/systemd/system/{name}");
        let r = res(fs, &path);
        assert_eq!(
            (r.path.as_str(), r.target),
            ("/dev/null", Target::DevNull),
            "{path}"
        );
    }
    assert_eq!(res(fs, "/etc/systemd/system/via.service").hops, 2);
    // not /dev/null: /dev/nullx, /dev/null/x, a link whose target only looks similar
    link(fs, "/etc/systemd/system/n1.service", "/dev/nullx");
    link(fs, "/etc/systemd/system/n2.service", "/dev/null/x");
    link(fs, "/etc/systemd/system/n3.service", "dev/null");
    for (name, expected) in [
        ("n1.service", "/dev/nullx"),
        ("n2.service", "/dev/null/x"),
        ("n3.service", "/etc/systemd/system/dev/null"),
    ] {
        let r = res(fs, &format!("/etc/systemd/system/{name}"));
        assert_eq!(
            (r.path.as_str(), r.target),
            (expected, Target::Missing),
            "{name}"
        );
    }
    // a real character device reached by resolution is reported as such (MemFs can make one)
    if fs
        .create_char_device(p("/etc/systemd/system/dev.service"))
        .is_ok()
    {
        link(fs, "/etc/systemd/system/tochar.service", "dev.service");
        let r = res(fs, "/etc/systemd/system/tochar.service");
        assert_eq!(r.target.kind(), Some(FileKind::CharDevice));
    }
}

/// Dangling links and missing tails give `Target::Missing` with the completed path.
pub fn resolve_missing_targets(fs: &dyn FileSystem) {
    unit_tree(fs);
    link(
        fs,
        "/etc/systemd/system/d.service",
        "/nonexistent/x.service",
    );
    link(fs, "/etc/systemd/system/r.service", "nothere.service");
    link(fs, "/etc/systemd/system/dd", "/opt/dir");
    let cases = [
        ("/etc/systemd/system/d.service", "/nonexistent/x.service", 1),
        (
            "/etc/systemd/system/r.service",
            "/etc/systemd/system/nothere.service",
            1,
        ),
        ("/usr/lib/nothere/a/b", "/usr/lib/nothere/a/b", 0),
        ("/lib/nothere/./a//b", "/usr/lib/nothere/a/b", 1),
        ("/etc/systemd/system/dd/y", "/opt/dir/y", 1),
    ];
    for (path, expected, hops) in cases {
        let r = res(fs, path);
        assert_eq!(
            (r.path.as_str(), r.target, r.hops),
            (expected, Target::Missing, hops),
            "{path}"
        );
    }
    // a missing component followed by `..` cannot be completed (systemd: ENOENT)
    assert_err!(
        resolve(fs, p("/usr/nothere/../lib"), Follow::Yes),
        FsError::NotFound { .. }
    );
}

/// A regular file used as a directory is NotADirectory.
pub fn resolve_file_as_directory(fs: &dyn FileSystem) {
    unit_tree(fs);
    link(
        fs,
        "/etc/systemd/system/f",
        "/usr/lib/systemd/system/a.service",
    );
    for path in [
        "/usr/lib/systemd/system/a.service/x",
        "/usr/lib/systemd/system/a.service/..",
        "/etc/systemd/system/f/x",
        "/lib/systemd/system/a.service/x/y",
    ] {
        assert_err!(
            resolve(fs, p(path), Follow::Yes),
            FsError::NotADirectory { .. }
        );
    }
}

// ---------------------------------------------------------------------------------------------
// copy_tree
// ---------------------------------------------------------------------------------------------

/// Copying from a [`MemFs`] into the backend and back reproduces the tree exactly.
pub fn copy_tree_round_trip(fs: &dyn FileSystem) {
    let src = MemFs::new();
    let build = |f: &dyn FileSystem| {
        write(
            f,
            "/src/etc/systemd/system/a.service",
            "[Unit]\nDescription=a\n",
        );
        write(f, "/src/etc/systemd/system/empty.service", "");
        link(f, "/src/etc/systemd/system/b.service", "a.service");
        link(f, "/src/etc/systemd/system/m.service", "/dev/null");
        link(
            f,
            "/src/etc/systemd/system/multi-user.target.wants/a.service",
            "../a.service",
        );
        link(f, "/src/lib", "usr/lib");
        link(f, "/src/dangling", "/no/where");
        mkdir(f, "/src/usr/lib/systemd/user");
        write(f, "/src/usr/lib/systemd/system/x.service", "x");
        ok(
            f.set_mode(p("/src/usr/lib/systemd/system/x.service"), 0o755),
            "chmod",
        );
    };
    build(&src);
    ok(copy_tree(&src, fs, p("/src")), "copy into the backend");
    assert_eq!(listing(fs, p("/src")), listing(&src, p("/src")));
    let back = MemFs::new();
    ok(copy_tree(fs, &back, p("/")), "copy back");
    assert_eq!(listing(&back, p("/src")), listing(&src, p("/src")));
    // copying again over the existing tree replaces files and links, merges directories
    ok(
        src.write_atomic(p("/src/etc/systemd/system/a.service"), b"changed"),
        "change",
    );
    ok(src.remove_file(p("/src/lib")), "unlink");
    ok(src.symlink(p("usr/lib64"), p("/src/lib")), "relink");
    ok(copy_tree(&src, fs, p("/src")), "copy again");
    assert_eq!(listing(fs, p("/src")), listing(&src, p("/src")));
    // a single file, with missing parents
    ok(
        copy_tree(&src, fs, p("/src/usr/lib/systemd/system/x.service")),
        "one file",
    );
    assert_err!(copy_tree(&src, fs, p("/none")), FsError::NotFound { .. });
}

// ---------------------------------------------------------------------------------------------
// Random trees (driven by proptest in the macro)
// ---------------------------------------------------------------------------------------------

/// The tiny universe of paths random trees are built from (so that operations collide).
pub const RANDOM_PATHS: &[&str] = &[
    "/a",
    "/b",
    "/a/b",
    "/a/c",
    "/b/a",
    "/c",
    "/a/b/c",
    "/c/a",
    "/dev",
    "/dev/null",
];

/// The tiny universe of link targets: relative, absolute, `..` above the root, `/dev/null` forms.
pub const RANDOM_TARGETS: &[&str] = &[
    "a",
    "b",
    "..",
    ".",
    "/",
    "../a",
    "../../..",
    "/a/b",
    "/c/a",
    "b/../c",
    "/dev/null",
    "../dev/null",
    "c/a/b",
    "/usr/../dev/null",
    "a/b/c/../../x",
    "/a/../../b",
    "c",
];

/// Extra queries beyond [`RANDOM_PATHS`]: non-normal and deeper paths.
pub const RANDOM_QUERIES: &[&str] = &[
    "/",
    "/a/b/../c",
    "/a/./b",
    "/a/b/c/d",
    "/../a",
    "/c/a/b/c",
    "/b/a/..",
];

/// Applies one random operation `(op, i, j)` (indices taken modulo the universes) to `fs` and
/// returns the outcome of each call made (`Ok` or the error's variant name), so that backends can
/// be compared call by call. Most random operations are meant to fail; none may panic.
pub fn apply_random_op(fs: &dyn FileSystem, (op, i, j): (u8, usize, usize)) -> Vec<String> {
    fn outcome<T>(r: Result<T, FsError>) -> String {
        match r {
            Ok(_) => "Ok".to_owned(),
            Err(e) => {
                let debug = format!("{e:?}");
                debug
                    .split([' ', '{'])
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            }
        }
    }
    let path = p(RANDOM_PATHS[i % RANDOM_PATHS.len()]);
    let other = p(RANDOM_PATHS[j % RANDOM_PATHS.len()]);
    let parent = path.parent().unwrap_or(p("/"));
    match op % 9 {
        0 => vec![outcome(fs.create_dir_all(path))],
        1 => vec![
            outcome(fs.create_dir_all(parent)),
            outcome(fs.write_atomic(path, path.as_str().as_bytes())),
        ],
        2 | 3 => vec![
            outcome(fs.create_dir_all(parent)),
            outcome(fs.symlink(p(RANDOM_TARGETS[j % RANDOM_TARGETS.len()]), path)),
        ],
        4 => vec![outcome(fs.remove_dir_all(path))],
        5 => vec![outcome(fs.rename(path, other))],
        6 => vec![outcome(fs.remove_file(path))],
        7 => vec![outcome(fs.remove_dir(path))],
        _ => vec![
            outcome(fs.set_mode(path, 0o700 | (j as u32 & 0o55))),
            outcome(fs.read(path, 4)),
            outcome(fs.read_link(path)),
            outcome(fs.read_dir(path)),
        ],
    }
}

/// Resolves every query of the universe in both modes and checks the invariants: no panic, only
/// the expected errors, results obey the path contract (never `..`), `Exists` results agree with
/// `lstat`, and resolution is deterministic. Returns a summary for comparing backends.
pub fn check_random_resolutions(fs: &dyn FileSystem) -> Vec<String> {
    let mut summary = Vec::new();
    for query in RANDOM_PATHS.iter().chain(RANDOM_QUERIES) {
        for follow in [Follow::Yes, Follow::No] {
            let first = resolve(fs, p(query), follow);
            let line = match &first {
                Ok(r) => {
                    assert!(
                        super::check_path(&r.path).is_ok(),
                        "{query}: result {} breaks the contract",
                        r.path
                    );
                    assert!(
                        !r.path.as_str().split('/').any(|c| c == ".."),
                        "{query}: {}",
                        r.path
                    );
                    assert!(r.hops < MAX_SYMLINK_HOPS, "{query}: {} hops", r.hops);
                    match r.target {
                        Target::Exists(meta) => {
                            let now = ok(fs.lstat(&r.path), r.path.as_str());
                            assert_eq!(now.kind, meta.kind, "{query}");
                            if follow == Follow::Yes {
                                assert_ne!(
                                    meta.kind,
                                    FileKind::Symlink,
                                    "{query}: followed to a symlink"
                                );
                            }
                        }
                        Target::DevNull => assert_eq!(r.path, "/dev/null"),
                        Target::Missing => {
                            assert!(
                                fs.lstat(&r.path).is_err(),
                                "{query}: Missing but {} exists",
                                r.path
                            )
                        }
                    }
                    format!(
                        "{query} {follow:?} -> {} {:?} {}",
                        r.path,
                        r.target.kind(),
                        r.hops
                    )
                }
                Err(
                    e @ (FsError::TooManyLinks { .. }
                    | FsError::NotADirectory { .. }
                    | FsError::NotFound { .. }),
                ) => {
                    format!("{query} {follow:?} -> error {}", e.strerror())
                }
                Err(e) => panic!("{query} {follow:?}: unexpected error {e:?}"),
            };
            let again = resolve(fs, p(query), follow);
            assert_eq!(
                format!("{first:?}"),
                format!("{again:?}"),
                "{query}: not deterministic"
            );
            let stepwise = super::resolve_stepwise(fs, p(query), follow);
            assert_eq!(
                format!("{first:?}"),
                format!("{stepwise:?}"),
                "{query}: the shortcut changed the result"
            );
            summary.push(line);
        }
    }
    summary
}

/// Instantiates the conformance suite for a backend factory: `fs_conformance!(name, || make())`
/// where `make()` returns a fresh, empty [`Fixture`] (`MemFs`, `ScratchFs`, ...). Needs
/// `proptest` in the calling crate.
#[doc(hidden)]
#[macro_export]
macro_rules! fs_conformance {
    ($name:ident, $make:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            $crate::__fs_conformance_cases!(
                $make;
                lstat_reports_kinds,
                read_respects_limits,
                read_link_is_verbatim,
                read_dir_lists_sorted_entries,
                read_links_equals_read_link,
                replaced_directories_are_not_reused,
                many_directories_stay_consistent,
                create_dir_all_rules,
                symlink_rules,
                remove_file_rules,
                remove_dir_rules,
                remove_dir_all_rules,
                write_atomic_rules,
                rename_rules,
                set_mode_rules,
                char_device_rules,
                modified_time_moves_forward,
                path_contract_is_enforced,
                resolve_relative_and_absolute_targets,
                resolve_dotdot_is_clamped_at_root,
                resolve_symlinked_directories,
                resolve_follow_no_stops_at_final_link,
                resolve_chains_and_loops,
                resolve_dev_null_forms,
                resolve_missing_targets,
                resolve_file_as_directory,
                copy_tree_round_trip,
            );

            ::proptest::proptest! {
                #![proptest_config(::proptest::prelude::ProptestConfig::with_cases(64))]
                /// Random trees of links over a tiny universe never make resolve panic or
                /// return a path with `..` (the failing case is printed by proptest).
                #[test]
                fn random_link_trees_resolve_sanely(
                    ops in ::proptest::collection::vec((0u8..9, 0usize..64, 0usize..64), 0..24)
                ) {
                    let fixture = ($make)();
                    let fs = $crate::fs::conformance::Fixture::fs(&fixture);
                    for op in &ops {
                        let _ = $crate::fs::conformance::apply_random_op(fs, *op);
                    }
                    $crate::fs::conformance::check_random_resolutions(fs);
                }
            }
        }
    };
}

/// Helper of [`fs_conformance!`](crate::fs_conformance): one `#[test]` per named check.
#[doc(hidden)]
#[macro_export]
macro_rules! __fs_conformance_cases {
    ($make:expr; $($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                let fixture = ($make)();
                $crate::fs::conformance::$case($crate::fs::conformance::Fixture::fs(&fixture));
            }
        )*
    };
}
