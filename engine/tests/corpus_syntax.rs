//! Differential test of `syntax::parse` over the real-world corpus (`scripts/fetch-corpus`): every
//! unit file and every drop-in (`*.conf` in `NAME.d/`) of the corpus's system and user unit
//! directories is parsed by us and by the real systemd 252 (`systemd --test`, run through
//! `shared/tools/real-systemd test-transaction`), and the parser's messages are compared.
//!
//! # How a file reaches systemd
//!
//! Each corpus file becomes one *case* with a synthetic, unique unit name so that files with the
//! same name in different directories (or packages) never collide and no corpus unit pulls in
//! another by name:
//!
//! * a unit file `foo.service` is copied to `fN.service` (a template `foo@.service` to `fN@.service`,
//!   loaded through the instance `fN@i.service`; a file named like an instance keeps its kind);
//! * a drop-in `foo.service.d/x.conf` is copied to `dN.service.d/x.conf` next to a minimal host
//!   fragment `dN.service` (`[Unit]` + `Description=`), so that loading `dN.service` parses it.
//!
//! A batch of cases is written into one scratch directory with a `root.target` that `Wants=` every
//! case, so one systemd run loads (and parses) the whole batch. Both sides see the same path
//! (`/tmp/real-systemd-test.XXXXXX/NAME`, the random part normalised), so console truncation of long
//! lines (reference §3.1) hits both alike. The dialect is PID 1's view of the unit's type
//! (`Dialect::Unit(type)`; for a drop-in, the type of the unit it belongs to).
//!
//! For every case we compare, in order, the parser's messages (`PATH:LINE: MESSAGE`; our
//! diagnostics rendered with `Display`, `Severity::Debug` left out because PID 1 does not print them)
//! and whether the unit's load state is `error` (our `ParsedFile::failure` for a fragment; a drop-in
//! whose parse fails leaves its unit `loaded` in systemd 252, so for drop-ins the expected state is
//! never `error`).
//!
//! Two tests: the corpus files as shipped, and *mutants* of them — every file with 1–3 plausible
//! syntax accidents (lower-cased key, lost `=`, broken or odd section header, stray continuation,
//! CRLF, BOM, a byte that is not UTF-8, …; see [`MUTATIONS`]) so that the parser's error paths run
//! over real content. The shipped files are almost clean for systemd 252, the mutants are not.
//!
//! # Filter (documented)
//!
//! Only *syntax-level* messages are compared for now: lines whose message starts with one of
//! [`PARSER_MESSAGES`] (everything `config_parse()` and its line parser log: unknown keys and
//! sections, assignments outside a section, missing `=` or key, bad section headers, non-UTF-8 lines,
//! over-long lines). Everything else systemd prints about a case's file is *setting-level* and
//! filtered: messages of the individual setting parsers (`Failed to parse …`, `Invalid …`,
//! `… ignoring: …`, `Support for option … has been removed …`, `Unknown … specifier …`), unit
//! verification (`Service has no ExecStart=…`, `Where= setting doesn't match unit name…`) and
//! dependency/transaction messages. Lines that do not name a case's file at all (the transaction,
//! the dump) are not looked at. The filtered lines are counted and their most frequent message
//! shapes are printed, so the filter stays visible.
//!
//! Scope units are left out: systemd does not load a scope from a unit file outside of
//! `systemctl set-property`/transient creation, so their drop-ins are never parsed by `--test`
//! (the count is printed).
mod corpus;
mod support;

use camino::Utf8PathBuf;
use std::collections::BTreeMap;
use std::path::Path;
use unitlab_engine::diag::Severity;
use unitlab_engine::name::{NameKind, UnitName, UnitType};
use unitlab_engine::syntax::{parse, Dialect};

/// The directory our side pretends the files are in: systemd's temp dir with its random part
/// normalised (same length as the real one).
const DIR: &str = "/tmp/real-systemd-test.XXXXXX";

