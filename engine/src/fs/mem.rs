//! [`MemFs`]: a deterministic in-memory backend.
//!
//! The whole tree lives behind one `RwLock`, so a `MemFs` is `Send + Sync` and can be shared by
//! reference; `Clone` makes an independent deep copy (a cheap snapshot for tests and simulations).
//! Time is a logical clock: every mutation increments it and stamps the changed object *and* its
//! parent directory, so [`Metadata::modified_ns`] always grows when something changes, with no
//! dependence on the wall clock.

use super::fast_hash::FastBuildHasher;
use super::path::{check_path, components, is_within, split_last};
use super::{DirEntry, FileKind, FileSystem, FsError, Metadata};
use camino::{Utf8Path, Utf8PathBuf};
use std::collections::HashMap;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Default mode of regular files created by [`FileSystem::write_atomic`] and [`MemFs::add_file`].
const FILE_MODE: u32 = 0o644;
/// Default mode of directories.
const DIR_MODE: u32 = 0o755;
/// Mode reported for symlinks (as Linux does).
const SYMLINK_MODE: u32 = 0o777;
/// Mode of character devices created by [`MemFs::add_char_device`] (as `/dev/null` has).
const DEVICE_MODE: u32 = 0o666;

/// A directory's entries: name → object. Hashed (a lookup in a directory of 10,000 unit files
/// costs one hash and one comparison, where a search tree compared a dozen names); listings are
/// sorted when they are made.
type Entries = HashMap<String, Node, FastBuildHasher>;

/// A deterministic in-memory filesystem.
///
/// It holds regular files (bytes and mode), directories, symlinks (whose target text is kept
/// verbatim and never interpreted) and character devices (for `/dev/null` masks). It follows the
/// path contract of the [module docs](super) exactly like [`DirFs`](super::DirFs) does; the shared
/// conformance suite (`engine/tests/fs_conformance.rs`) checks that both agree.
///
/// [`read_dir`](FileSystem::read_dir) returns entries sorted by name (byte order). The size of a
/// directory is reported as 0.
///
/// ```
/// use unitlab_engine::fs::{resolve, Follow, FileSystem, MemFs, Target};
/// use camino::Utf8Path;
/// let fs = MemFs::new();
/// fs.add_file("/usr/lib/systemd/system/a.service", "[Unit]\n")?;
/// fs.add_symlink("/etc/systemd/system/b.service", "/usr/lib/systemd/system/a.service")?;
/// let r = resolve(&fs, Utf8Path::new("/etc/systemd/system/b.service"), Follow::Yes)?;
/// assert_eq!(r.path, "/usr/lib/systemd/system/a.service");
/// assert!(matches!(r.target, Target::Exists(_)));
/// # Ok::<(), unitlab_engine::fs::FsError>(())
/// ```
#[derive(Debug, Default)]
pub struct MemFs {
    tree: RwLock<Tree>,
}

#[derive(Clone, Debug)]
struct Tree {
    root: Node,
    /// The logical clock: the stamp of the latest mutation.
    clock: i128,
}

impl Default for Tree {
    fn default() -> Self {
        Tree {
            root: Node {
                kind: NodeKind::Dir(Entries::default()),
                mode: DIR_MODE,
                modified: 0,
            },
            clock: 0,
        }
    }
}

#[derive(Clone, Debug)]
struct Node {
    kind: NodeKind,
    mode: u32,
    modified: i128,
}

#[derive(Clone, Debug)]
enum NodeKind {
    File(Vec<u8>),
    Dir(Entries),
    Symlink(Utf8PathBuf),
    CharDevice,
}

impl Node {
    fn file_kind(&self) -> FileKind {
        match self.kind {
            NodeKind::File(_) => FileKind::File,
            NodeKind::Dir(_) => FileKind::Dir,
            NodeKind::Symlink(_) => FileKind::Symlink,
            NodeKind::CharDevice => FileKind::CharDevice,
        }
    }

    fn metadata(&self) -> Metadata {
        let size = match &self.kind {
            NodeKind::File(data) => data.len() as u64,
            NodeKind::Symlink(target) => target.as_str().len() as u64,
            NodeKind::Dir(_) | NodeKind::CharDevice => 0,
        };
        Metadata {
            kind: self.file_kind(),
            size,
            mode: self.mode,
            modified_ns: self.modified,
        }
    }
}

