//! Differential test of `resolve`'s mask rule against the real `systemctl --root` (systemd 252):
//! a unit whose file is a symlink resolving to `/dev/null` is `masked` (reference §3.3, §3.7).
//!
//! The interesting cases are where the lexical and the physical readings of a relative target
//! differ: the link lives in a search directory that is itself reached through a symlink, so
//! `..` means something else in the path as written than in the directory the link really is in.
//! `systemctl --root` follows the physical one, and so does `resolve`.

mod support;

use camino::Utf8PathBuf;
use std::os::unix::fs::symlink;
use std::process::Command;
use unitlab_engine::fs::{resolve, DirFs, FileKind, Follow, Target};

struct Case {
    name: &'static str,
    /// Real directories to create.
    dirs: &'static [&'static str],
    /// Symlinks `(path, target)` to create, in order.
    links: &'static [(&'static str, &'static str)],
    /// The unit to ask about.
    unit: &'static str,
    /// Where the unit's file is found in the search path (inside the root).
    path: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "absolute /dev/null",
        dirs: &["/etc/systemd/system"],
        links: &[("/etc/systemd/system/m.service", "/dev/null")],
        unit: "m.service",
        path: "/etc/systemd/system/m.service",
    },
    Case {
        name: "relative ../../../../dev/null",
        dirs: &["/etc/systemd/system"],
        links: &[("/etc/systemd/system/m.service", "../../../../dev/null")],
        unit: "m.service",
        path: "/etc/systemd/system/m.service",
    },
    Case {
        name: "relative ../../../dev/null (exactly to the root)",
        dirs: &["/etc/systemd/system"],
        links: &[("/etc/systemd/system/m.service", "../../../dev/null")],
        unit: "m.service",
        path: "/etc/systemd/system/m.service",
    },
    Case {
        name: "/usr/../dev/null",
        dirs: &["/etc/systemd/system", "/usr"],
        links: &[("/etc/systemd/system/m.service", "/usr/../dev/null")],
        unit: "m.service",
        path: "/etc/systemd/system/m.service",
    },
    Case {
        name: "../../dev/null stops short of the root: /etc/dev/null",
        dirs: &["/etc/systemd/system"],
        links: &[("/etc/systemd/system/m.service", "../../dev/null")],
        unit: "m.service",
        path: "/etc/systemd/system/m.service",
    },
    Case {
        name: "/dev/nullx is not /dev/null",
        dirs: &["/etc/systemd/system"],
        links: &[("/etc/systemd/system/m.service", "/dev/nullx")],
        unit: "m.service",
        path: "/etc/systemd/system/m.service",
    },
    Case {
        name: "merged /usr: /lib -> usr/lib",
        dirs: &["/etc/systemd/system", "/usr/lib/systemd/system"],
        links: &[
            ("/lib", "usr/lib"),
            ("/usr/lib/systemd/system/m.service", "../../../../dev/null"),
        ],
        unit: "m.service",
        path: "/usr/lib/systemd/system/m.service",
    },
    Case {
        name: "symlinked search dir, physically /dev/null, lexically /usr/lib/dev/null",
        dirs: &["/etc/systemd/system", "/opt/units", "/usr/lib/systemd"],
        links: &[
            ("/usr/lib/systemd/system", "../../../opt/units"),
            ("/opt/units/x.service", "../../dev/null"),
        ],
        unit: "x.service",
        path: "/usr/lib/systemd/system/x.service",
    },
    Case {
        name: "symlinked search dir, physically /opt/dev/null, lexically /dev/null",
        dirs: &[
            "/etc/systemd/system",
            "/opt/a/b/c/units",
            "/usr/lib/systemd",
        ],
        links: &[
            ("/usr/lib/systemd/system", "../../../opt/a/b/c/units"),
            ("/opt/a/b/c/units/y.service", "../../../../dev/null"),
        ],
        unit: "y.service",
        path: "/usr/lib/systemd/system/y.service",
    },
];

#[test]
fn masks_agree_with_systemctl_root() {
    if !support::systemctl() {
        return;
    }
    let mut ran = 0;
    for case in CASES {
        let scratch = support::Scratch::new("fs-oracle");
        let root = Utf8PathBuf::from_path_buf(scratch.path().to_owned()).expect("utf-8 temp dir");
        for dir in case.dirs {
            std::fs::create_dir_all(root.join(&dir[1..])).expect("mkdir");
        }
        for (path, target) in case.links {
            symlink(target, root.join(&path[1..])).expect("symlink");
        }
        let out = Command::new("systemctl")
            .arg(format!("--root={root}"))
            .args(["is-enabled", case.unit])
            .output()
            .expect("run systemctl");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let oracle_masked = matches!(stdout.trim(), "masked" | "masked-runtime");

        let fs = DirFs::new(&root).expect("root");
        let resolved = resolve(&fs, camino::Utf8Path::new(case.path), Follow::Yes);
        let ours_masked = match &resolved {
            Ok(r) => r.target == Target::DevNull || r.target.kind() == Some(FileKind::CharDevice),
            Err(_) => false,
        };
        assert_eq!(
            ours_masked,
            oracle_masked,
            "{}: systemctl says {:?} (stderr {:?}), resolve gave {resolved:?}",
            case.name,
            stdout.trim(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
        ran += 1;
    }
    eprintln!("fs_oracle: {ran} differential cases against systemctl --root");
    assert_eq!(ran, CASES.len());
}
