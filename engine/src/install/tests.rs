//! Engine-level tests of the install operations on [`MemFs`]. Expected values come from reference
//! §4 and the §8 checklist (test-install-root), whose cases were verified against systemctl 252.
use super::change::{Change, ChangeKind, Errno};
use super::*;
use crate::fs::{FileKind, FileSystem, MemFs};
use crate::load::{LookupPaths, MapEnv, Scope};
use camino::Utf8Path;

const U: &str = "/usr/lib/systemd/system";
const E: &str = "/etc/systemd/system";
const W: &str = "[Install]\nWantedBy=multi-user.target\n";

fn tree() -> MemFs {
    let fs = MemFs::new();
    for d in [U, E, "/run/systemd/system", "/opt"] {
        fs.add_dir(d).expect("dir");
    }
    fs.add_file(format!("{U}/multi-user.target"), "# stub\n")
        .expect("file");
    fs.add_file(format!("{U}/graphical.target"), "# stub\n")
        .expect("file");
    fs
}

fn lp() -> LookupPaths {
    LookupPaths::new(Scope::System, Some(Utf8Path::new("/R")), &MapEnv::new("/")).expect("lp")
}

fn opts() -> Options {
    Options {
        utf8: true,
        ..Options::default()
    }
}

fn names(n: &[&str]) -> Vec<String> {
    n.iter().map(|s| s.to_string()).collect()
}

fn symlink(path: &str, target: &str) -> Change {
    Change::new(ChangeKind::Symlink, &format!("/R{path}"), Some(target))
}

fn unlink(path: &str) -> Change {
    Change::new(ChangeKind::Unlink, &format!("/R{path}"), None)
}

fn state(fs: &MemFs, name: &str) -> Result<UnitFileState, Errno> {
    is_enabled(fs, &lp(), name, opts()).0
}

#[test]
fn basic_mask_and_enable() {
    // §8.1 items 1–16.
    let fs = tree();
    let lp = lp();
    assert_eq!(state(&fs, "a.service"), Err(Errno::ENOENT));
    fs.add_file(format!("{U}/a.service"), W).expect("file");
    fs.add_symlink(format!("{U}/b.service"), "a.service")
        .expect("link");
    fs.add_symlink(format!("{U}/c.service"), format!("{U}/a.service"))
        .expect("link");
    fs.add_symlink(format!("{U}/d.service"), "c.service")
        .expect("link");
    assert_eq!(state(&fs, "a.service"), Ok(UnitFileState::Disabled));
    for n in ["b.service", "c.service", "d.service"] {
        assert_eq!(state(&fs, n), Ok(UnitFileState::Alias), "{n}");
    }

    let o = mask(&fs, &lp, &names(&["a.service"]), opts());
    assert_eq!(
        o.changes,
        vec![symlink(&format!("{E}/a.service"), "/dev/null")]
    );
    for n in ["a.service", "b.service", "c.service", "d.service"] {
        assert_eq!(state(&fs, n), Ok(UnitFileState::Masked), "{n}");
    }
    let o = enable(&fs, &lp, &names(&["a.service"]), opts());
    assert_eq!(o.result, Err(Errno::ERFKILL));

    let o = unmask(&fs, &lp, &names(&["a.service"]), opts());
    assert_eq!(o.changes, vec![unlink(&format!("{E}/a.service"))]);

    let o = enable(&fs, &lp, &names(&["a.service"]), opts());
    assert_eq!(o.result, Ok(1));
    let wants = format!("{E}/multi-user.target.wants/a.service");
    assert_eq!(o.changes, vec![symlink(&wants, &format!("{U}/a.service"))]);
    assert_eq!(state(&fs, "a.service"), Ok(UnitFileState::Enabled));

    let o = enable(&fs, &lp, &names(&["a.service"]), opts());
    assert_eq!((o.result, o.changes.len()), (Ok(1), 0));

    let o = disable(&fs, &lp, &names(&["a.service"]), opts());
    assert_eq!(o.changes, vec![unlink(&wants)]);
    // The emptied .wants directory is removed too (reference §4.0.1).
    assert!(fs
        .lstat(Utf8Path::new(&format!("{E}/multi-user.target.wants")))
        .is_err());

    let o = enable(&fs, &lp, &names(&["d.service"]), opts());
    assert_eq!(o.changes, vec![symlink(&wants, &format!("{U}/a.service"))]);

    let o = reenable(&fs, &lp, &names(&["b.service"]), opts());
    assert_eq!(
        o.changes,
        vec![unlink(&wants), symlink(&wants, &format!("{U}/a.service"))]
    );
}