impl Clone for MemFs {
    /// A deep copy: later changes to either filesystem do not affect the other.
    fn clone(&self) -> Self {
        MemFs {
            tree: RwLock::new(self.read_tree().clone()),
        }
    }
}

/// Walks the *directory* `dir` (every component must be a directory) for an operation on `asked`.
fn walk<'a>(root: &'a Node, dir: &Utf8Path, asked: &Utf8Path) -> Result<&'a Entries, FsError> {
    let mut cur = root;
    for (depth, name) in components(dir).enumerate() {
        let NodeKind::Dir(entries) = &cur.kind else {
            return Err(FsError::NotADirectory {
                path: asked.to_owned(),
            });
        };
        cur = entries.get(name).ok_or_else(|| FsError::NotFound {
            path: asked.to_owned(),
        })?;
        check_parent_kind(cur, dir, depth, asked)?;
    }
    match &cur.kind {
        NodeKind::Dir(entries) => Ok(entries),
        _ => Err(FsError::NotADirectory {
            path: asked.to_owned(),
        }),
    }
}

/// Like [`walk`], mutably, returning the directory node itself (to stamp it).
fn walk_mut<'a>(
    root: &'a mut Node,
    dir: &Utf8Path,
    asked: &Utf8Path,
) -> Result<&'a mut Node, FsError> {
    let mut cur = root;
    for (depth, name) in components(dir).enumerate() {
        let NodeKind::Dir(entries) = &mut cur.kind else {
            return Err(FsError::NotADirectory {
                path: asked.to_owned(),
            });
        };
        cur = entries.get_mut(name).ok_or_else(|| FsError::NotFound {
            path: asked.to_owned(),
        })?;
        check_parent_kind(cur, dir, depth, asked)?;
    }
    match cur.kind {
        NodeKind::Dir(_) => Ok(cur),
        _ => Err(FsError::NotADirectory {
            path: asked.to_owned(),
        }),
    }
}

/// A parent component must be a directory: a symlink is [`FsError::SymlinkInPath`], anything
/// else [`FsError::NotADirectory`].
fn check_parent_kind(
    node: &Node,
    dir: &Utf8Path,
    depth: usize,
    asked: &Utf8Path,
) -> Result<(), FsError> {
    match node.kind {
        NodeKind::Dir(_) => Ok(()),
        NodeKind::Symlink(_) => {
            let component = components(dir)
                .take(depth + 1)
                .fold(String::new(), |mut acc, c| {
                    acc.push('/');
                    acc.push_str(c);
                    acc
                });
            Err(FsError::SymlinkInPath {
                path: asked.to_owned(),
                component: component.into(),
            })
        }
        NodeKind::File(_) | NodeKind::CharDevice => Err(FsError::NotADirectory {
            path: asked.to_owned(),
        }),
    }
}

fn entries_mut(dir: &mut Node) -> &mut Entries {
    match &mut dir.kind {
        NodeKind::Dir(entries) => entries,
        // walk_mut only ever returns directories.
        _ => unreachable!("walk_mut returned a non-directory"),
    }
}

/// Validates a symlink target text: any text but empty or containing NUL (which no real
/// filesystem can store).
pub(crate) fn check_link_target(target: &Utf8Path) -> Result<(), FsError> {
    if target.as_str().is_empty() {
        return Err(FsError::InvalidPath {
            path: String::new(),
            reason: "empty symlink target",
        });
    }
    if target.as_str().contains('\0') {
        return Err(FsError::InvalidPath {
            path: target.as_str().to_owned(),
            reason: "symlink target contains a NUL byte",
        });
    }
    Ok(())
}

fn root_refused(path: &Utf8Path, reason: &'static str) -> FsError {
    FsError::InvalidPath {
        path: path.as_str().to_owned(),
        reason,
    }
}

impl Tree {
    fn tick(&mut self) -> i128 {
        self.clock += 1;
        self.clock
    }

    /// `read_link(2)`: the target text of the symlink at `path`.
    fn read_link(&self, path: &Utf8Path) -> Result<Utf8PathBuf, FsError> {
        match &self.lookup(path)?.kind {
            NodeKind::Symlink(target) => Ok(target.clone()),
            _ => Err(FsError::NotASymlink {
                path: path.to_owned(),
            }),
        }
    }

