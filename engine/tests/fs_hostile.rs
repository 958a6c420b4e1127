//! Hostile trees on `DirFs`: symlinks inside the root that point out of it in every way we know
//! (`..` chains, absolute host paths, `/proc/self/root`, loops, long chains, non-UTF-8 names).
//!
//! The rule under test (BRIEF: "Nothing is ever read or written outside the root"): `resolve` +
//! `read` never return content from outside the root, no operation through such links touches
//! anything outside it, and nothing panics. Absolute targets are re-rooted and `..` is clamped at
//! the root, as systemd does with `--root` (reference §1.6).

use camino::{Utf8Path, Utf8PathBuf};
use std::collections::BTreeMap;
use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};
use unitlab_engine::fs::conformance::ScratchDir;
use unitlab_engine::fs::{resolve, DirFs, FileKind, FileSystem, Follow, FsError, Target};

const SECRET: &[u8] = b"SECRET outside the root";

struct Hostile {
    tmp: ScratchDir,
    fs: DirFs,
}

impl Hostile {
    fn outside(&self) -> Utf8PathBuf {
        self.tmp.path().join("outside")
    }
    fn root(&self) -> Utf8PathBuf {
        self.tmp.path().join("root")
    }
}

/// Builds `TMP/outside/{secret,dir/inner}` and `TMP/root` full of links that try to reach them.
fn hostile() -> Hostile {
    let tmp = ScratchDir::new("hostile");
    let t = tmp.path().to_owned();
    let outside = t.join("outside");
    std::fs::create_dir_all(outside.join("dir")).expect("mkdir outside");
    std::fs::write(outside.join("secret"), SECRET).expect("write secret");
    std::fs::write(outside.join("dir/inner"), SECRET).expect("write inner");
    let root = t.join("root");
    std::fs::create_dir_all(root.join("usr/lib/systemd/system")).expect("mkdir root");
    std::fs::create_dir_all(root.join("sub")).expect("mkdir sub");
    std::fs::write(root.join("usr/lib/systemd/system/a.service"), b"inside").expect("write inside");
    let links: Vec<(String, String)> = vec![
        ("etc".into(), "/..".into()),
        ("a".into(), "../../outside".into()),
        ("b".into(), format!("/proc/self/root{outside}")),
        ("passwd".into(), "/etc/passwd".into()),
        ("shadow".into(), "../../../../../../../../etc/shadow".into()),
        ("abs".into(), outside.to_string()),
        ("abssecret".into(), format!("{outside}/secret")),
        ("c".into(), "../outside/secret".into()),
        ("d".into(), format!("{outside}/dir")),
        ("up".into(), "../../../../../../../../".into()),
        ("dotdot".into(), "..".into()),
        ("hosttmp".into(), t.to_string()),
        ("loop1".into(), "loop2".into()),
        ("loop2".into(), "/loop1".into()),
        ("sub/deep".into(), "../../../outside".into()),
        // (not /proc/self/cwd: a broken backend would then write into the test's working dir)
        ("sub/procfd".into(), format!("/proc/self/root{t}")),
        ("sub/relroot".into(), "../..".into()),
    ];
    for (name, target) in &links {
        symlink(target, root.join(name)).unwrap_or_else(|e| panic!("symlink {name}: {e}"));
    }
    // a long chain ending outside: chain0 -> chain1 -> ... -> chain39 -> outside/secret
    for i in 0..40 {
        let target = if i == 39 {
            format!("{outside}/secret")
        } else {
            format!("chain{}", i + 1)
        };
        symlink(target, root.join(format!("chain{i}"))).expect("chain link");
    }
    let fs = DirFs::new(&root).expect("root is a directory");
    Hostile { tmp, fs }
}

