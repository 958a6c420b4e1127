//! Unit tests for the rules of reference §2. Expected values are the reference's examples or
//! outputs of `systemd-escape`/`systemctl` 252 on this machine (noted "oracle").

use super::*;

fn kind(n: &str) -> Option<NameKind> {
    classify(n)
}

/// §2.1: exactly eleven suffixes, case-sensitive.
#[test]
fn types() {
    assert_eq!(UnitType::ALL.len(), 11);
    for t in UnitType::ALL {
        assert_eq!(UnitType::from_suffix(t.as_str()), Some(t));
        assert_eq!(t.as_str().parse::<UnitType>(), Ok(t));
        assert!(is_valid(&format!("foo.{t}")));
    }
    assert_eq!(UnitType::from_suffix("waldo"), None);
    assert_eq!(UnitType::from_suffix("Service"), None);
    assert!(!is_valid("foo.waldo"));
    assert_eq!(UnitType::Service.section(), "Service");
    assert_eq!(UnitType::Automount.section(), "Automount");
}

/// §2.2: aliasable and templatable types.
#[test]
fn alias_and_template_types() {
    use UnitType::*;
    let alias: Vec<UnitType> = UnitType::ALL
        .into_iter()
        .filter(|t| t.can_alias())
        .collect();
    assert_eq!(alias, [Service, Socket, Target, Device, Timer, Path]);
    let template: Vec<UnitType> = UnitType::ALL
        .into_iter()
        .filter(|t| t.can_template())
        .collect();
    assert_eq!(template, [Service, Socket, Target, Timer, Path]);
}

/// §2.2: length ≤ 255 bytes (255 works, 256 fails).
#[test]
fn length_limit() {
    let stem = "a".repeat(255 - ".service".len());
    assert!(is_valid(&format!("{stem}.service")));
    assert!(!is_valid(&format!("{stem}a.service")));
    assert!(!is_valid(""));
}

/// §2.2: the suffix dot, allowed characters, leading `@`, `%`, `/`.
#[test]
fn validity_rules() {
    for ok in [
        "foo.service",
        ".test.service",
        "_strange::::.service",
        "foo..service",
        "a\\x2d.mount",
    ] {
        assert_eq!(kind(ok), Some(NameKind::Plain), "{ok}");
    }
    for bad in [
        ".service",
        "service",
        "foo",
        "foo.",
        "@.service",
        "@piep.service",
        "foo@%i.service",
        "foo bar.service",
        "foo.target.wants/plain.service",
        "ü.service",
        "foo\0.service",
    ] {
        assert_eq!(kind(bad), None, "{bad:?}");
        assert!(UnitName::new(bad).is_err(), "{bad:?}");
    }
}

/// §2.2: classification by the first `@`.
#[test]
fn classification() {
    assert_eq!(kind("foo@.service"), Some(NameKind::Template));
    assert_eq!(kind("foo@bar.service"), Some(NameKind::Instance));
    assert_eq!(kind("foo@bar@bar.service"), Some(NameKind::Instance));
    assert_eq!(kind("in@valid@.service"), Some(NameKind::Instance));
    let n = UnitName::new("in@valid@.service").unwrap();
    assert_eq!(n.instance(), Some("valid@"));
    let n = UnitName::new("foo@bar@bar.service").unwrap();
    assert_eq!(n.instance(), Some("bar@bar"));
}

/// §2.2: prefix, instance, template, suffix, stem.
#[test]
fn parts() {
    let n: UnitName = "foo@bar.baz.service".parse().unwrap();
    assert_eq!(n.prefix(), "foo");
    assert_eq!(n.instance(), Some("bar.baz"));
    assert_eq!(n.template().unwrap().as_str(), "foo@.service");
    assert_eq!(n.suffix(), "service");
    assert_eq!(n.stem(), "foo@bar.baz");
    assert_eq!(n.unit_type(), UnitType::Service);
    assert_eq!(n.kind(), NameKind::Instance);

    let p = UnitName::new("a.b.socket").unwrap();
    assert_eq!(p.prefix(), "a.b");
    assert_eq!(p.instance(), None);
    assert_eq!(p.template(), None);
    assert_eq!(p.stem(), "a.b");

    let t = UnitName::new("foo@.timer").unwrap();
    assert_eq!(t.prefix(), "foo");
    assert_eq!(t.instance(), None);
    assert_eq!(t.template().unwrap(), t);
    assert_eq!(t.to_string(), "foo@.timer");
    let borrowed: &str = std::borrow::Borrow::borrow(&t);
    assert_eq!(borrowed, "foo@.timer");
}