    fn lookup(&self, path: &Utf8Path) -> Result<&Node, FsError> {
        match self.find(path.as_str()) {
            Some(node) => Ok(node),
            None => self.lookup_checked(path),
        }
    }

    /// The object at `text` if every component names an entry of a directory, in one pass over
    /// the text. A path that breaks the contract never succeeds here: its empty, `.` or `..`
    /// component (or one with a NUL byte) is no entry's name, since every name in the tree went
    /// through [`check_path`]; [`Tree::lookup_checked`] then gives the error.
    fn find(&self, text: &str) -> Option<&Node> {
        let mut rest = text.strip_prefix('/')?;
        let mut cur = &self.root;
        if rest.is_empty() {
            return Some(cur);
        }
        loop {
            let NodeKind::Dir(entries) = &cur.kind else {
                return None;
            };
            match rest.as_bytes().iter().position(|&b| b == b'/') {
                Some(cut) => {
                    cur = entries.get(&rest[..cut])?;
                    rest = &rest[cut + 1..];
                }
                None => return entries.get(rest),
            }
        }
    }

    /// [`Tree::lookup`] checking the path first and walking it component by component: the
    /// errors of a path that [`Tree::find`] did not resolve.
    fn lookup_checked(&self, path: &Utf8Path) -> Result<&Node, FsError> {
        check_path(path)?;
        let Some((parent, name)) = split_last(path) else {
            return Ok(&self.root);
        };
        walk(&self.root, parent, path)?
            .get(name)
            .ok_or_else(|| FsError::NotFound {
                path: path.to_owned(),
            })
    }

    /// Inserts `node` as the new object at `path` (whose parent must exist), stamping both.
    /// `replace` decides, given the existing object, whether it may be replaced.
    fn insert(
        &mut self,
        path: &Utf8Path,
        mut node: Node,
        replace: impl FnOnce(&Node) -> Result<(), FsError>,
    ) -> Result<(), FsError> {
        check_path(path)?;
        let Some((parent, name)) = split_last(path) else {
            replace(&self.root)?;
            return Err(FsError::AlreadyExists {
                path: path.to_owned(),
            });
        };
        let now = self.clock + 1;
        let dir = walk_mut(&mut self.root, parent, path)?;
        if let Some(existing) = entries_mut(dir).get(name) {
            replace(existing)?;
        }
        node.modified = now;
        dir.modified = now;
        entries_mut(dir).insert(name.to_owned(), node);
        self.clock = now;
        Ok(())
    }

    /// Removes and returns the object at `path` after `check` accepts it, stamping its parent.
    fn remove(
        &mut self,
        path: &Utf8Path,
        check: impl FnOnce(&Node) -> Result<(), FsError>,
    ) -> Result<Node, FsError> {
        check_path(path)?;
        let Some((parent, name)) = split_last(path) else {
            return Err(root_refused(path, "the root cannot be removed"));
        };
        let now = self.clock + 1;
        let dir = walk_mut(&mut self.root, parent, path)?;
        let existing = entries_mut(dir)
            .get(name)
            .ok_or_else(|| FsError::NotFound {
                path: path.to_owned(),
            })?;
        check(existing)?;
        dir.modified = now;
        self.clock = now;
        entries_mut(dir)
            .remove(name)
            .ok_or_else(|| FsError::NotFound {
                path: path.to_owned(),
            })
    }

    fn create_dir_all(&mut self, path: &Utf8Path) -> Result<(), FsError> {
        check_path(path)?;
        let count = components(path).count();
        let stamp = self.clock + 1;
        let mut changed = false;
        let mut cur = &mut self.root;
        let mut prefix = String::new();
        for (i, name) in components(path).enumerate() {
            prefix.push('/');
            prefix.push_str(name);
            let last = i + 1 == count;
            let NodeKind::Dir(entries) = &mut cur.kind else {
                return Err(FsError::NotADirectory {
                    path: path.to_owned(),
                });
            };
            if !entries.contains_key(name) {
                let dir = Node {
                    kind: NodeKind::Dir(Entries::default()),
                    mode: DIR_MODE,
                    modified: stamp,
                };
                entries.insert(name.to_owned(), dir);
                cur.modified = stamp;
                changed = true;
            }
            let NodeKind::Dir(entries) = &mut cur.kind else {
                return Err(FsError::NotADirectory {
                    path: path.to_owned(),
                });
            };
            cur = entries.get_mut(name).ok_or_else(|| FsError::NotFound {
                path: path.to_owned(),
            })?;
            match cur.kind {
                NodeKind::Dir(_) => {}
                NodeKind::Symlink(_) if !last => {
                    return Err(FsError::SymlinkInPath {
                        path: path.to_owned(),
                        component: prefix.into(),
                    })
                }
                NodeKind::File(_) | NodeKind::CharDevice if !last => {
                    return Err(FsError::NotADirectory {
                        path: path.to_owned(),
                    })
                }
                _ => {
                    return Err(FsError::AlreadyExists {
                        path: path.to_owned(),
                    })
                }
            }
        }
        if changed {
            self.clock = stamp;
        }
        Ok(())
    }
}