#[test]
fn masks_by_relative_and_dotdot_links() {
    // §8.1 items 17–18.
    let fs = tree();
    fs.add_symlink(format!("{U}/e.service"), "../../../../../../dev/null")
        .expect("link");
    assert_eq!(state(&fs, "e.service"), Ok(UnitFileState::Masked));
    let fs = tree();
    fs.add_symlink(format!("{U}/e.service"), "/usr/../dev/null")
        .expect("link");
    assert_eq!(state(&fs, "e.service"), Ok(UnitFileState::Masked));
}

#[test]
fn destination_not_present() {
    // §8.1 item 20.
    let fs = tree();
    fs.add_file(format!("{U}/f.service"), "[Install]\nWantedBy=x.target\n")
        .expect("file");
    let o = enable(&fs, &lp(), &names(&["f.service"]), opts());
    assert_eq!(
        o.changes,
        vec![
            symlink(
                &format!("{E}/x.target.wants/f.service"),
                &format!("{U}/f.service")
            ),
            Change::new(
                ChangeKind::DestinationNotPresent,
                "x.target",
                Some(&format!("/R{U}/f.service"))
            ),
        ]
    );
}

#[test]
fn linked_units() {
    // §8.1 items 21–28.
    let fs = tree();
    let lp = lp();
    for n in ["linked", "linked2", "linked3"] {
        fs.add_file(format!("/opt/{n}.service"), W).expect("file");
    }
    fs.add_symlink(format!("{U}/linked2.service"), "/opt/linked2.service")
        .expect("link");
    fs.add_symlink(format!("{E}/linked3.service"), "/opt/linked3.service")
        .expect("link");
    assert_eq!(state(&fs, "linked.service"), Err(Errno::ENOENT));
    assert_eq!(state(&fs, "linked2.service"), Ok(UnitFileState::Disabled));
    assert_eq!(state(&fs, "linked3.service"), Ok(UnitFileState::Linked));

    let o = link(&fs, &lp, &names(&["/opt/linked.service"]), opts());
    assert_eq!(
        o.changes,
        vec![symlink(
            &format!("{E}/linked.service"),
            "/opt/linked.service"
        )]
    );
    assert_eq!(state(&fs, "linked.service"), Ok(UnitFileState::Linked));

    let o = disable(&fs, &lp, &names(&["linked.service"]), opts());
    assert_eq!(o.changes, vec![unlink(&format!("{E}/linked.service"))]);
    assert_eq!(state(&fs, "linked.service"), Err(Errno::ENOENT));

    let o = enable(&fs, &lp, &names(&["linked3.service"]), opts());
    assert_eq!(
        o.changes,
        vec![symlink(
            &format!("{E}/multi-user.target.wants/linked3.service"),
            "/opt/linked3.service"
        )]
    );
}

#[test]
fn templates_and_default_instance() {
    // §8.1 items 38–47.
    let fs = tree();
    let lp = lp();
    fs.add_file(
        format!("{U}/template@.service"),
        "[Install]\nDefaultInstance=def\nWantedBy=multi-user.target\n",
    )
    .expect("file");
    fs.add_symlink(
        format!("{U}/template-symlink@.service"),
        "template@.service",
    )
    .expect("link");
    assert_eq!(
        state(&fs, "template-symlink@.service"),
        Ok(UnitFileState::Alias)
    );
    let o = enable(&fs, &lp, &names(&["template@.service"]), opts());
    let def = format!("{E}/multi-user.target.wants/template@def.service");
    assert_eq!(
        o.changes,
        vec![symlink(&def, &format!("{U}/template@.service"))]
    );
    assert_eq!(
        state(&fs, "template@def.service"),
        Ok(UnitFileState::Enabled)
    );
    assert_eq!(
        state(&fs, "template-symlink@def.service"),
        Ok(UnitFileState::Enabled)
    );
    assert_eq!(
        state(&fs, "template@foo.service"),
        Ok(UnitFileState::Disabled)
    );
    let o = disable(&fs, &lp, &names(&["template@.service"]), opts());
    assert_eq!(o.changes, vec![unlink(&def)]);

    let o = enable(&fs, &lp, &names(&["template-symlink@quux.service"]), opts());
    assert_eq!(
        o.changes[0],
        symlink(
            &format!("{E}/multi-user.target.wants/template@quux.service"),
            &format!("{U}/template@.service")
        )
    );
    assert_eq!(state(&fs, "template@.service"), Ok(UnitFileState::Indirect));
}