/// Message beginnings of everything `config_parse()`/`parse_line()`/`next_assignment()` logs.
const PARSER_MESSAGES: &[&str] = &[
    "Unknown key '",
    "Unknown section '",
    "Assignment outside of section. Ignoring.",
    "Missing '=', ignoring line.",
    "Missing key name before '=', ignoring line.",
    "Invalid section header '",
    "Bad characters in section header '",
    "String is not UTF-8 clean, ignoring assignment: ",
    "Line too long",
    "Continuation line too long",
];

/// Cases per systemd run.
const BATCH: usize = 250;

/// One corpus file turned into a case.
struct Case {
    /// The corpus file, relative to the merged tree (for reports).
    origin: String,
    /// The unit type whose dialect parses it.
    ty: UnitType,
    /// The file's bytes.
    text: Vec<u8>,
    /// Where the file goes in the scratch dir (relative), e.g. `f3@.service` or `d1.service.d/x.conf`.
    file: String,
    /// The host fragment to write beside a drop-in (`dN.TYPE`), if any.
    host: Option<String>,
    /// The unit name `root.target` wants.
    unit: String,
}

/// What one side says about one case.
#[derive(Debug, PartialEq, Eq, Default)]
struct Verdict {
    messages: Vec<String>,
    failed: bool,
}

fn ours(case: &Case) -> Verdict {
    let path = Utf8PathBuf::from(format!("{DIR}/{}", case.file));
    let mut diags = Vec::new();
    let f = parse(&path, &case.text, Dialect::Unit(case.ty), &mut diags);
    Verdict {
        messages: diags
            .iter()
            .filter(|d| d.severity != Severity::Debug)
            .map(|d| d.to_string())
            .collect(),
        // A drop-in whose parse fails (invalid header, line not UTF-8 clean) does not fail its unit:
        // PID 1 ignores config_parse()'s result for drop-ins; the unit stays `loaded` (verified by
        // this test's mutants). Only a fragment's failure makes the load state `error`.
        failed: f.failure.is_some() && case.host.is_none(),
    }
}

/// Everything systemd said about one batch.
struct OracleRun {
    verdicts: BTreeMap<String, Verdict>,
    loaded: BTreeMap<String, bool>,
    filtered: Vec<String>,
}

/// The message part of `LINE: MESSAGE` or ` MESSAGE` (what follows `PATH:`).
fn message_of(after_path: &str) -> &str {
    let t = after_path.trim_start_matches(|c: char| c.is_ascii_digit());
    t.strip_prefix(": ")
        .or_else(|| t.strip_prefix(' '))
        .unwrap_or(t)
}

fn oracle(cases: &[&Case]) -> OracleRun {
    let dir = support::Scratch::new("corpus-syntax");
    let mut root = String::from("[Unit]\nDescription=corpus root\n");
    for c in cases {
        let dest = dir.path().join(&c.file);
        std::fs::create_dir_all(dest.parent().expect("case file has a parent"))
            .expect("create case dir");
        std::fs::write(&dest, &c.text).expect("write case");
        if let Some(host) = &c.host {
            std::fs::write(
                dir.path().join(host),
                "[Unit]\nDescription=host of a corpus drop-in\n",
            )
            .expect("write host");
        }
        root.push_str(&format!("Wants={}\n", c.unit));
    }
    std::fs::write(dir.path().join("root.target"), root).expect("write root.target");
    let out = support::run_test_transaction(dir.path(), "root.target");

    // file (as in the scratch dir) -> case unit, and unit -> file
    let by_file: BTreeMap<&str, &str> = cases
        .iter()
        .map(|c| (c.file.as_str(), c.unit.as_str()))
        .collect();
    let mut verdicts: BTreeMap<String, Verdict> = cases
        .iter()
        .map(|c| (c.unit.clone(), Verdict::default()))
        .collect();
    let mut loaded: BTreeMap<String, bool> =
        cases.iter().map(|c| (c.unit.clone(), false)).collect();
    let mut filtered = Vec::new();
    let mut saw_dump = false;
    let mut current_unit: Option<String> = None;
    for line in out.lines() {
        if let Some(rest) = line.strip_prefix("/tmp/real-systemd-test.") {
            let Some((_, rest)) = rest.split_once('/') else {
                continue;
            };
            let Some((file, after)) = rest.split_once(':') else {
                continue;
            };
            let Some(unit) = by_file.get(file) else {
                continue;
            };
            let message = message_of(after);
            if PARSER_MESSAGES.iter().any(|p| message.starts_with(p)) {
                let v = verdicts.get_mut(*unit).expect("case verdict");
                v.messages.push(format!("{DIR}/{rest}"));
            } else {
                filtered.push(message.to_owned());
            }
        } else if let Some(u) = line.trim_start().strip_prefix("-> Unit ") {
            saw_dump = true;
            current_unit = u.strip_suffix(':').map(str::to_owned);
            if let Some(l) = current_unit.as_ref().and_then(|u| loaded.get_mut(u)) {
                *l = true;
            }
        } else if let Some(state) = line.trim_start().strip_prefix("Unit Load State: ") {
            if let Some(v) = current_unit.take().and_then(|u| verdicts.get_mut(&u)) {
                v.failed = state == "error";
            }
        }
    }
    assert!(saw_dump, "systemd printed no unit dump; output:\n{out}");
    OracleRun {
        verdicts,
        loaded,
        filtered,
    }
}