/// A directory's entries sorted by name (byte order, as `read_dir` lists them). The sort moves
/// small references and compares the names' first eight bytes as one big-endian word before
/// comparing whole names (no name has a NUL byte, so the zero padding of a short name sorts it
/// before its extensions, as the byte order does).
fn sorted(entries: &Entries) -> Vec<(u64, &str, &Node)> {
    let mut list: Vec<(u64, &str, &Node)> = entries
        .iter()
        .map(|(name, node)| {
            let mut word = [0u8; 8];
            let n = name.len().min(8);
            word[..n].copy_from_slice(&name.as_bytes()[..n]);
            (u64::from_be_bytes(word), name.as_str(), node)
        })
        .collect();
    list.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    list
}

impl MemFs {
    /// An empty filesystem: just the root directory `/` (mode 0755, clock 0).
    pub fn new() -> MemFs {
        MemFs::default()
    }

    fn read_tree(&self) -> RwLockReadGuard<'_, Tree> {
        // A poisoned lock means a panic elsewhere mid-operation; every operation leaves the tree
        // consistent before it can panic, so the data is still usable.
        self.tree
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write_tree(&self) -> RwLockWriteGuard<'_, Tree> {
        self.tree
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Creates (or replaces) the regular file `path` with `bytes` (mode 0644), creating missing
    /// parent directories.
    pub fn add_file(
        &self,
        path: impl AsRef<Utf8Path>,
        bytes: impl AsRef<[u8]>,
    ) -> Result<(), FsError> {
        let path = path.as_ref();
        self.create_parent(path)?;
        self.write_atomic(path, bytes.as_ref())
    }

    /// Creates the symlink `path` with target text `target` (verbatim), creating missing parent
    /// directories. Fails with [`FsError::AlreadyExists`] if `path` exists.
    pub fn add_symlink(
        &self,
        path: impl AsRef<Utf8Path>,
        target: impl AsRef<Utf8Path>,
    ) -> Result<(), FsError> {
        let path = path.as_ref();
        self.create_parent(path)?;
        self.symlink(target.as_ref(), path)
    }

    /// Creates the directory `path` and its missing parents (like [`FileSystem::create_dir_all`]).
    pub fn add_dir(&self, path: impl AsRef<Utf8Path>) -> Result<(), FsError> {
        self.create_dir_all(path.as_ref())
    }

    /// Creates a character device (such as `/dev/null`) at `path`, creating missing parents.
    pub fn add_char_device(&self, path: impl AsRef<Utf8Path>) -> Result<(), FsError> {
        let path = path.as_ref();
        self.create_parent(path)?;
        self.create_char_device(path)
    }

    /// The logical clock: the stamp of the latest mutation (0 for a fresh filesystem). Any
    /// change to the tree makes it grow.
    pub fn clock(&self) -> i128 {
        self.read_tree().clock
    }

    fn create_parent(&self, path: &Utf8Path) -> Result<(), FsError> {
        check_path(path)?;
        match split_last(path) {
            Some((parent, _)) => self.create_dir_all(parent).map_err(|e| match e {
                // Name the path the caller asked for.
                FsError::AlreadyExists { .. }
                    if self
                        .lstat(parent)
                        .is_ok_and(|m| m.kind == FileKind::Symlink) =>
                {
                    FsError::SymlinkInPath {
                        path: path.to_owned(),
                        component: parent.to_owned(),
                    }
                }
                FsError::NotADirectory { .. } | FsError::AlreadyExists { .. } => {
                    FsError::NotADirectory {
                        path: path.to_owned(),
                    }
                }
                FsError::SymlinkInPath { component, .. } => FsError::SymlinkInPath {
                    path: path.to_owned(),
                    component,
                },
                other => other,
            }),
            None => Ok(()),
        }
    }
}