#[test]
fn template_without_default_instance_is_eidrm() {
    let fs = tree();
    fs.add_file(format!("{U}/tpl@.service"), W).expect("file");
    let o = enable(&fs, &lp(), &names(&["tpl@.service"]), opts());
    assert_eq!(o.result, Err(Errno::EIDRM));
    let lines = render_changes(
        &o.changes,
        Err(Errno::EIDRM),
        RenderOptions {
            verb: "enable",
            quiet: false,
            utf8: true,
        },
    );
    assert_eq!(
        lines,
        vec!["Failed to enable tpl@.service, destination unit multi-user.target is a non-template unit."]
    );
}

#[test]
fn indirect_through_also() {
    // §8.1 items 48–51.
    let fs = tree();
    fs.add_file(
        format!("{U}/indirecta.service"),
        "[Install]\nAlso=indirectb.service\n",
    )
    .expect("file");
    fs.add_file(format!("{U}/indirectb.service"), W)
        .expect("file");
    fs.add_symlink(format!("{U}/indirectc.service"), "indirecta.service")
        .expect("link");
    assert_eq!(state(&fs, "indirecta.service"), Ok(UnitFileState::Indirect));
    let o = enable(&fs, &lp(), &names(&["indirectc.service"]), opts());
    assert_eq!(
        o.changes,
        vec![symlink(
            &format!("{E}/multi-user.target.wants/indirectb.service"),
            &format!("{U}/indirectb.service")
        )]
    );
    assert_eq!(state(&fs, "indirectb.service"), Ok(UnitFileState::Enabled));
}

#[test]
fn revert_override_and_dropins() {
    // §8.1 items 59–62.
    let fs = tree();
    let lp = lp();
    fs.add_file(format!("{U}/xx.service"), "# Empty\n")
        .expect("file");
    assert_eq!(state(&fs, "xx.service"), Ok(UnitFileState::Static));
    assert!(revert(&fs, &lp, &names(&["xx.service"]), opts())
        .changes
        .is_empty());
    fs.add_file(format!("{E}/xx.service"), "# override\n")
        .expect("file");
    let o = revert(&fs, &lp, &names(&["xx.service"]), opts());
    assert_eq!(o.changes, vec![unlink(&format!("{E}/xx.service"))]);
    fs.add_file(format!("{E}/xx.service.d/dropin.conf"), "[Unit]\n")
        .expect("file");
    let o = revert(&fs, &lp, &names(&["xx.service"]), opts());
    assert_eq!(
        o.changes,
        vec![
            unlink(&format!("{E}/xx.service.d/dropin.conf")),
            unlink(&format!("{E}/xx.service.d"))
        ]
    );
}

#[test]
fn dropins_and_default_instance_from_dropin() {
    // §8.1 items 77–84.
    let fs = tree();
    fs.add_file(
        format!("{U}/w@.service"),
        "[Install]\nDefaultInstance=instance-1\nWantedBy=multi-user.target\n",
    )
    .expect("file");
    fs.add_file(
        format!("{U}/w@.service.d/dropin.conf"),
        "[Install]\nDefaultInstance=instance-2\n",
    )
    .expect("file");
    let o = enable(&fs, &lp(), &names(&["w@.service"]), opts());
    assert_eq!(
        o.changes,
        vec![symlink(
            &format!("{E}/multi-user.target.wants/w@instance-2.service"),
            &format!("{U}/w@.service")
        )]
    );
}