/// The shape of a filtered message for the summary: quoted parts and numbers elided.
fn shape(message: &str) -> String {
    let mut s = String::new();
    let mut in_quote = false;
    for ch in message.chars() {
        match ch {
            '\'' | '"' => {
                if !in_quote {
                    s.push_str("'…'");
                }
                in_quote = !in_quote;
            }
            _ if in_quote => {}
            '0'..='9' => {
                if !s.ends_with('#') {
                    s.push('#');
                }
            }
            _ => s.push(ch),
        }
    }
    s.chars().take(70).collect()
}

/// Turns the corpus into cases; returns them and the number of files left out (scope units).
fn cases(merged: &Path) -> (Vec<Case>, usize) {
    let mut out = Vec::new();
    let mut left_out = 0;
    let mut n_frag = 0;
    let mut n_drop = 0;
    for dirs in [corpus::SYSTEM_DIRS, corpus::USER_DIRS] {
        for e in corpus::entries(merged, dirs) {
            let origin = format!("{}/{}", e.dir, e.name);
            if e.is_dir {
                // a drop-in directory NAME.d: its *.conf files belong to a unit of NAME's type
                let Some(unit) = e.name.strip_suffix(".d") else {
                    continue;
                };
                let Some(ty) = unit
                    .rsplit_once('.')
                    .and_then(|(_, s)| UnitType::from_suffix(s))
                else {
                    continue; // .wants/.requires/.upholds and other directories
                };
                for (conf, path) in corpus::regular_files(&e.path) {
                    if !conf.ends_with(".conf") {
                        continue;
                    }
                    if ty == UnitType::Scope {
                        left_out += 1;
                        continue;
                    }
                    n_drop += 1;
                    let host = format!("d{n_drop}.{}", ty.as_str());
                    out.push(Case {
                        origin: format!("{origin}/{conf}"),
                        ty,
                        text: std::fs::read(&path).expect("read corpus drop-in"),
                        file: format!("{host}.d/{conf}"),
                        unit: host.clone(),
                        host: Some(host),
                    });
                }
            } else if !e.symlink && e.path.is_file() {
                let Ok(name) = UnitName::new(&e.name) else {
                    continue; // not a unit file (corpus_names checks these against systemd)
                };
                let ty = name.unit_type();
                if ty == UnitType::Scope {
                    left_out += 1;
                    continue;
                }
                n_frag += 1;
                let (file, unit) = match name.kind() {
                    NameKind::Plain => {
                        let f = format!("f{n_frag}.{}", ty.as_str());
                        (f.clone(), f)
                    }
                    NameKind::Template => (
                        format!("f{n_frag}@.{}", ty.as_str()),
                        format!("f{n_frag}@i.{}", ty.as_str()),
                    ),
                    NameKind::Instance => {
                        let f = format!("f{n_frag}@i.{}", ty.as_str());
                        (f.clone(), f)
                    }
                };
                out.push(Case {
                    origin,
                    ty,
                    text: std::fs::read(&e.path).expect("read corpus unit file"),
                    file,
                    host: None,
                    unit,
                });
            }
        }
    }
    (out, left_out)
}