/// Every path of interest inside the root: each link, links as parents, `..` games.
fn queries() -> Vec<String> {
    let mut q: Vec<String> = [
        "/etc",
        "/etc/passwd",
        "/etc/shadow",
        "/etc/..",
        "/a",
        "/a/secret",
        "/a/dir/inner",
        "/b",
        "/b/secret",
        "/passwd",
        "/shadow",
        "/abs",
        "/abs/secret",
        "/abs/dir/inner",
        "/abssecret",
        "/c",
        "/d",
        "/d/inner",
        "/up",
        "/up/outside/secret",
        "/dotdot",
        "/dotdot/outside/secret",
        "/hosttmp",
        "/hosttmp/outside/secret",
        "/loop1",
        "/loop2/x",
        "/sub/deep",
        "/sub/deep/secret",
        "/sub/procfd",
        "/sub/relroot/outside/secret",
        "/chain0",
        "/chain20",
        "/chain39",
        "/../outside/secret",
        "/sub/../../outside/secret",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    q.push("/".into());
    q
}

/// A full description of a host tree (kinds, modes, sizes, times, contents, link targets).
fn snapshot(path: &Utf8Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    snap_into(path, path, &mut out);
    out
}

fn snap_into(base: &Utf8Path, path: &Utf8Path, out: &mut BTreeMap<String, String>) {
    let meta = std::fs::symlink_metadata(path).unwrap_or_else(|e| panic!("lstat {path}: {e}"));
    let rel = path
        .strip_prefix(base)
        .map(|p| p.to_string())
        .unwrap_or_default();
    let mut line = format!(
        "{:?} {:o} {} {} {}",
        meta.file_type(),
        meta.permissions().mode(),
        meta.len(),
        meta.mtime(),
        meta.mtime_nsec()
    );
    if meta.file_type().is_symlink() {
        line.push_str(&format!(
            " -> {:?}",
            std::fs::read_link(path).expect("readlink")
        ));
    } else if meta.is_file() {
        line.push_str(&format!(" {:?}", std::fs::read(path).expect("read")));
    } else if meta.is_dir() {
        let mut names: Vec<_> = std::fs::read_dir(path)
            .expect("read_dir")
            .map(|e| {
                e.expect("entry")
                    .file_name()
                    .into_string()
                    .expect("utf-8 name")
            })
            .collect();
        names.sort();
        for name in names {
            snap_into(base, &path.join(name), out);
        }
    }
    out.insert(rel, line);
}

/// The host path `root + inside` must not leave the root once the host resolves it (for a
/// symlink result of `Follow::No`, its directory must not).
fn assert_inside_root(h: &Hostile, inside: &Utf8Path, is_link: bool) {
    let host = h.fs.host_path(inside);
    let checked = if is_link {
        host.parent().expect("below the root").to_owned()
    } else {
        host
    };
    if let Ok(real) = std::fs::canonicalize(&checked) {
        let root = std::fs::canonicalize(h.root()).expect("root");
        assert!(
            real.starts_with(&root),
            "{inside} is {} on the host: outside the root",
            real.display()
        );
    }
}

#[test]
fn resolve_and_read_never_return_outside_content() {
    let h = hostile();
    let fs: &dyn FileSystem = &h.fs;
    for q in queries() {
        let q = Utf8Path::new(&q);
        for follow in [Follow::Yes, Follow::No] {
            let reference = unitlab_engine::fs::resolve_stepwise(fs, q, follow);
            assert_eq!(
                format!("{:?}", resolve(fs, q, follow)),
                format!("{reference:?}"),
                "{q}"
            );
            match resolve(fs, q, follow) {
                Ok(r) => {
                    assert!(!r.path.as_str().contains(".."), "{q}: {}", r.path);
                    assert_inside_root(&h, &r.path, r.target.kind() == Some(FileKind::Symlink));
                    match r.target {
                        Target::Exists(meta) if meta.kind == FileKind::File => {
                            let data = fs.read(&r.path, 1 << 20).expect("read resolved file");
                            assert_ne!(data, SECRET, "{q}: read outside content via {}", r.path);
                        }
                        Target::Exists(meta) if meta.kind == FileKind::Dir => {
                            let names: Vec<String> = fs
                                .read_dir(&r.path)
                                .expect("read_dir")
                                .into_iter()
                                .map(|e| e.name)
                                .collect();
                            assert!(
                                !names.iter().any(|n| n == "secret" || n == "inner"),
                                "{q}: {names:?}"
                            );
                        }
                        _ => {}
                    }
                }
                Err(
                    FsError::TooManyLinks { .. }
                    | FsError::NotADirectory { .. }
                    | FsError::NotFound { .. },
                ) => {}
                Err(other) => panic!("{q}: unexpected {other:?}"),
            }
            // Backends never follow: reading the query directly never yields the secret either.
            if let Ok(data) = fs.read(q, 1 << 20) {
                assert_ne!(
                    data, SECRET,
                    "{q}: DirFs::read followed a link out of the root"
                );
            }
            if let Ok(entries) = fs.read_dir(q) {
                assert!(
                    !entries
                        .iter()
                        .any(|e| e.name == "secret" || e.name == "inner"),
                    "{q}"
                );
            }
        }
    }
}

#[test]
fn specific_escapes_are_re_rooted_or_clamped() {
    let h = hostile();
    let fs: &dyn FileSystem = &h.fs;
    let missing = |q: &str| {
        let r = resolve(fs, Utf8Path::new(q), Follow::Yes).unwrap_or_else(|e| panic!("{q}: {e}"));
        assert_eq!(r.target, Target::Missing, "{q}");
        r.path.into_string()
    };
    // relative `..` chains are clamped at the root
    assert_eq!(missing("/a/secret"), "/outside/secret");
    assert_eq!(missing("/c"), "/outside/secret");
    assert_eq!(missing("/sub/deep/secret"), "/outside/secret");
    assert_eq!(missing("/up/outside/secret"), "/outside/secret");
    // absolute host paths are re-rooted: they name paths *inside* the root, which do not exist
    let outside = h.outside().to_string();
    assert_eq!(missing("/abs/secret"), format!("{outside}/secret"));
    assert_eq!(missing("/abssecret"), format!("{outside}/secret"));
    assert_eq!(missing("/d/inner"), format!("{outside}/dir/inner"));
    assert_eq!(
        missing("/b/secret"),
        format!("/proc/self/root{outside}/secret")
    );
    // `/etc -> /..` is the root itself, so /etc/passwd -> /passwd -> /etc/passwd ... loops
    // (and /shadow -> ../../../../etc/shadow is clamped to /etc/shadow, the same loop)
    for q in [
        "/etc/passwd",
        "/passwd",
        "/shadow",
        "/etc/shadow",
        "/loop1",
        "/loop2/x",
        "/chain0",
    ] {
        match resolve(fs, Utf8Path::new(q), Follow::Yes) {
            Err(FsError::TooManyLinks { .. }) => {}
            other => panic!("{q}: expected TooManyLinks, got {other:?}"),
        }
    }
    let r = resolve(fs, Utf8Path::new("/etc"), Follow::Yes).expect("/etc");
    assert_eq!(
        (r.path.as_str(), r.target.kind()),
        ("/", Some(FileKind::Dir))
    );
    // chain20 -> ... -> chain39 -> (outside)/secret: 20 links, then re-rooted and missing
    assert_eq!(missing("/chain20"), format!("{outside}/secret"));
}

/// Every mutating operation, aimed through every hostile link.
fn attack(fs: &dyn FileSystem, q: &Utf8Path) {
    let sub = |name: &str| -> Utf8PathBuf {
        if q == "/" {
            Utf8PathBuf::from(format!("/{name}"))
        } else {
            q.join(name)
        }
    };
    let _ = fs.create_dir_all(&sub("new/deeper"));
    let _ = fs.symlink(Utf8Path::new("/x"), &sub("lnk"));
    let _ = fs.write_atomic(&sub("secret"), b"overwritten");
    let _ = fs.write_atomic(&sub("w"), b"written");
    let _ = fs.rename(&sub("secret"), Utf8Path::new("/stolen"));
    let _ = fs.rename(&sub("dir"), Utf8Path::new("/stolendir"));
    let _ = fs.rename(
        Utf8Path::new("/usr/lib/systemd/system/a.service"),
        &sub("planted"),
    );
    let _ = fs.set_mode(&sub("secret"), 0o777);
    let _ = fs.set_mode(q, 0o700);
    let _ = fs.remove_file(&sub("secret"));
    let _ = fs.remove_dir(&sub("dir"));
    let _ = fs.remove_dir_all(&sub("dir"));
    let _ = fs.remove_dir_all(&sub("inner"));
    let _ = fs.read(&sub("secret"), 100);
    let _ = fs.read_link(&sub("secret"));
    let _ = fs.lstat(&sub("secret"));
}

#[test]
fn writes_through_hostile_links_never_touch_the_outside() {
    let h = hostile();
    let fs: &dyn FileSystem = &h.fs;
    let before = snapshot(&h.outside());
    let host_passwd = std::fs::metadata("/etc/passwd")
        .ok()
        .map(|m| (m.len(), m.mtime(), m.mode()));
    for q in queries() {
        if q == "/" {
            continue;
        }
        let q = Utf8Path::new(&q);
        // through the link itself (backends refuse or act on the link inside the root)
        attack(fs, q);
        // and through what resolve says it designates (always inside the root)
        if let Ok(r) = resolve(fs, q, Follow::Yes) {
            if r.path != "/" {
                attack(fs, &r.path);
            }
        }
    }
    assert_eq!(snapshot(&h.outside()), before, "the outside tree changed");
    let top: Vec<String> = std::fs::read_dir(h.tmp.path())
        .expect("tmp")
        .map(|e| e.expect("entry").file_name().into_string().expect("utf-8"))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(
        top,
        ["outside", "root"],
        "something was created beside the root"
    );
    let after_passwd = std::fs::metadata("/etc/passwd")
        .ok()
        .map(|m| (m.len(), m.mtime(), m.mode()));
    assert_eq!(host_passwd, after_passwd);
    // removing the whole root's content removes links, never their targets
    for entry in fs.read_dir(Utf8Path::new("/")).expect("read_dir /") {
        fs.remove_dir_all(&Utf8Path::new("/").join(&entry.name))
            .expect("remove_dir_all");
    }
    assert!(fs
        .read_dir(Utf8Path::new("/"))
        .expect("read_dir /")
        .is_empty());
    assert_eq!(
        snapshot(&h.outside()),
        before,
        "remove_dir_all followed a link"
    );
}

#[test]
fn create_dir_all_never_follows_a_link_out() {
    let h = hostile();
    let fs: &dyn FileSystem = &h.fs;
    let before = snapshot(&h.outside());
    for q in [
        "/a/x",
        "/abs/x/y",
        "/d/x",
        "/hosttmp/outside/x",
        "/sub/deep/x",
        "/up/x",
        "/b/x",
    ] {
        match fs.create_dir_all(Utf8Path::new(q)) {
            Err(FsError::SymlinkInPath { component, .. }) => {
                assert!(q.starts_with(component.as_str()), "{q}: {component}")
            }
            other => panic!("{q}: expected SymlinkInPath, got {other:?}"),
        }
    }
    assert_eq!(snapshot(&h.outside()), before);
}

#[test]
fn non_utf8_names_and_targets_do_not_panic() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let h = hostile();
    let fs: &dyn FileSystem = &h.fs;
    let sub = h.root().join("sub");
    std::fs::write(
        sub.as_std_path().join(OsStr::from_bytes(b"\xff.service")),
        b"x",
    )
    .expect("write");
    symlink(
        OsStr::from_bytes(b"/\xfe/target"),
        sub.as_std_path().join("badlink"),
    )
    .expect("symlink");
    let names: Vec<String> = fs
        .read_dir(Utf8Path::new("/sub"))
        .expect("read_dir")
        .into_iter()
        .map(|e| e.name)
        .collect();
    // documented choice: entries whose names are not UTF-8 are skipped
    assert_eq!(names, ["badlink", "deep", "procfd", "relroot"]);
    assert!(matches!(
        fs.read_link(Utf8Path::new("/sub/badlink")),
        Err(FsError::NonUtf8 { .. })
    ));
    assert!(matches!(
        resolve(fs, Utf8Path::new("/sub/badlink"), Follow::Yes),
        Err(FsError::NonUtf8 { .. })
    ));
    fs.remove_dir_all(Utf8Path::new("/sub"))
        .expect("remove_dir_all removes non-UTF-8 entries too");
    assert!(!sub.exists());
}