/// §2.2: replacing the instance validates it and the length (oracle: `systemd-escape
/// --template=foo@.service` takes 243 bytes of instance, refuses 244).
#[test]
fn with_instance() {
    let t = UnitName::new("foo@.service").unwrap();
    assert_eq!(t.with_instance("x").unwrap().as_str(), "foo@x.service");
    assert_eq!(t.with_instance("a@b").unwrap().as_str(), "foo@a@b.service");
    let i = UnitName::new("foo@old.service").unwrap();
    assert_eq!(i.with_instance("new").unwrap().as_str(), "foo@new.service");
    assert!(t.with_instance("").is_err());
    assert!(t.with_instance("a b").is_err());
    assert!(t.with_instance("%i").is_err());
    assert!(UnitName::new("foo.service")
        .unwrap()
        .with_instance("x")
        .is_err());
    assert!(t.with_instance(&"b".repeat(243)).is_ok());
    assert!(t.with_instance(&"b".repeat(244)).is_err());
}

/// §2.2: valid prefixes (no `@`) and instances (with `@`).
#[test]
fn prefixes_and_instances() {
    assert!(is_valid_prefix("foo-bar_baz:1.2\\x20"));
    assert!(!is_valid_prefix(""));
    assert!(!is_valid_prefix("a@b"));
    assert!(!is_valid_prefix("a b"));
    assert!(is_valid_instance("a@b"));
    assert!(!is_valid_instance(""));
    assert!(!is_valid_instance("a/b"));
    assert!(UnitName::build("foo", Some("bar"), UnitType::Socket).is_ok());
    assert!(UnitName::build("foo@x", None, UnitType::Socket).is_err());
    assert_eq!(
        UnitName::new("a.service")
            .unwrap()
            .with_type(UnitType::Socket)
            .unwrap()
            .as_str(),
        "a.socket"
    );
}

/// §2.3: string escaping (reference examples).
#[test]
fn escaping() {
    assert_eq!(escape("foo bar/baz-qux"), "foo\\x20bar-baz\\x2dqux");
    assert_eq!(escape("ü:_.@"), "\\xc3\\xbc:_.\\x40");
    assert_eq!(escape(".dot"), "\\x2edot");
    assert_eq!(escape("a.b"), "a.b");
    assert_eq!(escape("\\"), "\\x5c");
    assert_eq!(escape(""), "");
}

/// §2.3: unescaping (oracle: `systemd-escape -u`).
#[test]
fn unescaping() {
    assert_eq!(unescape("a-b\\x2dc\\x41\\x4a").unwrap(), "a/b-cAJ");
    assert_eq!(unescape("\\xc3\\xbc").unwrap(), "ü");
    for bad in ["a\\xZZ", "c\\x", "\\", "\\y41", "\\x4"] {
        assert!(unescape(bad).is_err(), "{bad}");
    }
    // `systemd-escape -u 'a\x00b'` prints `a`.
    assert_eq!(unescape_bytes(b"a\\x00b").unwrap(), b"a");
    assert_eq!(unescape_bytes(b"\\xff").unwrap(), [0xff]);
    assert!(unescape("\\xff").is_err());
}

/// §2.3: round trip of escape → unescape for any string without NUL.
#[test]
fn escape_round_trip() {
    for s in [
        "",
        "a",
        "/a/b",
        "-",
        ".x",
        "foo bar/baz-qux",
        "ü€",
        "\\x2d",
        "@%*",
    ] {
        assert_eq!(unescape(&escape(s)).unwrap(), s, "{s}");
    }
}