impl FileSystem for MemFs {
    fn lstat(&self, path: &Utf8Path) -> Result<Metadata, FsError> {
        Ok(self.read_tree().lookup(path)?.metadata())
    }

    fn read(&self, path: &Utf8Path, limit: u64) -> Result<Vec<u8>, FsError> {
        let tree = self.read_tree();
        match &tree.lookup(path)?.kind {
            NodeKind::File(data) => {
                let size = data.len() as u64;
                if size > limit {
                    return Err(FsError::TooLarge {
                        path: path.to_owned(),
                        size,
                        limit,
                    });
                }
                Ok(data.clone())
            }
            NodeKind::Dir(_) => Err(FsError::IsADirectory {
                path: path.to_owned(),
            }),
            NodeKind::Symlink(_) => Err(FsError::IsASymlink {
                path: path.to_owned(),
            }),
            NodeKind::CharDevice => Err(FsError::NotARegularFile {
                path: path.to_owned(),
            }),
        }
    }

    fn read_link(&self, path: &Utf8Path) -> Result<Utf8PathBuf, FsError> {
        self.read_tree().read_link(path)
    }

    fn read_dir(&self, path: &Utf8Path) -> Result<Vec<DirEntry>, FsError> {
        match &self.read_tree().lookup(path)?.kind {
            NodeKind::Dir(entries) => Ok(sorted(entries)
                .into_iter()
                .map(|(_, name, node)| DirEntry {
                    name: name.to_owned(),
                    kind: node.file_kind(),
                })
                .collect()),
            _ => Err(FsError::NotADirectory {
                path: path.to_owned(),
            }),
        }
    }

    fn read_links(&self, dir: &Utf8Path, names: &[&str]) -> Vec<Result<Utf8PathBuf, FsError>> {
        // The directory is looked up once; a plain name found in it answers as `read_link` of
        // `dir/name` would (the same object). Anything else (the directory not found, a name that
        // is not one plain component, a missing entry) asks `read_link` for the precise error.
        let tree = self.read_tree();
        let entries = match tree.lookup(dir) {
            Ok(Node {
                kind: NodeKind::Dir(entries),
                ..
            }) => Some(entries),
            _ => None,
        };
        names
            .iter()
            .map(|&name| {
                let plain = !name.is_empty() && name != "." && name != ".." && !name.contains('/');
                match entries.filter(|_| plain).and_then(|e| e.get(name)) {
                    Some(Node {
                        kind: NodeKind::Symlink(target),
                        ..
                    }) => Ok(target.clone()),
                    Some(_) => Err(FsError::NotASymlink {
                        path: super::path::child(dir, name),
                    }),
                    None => tree.read_link(&super::path::child(dir, name)),
                }
            })
            .collect()
    }

    fn read_dir_metadata(&self, path: &Utf8Path) -> Result<Vec<(DirEntry, Metadata)>, FsError> {
        match &self.read_tree().lookup(path)?.kind {
            NodeKind::Dir(entries) => Ok(sorted(entries)
                .into_iter()
                .map(|(_, name, node)| {
                    let entry = DirEntry {
                        name: name.to_owned(),
                        kind: node.file_kind(),
                    };
                    (entry, node.metadata())
                })
                .collect()),
            _ => Err(FsError::NotADirectory {
                path: path.to_owned(),
            }),
        }
    }

    fn create_dir_all(&self, path: &Utf8Path) -> Result<(), FsError> {
        self.write_tree().create_dir_all(path)
    }

    fn symlink(&self, target: &Utf8Path, link: &Utf8Path) -> Result<(), FsError> {
        check_path(link)?;
        check_link_target(target)?;
        let node = Node {
            kind: NodeKind::Symlink(target.to_owned()),
            mode: SYMLINK_MODE,
            modified: 0,
        };
        self.write_tree().insert(link, node, |_| {
            Err(FsError::AlreadyExists {
                path: link.to_owned(),
            })
        })
    }

    fn remove_file(&self, path: &Utf8Path) -> Result<(), FsError> {
        self.write_tree()
            .remove(path, |node| match node.kind {
                NodeKind::Dir(_) => Err(FsError::IsADirectory {
                    path: path.to_owned(),
                }),
                _ => Ok(()),
            })
            .map(drop)
    }

