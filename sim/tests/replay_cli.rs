//! `unitlab replay`: exit status, the diff with file:line and the seed on a mismatch, `--print`,
//! and `--bless` rewriting the file in place.
#[path = "../../engine/tests/support/mod.rs"]
mod support;

use camino::Utf8PathBuf;
use std::collections::BTreeMap;

fn replay(args: &[&str], cwd: &Utf8PathBuf) -> (i32, String, String) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let mut argv: Vec<std::ffi::OsString> = vec!["unitlab".into(), "replay".into()];
    argv.extend(args.iter().map(Into::into));
    let code = {
        let mut ctx = unitlab_sim::cli::Context {
            env: BTreeMap::new(),
            cwd: cwd.clone(),
            out: &mut out,
            err: &mut err,
            fs: None,
        };
        unitlab_sim::cli::run_in(&mut ctx, argv)
    };
    (
        code,
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    )
}

#[test]
fn mismatch_diff_print_and_bless() {
    let scratch = support::Scratch::new("replay-cli");
    let dir = Utf8PathBuf::from_path_buf(scratch.path().to_owned()).expect("utf-8");
    let text = "# t\n\n```unitlab\nseed = 7\n```\n\n```console\n$ echo hi\nho\n$ nosuch\n? 127\nbash: nosuch: command not found\n```\n";
    std::fs::write(dir.join("t.md"), text).expect("write");

    let (code, out, err) = replay(&["t.md"], &dir);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "t.md:8: $ echo hi\n--- t.md:9 (expected)\n+++ actual\n@@ -9,1 +1,1 @@\n+hi\n-ho\n"
    );
    assert_eq!(
        err,
        "FAILED t.md (seed 7; rerun with `unitlab replay --seed 7 t.md`)\n"
    );

    let (code, out, _) = replay(&["--print", "--seed", "3", "t.md"], &dir);
    assert_eq!(code, 1);
    assert!(
        out.starts_with("$ echo hi\nhi\n$ nosuch\n? 127\nbash: nosuch: command not found\n"),
        "{out}"
    );
    assert!(out.contains("t.md:8: $ echo hi"), "{out}");

    let (code, _, err) = replay(&["--bless", "t.md"], &dir);
    assert_eq!((code, err.as_str()), (0, "blessed t.md\n"));
    assert_eq!(
        std::fs::read_to_string(dir.join("t.md")).expect("read"),
        text.replace("$ echo hi\nho\n", "$ echo hi\nhi\n")
    );
    let (code, _, err) = replay(&["t.md"], &dir);
    assert_eq!((code, err.as_str()), (0, "ok t.md (2 commands)\n"));

    std::fs::write(dir.join("bad.md"), "```console\n$ cat <<EOF\nx\n```\n").expect("write");
    let (code, _, err) = replay(&["bad.md"], &dir);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "bad.md:2: heredoc not terminated: no line `EOF` before the end of the block\n"
    );
}
