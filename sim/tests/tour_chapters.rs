//! Every chapter of the tour: it parses as a scenario, plays deterministically, and (when the
//! simulator can run it) its commands print what the chapter expects. The expected outputs come
//! from real systemd 252: user-scope chapters from a real `systemd --user` manager
//! (`tests/tour_real_manager.rs`), system-scope ones from the real `systemctl --root`
//! (`tests/tour_systemctl_root.rs`); see sim/tour/README.md.
use unitlab_sim::tour::{self, matrix, Capabilities, Requirement, Segment, Style};

fn playback(c: &tour::Chapter) -> String {
    let mut out = Vec::new();
    tour::play(c, Style::default(), &mut out).expect("write to a Vec");
    String::from_utf8(out).expect("utf-8")
}

#[test]
fn chapters_cover_the_issue() {
    let names: Vec<&str> = tour::chapters().iter().map(|c| c.name.as_str()).collect();
    for n in [
        "stop-disable-mask",
        "still-runs",
        "masked-dependency",
        "mask-file-exists",
        "runtime-mask-reboot",
        "unmask-not-enable",
        "edit-without-reload",
    ] {
        assert!(names.contains(&n), "{n} missing: {names:?}");
    }
    let sdm = tour::find("stop-disable-mask").expect("chapter");
    assert!(sdm.segments.contains(&Segment::Matrix));
    let still = tour::find("still-runs").expect("chapter");
    assert!(still.requires.contains(&Requirement::Activation));
    for c in tour::chapters() {
        assert!(!c.scenario.steps.is_empty(), "{}: no commands", c.name);
        let shown: Vec<usize> = c
            .segments
            .iter()
            .filter_map(|s| match s {
                Segment::Step(k) => Some(*k),
                _ => None,
            })
            .collect();
        assert_eq!(
            shown,
            (0..c.scenario.steps.len()).collect::<Vec<_>>(),
            "{}: every step is shown once, in order",
            c.name
        );
        assert!(
            c.segments.iter().any(|s| matches!(s, Segment::Prose(_))),
            "{}: no explanation",
            c.name
        );
    }
}

#[test]
fn every_available_chapter_plays_deterministically_and_passes_its_check() {
    let caps = Capabilities::probe();
    let mut checked = 0;
    let mut failures = Vec::new();
    for c in tour::chapters() {
        if let Some(why) = caps.missing(c) {
            println!("SKIP {}: {why}", c.name);
            continue;
        }
        let first = playback(c);
        let second = playback(c);
        assert_eq!(first, second, "{}: two playbacks differ", c.name);
        let r = tour::check(c);
        if !r.ok() {
            println!("{}", r.diff);
            failures.push(c.name.clone());
        }
        checked += 1;
    }
    println!("{checked} chapters checked");
    assert!(checked > 0, "no chapter could run");
    assert!(
        failures.is_empty(),
        "chapters that fail their check: {failures:?}"
    );
}

#[test]
fn playback_of_unmask_not_enable() {
    let c = tour::find("unmask-not-enable").expect("chapter");
    insta::assert_snapshot!(playback(c));
}

/// The table's cells that real systemd 252 decided (replayed on a real user manager with
/// `unitlab tour --export-matrix` and `scripts/real-manager-replay`): a masked service is
/// started by nothing; a stopped or disabled one is started by hand and by another unit's
/// Wants=/Requires=. Rows the simulator cannot run yet (timers, sockets, paths) are only
/// required to keep a masked service off.
#[test]
fn the_computed_table_agrees_with_real_systemd_where_the_simulator_can_run_it() {
    if !Capabilities::probe().manager {
        println!("SKIP: the table needs the runtime manager");
        return;
    }
    let m = matrix::Matrix::compute();
    let mask = matrix::ACTIONS
        .iter()
        .position(|a| a.heading.starts_with("mask"))
        .expect("a mask column");
    for (row, t) in matrix::TRIGGERS.iter().enumerate() {
        assert_ne!(
            m.cells[row][mask].state, "active",
            "a masked service was started by {:?}",
            t.label
        );
        if t.activation {
            continue;
        }
        let expect_on: &[usize] = if t.reboots { &[0] } else { &[0, 1] };
        for &col in expect_on {
            assert_eq!(
                m.cells[row][col].state,
                "active",
                "{:?} after {:?}",
                t.label,
                matrix::ACTIONS[col].heading
            );
        }
        if t.reboots {
            assert_ne!(
                m.cells[row][1].state, "active",
                "a disabled service started at boot"
            );
        }
    }
    let text = m.render();
    assert!(text.starts_with("what tries to start it"), "{text}");
    assert_eq!(
        text.lines().filter(|l| l.contains(" | ")).count(),
        1 + matrix::TRIGGERS.len()
    );
}

/// The system-scope chapters that edit `/etc` and `/usr` run exactly the commands of scenarios
/// that `tests/replay_systemctl_root.rs` checks against the real `systemctl --root`, with the same
/// expected output: only the prose differs. If one side changes, this fails.
#[test]
fn system_chapters_repeat_scenarios_checked_with_systemctl_root() {
    for (chapter, file) in [
        ("mask-file-exists", "system-mask-file-exists.md"),
        ("runtime-mask-reboot", "system-reboot-runtime-state.md"),
    ] {
        let c = tour::find(chapter).expect("chapter");
        let path = camino::Utf8PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join(file);
        let text = std::fs::read_to_string(&path).expect("read scenario");
        let sc = unitlab_sim::scenario::parse(&path, &text).expect("parse scenario");
        let key = |s: &unitlab_sim::scenario::Step| (s.text(), s.status, s.expected.clone());
        assert_eq!(
            c.scenario.steps.iter().map(key).collect::<Vec<_>>(),
            sc.steps.iter().map(key).collect::<Vec<_>>(),
            "{chapter} no longer repeats {file}"
        );
        assert_eq!(c.scenario.settings, sc.settings, "{chapter}: settings");
    }
}