/// A case with four parser messages (unknown key, unknown section, missing `=`, and an
/// invalid section header that ends the parse: load state `error`).
fn canary(batch: usize) -> Case {
    let unit = format!("canary{batch}.service");
    Case {
        origin: format!("<canary of batch {batch}>"),
        ty: UnitType::Service,
        text:
            b"[Unit]\nDescription=canary\nNoSuchKey=1\n[Bogus]\nA=1\n[Service]\nnoequals\n[Broken\n"
                .to_vec(),
        file: unit.clone(),
        host: None,
        unit,
    }
}

/// Totals of one comparison over many batches.
#[derive(Default)]
struct Report {
    mismatches: Vec<String>,
    not_loaded: Vec<String>,
    filtered: BTreeMap<String, usize>,
    n_filtered: usize,
    n_messages: usize,
    n_failed: usize,
    n_dropins: usize,
}

/// Runs `cases` through systemd in batches (each with a canary) and compares every case.
fn compare_all(cases: &[Case]) -> Report {
    let mut r = Report::default();
    for (b, chunk) in cases.chunks(BATCH).enumerate() {
        // A canary with known syntax errors rides along in every batch: it proves that systemd's
        // parser messages for the batch are seen at all (the corpus itself is almost clean).
        let mut batch: Vec<&Case> = chunk.iter().collect();
        let canary = canary(b);
        batch.push(&canary);
        let run = oracle(&batch);
        let seen = &run.verdicts[&canary.unit];
        assert!(
            run.loaded[&canary.unit] && seen.messages.len() == 4 && seen.failed,
            "batch {b}: systemd's messages for the canary were not seen as expected: {seen:?}"
        );
        assert_eq!(
            &ours(&canary),
            seen,
            "batch {b}: the canary parses differently"
        );
        let batch = &batch[..batch.len() - 1];
        r.n_filtered += run.filtered.len();
        for m in &run.filtered {
            *r.filtered.entry(shape(m)).or_default() += 1;
        }
        for &c in batch {
            if !run.loaded[&c.unit] {
                r.not_loaded.push(format!("{} (as {})", c.origin, c.unit));
                continue;
            }
            let theirs = &run.verdicts[&c.unit];
            r.n_messages += theirs.messages.len();
            r.n_failed += usize::from(theirs.failed);
            r.n_dropins += usize::from(c.host.is_some());
            let mine = ours(c);
            if &mine != theirs {
                let text = if c.text.len() > 400 || c.origin.starts_with("mutant") {
                    String::new()
                } else {
                    format!("\n  text:    {:?}", String::from_utf8_lossy(&c.text))
                };
                r.mismatches.push(format!(
                    "{} (parsed as {}, dialect Unit({:?})):{text}\n  systemd: {:?}\n  ours:    {:?}",
                    c.origin, c.file, c.ty, theirs, mine
                ));
            }
        }
    }
    r
}

/// Prints the totals and fails on any mismatch.
fn conclude(label: &str, cases: &[Case], left_out: usize, r: Report) {
    let mut shapes: Vec<(usize, String)> = r.filtered.into_iter().map(|(s, n)| (n, s)).collect();
    shapes.sort_by(|a, b| b.cmp(a));
    eprintln!(
        "{label}: {} files compared ({} unit files, {} drop-ins; {} scope files left out), \
         {} parser messages, {} load failures, {} setting-level lines filtered; {} mismatches",
        cases.len(),
        cases.len() - r.n_dropins,
        r.n_dropins,
        left_out,
        r.n_messages,
        r.n_failed,
        r.n_filtered,
        r.mismatches.len()
    );
    for (n, s) in shapes.iter().take(20) {
        eprintln!("  filtered {n:4} × {s}");
    }
    assert!(
        r.not_loaded.is_empty(),
        "{label}: systemd did not load {} case(s), so their warnings were not seen:\n{}",
        r.not_loaded.len(),
        r.not_loaded.join("\n")
    );
    assert!(
        r.mismatches.is_empty(),
        "{label}: {} of {} files parse differently from systemd 252:\n{}",
        r.mismatches.len(),
        cases.len(),
        r.mismatches.join("\n")
    );
}

