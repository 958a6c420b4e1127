//! Fuzz target for `fs::resolve`: builds a small `MemFs` from the input (operations whose
//! arguments are indices into tiny universes of paths and link targets, cap-std's `Plan` idea),
//! then resolves every path of the universe plus one arbitrary path taken from the input.
//! Invariants (checked by the conformance helpers): no panic, results obey the path contract and
//! never contain `..`, `Exists` agrees with `lstat`, the lstat shortcut agrees with the plain walk.
#![no_main]

use camino::Utf8Path;
use libfuzzer_sys::fuzz_target;
use unitlab_engine::fs::conformance::{apply_random_op, check_random_resolutions};
use unitlab_engine::fs::{check_path, normalize, resolve, resolve_stepwise, Follow, MemFs, Target};

fuzz_target!(|data: &[u8]| {
    let Some((&count, rest)) = data.split_first() else {
        return;
    };
    let count = usize::from(count % 32);
    let (ops, tail) = rest.split_at((count * 3).min(rest.len() / 3 * 3));
    let fs = MemFs::new();
    for op in ops.chunks_exact(3) {
        let _ = apply_random_op(&fs, (op[0], usize::from(op[1]), usize::from(op[2])));
    }
    check_random_resolutions(&fs);

    // One arbitrary path (and link target) from the rest of the input.
    let text = String::from_utf8_lossy(tail);
    let (target, query) = text.split_once('|').unwrap_or(("", &text));
    if !target.is_empty() && !target.contains('\0') {
        let _ = fs.add_symlink("/fuzz/link", target);
    }
    let normalized = normalize(Utf8Path::new("/fuzz"), Utf8Path::new(query));
    if !normalized.as_str().contains('\0') {
        assert!(
            check_path(&normalized).is_ok(),
            "normalize gave {normalized:?}"
        );
    }
    for path in [query, &format!("/fuzz/link/{query}")] {
        for follow in [Follow::Yes, Follow::No] {
            let result = resolve(&fs, Utf8Path::new(path), follow);
            if let Ok(r) = &result {
                assert!(
                    check_path(&r.path).is_ok(),
                    "{path:?} resolved to {:?}",
                    r.path
                );
                if r.target == Target::DevNull {
                    assert_eq!(r.path, "/dev/null");
                }
            }
            let stepwise = resolve_stepwise(&fs, Utf8Path::new(path), follow);
            assert_eq!(format!("{result:?}"), format!("{stepwise:?}"), "{path:?}");
        }
    }
});
