//! Fixture differential of the install verbs against real `systemctl --root` (reference §4, §8).
//!
//! Each case describes a small tree and a sequence of command lines. The tree is built twice in a
//! scratch directory; every step runs `systemctl --root=A --no-pager ARGS…` on one copy and
//! `unitlab --root=B --no-pager ARGS…` on the other, with the same environment (`env -i` plus
//! `PATH`, the locale and `SYSTEMCTL_SKIP_SYSV=1` unless the case is about the SysV step) and the
//! same current directory. After every step stdout, stderr (root replaced by `ROOT`), the exit
//! status and the whole resulting tree (every path, its kind, symlink target text and file
//! contents) must be identical. Every case runs with `LC_ALL=C.UTF-8` and with `LC_ALL=C`.
//! The UTF-8 transcript of unitlab is also kept as an insta snapshot (`snapshots/`).
//!
//! Tree notation (one entry per line): `PATH = TEXT` is a file (`\n` escapes allowed, `PATH =`
//! an empty file), `PATH -> TARGET` a symlink, `PATH/` a directory. Prefixes: `U/` =
//! `/usr/lib/systemd/system/`, `L/` = `/lib/systemd/system/`, `E/` = `/etc/systemd/system/`,
//! `R/` = `/run/systemd/system/`, `G/` = `/run/systemd/generator/`, `T/` =
//! `/run/systemd/transient/`, `O/` = `/opt/`, `EU/` = `/etc/systemd/user/`, `UU/` =
//! `/usr/lib/systemd/user/`. Every tree starts with the §8 "intro": empty `U/`, `E/`, `R/`, `O/`
//! and stub `U/multi-user.target`, `U/graphical.target`.

#[path = "../../engine/tests/support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

const W: &str = "[Install]\\nWantedBy=multi-user.target\\n";

fn expand_prefix(p: &str) -> String {
    let p = p.trim_matches('\'');
    for (short, long) in [
        ("UU/", "usr/lib/systemd/user/"),
        ("EU/", "etc/systemd/user/"),
        ("U/", "usr/lib/systemd/system/"),
        ("L/", "lib/systemd/system/"),
        ("E/", "etc/systemd/system/"),
        ("R/", "run/systemd/system/"),
        ("G/", "run/systemd/generator/"),
        ("T/", "run/systemd/transient/"),
        ("O/", "opt/"),
    ] {
        if let Some(rest) = p.strip_prefix(short) {
            return format!("{long}{rest}");
        }
    }
    p.to_owned()
}

fn build(root: &Path, tree: &str) {
    let intro = "U/\nE/\nR/\nO/\nU/multi-user.target = # stub\\n\nU/graphical.target = # stub\\n\n";
    for line in intro.lines().chain(tree.lines()) {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let text = line.replace("$W", W);
        if let Some((p, t)) = text.split_once(" -> ") {
            let path = root.join(expand_prefix(p.trim()));
            fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            symlink(t.trim(), &path).expect("symlink");
        } else if let Some((p, c)) = text.split_once(" =") {
            let path = root.join(expand_prefix(p.trim()));
            fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            let content = c.strip_prefix(' ').unwrap_or(c).replace("\\n", "\n");
            fs::write(&path, content).expect("write");
        } else if let Some(p) = text.strip_suffix('/') {
            fs::create_dir_all(root.join(expand_prefix(&format!("{p}/")))).expect("mkdir");
        } else {
            panic!("bad tree line {line:?}");
        }
    }
}

