//! Properties of the scenario runner and the simulated shell over random command sequences drawn
//! from a tiny universe (three units, so that commands collide):
//! - the same settings and commands give the same transcript (determinism);
//! - a scenario written from a run's transcript (`--bless`) replays without a mismatch, and
//!   blessing it again changes nothing (the parser, matcher and bless agree with each other);
//! - no command sequence panics the machine.
use proptest::prelude::*;
use unitlab_sim::machine::{Machine, Settings, ShellScope};
use unitlab_sim::scenario;

const UNITS: &[&str] = &["pa.service", "pb.service", "pc.service"];

fn command() -> impl Strategy<Value = String> {
    let unit = prop::sample::select(UNITS);
    let verb = prop::sample::select(
        &[
            "enable",
            "disable",
            "mask",
            "unmask",
            "is-enabled",
            "reenable",
            "revert",
            "enable --runtime",
            "mask --runtime",
            "unmask --runtime",
        ][..],
    );
    let install = prop::sample::select(
        &[
            "",
            "[Install]\nWantedBy=default.target\n",
            "[Install]\nAlias=pz.service\n",
            "[Install]\nWantedBy=default.target\nAlso=pb.service\n",
        ][..],
    );
    let dir = prop::sample::select(&["~/.config/systemd/user", "~/.local/share/systemd/user"][..]);
    prop_oneof![
        (verb, unit.clone()).prop_map(|(v, u)| format!("systemctl --user {v} {u}")),
        (dir.clone(), unit.clone(), install).prop_map(|(d, u, i)| format!(
            "cat > {d}/{u} <<'EOF'\n[Service]\nExecStart=/bin/sleep 1000\n{i}EOF"
        )),
        (dir.clone(), unit.clone()).prop_map(|(d, u)| format!("rm {d}/{u}")),
        dir.prop_map(|d| format!("ls -l {d}")),
        Just("ls ~/.config/systemd/user/default.target.wants".to_owned()),
        Just("sleep 1".to_owned()),
    ]
}

fn scenario_text(commands: &[String]) -> String {
    let mut s = String::from("```unitlab\nscope = user\n```\n\n```console\n");
    s.push_str("$ mkdir -p ~/.config/systemd/user ~/.local/share/systemd/user\n");
    for c in commands {
        s.push_str("$ ");
        s.push_str(c);
        s.push('\n');
    }
    s.push_str("```\n");
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn blessed_transcripts_replay_and_are_deterministic(commands in prop::collection::vec(command(), 1..14)) {
        let text = scenario_text(&commands);
        let sc = scenario::parse("random.md".into(), &text).expect("generated scenario parses");
        let settings = Settings { scope: ShellScope::User, ..Settings::default() };
        prop_assert_eq!(&sc.settings, &settings);
        let first = scenario::run(&sc, &mut Machine::new(settings.clone()));
        let second = scenario::run(&sc, &mut Machine::new(settings.clone()));
        prop_assert_eq!(first.transcript(), second.transcript());

        let blessed = first.blessed(&sc);
        let again = scenario::parse("random.md".into(), &blessed).expect("blessed scenario parses");
        prop_assert_eq!(again.steps.len(), sc.steps.len());
        let replay = scenario::run(&again, &mut Machine::new(settings));
        prop_assert!(replay.ok(), "blessed scenario does not replay:\n{}\n{}", blessed, replay.diff());
        prop_assert_eq!(replay.blessed(&again), blessed);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Bad input never panics: arbitrary command lines (quotes, expansions, redirections,
    /// heredocs, globs, unknown options) give some output and status.
    #[test]
    fn arbitrary_command_lines_do_not_panic(
        line in r#"(ls|cat|echo|ln|rm|mv|mkdir|touch|sleep|systemctl|journalctl|tee|cd|x)( [-a-z./~$'"<>*?\[\]{}2&1 ]{0,12}){0,4}"#,
        body in prop::collection::vec("[a-z=\\[\\] ]{0,8}", 0..3),
    ) {
        let mut m = Machine::new(Settings::default());
        let mut text = line.clone();
        for l in &body {
            text.push('\n');
            text.push_str(l);
        }
        let (_, status) = m.run(&text);
        prop_assert!((0..=255).contains(&status), "{line:?} gave status {status}");
    }
}
