//! Unit tests of the parser, one per rule of reference §3.1–3.2. Expected texts were confirmed against
//! systemd 252.38 (`systemd --test`, `systemctl --root enable`); the differential suite
//! (`tests/syntax_differential.rs`) re-checks them against the binary.
use super::*;
use crate::diag::{Code, Diagnostic, Severity};
use crate::name::UnitType;
use camino::Utf8Path;

const F: &str = "/u/a.service";

fn run(text: &[u8], dialect: Dialect) -> (ParsedFile, Vec<Diagnostic>) {
    let mut d = Vec::new();
    let f = parse(Utf8Path::new(F), text, dialect, &mut d);
    (f, d)
}

fn svc(text: &str) -> (ParsedFile, Vec<String>) {
    let (f, d) = run(text.as_bytes(), Dialect::Unit(UnitType::Service));
    (f, d.iter().map(|d| d.to_string()).collect())
}

fn entries(f: &ParsedFile) -> Vec<(String, String, u32)> {
    f.sections()
        .flat_map(|s| {
            s.entries()
                .map(|e| (e.key.to_owned(), e.value.to_owned(), e.line))
        })
        .collect()
}

#[test]
fn comment_lines_are_skipped() {
    // §3.1 Comments
    let (f, d) = svc("[Unit]\n# c\n  ; c\nDescription=x # not a comment\n");
    assert!(d.is_empty());
    assert_eq!(
        entries(&f),
        vec![("Description".into(), "x # not a comment".into(), 4)]
    );
}

#[test]
fn bom_then_comment_is_an_assignment_outside_section() {
    // §3.1 Comments: the comment check happens before BOM removal [verified]
    let (_, d) = svc("\u{feff}# c\n[Unit]\n");
    assert_eq!(
        d,
        vec![format!("{F}:1: Assignment outside of section. Ignoring.")]
    );
}

#[test]
fn bom_is_stripped_once() {
    // §3.1 BOM
    let (f, d) = svc("\u{feff}[Unit]\n\u{feff}Description=x\n");
    assert_eq!(f.sections().len(), 1);
    // The second BOM stays part of the key, which is therefore unknown.
    assert_eq!(
        d,
        vec![format!(
            "{F}:2: Unknown key '\u{feff}Description' in section [Unit], ignoring."
        )]
    );
}

#[test]
fn continuation_joins_and_drops_comment_lines() {
    // §3.1 Continuation example [verified]: `one \` + `# c` + `  two \\` → `one    two \\`
    let (f, d) = svc("[Unit]\nDescription=one \\\n# c\n  two \\\\\n");
    assert!(d.is_empty());
    assert_eq!(
        entries(&f),
        vec![("Description".into(), "one    two \\\\".into(), 4)]
    );
}

#[test]
fn open_continuation_at_eof_is_parsed_one_line_later() {
    // config_parse(): the final continuation is parsed with ++line
    let (f, _) = svc("[Unit]\nDescription=a \\\n");
    assert_eq!(entries(&f), vec![("Description".into(), "a".into(), 3)]);
    let (_, d) = svc("[Unit]\nBogus=a \\\n");
    assert_eq!(
        d,
        vec![format!(
            "{F}:3: Unknown key 'Bogus' in section [Unit], ignoring."
        )]
    );
}

#[test]
fn three_trailing_backslashes_continue() {
    let (f, _) = svc("[Unit]\nDescription=a\\\\\\\nb\n");
    assert_eq!(
        entries(&f),
        vec![("Description".into(), "a\\\\ b".into(), 3)]
    );
}

#[test]
fn section_header_errors_fail_the_file() {
    // §3.1 Section header [verified]
    let (f, d) = svc("[Unit]\nDescription=x\n[Unit\nAfter=b.service\n");
    assert_eq!(d, vec![format!("{F}:3: Invalid section header '[Unit'")]);
    assert_eq!(f.failure, Some(ParseFailure::BadMessage { line: 3 }));
    assert_eq!(f.failure.map(|x| x.strerror()), Some("Bad message"));
    assert_eq!(
        entries(&f).len(),
        1,
        "lines after the failure are not parsed"
    );
    let (f, d) = svc("[Un\"it]\n");
    assert_eq!(
        d,
        vec![format!(
            "{F}:1: Bad characters in section header '[Un\"it]'"
        )]
    );
    assert!(f.failed());
}