#[test]
fn add_dependency_and_default() {
    // §8.1 items 29–36.
    let fs = tree();
    let lp = lp();
    fs.add_file(format!("{U}/real.target"), "# t\n")
        .expect("file");
    fs.add_symlink(format!("{U}/alias.target"), "real.target")
        .expect("link");
    fs.add_file(format!("{U}/real.service"), "# s\n")
        .expect("file");
    fs.add_symlink(format!("{U}/alias.service"), "real.service")
        .expect("link");
    let o = add_dependency(
        &fs,
        &lp,
        "alias.target",
        &names(&["alias.service"]),
        Dependency::Wants,
        opts(),
    );
    assert_eq!(
        o.changes,
        vec![symlink(
            &format!("{E}/real.target.wants/real.service"),
            &format!("{U}/real.service")
        )]
    );
    assert_eq!(get_default(&fs, &lp, opts()).0, Err(Errno::ENOENT));
    let o = set_default(&fs, &lp, "idontexist.target", opts());
    assert_eq!(o.result, Err(Errno::ENOENT));
    let o = set_default(&fs, &lp, "alias.target", opts());
    assert_eq!(
        o.changes,
        vec![symlink(
            &format!("{E}/default.target"),
            &format!("{U}/real.target")
        )]
    );
    assert_eq!(
        get_default(&fs, &lp, opts()).0,
        Ok("real.target".to_owned())
    );
    assert_eq!(
        set_default(&fs, &lp, "a.service", opts()).result,
        Err(Errno::EINVAL)
    );
}

#[test]
fn dry_run_leaves_the_tree_alone() {
    let fs = tree();
    let lp = lp();
    fs.add_file(format!("{U}/a.service"), W).expect("file");
    let dry = Options {
        dry_run: true,
        ..opts()
    };
    let before = fs.clone();
    let o = enable(&fs, &lp, &names(&["a.service"]), dry);
    assert_eq!(o.changes.len(), 1);
    let o = mask(&fs, &lp, &names(&["a.service"]), dry);
    assert_eq!(o.changes.len(), 1);
    assert_eq!(format!("{before:?}"), format!("{fs:?}"));
    enable(&fs, &lp, &names(&["a.service"]), opts());
    let o = disable(&fs, &lp, &names(&["a.service"]), dry);
    assert_eq!(
        o.changes,
        vec![unlink(&format!("{E}/multi-user.target.wants/a.service"))]
    );
    let kind = fs
        .lstat(Utf8Path::new(&format!(
            "{E}/multi-user.target.wants/a.service"
        )))
        .expect("still there")
        .kind;
    assert_eq!(kind, FileKind::Symlink);
}

#[test]
fn verify_alias_table() {
    // §8.1 verify_alias, a selection of each group: (unit, alias, ok?, propagated name).
    let cases: &[(&str, &str, bool, Option<&str>)] = &[
        ("plain.service", "alias.service", true, None),
        ("plain.service", "alias.socket", false, None),
        ("plain.service", "alias@.service", false, None),
        (
            "plain.service",
            "foo.target.wants/plain.service",
            true,
            None,
        ),
        (
            "plain.service",
            "foo.target.wants/plain@.service",
            false,
            None,
        ),
        (
            "plain.service",
            "foo.target.conf/plain.service",
            false,
            None,
        ),
        ("plain.service", "asdf.requires/plain.service", false, None),
        ("template1@.service", "alias@.service", true, None),
        ("template1@.service", "alias.service", false, None),
        (
            "template1@.service",
            "foo.target.wants/template1@foo.service",
            true,
            None,
        ),
        (
            "template1@.service",
            "FOO@.target.requires/template1@.service",
            true,
            None,
        ),
        (
            "template1@.service",
            "FOO@inst.target.requires/template1@.service",
            false,
            None,
        ),
        (
            "template3@inst.service",
            "alias@.service",
            true,
            Some("alias@inst.service"),
        ),
        ("template3@inst.service", "alias@di.service", false, None),
        (
            "template3@inst.service",
            "bar.target.wants/template3@inst.service",
            true,
            None,
        ),
        (
            "template3@inst.service",
            "bar.target.wants/template3@foo.service",
            false,
            None,
        ),
    ];
    for &(unit, alias, ok, propagated) in cases {
        let mut changes = Vec::new();
        let r = verify_alias(unit, alias, &mut changes);
        if ok {
            assert_eq!(r, Ok(propagated.map(str::to_owned)), "{unit} {alias}");
            assert!(changes.is_empty());
        } else {
            assert_eq!(r, Err(Errno::EXDEV), "{unit} {alias}");
            assert_eq!(changes.len(), 1, "{unit} {alias}");
        }
    }
    // A self-alias is skipped silently.
    let mut changes = Vec::new();
    assert_eq!(
        verify_alias("a.service", "a.service", &mut changes),
        Err(Errno::ELOOP)
    );
    assert!(changes.is_empty());
}