    fn remove_dir(&self, path: &Utf8Path) -> Result<(), FsError> {
        self.write_tree()
            .remove(path, |node| match &node.kind {
                NodeKind::Dir(entries) if entries.is_empty() => Ok(()),
                NodeKind::Dir(_) => Err(FsError::DirectoryNotEmpty {
                    path: path.to_owned(),
                }),
                _ => Err(FsError::NotADirectory {
                    path: path.to_owned(),
                }),
            })
            .map(drop)
    }

    fn remove_dir_all(&self, path: &Utf8Path) -> Result<(), FsError> {
        self.write_tree().remove(path, |_| Ok(())).map(drop)
    }

    fn write_atomic(&self, path: &Utf8Path, data: &[u8]) -> Result<(), FsError> {
        let node = Node {
            kind: NodeKind::File(data.to_vec()),
            mode: FILE_MODE,
            modified: 0,
        };
        self.write_tree()
            .insert(path, node, |existing| match existing.kind {
                NodeKind::Dir(_) => Err(FsError::IsADirectory {
                    path: path.to_owned(),
                }),
                _ => Ok(()),
            })
    }

    fn rename(&self, from: &Utf8Path, to: &Utf8Path) -> Result<(), FsError> {
        check_path(from)?;
        check_path(to)?;
        if from == "/" || to == "/" {
            return Err(root_refused(
                if from == "/" { from } else { to },
                "the root cannot be renamed",
            ));
        }
        let mut tree = self.write_tree();
        let from_is_dir = matches!(tree.lookup(from)?.kind, NodeKind::Dir(_));
        if from == to {
            return Ok(());
        }
        if from_is_dir && is_within(from, to) {
            return Err(FsError::InvalidPath {
                path: to.as_str().to_owned(),
                reason: "cannot move a directory into itself",
            });
        }
        // Check the destination before detaching the source, so that errors change nothing.
        match tree.lookup(to) {
            Ok(existing) => match (&existing.kind, from_is_dir) {
                (NodeKind::Dir(entries), true) if !entries.is_empty() => {
                    return Err(FsError::DirectoryNotEmpty {
                        path: to.to_owned(),
                    })
                }
                (NodeKind::Dir(_), true) => {}
                (NodeKind::Dir(_), false) => {
                    return Err(FsError::IsADirectory {
                        path: to.to_owned(),
                    })
                }
                (_, true) => {
                    return Err(FsError::NotADirectory {
                        path: to.to_owned(),
                    })
                }
                (_, false) => {}
            },
            Err(FsError::NotFound { .. }) => {
                // The parent must exist and be a directory.
                if let Some((parent, _)) = split_last(to) {
                    walk(&tree.root, parent, to)?;
                }
            }
            Err(other) => return Err(other),
        }
        let node = tree.remove(from, |_| Ok(()))?;
        tree.insert(to, node, |_| Ok(()))
    }

    fn set_mode(&self, path: &Utf8Path, mode: u32) -> Result<(), FsError> {
        check_path(path)?;
        let mut tree = self.write_tree();
        if let NodeKind::Symlink(_) = tree.lookup(path)?.kind {
            return Err(FsError::IsASymlink {
                path: path.to_owned(),
            });
        }
        let now = tree.tick();
        let node = match split_last(path) {
            None => &mut tree.root,
            Some((parent, name)) => entries_mut(walk_mut(&mut tree.root, parent, path)?)
                .get_mut(name)
                .ok_or_else(|| FsError::NotFound {
                    path: path.to_owned(),
                })?,
        };
        node.mode = mode & 0o7777;
        node.modified = now;
        Ok(())
    }