/// The corpus as cases, or `None` when the test must be skipped.
fn corpus_cases() -> Option<(Vec<Case>, usize)> {
    let merged = corpus::merged()?;
    if !support::test_transaction() {
        return None;
    }
    let (cases, left_out) = cases(&merged);
    assert!(
        cases.len() >= 100,
        "the corpus at {} has only {} unit files and drop-ins: rerun scripts/fetch-corpus",
        merged.display(),
        cases.len()
    );
    Some((cases, left_out))
}

#[test]
fn corpus_unit_files_parse_like_systemd() {
    let Some((cases, left_out)) = corpus_cases() else {
        return;
    };
    let r = compare_all(&cases);
    conclude("corpus_syntax", &cases, left_out, r);
}

/// A small deterministic generator (splitmix64) for the mutants, seeded from `UNITLAB_SEED`.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Line-level edits that real files could plausibly suffer (typos, editor accidents), each of
/// which exercises a path of the line parser with real content around it.
const MUTATIONS: &[&str] = &[
    "lowercase-key",    // `ExecStart=` -> `execStart=`: unknown key
    "drop-equals",      // `Key=value` -> `Keyvalue`: missing '='
    "empty-key",        // `Key=value` -> `=value`: missing key
    "unknown-section",  // a `[Frobnicate]` header before a line
    "x-section",        // a `[X-Vendor]` header before a line (silently ignored)
    "broken-header",    // a section header loses its `]`: the parse fails
    "bad-header-chars", // `[Service]` -> `[Ser\"vice]`
    "outside-section",  // an assignment before the first header
    "continuation",     // a trailing backslash joins the next line (and maybe a comment)
    "crlf",             // every `\n` becomes `\r\n`
    "bom",              // a UTF-8 BOM in front
    "bad-utf8",         // a byte 0xFF inside a value: the parse fails
    "whitespace",       // blanks and tabs around keys and values, blank and comment lines
    "x-key",            // an `X-Foo=` key (no warning)
];