#[test]
fn alias_symlink_validation_table() {
    // §8.3 test-unit-file.c (source → target).
    use super::alias::validate_alias_symlink as v;
    let ok = |a: &str, b: &str| v(a, b).is_ok();
    let err = |a: &str, b: &str| v(a, b).map_err(|e| e.0).err();
    assert!(ok("a.service", "b.service"));
    assert_eq!(err("a.service", "b.socket"), Some(Errno::EXDEV));
    assert_eq!(err("a.service", "b.foobar"), Some(Errno::EXDEV));
    assert!(ok("a@.service", "b@.service"));
    assert_eq!(err("a@.service", "b@.socket"), Some(Errno::EXDEV));
    assert_eq!(err("a@XXX.service", "b@YYY.service"), Some(Errno::EXDEV));
    assert_eq!(err("a@.service", "b@YYY.service"), Some(Errno::EXDEV));
    assert!(ok("a@XXX.service", "b@XXX.service"));
    assert!(ok("a@XXX.service", "b@.service"));
    assert_eq!(err("a@.service", "b.service"), Some(Errno::EXDEV));
    assert_eq!(err("a.service", "b@.service"), Some(Errno::EXDEV));
    assert_eq!(err("a@.slice", "b.slice"), Some(Errno::EINVAL));
    assert_eq!(err("a.slice", "b.slice"), Some(Errno::EINVAL));
}

#[test]
fn render_arrows_quiet_and_generic_failure() {
    let changes = vec![
        symlink("/etc/systemd/system/a.service", "/dev/null"),
        unlink("/etc/systemd/system/b.service"),
    ];
    let o = |utf8, quiet| RenderOptions {
        verb: "mask",
        quiet,
        utf8,
    };
    assert_eq!(
        render_changes(&changes, Ok(()), o(true, false))[0],
        "Created symlink /R/etc/systemd/system/a.service → /dev/null."
    );
    assert_eq!(
        render_changes(&changes, Ok(()), o(false, false))[0],
        "Created symlink /R/etc/systemd/system/a.service -> /dev/null."
    );
    assert!(render_changes(&changes, Ok(()), o(true, true)).is_empty());
    assert_eq!(
        render_changes(&[], Err(Errno::EINVAL), o(true, true)),
        vec!["Failed to mask: Invalid argument."]
    );
    let missing = vec![Change::new(
        ChangeKind::Error(Errno::ENOENT),
        "missing.service",
        None,
    )];
    // An error record replaces the generic line, and is printed even with --quiet.
    assert_eq!(
        render_changes(&missing, Err(Errno::ENOENT), o(true, true)),
        vec!["Failed to mask unit, unit missing.service does not exist."]
    );
}