/// §2.3: path escaping (reference examples and oracle).
#[test]
fn path_escaping() {
    assert_eq!(escape_path("/foo//bar/").unwrap(), "foo-bar");
    assert_eq!(escape_path("/.dot/x").unwrap(), "\\x2edot-x");
    assert_eq!(escape_path("/").unwrap(), "-");
    assert_eq!(escape_path("//").unwrap(), "-");
    assert_eq!(escape_path("").unwrap(), "-");
    assert_eq!(escape_path("./a").unwrap(), "a");
    assert_eq!(escape_path("a/.").unwrap(), "a");
    assert!(escape_path(".").is_err());
    assert!(escape_path("/../a").is_err());
    assert!(escape_path("/a/./b/../c").is_err());
    assert!(escape_path(&format!("/{}", "L".repeat(256))).is_err());
}

/// §2.3: path unescaping (oracle: `systemd-escape -u -p`).
#[test]
fn path_unescaping() {
    assert_eq!(unescape_path("a-b\\x2dc").unwrap(), "/a/b-c");
    assert_eq!(unescape_path("-").unwrap(), "/");
    for bad in ["", "-a", "a\\x2f", "a--b", "a-.-b", "a-..-b"] {
        assert!(unescape_path(bad).is_err(), "{bad}");
    }
    assert_eq!(unescape_path_bytes(b"a\\x00").unwrap(), b"/a");
}

/// §2.3: long path-derived names are hashed (oracle: `systemd-escape -m /home/a…a` (250 `a`)).
#[test]
fn hashed_names() {
    let a = "a".repeat(250);
    let n = name_from_path(&format!("/home/{a}"), UnitType::Mount).unwrap();
    assert_eq!(n.as_str().len(), 255);
    assert_eq!(
        n.as_str(),
        format!("home-{}_389eceedbebbf72a.mount", "a".repeat(227))
    );
    assert!(n.is_hashed());
    assert!(n.to_path().is_err());
    let d = mangle(&format!("/dev/{a}"), MangleOptions::default()).unwrap();
    assert_eq!(
        d.name,
        format!("dev-{}_ecae3dbba6ed522f.device", "a".repeat(227))
    );
    let short = name_from_path("/home", UnitType::Mount).unwrap();
    assert_eq!(short.as_str(), "home.mount");
    assert!(!short.is_hashed());
    assert_eq!(short.to_path().unwrap(), "/home");
}

/// §2.3: mangling (reference examples and oracle `systemd-escape -m`, `systemctl is-enabled`).
#[test]
fn mangling() {
    let m = |s: &str| mangle(s, MangleOptions::default()).map(|m| m.name);
    assert_eq!(m("foo").unwrap(), "foo.service");
    assert_eq!(m("foo.bar").unwrap(), "foo.bar.service");
    assert_eq!(m("foo.waldo").unwrap(), "foo.waldo.service");
    assert_eq!(m("foo@").unwrap(), "foo@.service");
    assert_eq!(m("/dev/sda").unwrap(), "dev-sda.device");
    assert_eq!(m("/sys/x").unwrap(), "sys-x.device");
    assert_eq!(m("/./dev/foo").unwrap(), "dev-foo.device");
    assert_eq!(m("/home").unwrap(), "home.mount");
    assert_eq!(m("/dev").unwrap(), "dev.mount");
    assert_eq!(m("/dev/").unwrap(), "dev.mount");
    assert_eq!(m("/dev/..").unwrap(), "-dev-...service");
    assert_eq!(m("/../dev/sda").unwrap(), "-..-dev-sda.service");
    assert_eq!(m("a/b").unwrap(), "a-b.service");
    assert_eq!(m("foo@bar baz").unwrap(), "foo@bar\\x20baz.service");
    assert_eq!(m("x*").unwrap(), "x\\x2a.service");
    assert!(m("").is_err());
    assert!(m("@foo").is_err());
    assert!(m(&"a".repeat(260)).is_err());

    let r = mangle("foo bar", MangleOptions::default()).unwrap();
    assert_eq!(
        r.notice.as_deref(),
        Some("Invalid unit name \"foo bar\" escaped as \"foo\\x20bar\" (maybe you should use systemd-escape?).")
    );
    assert!(mangle("foo.service", MangleOptions::default())
        .unwrap()
        .notice
        .is_none());

    let (notices, r) = mangle_with_notices("foo*", MangleOptions::default(), Some("to check"));
    assert_eq!(
        notices,
        [
            "Glob pattern passed to check, but globs are not supported for this.",
            "Invalid unit name \"foo*\" escaped as \"foo\\x2a\".",
        ]
    );
    assert_eq!(r.unwrap().name, "foo\\x2a.service");

    let target = MangleOptions {
        default_suffix: UnitType::Target,
        allow_globs: false,
    };
    assert_eq!(
        mangle("multi-user", target).unwrap().name,
        "multi-user.target"
    );
}