#[test]
fn unknown_and_extension_sections() {
    // §3.1 Known sections [verified]
    let (f, d) =
        svc("[Weird]\nA=b\n[X-Mine]\nA=b\n[Socket]\nListenStream=1\n[Service]\nExecStart=/x\n");
    assert_eq!(
        d,
        vec![
            format!("{F}:1: Unknown section 'Weird'. Ignoring."),
            format!("{F}:5: Unknown section 'Socket'. Ignoring."),
        ]
    );
    assert_eq!(entries(&f), vec![("ExecStart".into(), "/x".into(), 8)]);
}

#[test]
fn assignment_outside_section_and_missing_parts() {
    // §3.1 [verified]
    let (_, d) = svc("A=b\n[Unit]\nNoEquals\n=value\n");
    assert_eq!(
        d,
        vec![
            format!("{F}:1: Assignment outside of section. Ignoring."),
            format!("{F}:3: Missing '=', ignoring line."),
            format!("{F}:4: Missing key name before '=', ignoring line."),
        ]
    );
}

#[test]
fn split_at_first_equals_with_stripping() {
    let (f, _) = svc("[Service]\n  Environment = D=5  \n");
    assert_eq!(entries(&f), vec![("Environment".into(), "D=5".into(), 2)]);
}

#[test]
fn unknown_keys_warn_but_x_keys_do_not() {
    let (f, d) = svc("[Unit]\nBogusKey=1\nX-Mine=2\ndescription=3\n");
    assert_eq!(
        d,
        vec![
            format!("{F}:2: Unknown key 'BogusKey' in section [Unit], ignoring."),
            format!("{F}:4: Unknown key 'description' in section [Unit], ignoring."),
        ]
    );
    assert!(f.section(0).expect("[Unit]").entries().all(|e| !e.known));
}

#[test]
fn keys_are_looked_up_by_section() {
    // a [Service] key in [Unit] is unknown; legacy keys hidden from the dump are known
    let (_, d) = svc("[Unit]\nExecStart=/x\n[Service]\nCapabilities=x\n");
    assert_eq!(
        d,
        vec![format!(
            "{F}:2: Unknown key 'ExecStart' in section [Unit], ignoring."
        )]
    );
}

#[test]
fn invalid_utf8_fails_the_file() {
    // conf-parser.c parse_line(): log_syntax_invalid_utf8 returns -EINVAL [verified: load state error]
    let (f, d) = run(
        b"[Unit]\nDescription=a\xffb\nBogus=1\n",
        Dialect::Unit(UnitType::Service),
    );
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].severity, Severity::Warning);
    assert_eq!(d[0].code, Code::InvalidUtf8);
    assert_eq!(
        d[0].to_string(),
        format!("{F}:2: String is not UTF-8 clean, ignoring assignment: Description=a\u{fffd}b")
    );
    assert_eq!(f.failure, Some(ParseFailure::InvalidUtf8 { line: 2 }));
}

#[test]
fn crlf_cr_and_nul_end_lines() {
    let (f, d) = run(
        b"[Unit]\r\nDescription=a\rAfter=b\0Before=c\n",
        Dialect::Unit(UnitType::Service),
    );
    assert!(d.is_empty());
    let lines: Vec<u32> = entries(&f).iter().map(|e| e.2).collect();
    assert_eq!(lines, vec![2, 3, 4]);
}

#[test]
fn line_too_long_fails_silently_in_pid1() {
    let mut text = b"[Unit]\nDescription=".to_vec();
    text.resize(7 + LONG_LINE_MAX, b'x');
    text.push(b'\n');
    let (f, d) = run(&text, Dialect::Unit(UnitType::Service));
    assert_eq!(f.failure, Some(ParseFailure::LineTooLong { line: 1 }));
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].severity, Severity::Debug);
    assert_eq!(d[0].message, "Line too long");
    // one byte shorter is fine
    text.truncate(7 + LONG_LINE_MAX - 1);
    let (f, _) = run(&text, Dialect::Unit(UnitType::Service));
    assert_eq!(f.failure, None);
}