/// Applies 1–3 random mutations to `text`.
fn mutate(text: &[u8], rng: &mut Rng, applied: &mut Vec<&'static str>) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = text.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    let is_assignment = |l: &[u8]| {
        let t = l.trim_ascii_start();
        !t.is_empty() && !matches!(t[0], b'#' | b';' | b'[') && t.contains(&b'=')
    };
    let is_header = |l: &[u8]| l.trim_ascii().starts_with(b"[") && l.trim_ascii().ends_with(b"]");
    let mut crlf = false;
    let mut bom = false;
    for _ in 0..1 + rng.below(3) {
        let m = MUTATIONS[rng.below(MUTATIONS.len())];
        applied.push(m);
        let assignments: Vec<usize> = (0..lines.len())
            .filter(|&i| is_assignment(&lines[i]))
            .collect();
        let headers: Vec<usize> = (0..lines.len()).filter(|&i| is_header(&lines[i])).collect();
        let at = rng.below(lines.len());
        let pick_assignment = |rng: &mut Rng| -> Option<usize> {
            (!assignments.is_empty()).then(|| assignments[rng.below(assignments.len())])
        };
        match m {
            "lowercase-key" => {
                if let Some(i) = pick_assignment(rng) {
                    let l = &mut lines[i];
                    if let Some(p) = l.iter().position(|b| !b.is_ascii_whitespace()) {
                        l[p] = l[p].to_ascii_lowercase();
                    }
                }
            }
            "drop-equals" => {
                if let Some(i) = pick_assignment(rng) {
                    let p = lines[i]
                        .iter()
                        .position(|&b| b == b'=')
                        .expect("assignment has '='");
                    lines[i].remove(p);
                }
            }
            "empty-key" => {
                if let Some(i) = pick_assignment(rng) {
                    let p = lines[i]
                        .iter()
                        .position(|&b| b == b'=')
                        .expect("assignment has '='");
                    lines[i].drain(..p);
                }
            }
            "unknown-section" => lines.insert(at, b"[Frobnicate]".to_vec()),
            "x-section" => lines.insert(at, b"[X-Vendor]".to_vec()),
            "broken-header" => {
                if !headers.is_empty() {
                    let i = headers[rng.below(headers.len())];
                    let l = &mut lines[i];
                    if let Some(p) = l.iter().rposition(|&b| b == b']') {
                        l.remove(p);
                    }
                }
            }
            "bad-header-chars" => {
                if !headers.is_empty() {
                    let i = headers[rng.below(headers.len())];
                    let l = &mut lines[i];
                    let p = l.iter().position(|&b| b == b'[').expect("header has '['");
                    l.insert(p + 2, b'"');
                }
            }
            "outside-section" => lines.insert(0, b"Description=before any section".to_vec()),
            "continuation" => {
                if let Some(i) = pick_assignment(rng) {
                    lines[i].push(b'\\');
                    if rng.below(2) == 0 {
                        lines.insert(i + 1, b"# a comment inside the continuation".to_vec());
                    }
                }
            }
            "crlf" => crlf = true,
            "bom" => bom = true,
            "bad-utf8" => {
                if let Some(i) = pick_assignment(rng) {
                    lines[i].push(0xFF);
                }
            }
            "whitespace" => {
                if let Some(i) = pick_assignment(rng) {
                    let p = lines[i]
                        .iter()
                        .position(|&b| b == b'=')
                        .expect("assignment has '='");
                    lines[i].splice(p..p + 1, b" \t= \t".iter().copied());
                    lines[i].splice(0..0, b"\t ".iter().copied());
                    lines[i].extend_from_slice(b" \t");
                }
                lines.insert(at, b"  ; a comment".to_vec());
                lines.insert(at, b" \t ".to_vec());
            }
            "x-key" => {
                if !headers.is_empty() {
                    let i = headers[rng.below(headers.len())];
                    lines.insert(i + 1, b"X-Foo=bar".to_vec());
                }
            }
            _ => unreachable!("every mutation is handled"),
        }
    }
    let sep: &[u8] = if crlf { b"\r\n" } else { b"\n" };
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    out.extend_from_slice(&lines.join(sep));
    out
}

/// Held-out variations of real files: every corpus file with 1–3 plausible syntax accidents.
/// Set `UNITLAB_SEED=<u64>` to reproduce a run (the seed is printed; the failing mutants' mutation
/// lists are in the report).
#[test]
fn corpus_mutants_parse_like_systemd() {
    let Some((cases, left_out)) = corpus_cases() else {
        return;
    };
    let seed: u64 = std::env::var("UNITLAB_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
        });
    eprintln!("corpus_mutants: seed {seed} (reproduce with UNITLAB_SEED={seed})");
    let mut rng = Rng(seed);
    let mutants: Vec<Case> = cases
        .iter()
        .map(|c| {
            let mut applied = Vec::new();
            let text = mutate(&c.text, &mut rng, &mut applied);
            Case {
                origin: format!("mutant {applied:?} of {} (UNITLAB_SEED={seed})", c.origin),
                ty: c.ty,
                text,
                file: format!("m{}", c.file),
                host: c.host.as_ref().map(|h| format!("m{h}")),
                unit: format!("m{}", c.unit),
            }
        })
        .collect();
    let r = compare_all(&mutants);
    assert!(
        r.n_messages > mutants.len() / 2,
        "the mutants drew only {} parser messages from systemd: the mutations do not bite",
        r.n_messages
    );
    conclude("corpus_mutants", &mutants, left_out, r);
}