#[test]
fn states_of_every_kind() {
    let fs = tree();
    fs.add_file(format!("{U}/st.service"), "# s\n")
        .expect("file");
    fs.add_file("/run/systemd/generator/gen.service", W)
        .expect("file");
    fs.add_file("/run/systemd/transient/tr.service", W)
        .expect("file");
    fs.add_file(format!("{U}/rt.service"), W).expect("file");
    fs.add_symlink(
        "/run/systemd/system/multi-user.target.wants/rt.service",
        format!("{U}/rt.service"),
    )
    .expect("link");
    fs.add_symlink("/run/systemd/system/mr.service", "/dev/null")
        .expect("link");
    fs.add_file("/opt/lr.service", W).expect("file");
    fs.add_symlink("/run/systemd/system/lr.service", "/opt/lr.service")
        .expect("link");
    fs.add_symlink(format!("{U}/dangling.service"), "gone.service")
        .expect("link");
    fs.add_symlink(format!("{U}/x.socket"), "x.service")
        .expect("link");
    fs.add_file(format!("{U}/x.service"), W).expect("file");
    use UnitFileState::*;
    assert_eq!(state(&fs, "st.service"), Ok(Static));
    assert_eq!(state(&fs, "gen.service"), Ok(Generated));
    assert_eq!(state(&fs, "tr.service"), Ok(Transient));
    assert_eq!(state(&fs, "rt.service"), Ok(EnabledRuntime));
    assert_eq!(state(&fs, "mr.service"), Ok(MaskedRuntime));
    assert_eq!(state(&fs, "lr.service"), Ok(LinkedRuntime));
    assert_eq!(state(&fs, "dangling.service"), Err(Errno::ENOLINK));
    assert_eq!(state(&fs, "x.socket"), Err(Errno::EXDEV));
    assert_eq!(state(&fs, "bad name"), Err(Errno::EINVAL));
    assert!(!Disabled.counts_as_enabled() && Static.counts_as_enabled());
}

#[test]
fn dry_runs_predict_the_real_changes() {
    let fs = tree();
    fs.add_file(
        format!("{U}/a.service"),
        "[Install]\nWantedBy=multi-user.target\nAlias=aa.service\n",
    )
    .expect("file");
    fs.add_file(format!("{U}/b.service"), W).expect("file");
    fs.add_file("/opt/o.service", W).expect("file");
    fs.add_file(format!("{E}/b.service.d/x.conf"), "[Unit]\n")
        .expect("file");
    fs.add_symlink(
        format!("{E}/multi-user.target.wants/b.service"),
        format!("{U}/b.service"),
    )
    .expect("link");
    let dry = Options {
        dry_run: true,
        ..opts()
    };
    type Op = Box<dyn Fn(&MemFs, Options) -> Outcome>;
    let ops: Vec<(&str, Op)> = vec![
        (
            "enable",
            Box::new(|fs: &MemFs, o| {
                enable(fs, &lp(), &names(&["a.service", "/opt/o.service"]), o)
            }),
        ),
        (
            "reenable",
            Box::new(|fs: &MemFs, o| reenable(fs, &lp(), &names(&["b.service"]), o)),
        ),
        (
            "mask",
            Box::new(|fs: &MemFs, o| mask(fs, &lp(), &names(&["a.service", "b.service"]), o)),
        ),
        (
            "link",
            Box::new(|fs: &MemFs, o| link(fs, &lp(), &names(&["/opt/o.service"]), o)),
        ),
        (
            "revert",
            Box::new(|fs: &MemFs, o| revert(fs, &lp(), &names(&["b.service"]), o)),
        ),
        (
            "disable",
            Box::new(|fs: &MemFs, o| disable(fs, &lp(), &names(&["b.service"]), o)),
        ),
        (
            "add-wants",
            Box::new(|fs: &MemFs, o| {
                add_dependency(
                    fs,
                    &lp(),
                    "graphical.target",
                    &names(&["b.service"]),
                    Dependency::Wants,
                    o,
                )
            }),
        ),
        (
            "set-default",
            Box::new(|fs: &MemFs, o| set_default(fs, &lp(), "graphical.target", o)),
        ),
    ];
    for (name, op) in &ops {
        let copy = fs.clone();
        let before = format!("{copy:?}");
        let predicted = op(&copy, dry);
        assert_eq!(
            format!("{copy:?}"),
            before,
            "{name}: dry run changed the tree"
        );
        let real = op(&copy, opts());
        assert_eq!(predicted, real, "{name}");
        assert!(!real.changes.is_empty(), "{name} did nothing");
    }
}