#[test]
fn continuation_too_long_fails() {
    let mut text = b"[Unit]\nDescription=".to_vec();
    text.resize(600_000, b'x');
    text.extend_from_slice(b"\\\n");
    text.resize(text.len() + 600_000, b'y');
    let (f, d) = run(&text, Dialect::Unit(UnitType::Service));
    assert_eq!(f.failure, Some(ParseFailure::LineTooLong { line: 3 }));
    assert_eq!(d[0].message, "Continuation line too long");
}

#[test]
fn installer_dialect_only_parses_install() {
    // §3.1 installer: -Unit/-Service/... ignored silently; others warned [verified with systemctl]
    let (f, d) = run(
        b"[Unit]\nBogus=1\n[Socket]\nX=1\n[Weird]\nA=b\n[Install]\nWantedBy=a.target\nBogus=2\n",
        Dialect::Install,
    );
    let d: Vec<String> = d.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        d,
        vec![
            format!("{F}:5: Unknown section 'Weird'. Ignoring."),
            format!("{F}:9: Unknown key 'Bogus' in section [Install], ignoring."),
        ]
    );
    assert_eq!(entries(&f).len(), 2);
}

#[test]
fn render_is_lossless_and_spans_point_into_text() {
    let text = "\u{feff}[Unit]\r\nDescription=a \\\n# c\n b\n".as_bytes();
    let (f, _) = run(text, Dialect::Unit(UnitType::Service));
    assert_eq!(f.as_bytes(), text);
    assert_eq!(f.render().as_bytes(), text);
    let section = f.section(0).expect("[Unit]");
    let e = section.entry(0).expect("one entry");
    assert_eq!(&text[e.span.clone()], b"Description=a \\\n# c\n b");
    assert_eq!(&text[section.span.clone()], "\u{feff}[Unit]".as_bytes());
}

#[test]
fn long_messages_are_cut_like_systemd() {
    let key = "K".repeat(5000);
    let (_, d) = svc(&format!("[Unit]\n{key}=1\n"));
    // log_struct_internal() formats "MESSAGE=FILE:LINE: text" into a 2048-byte buffer [verified with
    // systemd --test: the printed line is 2039 bytes]
    assert_eq!(d[0].len(), 2039);
}

#[test]
fn settings_apply_reset_semantics() {
    // §3.2 empty assignments
    let (a, _) = svc(
        "[Unit]\nWants=a.service\nDescription=x\nConditionPathExists=/a\nAssertPathExists=/b\n\
         [Service]\nEnvironment=A=1\n[Install]\nWantedBy=a.target\nAlso=b.service\n",
    );
    let (b, _) = svc(
        "[Unit]\nWants=\nWants=b.service\nDescription=\nConditionHost=\n\
         [Service]\nEnvironment=\nEnvironment=B=2\n[Install]\nWantedBy=\nWantedBy=c.target\nAlso=\n",
    );
    let s = Settings::from_files([&a, &b]);
    let vals = |sec: &str, key: &str| -> Vec<String> {
        s.list(sec, key)
            .iter()
            .map(|v| v.value.to_owned())
            .collect()
    };
    assert_eq!(vals("Unit", "Wants"), vec!["a.service", "b.service"]);
    assert_eq!(s.get("Unit", "Description"), None);
    assert!(
        vals("Unit", "ConditionPathExists").is_empty(),
        "any empty Condition resets all"
    );
    assert_eq!(vals("Unit", "AssertPathExists"), vec!["/b"]);
    assert_eq!(vals("Service", "Environment"), vec!["B=2"]);
    assert_eq!(vals("Install", "WantedBy"), vec!["c.target"]);
    assert_eq!(vals("Install", "Also"), vec!["b.service"]);
    let w = s.get("Install", "WantedBy").expect("set");
    assert_eq!((w.file.as_str(), w.line), (F, 11));
}

