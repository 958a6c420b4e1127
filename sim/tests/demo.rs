//! `unitlab demo` (the README's main job) on its embedded tree. The load states, fragments and
//! log lines it prints come from the engine, whose rules are checked against real systemd by the
//! catalog differential tests; this snapshot pins the rendering.
use std::process::Command;

fn demo(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_unitlab"))
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
fn demo_explains_the_embedded_tree() {
    let (code, out, err) = demo(&["demo"]);
    assert_eq!(code, 0, "stderr: {err}");
    assert_eq!(err, "");
    insta::assert_snapshot!(out);
}

#[test]
fn demo_of_selected_units() {
    let (code, out, _) = demo(&["demo", "web.service", "getty@tty1.service"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("web.service is also known as www.service."),
        "{out}"
    );
    assert!(
        out.contains("getty@tty1.service has no file of its own"),
        "{out}"
    );
    assert!(!out.contains("db.service"), "{out}");
}

#[test]
fn demo_refuses_an_invalid_name() {
    let (code, _, err) = demo(&["demo", "not a unit"]);
    assert_eq!(code, 1);
    assert!(err.contains("not a unit"), "{err}");
}

#[test]
fn demo_of_a_missing_root_fails_cleanly() {
    let (code, _, err) = demo(&["--root=/nonexistent/unitlab-demo-root", "demo"]);
    assert_eq!(code, 1);
    assert!(err.contains("/nonexistent/unitlab-demo-root"), "{err}");
}