/// §2.3: with globs allowed, glob patterns are kept and not suffixed (read from
/// `unit_name_mangle_with_suffix` in systemd 252; no offline verb shows it).
#[test]
fn mangling_globs() {
    let g = MangleOptions {
        default_suffix: UnitType::Service,
        allow_globs: true,
    };
    assert_eq!(mangle("foo*", g).unwrap().name, "foo*");
    assert_eq!(mangle("foo.*", g).unwrap().name, "foo.*");
    assert_eq!(mangle("a b*", g).unwrap().name, "a\\x20b*");
    assert_eq!(mangle("foo", g).unwrap().name, "foo.service");
}

/// §2.4: slice names and parents.
#[test]
fn slices() {
    for ok in [
        "-.slice",
        "a.slice",
        "a-b.slice",
        "a-b-c.slice",
        "foo.bar.slice",
    ] {
        assert!(is_valid_slice_name(ok), "{ok}");
    }
    for bad in [
        "-a.slice",
        "a--b.slice",
        "a-.slice",
        "a.service",
        "a@b.slice",
        "--.slice",
    ] {
        assert!(!is_valid_slice_name(bad), "{bad}");
    }
    assert_eq!(slice_parent("a-b-c.slice").unwrap().as_str(), "a-b.slice");
    assert_eq!(slice_parent("a.slice").unwrap().as_str(), "-.slice");
    assert_eq!(slice_parent("-.slice"), None);
    assert_eq!(slice_parent("a--b.slice"), None);
    assert_eq!(slice_child("a.slice", "b").unwrap().as_str(), "a-b.slice");
    assert_eq!(slice_child("-.slice", "b").unwrap().as_str(), "b.slice");
    assert_eq!(slice_child("a.slice", "b@c"), None);
}

/// Device paths (systemd's `is_device_path` examples).
#[test]
fn device_paths() {
    for yes in [
        "/dev/sda",
        "/dev/sda/foo",
        "/sys/class",
        "/dev/..",
        "/sys/..",
        "/./dev/foo",
    ] {
        assert!(is_device_path(yes), "{yes}");
    }
    for no in [
        "/../dev/sda",
        "/dev",
        "/sys",
        "/usr/path",
        "/usr/../dev/sda",
        "dev/sda",
    ] {
        assert!(!is_device_path(no), "{no}");
    }
}

/// §2.1: the type of a name is its suffix's, for every suffix (the accessor does not compare
/// strings, so every type is checked), and the suffix parser agrees.
#[test]
fn unit_type_of_every_suffix() {
    for t in UnitType::ALL {
        for stem in ["a", "x.y-z", "p@i", "long-name_with.dots"] {
            let n = UnitName::new(&format!("{stem}.{}", t.as_str())).unwrap();
            assert_eq!(n.unit_type(), t, "{n}");
            assert_eq!(UnitType::from_suffix(t.as_str()), Some(t));
        }
    }
    assert_eq!(UnitType::from_suffix("Service"), None);
    assert_eq!(UnitType::from_suffix("servic"), None);
}
