//! Property tests of `unitlab_engine::name` (the same properties as `fuzz/fuzz_targets/names.rs`):
//! nothing panics on arbitrary bytes; escape → unescape is the identity up to the first NUL
//! (reference §2.3); mangling without globs always yields a valid name (§2.3); a valid name's parts
//! rebuild it (§2.2); slice parents are valid slices (§2.4). Inputs are drawn from a tiny alphabet
//! so that the interesting bytes (`.`, `@`, `-`, `/`, `\`, `x`, hex digits, NUL, non-ASCII) collide.

use proptest::prelude::*;
use unitlab_engine::name::{self, MangleOptions, NameKind, UnitName, UnitType};

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    let alphabet: Vec<u8> = b"ab.@-/\\x2dF0 *?[%:_\0"
        .iter()
        .copied()
        .chain([0xc3, 0xbc, 0xff])
        .collect();
    prop::collection::vec(prop::sample::select(alphabet), 0..40)
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "a", "b", ".", "@", "-", "--", "/", "\\", "\\x2d", "x", "service", ".service",
            ".slice", "ü", " ", "*", "%", ":",
        ]),
        0..30,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn escape_round_trips(data in bytes()) {
        let escaped = name::escape_bytes(&data);
        prop_assert!(escaped.is_ascii());
        let back = name::unescape_bytes(escaped.as_bytes()).expect("escape output unescapes");
        let until_nul = data.split(|&b| b == 0).next().unwrap_or_default();
        prop_assert_eq!(back, until_nul);
        let _ = name::unescape_bytes(&data);
        let _ = name::unescape_path_bytes(&data);
        let _ = name::path_is_valid(&data);
        let _ = name::path_is_normalized(&data);
    }

    #[test]
    fn path_escape_round_trips(data in bytes()) {
        if let Ok(p) = name::escape_path_bytes(&data) {
            prop_assert!(p.is_ascii());
            // A normalized absolute path without NUL comes back as itself (trailing `/` aside).
            if data.first() == Some(&b'/') && !data.contains(&0) && name::path_is_normalized(&data) {
                let back = name::unescape_path_bytes(p.as_bytes()).expect("unescapes");
                let mut want = data.clone();
                while want.len() > 1 && want.last() == Some(&b'/') {
                    want.pop();
                }
                prop_assert_eq!(back, want);
            }
        }
    }

    #[test]
    fn mangle_gives_valid_names(data in bytes(), globs in any::<bool>()) {
        let opts = MangleOptions { default_suffix: UnitType::Service, allow_globs: globs };
        if let Ok(m) = name::mangle_bytes(&data, opts) {
            if !globs {
                prop_assert!(name::is_valid(&m.name), "mangle gave {:?}", m.name);
            }
            if data.iter().all(|&b| b != 0) && std::str::from_utf8(&data).is_ok_and(name::is_valid) {
                prop_assert_eq!(m.name.as_bytes(), &data[..]);
                prop_assert!(m.notice.is_none());
            }
        }
    }

    #[test]
    fn names_split_and_rebuild(s in text()) {
        if let Ok(n) = UnitName::new(&s) {
            let rebuilt = match n.kind() {
                NameKind::Plain => format!("{}.{}", n.prefix(), n.suffix()),
                NameKind::Template => format!("{}@.{}", n.prefix(), n.suffix()),
                NameKind::Instance => {
                    format!("{}@{}.{}", n.prefix(), n.instance().expect("instance"), n.suffix())
                }
            };
            prop_assert_eq!(&rebuilt, &s);
            prop_assert_eq!(name::classify(&s), Some(n.kind()));
            prop_assert!(name::is_valid_prefix(n.prefix()));
            if let Some(t) = n.template() {
                prop_assert_eq!(t.kind(), NameKind::Template);
                if let Some(i) = n.instance() {
                    prop_assert_eq!(t.with_instance(i).expect("same length"), n.clone());
                }
            }
        } else {
            prop_assert_eq!(name::classify(&s), None);
        }
        for ty in UnitType::ALL {
            if let Ok(n) = name::name_from_path(&s, ty) {
                prop_assert!(n.as_str().len() <= name::UNIT_NAME_MAX);
                prop_assert_eq!(n.unit_type(), ty);
            }
        }
    }

    #[test]
    fn slice_parents_are_slices(s in text()) {
        if let Some(p) = name::slice_parent(&s) {
            prop_assert!(name::is_valid_slice_name(p.as_str()));
            prop_assert!(p.as_str().len() < s.len() || p.as_str() == name::ROOT_SLICE);
        }
        let _ = name::slice_child(&s, "x");
    }
}
