//! Property tests of `syntax::parse` on arbitrary input: it never panics, keeps the original bytes,
//! and its sections, entries and diagnostics are consistent with the text (reference §3.1).
use camino::Utf8Path;
use proptest::prelude::*;
use std::sync::Arc;
use unitlab_engine::diag::Code;
use unitlab_engine::name::UnitType;
use unitlab_engine::syntax::{parse, parse_owned, Dialect, ParseFailure, Settings};

const TYPES: [UnitType; 11] = [
    UnitType::Service,
    UnitType::Mount,
    UnitType::Swap,
    UnitType::Socket,
    UnitType::Target,
    UnitType::Device,
    UnitType::Automount,
    UnitType::Timer,
    UnitType::Path,
    UnitType::Slice,
    UnitType::Scope,
];

fn dialect() -> impl Strategy<Value = Dialect> {
    prop_oneof![
        (0..TYPES.len()).prop_map(|i| Dialect::Unit(TYPES[i])),
        Just(Dialect::Install),
    ]
}

/// Bytes built from a tiny universe of unit-file pieces, so that headers, continuations, comments,
/// BOMs and line ends meet often.
fn unitish() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop::sample::select(vec![
        &b"[Unit]"[..],
        b"[Install]",
        b"[Service]",
        b"[X-A]",
        b"[W",
        b"]",
        b"Description=",
        b"WantedBy=",
        b"Wants=",
        b"Bogus",
        b"X-K",
        b"=",
        b" ",
        b"\t",
        b"\\",
        b"#",
        b";",
        b"\n",
        b"\r",
        b"\0",
        b"\xEF\xBB\xBF",
        b"\xFF",
        b"\xC3\xA9",
        b"\"",
        b"x",
    ]);
    prop::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

fn check(text: &[u8], dialect: Dialect) -> Result<(), TestCaseError> {
    let mut diags = Vec::new();
    let f = parse(Utf8Path::new("/x/a.service"), text, dialect, &mut diags);
    prop_assert_eq!(f.as_bytes(), text, "lossless");
    if let Ok(s) = std::str::from_utf8(text) {
        prop_assert_eq!(f.render(), s);
    }
    // physical lines are at most one per byte; an open continuation at EOF is reported one later
    let max_line = text.len() as u32 + 1;
    let mut last_line = 0;
    for s in f.sections() {
        prop_assert!(s.line >= last_line && s.line <= max_line);
        prop_assert!(s.span.start <= s.span.end && s.span.end <= text.len());
        prop_assert!(s.known || s.entry_count() == 0);
        last_line = s.line;
        for e in s.entries() {
            prop_assert!(e.line >= last_line && e.line <= max_line);
            prop_assert!(e.span.end <= text.len());
            prop_assert!(!e.key.is_empty());
            prop_assert!(!e.key.contains('=') && e.key.trim() == e.key);
            prop_assert!(e.value.trim_matches([' ', '\t']) == e.value);
            last_line = e.line;
        }
    }
    for d in &diags {
        prop_assert!(d.line <= max_line);
        prop_assert!(d.to_string().len() <= 2039);
    }
    // a failure is always the last diagnostic and nothing is parsed after it
    match f.failure {
        Some(ParseFailure::LineTooLong { .. }) => {
            prop_assert_eq!(diags.last().map(|d| d.code), Some(Code::LineTooLong))
        }
        Some(fail) => {
            let last = diags.last().map(|d| (d.line, d.code));
            prop_assert!(matches!(
                last,
                Some((l, Code::InvalidUtf8 | Code::InvalidSectionHeader | Code::BadSectionCharacters))
                    if l == fail.line()
            ));
            prop_assert!(f.sections().all(|s| s.line <= fail.line()));
        }
        None => prop_assert!(diags.iter().all(|d| !matches!(
            d.code,
            Code::InvalidUtf8 | Code::InvalidSectionHeader | Code::BadSectionCharacters
        ))),
    }
    // parsing an owned text gives the same file
    let owned = parse_owned(
        Arc::from(f.file.as_ref()),
        text.to_vec(),
        dialect,
        &mut Vec::new(),
    );
    prop_assert_eq!(&owned, &f);
    // merging never panics and only keeps known keys; each effective value is one of the file's
    // non-empty assignments of that key
    let settings = Settings::from_files([&f]);
    for (section, key) in settings.keys() {
        prop_assert!(f.entries(section, key).any(|e| e.known));
        for v in settings.list(section, key) {
            prop_assert!(!v.value.is_empty());
            prop_assert!(f
                .entries(section, key)
                .any(|e| e.known && e.line == v.line && e.value == v.value));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic_and_are_kept(text in prop::collection::vec(any::<u8>(), 0..400), d in dialect()) {
        check(&text, d)?;
    }

    #[test]
    fn unit_like_bytes_are_consistent(text in unitish(), d in dialect()) {
        check(&text, d)?;
    }
}
