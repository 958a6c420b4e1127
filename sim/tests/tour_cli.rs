//! `unitlab tour` on the command line: `--list`, unknown names, `--check`, and the playback's
//! shape (every command of a chapter is shown with `$ `, plain text without a terminal).
use std::process::Command;

fn tour(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_unitlab"))
        .arg("tour")
        .args(args)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .output()
        .expect("run unitlab");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn list_names_every_chapter_with_its_title() {
    let (code, out, err) = tour(&["--list"]);
    assert_eq!((code, err.as_str()), (0, ""));
    insta::assert_snapshot!(out);
    for c in unitlab_sim::tour::chapters() {
        assert!(
            out.lines()
                .any(|l| l.starts_with(&c.name) && l.ends_with(&c.title)),
            "{} missing from:\n{out}",
            c.name
        );
    }
}

#[test]
fn an_unknown_chapter_is_an_error() {
    let (code, out, err) = tour(&["no-such-chapter"]);
    assert_eq!(code, 1);
    assert_eq!(out, "");
    assert_eq!(
        err,
        "unitlab tour: no chapter \"no-such-chapter\" (see `unitlab tour --list`)\n"
    );
}

#[test]
fn check_passes_or_skips_every_chapter_with_a_reason() {
    let (code, out, err) = tour(&["--check"]);
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), unitlab_sim::tour::chapters().len(), "{out}");
    for (l, c) in lines.iter().zip(unitlab_sim::tour::chapters()) {
        let ok = l.starts_with(&format!("ok {} (", c.name));
        let skip = l.starts_with(&format!("SKIP {}: it needs ", c.name));
        assert!(ok || skip, "unexpected line {l:?}");
    }
}

#[test]
fn playback_shows_each_command_and_no_colour_without_a_terminal() {
    let c = unitlab_sim::tour::find("unmask-not-enable").expect("chapter");
    let (code, out, _) = tour(&["unmask-not-enable"]);
    assert_eq!(code, 0);
    assert!(!out.contains('\x1b'), "colour without a terminal:\n{out}");
    for st in &c.scenario.steps {
        assert!(
            out.contains(&format!("$ {}\n", st.command)),
            "{} not shown:\n{out}",
            st.command
        );
    }
    let (_, coloured, _) = tour(&["--color", "unmask-not-enable"]);
    assert!(coloured.contains("\x1b[1m$ "), "{coloured}");
}

#[test]
fn unsupported_plays_every_chapter_and_marks_differences() {
    let (code, out, _) = tour(&["--unsupported", "--check"]);
    assert!(code == 0 || code == 1, "{code}");
    assert!(!out.contains("SKIP"), "{out}");
    let caps = unitlab_sim::tour::Capabilities::probe();
    for c in unitlab_sim::tour::chapters() {
        if caps.missing(c).is_none() {
            assert!(
                out.contains(&format!("ok {} (", c.name)),
                "{}:\n{out}",
                c.name
            );
        }
    }
    // A chapter the simulator cannot run yet shows, where it differs, what real systemd printed.
    if let Some(c) = unitlab_sim::tour::chapters()
        .iter()
        .find(|c| caps.missing(c).is_some())
    {
        let (_, out, _) = tour(&["--unsupported", &c.name]);
        assert!(
            out.contains("[the simulator differs here; real systemd 252 printed"),
            "{out}"
        );
    }
}
