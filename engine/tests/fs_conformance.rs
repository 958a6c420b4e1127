//! The filesystem conformance suite, run against both backends (`fs_conformance!`), plus
//! properties of `normalize` and a differential check that `MemFs` and `DirFs` resolve the same
//! random trees identically.

use camino::Utf8Path;
use proptest::prelude::*;
use unitlab_engine::fs::conformance::{apply_random_op, check_random_resolutions, ScratchFs};
use unitlab_engine::fs::{normalize, FileSystem, MemFs};

unitlab_engine::fs_conformance!(mem, MemFs::new);
unitlab_engine::fs_conformance!(dir, ScratchFs::new);

/// Path pieces drawn from a tiny universe so that `..` and names collide.
fn piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["a", "b", "..", ".", "", "a.service", "..."])
}

fn path_text(absolute: bool) -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..8).prop_map(move |parts| {
        let joined = parts.join("/");
        if absolute {
            format!("/{joined}")
        } else {
            joined
        }
    })
}

proptest! {
    /// normalize is idempotent, yields contract paths, never `..`, and agrees with applying the
    /// relative part to the normalised base.
    #[test]
    fn normalize_is_idempotent_and_never_climbs(base in path_text(true), path in path_text(false), abs in any::<bool>()) {
        let path = if abs { format!("/{path}") } else { path };
        let once = normalize(Utf8Path::new(&base), Utf8Path::new(&path));
        prop_assert!(unitlab_engine::fs::check_path(&once).is_ok(), "{once}");
        prop_assert!(!once.as_str().split('/').any(|c| c == ".." || c == "."), "{once}");
        let twice = normalize(Utf8Path::new("/"), &once);
        prop_assert_eq!(&once, &twice);
        prop_assert_eq!(normalize(Utf8Path::new("/elsewhere"), &once), once.clone());
        if !abs {
            let base_norm = normalize(Utf8Path::new("/"), Utf8Path::new(&base));
            prop_assert_eq!(normalize(&base_norm, Utf8Path::new(&path)), once);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// The same random operations on a MemFs and on a DirFs give the same outcomes call by call,
    /// the same tree and the same resolutions: the in-memory backend behaves like the real
    /// filesystem (Linux is the oracle here).
    #[test]
    fn memfs_and_dirfs_resolve_alike(ops in prop::collection::vec((0u8..9, 0usize..64, 0usize..64), 0..32)) {
        let mem = MemFs::new();
        let dir = ScratchFs::new();
        for (n, op) in ops.iter().enumerate() {
            let on_mem = apply_random_op(&mem, *op);
            let on_dir = apply_random_op(&dir.fs, *op);
            prop_assert_eq!(on_mem, on_dir, "operation #{} {:?}", n, op);
        }
        prop_assert_eq!(
            unitlab_engine::fs::conformance::listing(&mem, Utf8Path::new("/")),
            unitlab_engine::fs::conformance::listing(&dir.fs, Utf8Path::new("/"))
        );
        prop_assert_eq!(check_random_resolutions(&mem), check_random_resolutions(&dir.fs));
    }
}

#[test]
fn scratch_fs_is_removed_on_drop() {
    let fs = ScratchFs::new();
    let root = fs.dir.path().to_owned();
    fs.fs
        .write_atomic(Utf8Path::new("/f"), b"x")
        .expect("write");
    drop(fs);
    assert!(!root.exists(), "{root} still exists");
}