    fn create_char_device(&self, path: &Utf8Path) -> Result<(), FsError> {
        let node = Node {
            kind: NodeKind::CharDevice,
            mode: DEVICE_MODE,
            modified: 0,
        };
        self.write_tree().insert(path, node, |_| {
            Err(FsError::AlreadyExists {
                path: path.to_owned(),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> &Utf8Path {
        Utf8Path::new(s)
    }

    #[test]
    fn builders_create_parents() {
        let fs = MemFs::new();
        fs.add_file("/a/b/c.service", "x").expect("add_file");
        fs.add_symlink("/d/e", "../a/b/c.service")
            .expect("add_symlink");
        fs.add_dir("/f/g").expect("add_dir");
        fs.add_char_device("/dev/null").expect("add_char_device");
        assert_eq!(fs.lstat(p("/a/b")).expect("dir").kind, FileKind::Dir);
        assert_eq!(fs.read(p("/a/b/c.service"), 10).expect("read"), b"x");
        assert_eq!(fs.read_link(p("/d/e")).expect("link"), "../a/b/c.service");
        assert_eq!(fs.lstat(p("/f/g")).expect("dir").kind, FileKind::Dir);
        let null = fs.lstat(p("/dev/null")).expect("dev");
        assert_eq!((null.kind, null.mode), (FileKind::CharDevice, 0o666));
        assert!(matches!(
            fs.read(p("/dev/null"), 10),
            Err(FsError::NotARegularFile { .. })
        ));
        // a builder refuses to create parents through a symlink or a file
        assert!(matches!(
            fs.add_file("/d/e/x", "y"),
            Err(FsError::SymlinkInPath { .. })
        ));
        assert!(matches!(
            fs.add_file("/a/b/c.service/x", "y"),
            Err(FsError::NotADirectory { .. })
        ));
        assert!(matches!(
            fs.add_symlink("/d/e", "z"),
            Err(FsError::AlreadyExists { .. })
        ));
        assert!(matches!(
            fs.add_file("a/b", "y"),
            Err(FsError::InvalidPath { .. })
        ));
    }

    #[test]
    fn read_dir_is_sorted_by_name() {
        let fs = MemFs::new();
        for name in ["b", "a.service", "a", "Z", "a-b", "a@.service"] {
            fs.add_file(format!("/d/{name}"), "").expect("add_file");
        }
        let names: Vec<String> = fs
            .read_dir(p("/d"))
            .expect("read_dir")
            .into_iter()
            .map(|e| e.name)
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        assert_eq!(names.len(), 6);
    }

    #[test]
    fn clock_grows_on_every_mutation_and_stamps_parents() {
        let fs = MemFs::new();
        assert_eq!(fs.clock(), 0);
        let mut last = fs.clock();
        let mut step = |what: &str, result: Result<(), FsError>| {
            result.unwrap_or_else(|e| panic!("{what}: {e}"));
            let now = fs.clock();
            assert!(now > last, "{what} did not advance the clock");
            last = now;
        };
        step("mkdir", fs.create_dir_all(p("/d")));
        step("write", fs.write_atomic(p("/d/f"), b"1"));
        let dir_before = fs.lstat(p("/d")).expect("d").modified_ns;
        let file_before = fs.lstat(p("/d/f")).expect("f").modified_ns;
        step("rewrite", fs.write_atomic(p("/d/f"), b"2"));
        assert!(fs.lstat(p("/d/f")).expect("f").modified_ns > file_before);
        assert!(fs.lstat(p("/d")).expect("d").modified_ns > dir_before);
        step("symlink", fs.symlink(p("f"), p("/d/l")));
        step("chmod", fs.set_mode(p("/d/f"), 0o600));
        step("rename", fs.rename(p("/d/l"), p("/d/m")));
        step("unlink", fs.remove_file(p("/d/m")));
        step("rmtree", fs.remove_dir_all(p("/d")));
        // no-ops do not advance it
        let before = fs.clock();
        fs.create_dir_all(p("/")).expect("root");
        assert!(fs.remove_file(p("/nothing")).is_err());
        assert_eq!(fs.clock(), before);
    }

    #[test]
    fn clone_is_a_deep_copy() {
        let a = MemFs::new();
        a.add_file("/x/y", "1").expect("add");
        let b = a.clone();
        b.add_file("/x/y", "2").expect("add");
        b.add_file("/x/z", "3").expect("add");
        assert_eq!(a.read(p("/x/y"), 10).expect("read"), b"1");
        assert!(a.lstat(p("/x/z")).is_err());
        assert_eq!(b.read(p("/x/y"), 10).expect("read"), b"2");
    }

    #[test]
    fn shared_between_threads() {
        let fs = std::sync::Arc::new(MemFs::new());
        let handles: Vec<_> = (0..4)
            .map(|i| {
                let fs = fs.clone();
                std::thread::spawn(move || fs.add_file(format!("/t/{i}"), "x"))
            })
            .collect();
        for h in handles {
            h.join().expect("thread").expect("add_file");
        }
        assert_eq!(fs.read_dir(p("/t")).expect("read_dir").len(), 4);
    }
}