#[test]
fn joined_values_are_read_back_and_merged() {
    // §3.1 Continuation lines: the joined value is not a slice of the text; it is stored aside and
    // read back like any other value, also through Settings.
    let (f, d) = svc("[Unit]\nDescription=demo \\\n# c\n  continued\nDocumentation=man:a(1)\n");
    assert!(d.is_empty());
    assert_eq!(
        entries(&f),
        vec![
            ("Description".into(), "demo    continued".into(), 4),
            ("Documentation".into(), "man:a(1)".into(), 5)
        ]
    );
    let s = Settings::from_files([&f]);
    let v = s.get("Unit", "Description").expect("set");
    assert_eq!(
        (v.value, v.file.as_str(), v.line),
        ("demo    continued", F, 4)
    );
    assert_eq!(s.list("Unit", "Documentation")[0].value, "man:a(1)");
}

#[test]
fn entries_before_a_utf8_failure_stay_readable() {
    // §3.1: a line that is not UTF-8 clean ends the parse; the assignments before it stay. Both a
    // text that is not UTF-8 at all and one that is but holds a noncharacter.
    for (text, line) in [
        (&b"[Unit]\nDescription=ok\nDocumentation=\xff\n"[..], 3),
        (
            "[Unit]\nDescription=ok\nDocumentation=\u{FDD0}\n".as_bytes(),
            3,
        ),
    ] {
        let (f, _) = run(text, Dialect::Unit(UnitType::Service));
        assert_eq!(f.failure, Some(ParseFailure::InvalidUtf8 { line }));
        assert_eq!(f.as_bytes(), text);
        assert_eq!(entries(&f), vec![("Description".into(), "ok".into(), 2)]);
        let s = Settings::from_files([&f]);
        assert_eq!(s.get("Unit", "Description").map(|v| v.value), Some("ok"));
    }
}

#[test]
fn parse_owned_is_parse() {
    let text = b"\xef\xbb\xbf[Unit]\nDescription=a \\\n b\nBogus=1\n[X-Y]\nZ=1\n";
    let (a, da) = run(text, Dialect::Unit(UnitType::Service));
    let mut db = Vec::new();
    let b = parse_owned(
        std::sync::Arc::from(Utf8Path::new(F)),
        text.to_vec(),
        Dialect::Unit(UnitType::Service),
        &mut db,
    );
    assert_eq!(a, b);
    assert_eq!(da, db);
}

#[test]
fn key_table_matches_the_dump() {
    // 1191 keys in `systemd --dump-configuration-items` + 13 hidden legacy keys
    assert_eq!(keys::key_count(), 1204);
    assert_eq!(keys::class_of("Unit", "Wants"), KeyClass::Dependency);
    assert_eq!(keys::class_of("Install", "Alias"), KeyClass::InstallList);
    assert_eq!(keys::class_of("Install", "Also"), KeyClass::List);
    assert_eq!(
        keys::class_of("Service", "ExecStart"),
        KeyClass::ResettableList
    );
    assert_eq!(keys::class_of("Service", "Type"), KeyClass::Single);
    assert!(keys::lookup("Target", "Foo").is_none());
    assert!(keys::section("Target").is_some());
}

#[test]
fn large_input_sanity() {
    // Not timed (throughput is measured by the benches): a big file of typical units parses to the
    // expected shape without diagnostics.
    let unit = "[Unit]\nDescription=Demo %i\nAfter=network.target\nWants=b.service\n\n\
                [Service]\n# the daemon\nExecStart=/usr/bin/demo --flag \\\n  --other\nRestart=on-failure\n\
                Environment=A=1 B=2\n\n[Install]\nWantedBy=multi-user.target\n";
    let text = unit.repeat(5000);
    let (f, d) = svc(&text);
    assert!(d.is_empty());
    assert_eq!(f.sections().len(), 15_000);
    let n: usize = f.sections().map(|s| s.entry_count()).sum();
    assert_eq!(n, 5000 * 7);
    assert_eq!(f.sections().last().map(|s| s.line), Some(4999 * 14 + 13));
}
