#![no_main]
//! Every function of `unitlab_engine::name` on arbitrary input: no panics, and the round-trip
//! properties hold (escape → unescape gives the input back; a valid name's parts rebuild it; a
//! path-derived name that is not hashed unescapes to the simplified path's escape).
use libfuzzer_sys::fuzz_target;
use unitlab_engine::name::{self, MangleOptions, NameKind, UnitName, UnitType};

fuzz_target!(|data: &[u8]| {
    // Bytes level: never panic.
    let escaped = name::escape_bytes(data);
    let _ = name::escape_path_bytes(data);
    let _ = name::unescape_bytes(data);
    let _ = name::unescape_path_bytes(data);
    let _ = name::path_is_valid(data);
    let _ = name::path_is_normalized(data);
    for allow_globs in [false, true] {
        let opts = MangleOptions { default_suffix: UnitType::Service, allow_globs };
        if let Ok(m) = name::mangle_bytes(data, opts) {
            if !allow_globs {
                assert!(name::is_valid(&m.name), "mangle gave {:?}", m.name);
            }
        }
    }
    // Round trip: unescape(escape(x)) == x up to the first NUL.
    let back = name::unescape_bytes(escaped.as_bytes()).expect("escape output unescapes");
    let until_nul = data.split(|&b| b == 0).next().unwrap_or_default();
    assert_eq!(back, until_nul);

    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let _ = name::is_valid(s);
    let _ = name::classify(s);
    let _ = name::is_valid_prefix(s);
    let _ = name::is_valid_instance(s);
    let _ = name::is_device_path(s);
    let _ = name::is_valid_slice_name(s);
    let _ = name::slice_parent(s);
    let _ = name::slice_child("a.slice", s);
    let _ = name::mangle_with_notices(s, MangleOptions::default(), Some("to check"));
    for ty in UnitType::ALL {
        if let Ok(n) = name::name_from_path(s, ty) {
            assert!(n.as_str().len() <= name::UNIT_NAME_MAX);
            if !n.is_hashed() {
                let _ = n.to_path();
            }
        }
    }
    if let Ok(n) = UnitName::new(s) {
        // The parts rebuild the name.
        let rebuilt = match n.kind() {
            NameKind::Plain => format!("{}.{}", n.prefix(), n.suffix()),
            NameKind::Template => format!("{}@.{}", n.prefix(), n.suffix()),
            NameKind::Instance => {
                format!("{}@{}.{}", n.prefix(), n.instance().unwrap_or_default(), n.suffix())
            }
        };
        assert_eq!(rebuilt, s);
        assert_eq!(n.stem().len() + 1 + n.suffix().len(), s.len());
        let _ = n.template();
        let _ = n.with_instance("x");
        let _ = n.with_instance(s);
        let _ = n.with_type(UnitType::Socket);
        let _ = n.is_hashed();
        let _ = n.to_path();
    }
    if let Ok(p) = name::escape_path(s) {
        // An escaped path unescapes to a normalized absolute path (when it has no NUL).
        if let Ok(back) = name::unescape_path_bytes(p.as_bytes()) {
            assert!(back.starts_with(b"/"));
        }
    }
});
