//! The embedded example tree of `unitlab demo`, kept as text in `tree.txt`.
use camino::Utf8Path;
use unitlab_engine::fs::{FsError, MemFs};

/// The demo tree's text format: `file PATH` then lines up to `.`, or `link PATH TARGET`.
const TREE: &str = include_str!("tree.txt");

/// Instances the demo also explains (they have no file of their own).
pub const DEMO_INSTANCES: &[&str] = &["getty@tty1.service"];

/// Builds the embedded tree in memory.
pub fn embedded_tree() -> Result<MemFs, FsError> {
    let fs = MemFs::new();
    let mut lines = TREE.lines();
    while let Some(line) = lines.next() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if let Some(path) = line.strip_prefix("file ") {
            let mut text = String::new();
            for l in lines.by_ref() {
                if l == "." {
                    break;
                }
                text.push_str(l);
                text.push('\n');
            }
            fs.add_file(Utf8Path::new(path), text.as_bytes())?;
        } else if let Some(rest) = line.strip_prefix("link ") {
            let (path, target) = rest.split_once(' ').unwrap_or((rest, ""));
            fs.add_symlink(Utf8Path::new(path), Utf8Path::new(target))?;
        }
    }
    Ok(fs)
}