#[test]
fn special_files_are_not_read() {
    let h = hostile();
    let fifo = h.root().join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(fifo.as_str())
        .status()
        .map(|s| s.success());
    if !matches!(made, Ok(true)) {
        eprintln!("SKIP: mkfifo is unavailable");
        return;
    }
    let fs: &dyn FileSystem = &h.fs;
    assert_eq!(
        fs.lstat(Utf8Path::new("/fifo")).expect("lstat").kind,
        FileKind::Other
    );
    // would block forever if opened
    assert!(matches!(
        fs.read(Utf8Path::new("/fifo"), 10),
        Err(FsError::NotARegularFile { .. })
    ));
    let listing = fs.read_dir(Utf8Path::new("/")).expect("read_dir");
    assert!(listing
        .iter()
        .any(|e| e.name == "fifo" && e.kind == FileKind::Other));
}

#[test]
fn root_must_be_an_existing_directory() {
    let h = hostile();
    assert!(matches!(
        DirFs::new(h.tmp.path().join("nothere")),
        Err(FsError::NotFound { .. })
    ));
    assert!(matches!(
        DirFs::new(h.outside().join("secret")),
        Err(FsError::NotADirectory { .. })
    ));
    // a root given through a symlink is canonicalised once, then used as is
    let via_link = h.tmp.path().join("root-link");
    symlink(h.root(), &via_link).expect("symlink");
    let fs = DirFs::new(&via_link).expect("root via link");
    assert_eq!(
        fs.root(),
        std::fs::canonicalize(h.root())
            .expect("canonical")
            .to_str()
            .expect("utf-8")
    );
    std::fs::remove_file(&via_link).expect("cleanup");
}