/// Every path below `root` with its kind, link target or contents.
fn snapshot_tree(root: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        let mut entries: Vec<_> = fs::read_dir(dir)
            .expect("read_dir")
            .map(|e| e.expect("entry").path())
            .collect();
        entries.sort();
        for p in entries {
            let rel = p
                .strip_prefix(root)
                .expect("inside root")
                .to_string_lossy()
                .into_owned();
            let meta = fs::symlink_metadata(&p).expect("lstat");
            if meta.file_type().is_symlink() {
                let t = fs::read_link(&p).expect("readlink");
                out.insert(rel, format!("-> {}", t.display()));
            } else if meta.is_dir() {
                out.insert(rel, "dir".to_owned());
                walk(root, &p, out);
            } else {
                let c = fs::read(&p).expect("read");
                out.insert(rel, format!("= {}", String::from_utf8_lossy(&c)));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

#[derive(Debug, PartialEq, Eq)]
struct Run {
    stdout: String,
    stderr: String,
    code: i32,
}

fn run(program: &Path, root: &Path, cwd: &Path, args: &[String], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(program);
    cmd.env_clear()
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        .current_dir(cwd)
        .arg(format!("--root={}", root.display()))
        .arg("--no-pager")
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run");
    let norm = |b: &[u8]| {
        String::from_utf8_lossy(b)
            .replace(&root.display().to_string(), "ROOT")
            .replace(&cwd.display().to_string(), "CWD")
    };
    Run {
        stdout: norm(&out.stdout),
        stderr: norm(&out.stderr),
        code: out.status.code().unwrap_or(-1),
    }
}

/// One fixture: a tree and the command lines run on it in sequence.
struct Case {
    name: &'static str,
    tree: &'static str,
    steps: &'static [&'static str],
    /// Extra environment (e.g. `SYSTEMCTL_SKIP_SYSV` left unset for the SysV cases).
    sysv: bool,
}

const fn case(name: &'static str, tree: &'static str, steps: &'static [&'static str]) -> Case {
    Case {
        name,
        tree,
        steps,
        sysv: false,
    }
}

fn split_args(step: &str) -> Vec<String> {
    // Arguments are separated by spaces; `'…'` quotes one argument.
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in step.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Runs all cases; returns the number of (case, locale, step) comparisons made.
fn check(cases: &[Case]) -> usize {
    if !support::systemctl() {
        return 0;
    }
    let ours = PathBuf::from(env!("CARGO_BIN_EXE_unitlab"));
    let theirs = PathBuf::from("systemctl");
    let mut failures = Vec::new();
    let mut compared = 0;
    for c in cases {
        for locale in ["C.UTF-8", "C"] {
            let scratch = support::Scratch::new("install-fixture");
            let (a, b) = (scratch.path().join("a"), scratch.path().join("b"));
            build(&a, c.tree);
            build(&b, c.tree);
            let mut env = vec![("LC_ALL", locale)];
            if !c.sysv {
                env.push(("SYSTEMCTL_SKIP_SYSV", "1"));
            }
            let mut transcript = String::new();
            for step in c.steps {
                let args = split_args(step);
                let want = run(&theirs, &a, scratch.path(), &args, &env);
                let got = run(&ours, &b, scratch.path(), &args, &env);
                compared += 1;
                let (ta, tb) = (snapshot_tree(&a), snapshot_tree(&b));
                if want != got || ta != tb {
                    let mut tree_diff = String::new();
                    for k in ta.keys().chain(tb.keys()) {
                        if ta.get(k) != tb.get(k) && !tree_diff.contains(k.as_str()) {
                            tree_diff.push_str(&format!(
                                "    {k}: systemctl {:?} / unitlab {:?}\n",
                                ta.get(k),
                                tb.get(k)
                            ));
                        }
                    }
                    failures.push(format!(
                        "case {} [{locale}] step `{step}`:\n  systemctl: {want:?}\n  unitlab:   {got:?}\n{tree_diff}",
                        c.name
                    ));
                    break;
                }
                transcript.push_str(&format!(
                    "$ {step}\n{}{}[exit {}]\n",
                    got.stdout, got.stderr, got.code
                ));
            }
            // Cases named `host_*` depend on the machine (host name, kernel): no snapshot.
            if locale == "C.UTF-8" && failures.is_empty() && !c.name.starts_with("host_") {
                let snap: String = c
                    .name
                    .chars()
                    .map(|ch| {
                        if ch.is_ascii_alphanumeric() || ch == '_' || ch == '-' {
                            ch
                        } else {
                            '_'
                        }
                    })
                    .collect();
                insta::assert_snapshot!(snap, transcript);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of the fixture runs differ from systemctl:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("{compared} steps compared with systemctl");
    compared
}

// ------------------------------------------------------------------------------------------
// §8.1 test-install-root, in our own words.

const BASIC: &str = "U/a.service = $W
U/b.service -> a.service
U/c.service -> /usr/lib/systemd/system/a.service
U/d.service -> c.service";

#[test]
fn checklist_basic_mask_and_enable() {
    check(&[
        case(
            "basic_sequence",
            BASIC,
            &[
                "is-enabled a.service b.service c.service d.service",
                "is-enabled e.service",
                "mask a.service",
                "is-enabled a.service b.service c.service d.service",
                "enable a.service",
                "unmask a.service",
                "enable a.service",
                "is-enabled a.service b.service c.service d.service",
                "enable a.service",
                "disable a.service",
                "disable a.service",
                "enable d.service",
                "reenable b.service",
                "is-enabled a.service b.service c.service d.service",
            ],
        ),
        case(
            "mask_relative_devnull",
            "U/e.service -> ../../../../../../dev/null",
            &["is-enabled e.service", "enable e.service"],
        ),
        case(
            "mask_dotdot_devnull",
            "U/e.service -> /usr/../dev/null",
            &["is-enabled e.service", "disable e.service"],
        ),
        case(
            "destination_not_present",
            "U/f.service = [Install]\\nWantedBy=x.target\\n",
            &[
                "is-enabled f.service",
                "enable f.service",
                "is-enabled f.service",
            ],
        ),
    ]);
}

#[test]
fn checklist_linked_units() {
    check(&[case(
        "linked_sequence",
        "O/linked.service = $W
O/linked2.service = $W
O/linked3.service = $W
U/linked2.service -> /opt/linked2.service
E/linked3.service -> /opt/linked3.service",
        &[
            "is-enabled linked.service",
            "is-enabled linked2.service linked3.service",
            "link /opt/linked.service",
            "is-enabled linked.service",
            "disable linked.service",
            "is-enabled linked.service",
            "enable /opt/linked.service",
            "is-enabled linked.service",
            "disable linked.service",
            "enable linked2.service",
            "enable linked3.service",
            "is-enabled linked2.service linked3.service",
            "reenable linked3.service",
        ],
    )]);
}

#[test]
fn checklist_default_and_dependencies() {
    check(&[
        case(
            "default_sequence",
            "U/test-default-real.target = # real\\n
U/test-default.target -> test-default-real.target",
            &[
                "get-default",
                "set-default idontexist.target",
                "get-default",
                "set-default test-default.target",
                "get-default",
                "set-default test-default-real",
                "set-default test-default",
            ],
        ),
        case(
            "add_dependency_aliases",
            "U/real-add-dependency-test-target.target = # t\\n
U/add-dependency-test-target.target -> real-add-dependency-test-target.target
U/real-add-dependency-test-service.service = # s\\n
U/add-dependency-test-service.service -> real-add-dependency-test-service.service",
            &[
                "add-wants add-dependency-test-target.target add-dependency-test-service.service",
                "add-requires add-dependency-test-target add-dependency-test-service",
                "is-enabled real-add-dependency-test-service.service",
                "disable real-add-dependency-test-service.service",
            ],
        ),
    ]);
}

#[test]
fn checklist_templates() {
    check(&[
        case(
            "template_enable_sequence",
            "U/template@.service = [Install]\\nDefaultInstance=def\\nWantedBy=multi-user.target\\n
U/template-symlink@.service -> template@.service",
            &[
                "is-enabled template@.service template@def.service template@foo.service template-symlink@.service template-symlink@def.service template-symlink@foo.service",
                "enable template@.service",
                "is-enabled template@.service template@def.service template@foo.service template-symlink@.service template-symlink@def.service template-symlink@foo.service",
                "disable template@.service",
                "enable template@foo.service",
                "is-enabled template@.service template@def.service template@foo.service template-symlink@foo.service template-symlink@def.service",
                "disable template@foo.service",
                "enable template-symlink@quux.service",
                "is-enabled template@.service template@quux.service template-symlink@.service template-symlink@quux.service",
                "disable template@.service",
            ],
        ),
        case(
            "static_instance",
            "U/static-instance@.service = $W",
            &["is-enabled static-instance@.service static-instance@foo.service"],
        ),
        case(
            "static_instance_vendor_link",
            "U/static-instance@.service = $W
U/static-instance@foo.service -> static-instance@.service",
            &["is-enabled static-instance@.service static-instance@foo.service"],
        ),
        case(
            "template_without_default_instance",
            "U/tpl@.service = $W",
            &["enable tpl@.service", "enable tpl@x.service", "is-enabled tpl@.service tpl@x.service tpl@y.service"],
        ),
        case(
            "template_default_instance_masked",
            "U/tpl@.service = [Install]\\nDefaultInstance=d\\nWantedBy=multi-user.target\\n
E/tpl@d.service -> /dev/null",
            &["enable tpl@.service"],
        ),
        case(
            "template_specifiers",
            "U/t@.service = [Install]\\nWantedBy=%p-extra.target %i.target\\nRequiredBy=%N.target %n.target %j.target\\n
U/t-extra.target = # x\\n",
            &["enable t@inst.service", "is-enabled t@inst.service"],
        ),
        case(
            "template_specifiers_default_instance",
            "U/t@.service = [Install]\\nDefaultInstance=dflt\\nWantedBy=%i.target %n.target %N.target\\n",
            &["enable t@.service"],
        ),
        case(
            "specifier_errors",
            "U/s.service = [Install]\\nWantedBy=%Z.target\\n
U/s2.service = [Install]\\nWantedBy=%m.target\\n
U/s3.service = [Install]\\nWantedBy=%u.target multi-user.target%%\\n",
            &["enable s.service", "enable s2.service", "enable s3.service"],
        ),
    ]);
}

#[test]
fn checklist_indirect_and_also() {
    check(&[
        case(
            "indirect_sequence",
            "U/indirecta.service = [Install]\\nAlso=indirectb.service\\n
U/indirectb.service = $W
U/indirectc.service -> indirecta.service",
            &[
                "is-enabled indirecta.service indirectb.service indirectc.service",
                "enable indirectc.service",
                "is-enabled indirecta.service indirectb.service indirectc.service",
                "disable indirectc.service",
            ],
        ),
        case(
            "also_missing_and_masked",
            "U/main.service = [Install]\\nWantedBy=multi-user.target\\nAlso=nothere.service masked.service\\n
E/masked.service -> /dev/null",
            &["enable main.service", "disable main.service"],
        ),
        case(
            "also_only_masked",
            "U/main.service = [Install]\\nAlso=masked.service\\n
E/masked.service -> /dev/null",
            &["enable main.service"],
        ),
    ]);
}

#[test]
fn checklist_revert() {
    check(&[
        case(
            "revert_sequence",
            "U/xx.service = # Empty\\n",
            &[
                "is-enabled xx.service",
                "revert xx.service",
                "is-enabled xx.service",
            ],
        ),
        case(
            "revert_override",
            "U/xx.service = # Empty\\n
E/xx.service = # override\\n",
            &["revert xx.service", "is-enabled xx.service"],
        ),
        case(
            "revert_dropins",
            "U/xx.service = # Empty\\n
E/xx.service.d/dropin.conf = [Unit]\\n",
            &["revert xx.service"],
        ),
        case(
            "revert_masks_and_control",
            "U/xx.service = $W
E/xx.service -> /dev/null
R/xx.service -> /dev/null
run/systemd/system.control/xx.service.d/50-x.conf = [Unit]\\n
etc/systemd/system.control/xx.service.d/50-y.conf = [Unit]\\n
E/multi-user.target.wants/xx.service -> /usr/lib/systemd/system/xx.service
E/alias.service -> /etc/systemd/system/xx.service",
            &["revert xx.service", "is-enabled xx.service"],
        ),
        case(
            "revert_without_vendor",
            "E/yy.service = # local\\n
E/yy.service.d/a.conf = [Unit]\\n
E/yy.service.d/b.conf = [Unit]\\n",
            &["revert yy.service", "revert nothing.service"],
        ),
        case(
            "revert_lib_vendor",
            "L/zz.service = # vendor\\n
E/zz.service = # local\\n",
            &["revert zz.service"],
        ),
    ]);
}

#[test]
fn checklist_dropins() {
    check(&[
        case(
            "with_dropin",
            "U/with-dropin-1.service = $W
U/with-dropin-1.service.d/dropin.conf = [Install]\\nWantedBy=graphical.target\\n
E/with-dropin-2.service = $W
U/with-dropin-2.service.d/dropin.conf = [Install]\\nWantedBy=graphical.target\\n
U/with-dropin-3.service = $W
E/with-dropin-3.service.d/dropin.conf = [Install]\\nWantedBy=graphical.target\\n
U/with-dropin-4a.service = $W
E/with-dropin-4a.service.d/dropin.conf = [Install]\\nAlso=with-dropin-4b.service\\n
U/with-dropin-4b.service = $W",
            &[
                "is-enabled with-dropin-1.service with-dropin-2.service with-dropin-3.service with-dropin-4a.service with-dropin-4b.service",
                "enable with-dropin-1.service",
                "enable with-dropin-2.service",
                "enable with-dropin-3.service",
                "enable with-dropin-4a.service",
                "is-enabled with-dropin-1.service with-dropin-2.service with-dropin-3.service with-dropin-4a.service with-dropin-4b.service",
            ],
        ),
        case(
            "with_dropin_template",
            "U/with-dropin-1@.service = $W
U/with-dropin-1@.service.d/dropin.conf = [Install]\\nWantedBy=graphical.target\\n
U/with-dropin-2@.service = $W
U/with-dropin-2@instance-1.service.d/dropin.conf = [Install]\\nWantedBy=graphical.target\\n
U/with-dropin-3@.service = [Install]\\nDefaultInstance=instance-1\\nWantedBy=multi-user.target\\n
U/with-dropin-3@.service.d/dropin.conf = [Install]\\nDefaultInstance=instance-2\\n",
            &[
                "enable with-dropin-1@instance-1.service",
                "enable with-dropin-2@instance-1.service",
                "enable with-dropin-2@instance-2.service",
                "enable with-dropin-3@.service",
                "is-enabled with-dropin-1@instance-1.service with-dropin-2@instance-1.service with-dropin-2@instance-2.service with-dropin-3@instance-2.service with-dropin-3@instance-1.service",
            ],
        ),
        case(
            "dropin_shadowing_and_reset",
            "U/s.service = [Install]\\nWantedBy=multi-user.target\\nAlias=s1.service\\n
U/s.service.d/10-a.conf = [Install]\\nWantedBy=graphical.target\\n
E/s.service.d/10-a.conf = [Install]\\nWantedBy=\\nAlias=\\nAlias=s2.service\\n
E/s.service.d/20-b.conf -> /dev/null
U/s.service.d/.hidden.conf = [Install]\\nWantedBy=hidden.target\\n
U/s.service.d/notconf = [Install]\\nWantedBy=nc.target\\n
U/s-.service.d/x.conf = [Install]\\nWantedBy=prefix.target\\n
U/service.d/x.conf = [Install]\\nWantedBy=type.target\\n",
            &["enable s.service", "is-enabled s.service s2.service"],
        ),
        case(
            "install_parse_warnings",
            "U/p.service = [Unit]\\nDescription=x\\n[Install]\\nWantedBy=multi-user.target\\nUpheldBy=foo.service\\nBogus=1\\n[X-Extra]\\nA=b\\n[Other]\\nC=d\\n
U/sl.slice = [Install]\\nAlias=other.slice\\nWantedBy=multi-user.target\\n
U/di.service = [Install]\\nDefaultInstance=foo\\nWantedBy=multi-user.target\\n",
            &["enable p.service", "enable sl.slice", "enable di.service", "is-enabled p.service"],
        ),
    ]);
}

// ------------------------------------------------------------------------------------------
// §8 verify_alias, exercised through `Alias=` and `enable`.

macro_rules! alias_cases {
    ($unit:literal, $file:literal, $extra:literal, [$($alias:literal),* $(,)?]) => {
        &[$(Case {
            name: concat!("alias_", $unit, "_", $alias),
            tree: concat!("U/", $file, " = [Install]\\nAlias=", $alias, "\\n", $extra),
            steps: &[concat!("enable ", $unit)],
            sysv: false,
        }),*]
    };
}

#[test]
fn checklist_verify_alias_plain() {
    check(alias_cases!(
        "plain.service",
        "plain.service",
        "",
        [
            "alias.service",
            "alias.socket",
            "alias@.service",
            "alias@inst.service",
            "foo.target.wants/plain.service",
            "foo.target.wants/plain.socket",
            "foo.target.wants/plain@.service",
            "foo.target.wants/service",
            "foo.target.requires/plain.service",
            "foo.target.requires/plain.socket",
            "foo.target.requires/plain@.service",
            "foo.target.requires/service",
            "foo.target.conf/plain.service",
            "foo.service/plain.service",
            "asdf.requires/plain.service",
            "plain.service",
        ]
    ));
}

#[test]
fn checklist_verify_alias_template() {
    check(alias_cases!(
        "template1@.service",
        "template1@.service",
        "",
        [
            "alias.service",
            "alias.socket",
            "alias@.socket",
            "alias@inst.socket",
            "alias@.service",
            "alias@inst.service",
            "foo.target.wants/plain.service",
            "foo.target.wants/plain@foo.service",
            "foo.target.wants/template1@foo.service",
            "foo.target.requires/template1@inst.service",
            "FOO@.target.requires/plain@.service",
            "FOO@inst.target.requires/plain@inst.service",
            "FOO@.target.requires/template1@.service",
            "FOO@inst.target.requires/template1@.service",
            "FOO@inst.target.requires/template1@inst.service",
        ]
    ));
}

#[test]
fn checklist_verify_alias_template_default_instance() {
    check(alias_cases!(
        "template2@.service",
        "template2@.service",
        "DefaultInstance=di\\n",
        [
            "alias.service",
            "alias@.socket",
            "alias@inst.service",
            "alias@.service",
            "alias@di.service",
            "foo.target.wants/plain@di.service",
            "foo.target.wants/template2@di.service",
            "foo.target.requires/template2@.service",
            "foo.target.requires/template2@di.service",
            "foo.target.conf/plain.service",
        ]
    ));
}

#[test]
fn checklist_verify_alias_instance() {
    check(alias_cases!(
        "template3@inst.service",
        "template3@.service",
        "",
        [
            "alias.service",
            "alias@inst.socket",
            "alias@inst.service",
            "alias@.service",
            "alias@di.service",
            "bar.target.wants/template3@foo.service",
            "bar.target.wants/template3@inst.service",
            "bar.target.requires/plain@inst.service",
            "bar.target.requires/template3@inst.service",
            "BAR@.target.requires/template3@.service",
            "BAR@inst.target.requires/template3@.service",
            "BAR@inst.target.requires/template3@inst.service",
            "BAR@inst.target.requires/template3@ins2.service",
        ]
    ));
    check(alias_cases!(
        "template4@inst.service",
        "template4@.service",
        "DefaultInstance=di\\n",
        [
            "alias@inst.service",
            "alias@.service",
            "alias@di.service",
            "goo.target.wants/template4@inst.service",
            "goo.target.wants/template4@di.service",
        ]
    ));
}

// ------------------------------------------------------------------------------------------
// §4: every verb and its error cases.

#[test]
fn verb_enable_errors() {
    check(&[
        case(
            "enable_alias_conflict",
            "U/one.service = [Install]\\nAlias=common.service\\nWantedBy=multi-user.target\\n
U/two.service = $W
E/common.service -> /usr/lib/systemd/system/two.service",
            &[
                "enable one.service",
                "--force enable one.service",
                "is-enabled one.service common.service",
            ],
        ),
        case(
            "enable_stale_wants_link_replaced",
            "U/a.service = $W
U/b.service = # b\\n
E/multi-user.target.wants/a.service -> /usr/lib/systemd/system/b.service",
            &["enable a.service"],
        ),
        case(
            "enable_wants_path_is_file",
            "U/a.service = $W
E/multi-user.target.wants/a.service = not a link\\n",
            &["enable a.service", "--force enable a.service"],
        ),
        case(
            "enable_bad_alias_type",
            "U/badalias.service = [Install]\\nAlias=wrong.socket\\n",
            &["enable badalias.service"],
        ),
        case(
            "enable_bad_target_name",
            "U/badtgt.service = [Install]\\nWantedBy=bad/name\\n",
            &["enable badtgt.service"],
        ),
        case(
            "enable_generated_and_transient",
            "G/gen.service = $W
T/tr.service = $W",
            &[
                "enable gen.service",
                "enable tr.service",
                "is-enabled gen.service tr.service",
            ],
        ),
        case(
            "enable_all_or_nothing",
            "U/a.service = $W",
            &[
                "enable a.service missing.service",
                "enable missing.service a.service",
                "enable a",
            ],
        ),
        case(
            "enable_masked",
            "U/a.service = $W
E/a.service -> /dev/null
U/empty.service =",
            &[
                "enable a.service",
                "enable empty.service",
                "is-enabled a.service empty.service",
            ],
        ),
        case(
            "enable_self_link_in_etc",
            "U/a.service = $W
E/a.service -> /usr/lib/systemd/system/a.service",
            &[
                "enable a.service",
                "is-enabled a.service",
                "disable a.service",
            ],
        ),
        case(
            "enable_alias_in_etc",
            "U/a.service = $W
E/alias.service -> /usr/lib/systemd/system/a.service",
            &["enable alias.service", "is-enabled alias.service a.service"],
        ),
        case(
            "enable_cross_type_alias",
            "U/a.service = $W
U/a.socket -> a.service",
            &["is-enabled a.socket", "enable a.socket", "disable a.socket"],
        ),
        case(
            "enable_static_notice",
            "U/static.service = [Unit]\\nDescription=s\\n",
            &[
                "enable static.service",
                "-q enable static.service",
                "reenable static.service",
            ],
        ),
        case(
            "enable_twice_and_runtime",
            "U/a.service = $W",
            &[
                "enable a.service",
                "enable a.service",
                "--runtime enable a.service",
                "is-enabled a.service",
                "disable a.service",
                "is-enabled a.service",
                "--runtime disable a.service",
            ],
        ),
        case(
            "enable_by_path",
            "O/x.service = $W
U/y.service = $W",
            &[
                "enable /opt/x.service",
                "enable /usr/lib/systemd/system/y.service",
                "is-enabled x.service y.service",
                "disable /opt/x.service",
            ],
        ),
        case(
            "enable_invalid_file",
            "U/bad.service = [Install\\nWantedBy=multi-user.target\\n
U/dir.service/",
            &[
                "enable bad.service",
                "enable dir.service",
                "is-enabled dir.service",
            ],
        ),
        case(
            "enable_quiet_and_mangling",
            "U/a.service = $W
'U/foo\\x20bar.service' = $W",
            &[
                "-q enable a.service",
                "enable 'foo bar'",
                "-q enable 'foo bar.service'",
                "enable ''",
                "enable '@x'",
            ],
        ),
    ]);
}

#[test]
fn verb_disable() {
    check(&[
        case(
            "disable_cases",
            "U/a.service = $W
U/dangling.service -> nonexist.service
E/a.service -> /dev/null
E/multi-user.target.wants/a.service -> /usr/lib/systemd/system/a.service
U/b.service = [Install]\\nWantedBy=multi-user.target graphical.target\\nAlias=bb.service\\n
E/multi-user.target.wants/b.service -> /usr/lib/systemd/system/b.service
E/graphical.target.wants/b.service -> /usr/lib/systemd/system/b.service
E/bb.service -> /usr/lib/systemd/system/b.service
E/custom.target.wants/bee.service -> /etc/systemd/system/bb.service
E/regular.service = file\\n",
            &[
                "disable missing.service",
                "disable dangling.service",
                "disable a.service",
                "disable b.service",
                "disable /usr/lib/systemd/system/b.service",
                "disable b.service",
                "disable 'bad name'",
            ],
        ),
        case(
            "disable_template_instances",
            "U/t@.service = $W
E/multi-user.target.wants/t@a.service -> /usr/lib/systemd/system/t@.service
E/multi-user.target.wants/t@b.service -> /usr/lib/systemd/system/t@.service
R/multi-user.target.wants/t@c.service -> /usr/lib/systemd/system/t@.service",
            &[
                "is-enabled t@.service t@a.service t@c.service",
                "disable t@.service",
                "is-enabled t@c.service",
                "--runtime disable t@.service",
            ],
        ),
    ]);
}

#[test]
fn verb_link() {
    check(&[case(
        "link_cases",
        "O/x.service = $W
O/d.service/
O/sym.service -> x.service
O/notaunit = x\\n
U/sub/y.service = $W
U/z.service = $W",
        &[
            "link /opt/notaunit",
            "link /opt/nonexist.service",
            "link /opt/d.service",
            "link /opt/sym.service",
            "link x.service",
            "link ./opt/x.service",
            "link /usr/lib/systemd/system/sub/y.service",
            "link /usr/lib/systemd/system/z.service",
            "link /opt/x.service /opt/nonexist.service",
            "link /opt/x.service",
            "link /opt/x.service",
            "is-enabled x.service",
            "--runtime link /opt/x.service",
            "disable x.service",
            "--runtime link /opt/x.service",
            "is-enabled x.service",
        ],
    )]);
}

#[test]
fn verb_mask_unmask() {
    check(&[
        case(
            "mask_cases",
            "U/a.service = $W
E/local.service = local\\n
U/t@.service = $W",
            &[
                "mask a.service",
                "mask a.service",
                "mask unknown.service",
                "mask local.service",
                "--force mask local.service",
                "mask /opt/x.service",
                "mask t@.service t@foo.service",
                "is-enabled t@bar.service t@foo.service",
                "--runtime mask a.service",
                "is-enabled a.service",
                "unmask a.service",
                "is-enabled a.service",
                "--runtime unmask a.service",
                "is-enabled a.service",
            ],
        ),
        case(
            "unmask_cases",
            "U/a.service = $W
E/a.service =
E/alias.service -> /etc/systemd/system/a.service
E/b.service = not empty\\n
E/c.service -> /usr/lib/systemd/system/a.service
R/d.service -> /dev/null",
            &[
                "unmask a.service b.service c.service d.service nothere.service",
                "is-enabled d.service",
                "--runtime unmask d.service",
                "unmask '@bad'",
            ],
        ),
    ]);
}

#[test]
fn verb_add_wants_and_default() {
    check(&[
        case(
            "add_wants_cases",
            "U/a.service = $W
U/static.service = # s\\n
E/masked.target -> /dev/null
G/gen.target = # g\\n
U/my.target = # t\\n
E/multi-user.target.wants/static.service -> /usr/lib/systemd/system/a.service",
            &[
                "add-wants nonexist.target a.service",
                "add-wants masked.target a.service",
                "add-wants gen.target a.service",
                "add-wants my.target nothere.service",
                "add-wants my a static",
                "add-requires my.target a.service",
                "--runtime add-wants my.target static.service",
                "add-wants multi-user.target static.service",
                "is-enabled static.service",
                "add-wants my.target",
                "add-wants 'bad/target' a.service",
            ],
        ),
        case(
            "set_default_cases",
            "U/multi-user.target.d/x.conf = [Unit]\\n
E/lt.target -> /opt/lt.target
O/lt.target = # lt\\n
E/masked.target -> /dev/null
U/alias.target -> graphical.target",
            &[
                "set-default a.service",
                "set-default default.target",
                "set-default lt.target",
                "set-default masked.target",
                "set-default nonexist.target",
                "set-default multi-user",
                "get-default",
                "set-default multi-user.target",
                "set-default alias.target",
                "get-default",
                "-q set-default graphical.target",
                "set-default a b",
                "get-default x",
            ],
        ),
        case(
            "get_default_cases",
            "E/default.target -> /dev/null",
            &["get-default"],
        ),
        case(
            "get_default_alias_chain",
            "U/default.target -> graphical.target
E/default.target -> /usr/lib/systemd/system/multi-user.target",
            &["get-default", "set-default graphical", "get-default"],
        ),
    ]);
}

#[test]
fn verb_is_enabled_states() {
    check(&[case(
        "is_enabled_states",
        "U/en.service = $W
E/multi-user.target.wants/en.service -> /usr/lib/systemd/system/en.service
U/rt.service = $W
R/multi-user.target.wants/rt.service -> /usr/lib/systemd/system/rt.service
O/ln.service = $W
E/ln.service -> /opt/ln.service
O/lr.service = $W
R/lr.service -> /opt/lr.service
U/al.service = $W
U/al2.service -> al.service
U/m.service = $W
E/m.service -> /dev/null
R/mr.service -> /dev/null
U/mr.service = $W
U/st.service = # s\\n
U/in.service = [Install]\\nAlso=en.service\\n
U/dis.service = $W
G/gen.service = $W
T/tr.service = $W
U/vend.service = $W
U/multi-user.target.wants/vend.service -> ../vend.service
U/ind.service = $W
E/extra.service -> /usr/lib/systemd/system/ind.service
E/multi-user.target.wants/other-name.service -> /usr/lib/systemd/system/dis.service
U/x.socket -> x.service
U/x.service = $W
U/ali.service = [Install]\\nAlias=ali2.service\\n
E/ali2.service -> /usr/lib/systemd/system/ali.service",
        &[
            "is-enabled en.service",
            "is-enabled rt.service",
            "is-enabled ln.service lr.service",
            "is-enabled al2.service al.service",
            "is-enabled m.service mr.service",
            "is-enabled st.service in.service dis.service",
            "is-enabled gen.service tr.service",
            "is-enabled vend.service ind.service",
            "is-enabled ali.service ali2.service",
            "is-enabled x.socket",
            "is-enabled dis.service nothere.service en.service",
            "-q is-enabled en.service",
            "-q is-enabled dis.service",
            "is-enabled '/opt/ln.service'",
            "--full is-enabled en.service",
        ],
    )]);
}

#[test]
fn scopes_and_arguments() {
    check(&[
        case(
            "global_scope",
            "UU/u.service = [Install]\\nWantedBy=default.target\\n
UU/default.target = # d\\n",
            &[
                "--global enable u.service",
                "--global is-enabled u.service",
                "--global disable u.service",
                "--global mask u.service",
                "--global is-enabled u.service",
                "--global --runtime mask u.service",
                "--global unmask u.service",
            ],
        ),
        case(
            "user_scope_refused",
            "UU/u.service = $W",
            &[
                "--user enable u.service",
                "--user is-enabled u.service",
                "--user disable u.service",
                "--user get-default",
                "--user set-default default.target",
            ],
        ),
        case(
            "argument_counts",
            "",
            &[
                "enable",
                "disable",
                "reenable",
                "link",
                "mask",
                "unmask",
                "revert",
                "is-enabled",
                "add-wants",
                "add-requires",
                "set-default",
                "get-default x",
            ],
        ),
    ]);
}

#[test]
fn sysv_step() {
    let mut cases = vec![case(
        "sysv_scripts",
        "U/native.service = $W
etc/init.d/native = #!/bin/sh\\n
etc/init.d/legacy = #!/bin/sh\\n
etc/rc5.d/S01legacy -> ../init.d/legacy
etc/init.d/other = #!/bin/sh\\n
U/dangling.service -> gone.service",
        &[
            "is-enabled native.service legacy.service other.service",
            "-q is-enabled legacy.service",
            "enable native.service",
            "disable legacy.service",
            "is-enabled dangling.service",
            "enable other.socket",
        ],
    )];
    cases.push(case(
        "sysv_generated_and_update_rc_d",
        "G/gen.service = $W
etc/init.d/gen = #!/bin/sh\\n
etc/init.d/legacy = #!/bin/sh\\n
usr/sbin/update-rc.d = not executable\\n",
        &[
            "enable gen.service",
            "is-enabled gen.service",
            "disable legacy.service",
            "-q enable legacy.service",
        ],
    ));
    for c in &mut cases {
        c.sysv = true;
    }
    check(&cases);
}

#[test]
fn edge_cases() {
    check(&[
        case(
            "linked_other_name_and_subdir_alias",
            "O/y.service = $W
E/x.service -> /opt/y.service
U/sub/b.service = $W
U/c.service -> sub/b.service
U/b.service -> sub/b.service",
            &[
                "is-enabled x.service",
                "enable x.service",
                "is-enabled c.service",
                "enable b.service",
                "disable x.service",
            ],
        ),
        case(
            "template_aliases",
            "U/t@.service = [Install]\\nAlias=x@.service\\nWantedBy=multi-user.target\\n
U/u@.service = [Install]\\nAlias=y@.service\\nDefaultInstance=z\\n",
            &["enable t@a.service", "enable u@.service", "is-enabled x@a.service y@.service u@z.service"],
        ),
        case(
            "install_value_parsing",
            "U/q.service = [Install]\\nWantedBy=\\\"multi-user.target graphical.target\\\" 'x y.target'\\n
U/p.service = [Install]\\nDefaultInstance=foo\\nWantedBy=multi-user.target\\n
U/t@.service = [Install]\\nDefaultInstance=bad/inst\\nWantedBy=multi-user.target\\n
U/n.service = [Install]\\nWantedBy=%n.target\\n
U/also.service = [Install]\\nAlso=bad\\\\x.service %Z.service\\n",
            &["enable q.service", "enable p.service", "enable t@.service", "enable n.service", "enable also.service"],
        ),
        case(
            "also_cycle",
            "U/a.service = [Install]\\nAlso=b.service\\n
U/b.service = [Install]\\nAlso=a.service\\nWantedBy=multi-user.target\\n",
            &["enable a.service", "is-enabled a.service b.service", "disable a.service"],
        ),
        case(
            "disable_follows_links_to_removed_paths",
            "U/a.service = $W
U/b.service -> a.service
E/multi-user.target.wants/b.service -> /usr/lib/systemd/system/b.service
E/c.service -> /usr/lib/systemd/system/a.service
E/x.wants/q.service -> /etc/systemd/system/c.service
E/y.wants/a.service~ -> /usr/lib/systemd/system/a.service
E/.hidden.wants/a.service -> /usr/lib/systemd/system/a.service",
            &["is-enabled a.service", "disable a.service", "is-enabled a.service"],
        ),
        case(
            "dropin_directories_odd",
            "U/a.service = $W
O/d/x.conf = [Install]\\nWantedBy=graphical.target\\nFoo=bar\\n
E/a.service.d -> ../../../opt/d
U/b.service = $W
E/b.service.d -> /opt/d
U/c.service = $W
E/c.service.d/x.conf/
U/e.service = $W
E/e.service.d/x.conf -> /opt/nothere.conf",
            &["enable a.service", "enable b.service", "enable c.service", "enable e.service"],
        ),
        case(
            "runtime_links_and_masks",
            "U/a.service = $W
R/r.service -> /usr/lib/systemd/system/a.service
O/o.service = $W
R/o.service -> /opt/o.service
U/t@.service = $W
E/t@.service -> /dev/null
E/t@x.service -> /dev/null",
            &[
                "is-enabled r.service",
                "is-enabled a.service o.service",
                "enable o.service",
                "--runtime enable o.service",
                "is-enabled t@y.service",
                "enable t@x.service",
                "--runtime disable o.service",
            ],
        ),
        case(
            "reenable_variants",
            "U/a.service = $W
U/a.service.d/x.conf = [Install]\\nWantedBy=graphical.target\\n
U/b.service -> a.service
O/l.service = $W
E/l.service -> /opt/l.service
O/x.service = $W
U/s.service = $W
E/s.service -> /usr/lib/systemd/system/s.service",
            &[
                "reenable b.service",
                "reenable a.service",
                "reenable l.service",
                "reenable /opt/x.service",
                "reenable s.service",
            ],
        ),
        case(
            "path_arguments",
            "O/x.service = $W",
            &[
                "enable /opt/x.service /opt/x.service",
                "link /opt/x.service/",
                "enable /opt/x.service/",
                "disable /opt/x.service",
                "add-wants multi-user.target /opt/x.service",
                "mask a.service /x/b.service",
                "mask a.service bad@ b.service",
            ],
        ),
        case(
            "default_target_states",
            "E/default.target -> nothere.target
U/t.target = [Unit]\\n
U/s.socket -> t.target",
            &[
                "get-default",
                "set-default s.socket",
                "set-default t.target",
                "get-default",
                "set-default t.target",
                "set-default graphical.target",
            ],
        ),
        case(
            "default_target_is_file",
            "E/default.target = x\\n",
            &["set-default graphical.target", "get-default"],
        ),
        case(
            "flags_anywhere",
            "U/a.service = $W
U/b.service = $W",
            &[
                "enable a.service --no-reload",
                "enable -f b.service",
                "enable a b c d",
                "disable a b c",
                "add-wants multi-user.target a.service a.service",
                "-q disable a.service b.service",
            ],
        ),
    ]);
}

// ------------------------------------------------------------------------------------------
// User scope without `--root`: each side gets its own `HOME` and `XDG_RUNTIME_DIR` in the scratch
// directory (the system-wide user directories are only read). Tree prefixes: `C/` =
// `~/.config/systemd/user/`, `D/` = `~/.local/share/systemd/user/`, `RT/` =
// `$XDG_RUNTIME_DIR/systemd/user/`.

fn build_home(home: &Path, tree: &str) {
    fs::create_dir_all(home.join(".config/systemd/user")).expect("mkdir");
    fs::create_dir_all(home.join("run")).expect("mkdir");
    let mapped: String = tree
        .lines()
        .map(|l| {
            let l = l.trim();
            let l = l
                .strip_prefix("C/")
                .map(|r| format!(".config/systemd/user/{r}"))
                .or_else(|| {
                    l.strip_prefix("D/")
                        .map(|r| format!(".local/share/systemd/user/{r}"))
                })
                .or_else(|| {
                    l.strip_prefix("RT/")
                        .map(|r| format!("run/systemd/user/{r}"))
                })
                .unwrap_or_else(|| l.to_owned());
            format!("{l}\n")
        })
        .collect();
    for line in mapped.lines().filter(|l| !l.is_empty()) {
        let text = line.replace("$W", W);
        if let Some((p, t)) = text.split_once(" -> ") {
            let path = home.join(p.trim());
            fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            symlink(t.trim().replace("HOME", &home.display().to_string()), &path).expect("symlink");
        } else if let Some((p, c)) = text.split_once(" =") {
            let path = home.join(p.trim());
            fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            fs::write(&path, c.strip_prefix(' ').unwrap_or(c).replace("\\n", "\n")).expect("write");
        } else {
            panic!("bad tree line {line:?}");
        }
    }
}

fn run_user(program: &Path, home: &Path, args: &[String], locale: &str) -> Run {
    let out = Command::new(program)
        .env_clear()
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        .env("HOME", home)
        .env("XDG_RUNTIME_DIR", home.join("run"))
        .env("LC_ALL", locale)
        .current_dir(home)
        .arg("--user")
        .arg("--no-pager")
        .args(args)
        .output()
        .expect("run");
    let norm = |b: &[u8]| String::from_utf8_lossy(b).replace(&home.display().to_string(), "HOME");
    Run {
        stdout: norm(&out.stdout),
        stderr: norm(&out.stderr),
        code: out.status.code().unwrap_or(-1),
    }
}

fn check_user(cases: &[Case]) -> usize {
    if !support::systemctl() {
        return 0;
    }
    let ours = PathBuf::from(env!("CARGO_BIN_EXE_unitlab"));
    let theirs = PathBuf::from("systemctl");
    let mut failures = Vec::new();
    let mut compared = 0;
    for c in cases {
        for locale in ["C.UTF-8", "C"] {
            let scratch = support::Scratch::new("install-user");
            let (a, b) = (scratch.path().join("a"), scratch.path().join("b"));
            build_home(&a, c.tree);
            build_home(&b, c.tree);
            let mut transcript = String::new();
            for step in c.steps {
                let args = split_args(step);
                let want = run_user(&theirs, &a, &args, locale);
                let got = run_user(&ours, &b, &args, locale);
                compared += 1;
                let (ta, tb) = (snapshot_tree(&a), snapshot_tree(&b));
                let relink = |t: BTreeMap<String, String>, h: &Path| -> BTreeMap<String, String> {
                    t.into_iter()
                        .map(|(k, v)| (k, v.replace(&h.display().to_string(), "HOME")))
                        .collect()
                };
                let (ta, tb) = (relink(ta, &a), relink(tb, &b));
                if want != got || ta != tb {
                    failures.push(format!(
                        "case {} [{locale}] step `{step}`:\n  systemctl: {want:?}\n  unitlab:   {got:?}\n  trees equal: {}",
                        c.name,
                        ta == tb
                    ));
                    break;
                }
                transcript.push_str(&format!(
                    "$ --user {step}\n{}{}[exit {}]\n",
                    got.stdout, got.stderr, got.code
                ));
            }
            if locale == "C.UTF-8" && failures.is_empty() {
                insta::assert_snapshot!(c.name, transcript);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} user-scope runs differ from systemctl:\n{}",
        failures.len(),
        failures.join("\n")
    );
    compared
}

#[test]
fn user_scope_in_home() {
    check_user(&[
        case(
            "user_enable_disable",
            "C/u.service = [Install]\\nWantedBy=default.target\\nAlias=uu.service\\n
D/d.service = [Install]\\nWantedBy=default.target\\n
C/m.service = $W",
            &[
                "is-enabled u.service d.service",
                "enable u.service d.service",
                "is-enabled u.service uu.service d.service",
                "--runtime enable m.service",
                "is-enabled m.service",
                "disable u.service d.service",
                "--runtime disable m.service",
                "mask d.service",
                "is-enabled d.service",
                "unmask d.service",
                "--runtime mask d.service",
                "is-enabled d.service",
                "--runtime unmask d.service",
            ],
        ),
        case(
            "user_link_and_default",
            "x.service = $W
C/t.target = [Unit]\\n",
            &[
                "link HOME/x.service",
                "link ./x.service",
                "is-enabled x.service",
                "set-default t.target",
                "get-default",
                "add-wants t.target x.service",
                "revert x.service",
            ],
        ),
    ]);
}

/// `get-default` without `--root` (read-only on the host) with kernel command lines given through
/// `SYSTEMD_PROC_CMDLINE` (reference §4.9).
#[test]
fn host_get_default_kernel_command_line() {
    if !support::systemctl() {
        return;
    }
    let ours = PathBuf::from(env!("CARGO_BIN_EXE_unitlab"));
    for cmdline in [
        "quiet 3 systemd.unit=x.target",
        "single",
        "rd.rescue",
        "emergency systemd.unit=",
        "systemd.unit=\"a b\"",
        "S -b",
        "systemd.unit",
        "5 systemd.unit=a.target 2",
        "",
    ] {
        for quiet in [false, true] {
            let mut outs = Vec::new();
            for program in [Path::new("systemctl"), ours.as_path()] {
                let mut cmd = Command::new(program);
                cmd.env_clear()
                    .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
                    .env("LC_ALL", "C.UTF-8")
                    .env("SYSTEMD_PROC_CMDLINE", cmdline)
                    .arg("--no-pager");
                if quiet {
                    cmd.arg("-q");
                }
                let o = cmd.arg("get-default").output().expect("run");
                outs.push((o.stdout, o.stderr, o.status.code()));
            }
            assert_eq!(outs[0], outs[1], "cmdline {cmdline:?} quiet {quiet}");
        }
    }
}

/// `is-enabled` (plain, `--full`, `--runtime --full`, `-q`) of every unit file name on the host,
/// without `--root` (read-only; includes Debian's SysV step for units with an init.d script).
#[test]
fn host_is_enabled_every_unit() {
    if !support::systemctl() {
        return;
    }
    let ours = PathBuf::from(env!("CARGO_BIN_EXE_unitlab"));
    let mut names: Vec<String> = Vec::new();
    for dir in [
        "/lib/systemd/system",
        "/etc/systemd/system",
        "/usr/lib/systemd/system",
    ] {
        if let Ok(rd) = fs::read_dir(dir) {
            names.extend(
                rd.flatten()
                    .filter_map(|e| e.file_name().into_string().ok()),
            );
        }
    }
    if let Ok(rd) = fs::read_dir("/etc/init.d") {
        names.extend(
            rd.flatten()
                .filter_map(|e| e.file_name().into_string().ok())
                .map(|n| format!("{n}.service")),
        );
    }
    names.sort();
    names.dedup();
    let mut differ = Vec::new();
    for name in &names {
        for flags in [
            &[][..],
            &["--full"][..],
            &["--runtime", "--full"][..],
            &["-q"][..],
        ] {
            let mut outs = Vec::new();
            for program in [Path::new("systemctl"), ours.as_path()] {
                let o = Command::new(program)
                    .env_clear()
                    .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
                    .env("LC_ALL", "C.UTF-8")
                    .arg("--no-pager")
                    .args(flags)
                    .arg("is-enabled")
                    .arg(name)
                    .output()
                    .expect("run");
                outs.push((o.stdout, o.stderr, o.status.code()));
            }
            if outs[0] != outs[1] {
                differ.push(format!("{name} {flags:?}: {:?} / {:?}", outs[0], outs[1]));
            }
        }
    }
    assert!(differ.is_empty(), "{}", differ.join("\n"));
    eprintln!("{} host unit names compared", names.len());
}

/// Host specifiers in `[Install]` (`%H %l %q %v %b`) come from the running host even under
/// `--root` (reference §2.5); `%u`/`%g` are `root` in system scope.
#[test]
fn host_specifiers() {
    check(&[case(
        "host_specifiers",
        "U/h.service = [Install]\\nWantedBy=%H.target %l.target %q.target %v.target %b.target\\n
U/u.service = [Install]\\nWantedBy=%u.target %U.target %g.target %G.target\\n",
        &[
            "enable h.service",
            "enable u.service",
            "is-enabled h.service u.service",
        ],
    )]);
}

/// Regressions found by a local random differential (trees reduced by hand).
#[test]
fn random_differential_regressions() {
    check(&[
        case(
            // Under --root an alias whose target name is masked in a higher directory is not a
            // mask itself; the name is looked up again and /lib wins over /usr/lib here.
            "alias_to_masked_name_under_root",
            "U/a.service -> b.service
U/b.service -> /dev/null
L/b.service = [Install]\\nAlias=d.service\\nWantedBy=multi-user.target\\n",
            &[
                "is-enabled a.service b.service",
                "--runtime add-wants multi-user.target a.service",
                "-q enable a.service",
                "disable a.service",
            ],
        ),
        case(
            // unmask stats CONFIG/NAME on the host: only a link to /dev/null itself (or an empty
            // file) is a mask there; ../../../dev/null points into the root.
            "unmask_mask_kinds",
            "U/a.service = $W
E/a.service -> ../../../dev/null
E/b.service -> /dev/null
E/c.service =
E/d.service -> /usr/lib/systemd/system/a.service
E/e.service -> c.service",
            &[
                "is-enabled a.service b.service c.service e.service",
                "unmask a.service b.service c.service d.service e.service",
            ],
        ),
        case(
            // ... and a symlink loop or a file used as a directory makes unmask fail.
            "unmask_stat_errors",
            "R/b.service -> b.service
E/f.service = x\\n
E/g.service -> f.service/x",
            &[
                "--runtime unmask nothere.service b.service",
                "unmask g.service",
            ],
        ),
    ]);
}
