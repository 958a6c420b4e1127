//! Fuzz target for `syntax::parse`: any bytes, both dialects. Asserts that nothing panics and that the
//! parsed file gives back its input exactly.
#![no_main]
use camino::Utf8Path;
use libfuzzer_sys::fuzz_target;
use unitlab_engine::name::UnitType;
use unitlab_engine::syntax::{parse, Dialect, Settings};

fuzz_target!(|data: &[u8]| {
    let path = Utf8Path::new("/etc/systemd/system/fuzz.service");
    for dialect in [Dialect::Unit(UnitType::Service), Dialect::Unit(UnitType::Socket), Dialect::Install] {
        let mut diags = Vec::new();
        let parsed = parse(path, data, dialect, &mut diags);
        assert_eq!(parsed.as_bytes(), data, "render must round-trip");
        if let Ok(s) = std::str::from_utf8(data) {
            assert_eq!(parsed.render(), s);
        }
        for d in &diags {
            let _ = d.to_string();
        }
        let _ = Settings::from_files([&parsed]);
    }
});
