//! Specifiers in `[Install]` (systemd's `install_name_printf()`, reference §2.5).
//!
//! The table is `%i %j %n %N %p`, evaluated against the *install* name (for a template with
//! `DefaultInstance=`, `%n`, `%N` and `%i` use the default instance), plus the system specifiers
//! and the credential specifiers. An unknown alphanumeric specifier is `EBADSLT`; any other `%X`
//! is kept literally; a trailing lone `%` is kept. Results longer than 256 bytes are
//! `ENAMETOOLONG`.
//!
//! Specifiers that describe the running host rather than the root (`%b` boot id, `%H`, `%l`, `%q`
//! host names, `%v` kernel release, and `%u %U %g %G` in user scope) come from [`HostFacts`]
//! supplied by the caller (the engine never reads outside the root); without them they fail with
//! `EUNATCH`. `%a` is the architecture unitlab was built for.
use super::change::Errno;
use crate::fs::{resolve, FileSystem, Follow, Target};
use crate::load::Scope;
use crate::name::{NameKind, UnitName};
use camino::Utf8Path;

/// systemd's `UNIT_NAME_MAX`.
const UNIT_NAME_MAX: usize = 256;

/// The unit an expansion is evaluated for.
pub struct Subject<'a> {
    /// The unit's name (of the install info).
    pub name: &'a str,
    /// Its `DefaultInstance=` so far.
    pub default_instance: Option<&'a str>,
    /// The scope.
    pub scope: Scope,
    /// The filesystem holding the root (for `%m` and the os-release specifiers).
    pub fs: &'a dyn FileSystem,
    /// Facts about the running host, if known (read when a specifier needs them).
    pub host: Option<HostSource>,
}

/// Where [`HostFacts`] come from: a function called only when a specifier needs them (the CLI
/// reads them from the host once, on first use, so that commands whose units use no host
/// specifier never read them). `Copy`, so that [`Options`](super::Options) stays `Copy`.
#[derive(Clone, Copy, Debug)]
pub struct HostSource(pub fn() -> &'static HostFacts);

impl HostSource {
    /// The facts (calls the function).
    pub fn get(self) -> &'static HostFacts {
        (self.0)()
    }
}

impl PartialEq for HostSource {
    /// The same function.
    fn eq(&self, other: &HostSource) -> bool {
        self.0 as usize == other.0 as usize
    }
}

impl Eq for HostSource {}

/// Facts about the running host that systemd's specifiers read from the host itself (not from the
/// root). Every field is optional; a missing one makes its specifier fail with `EUNATCH`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HostFacts {
    /// `gethostname()` (`%H`; `%l` is the part before the first dot).
    pub hostname: Option<String>,
    /// `PRETTY_HOSTNAME=` of the host's `/etc/machine-info` (`%q`; falls back to `%l`).
    pub pretty_hostname: Option<String>,
    /// `uname -r` (`%v`).
    pub kernel_release: Option<String>,
    /// The boot id, 32 lowercase hex digits (`%b`).
    pub boot_id: Option<String>,
    /// The caller's user name and id, group name and id (`%u %U %g %G` in user scope).
    pub user: Option<(String, u32, String, u32)>,
}

/// Expands `format` for `subject`.
pub fn expand(format: &str, subject: &Subject<'_>) -> Result<String, Errno> {
    let mut out = String::with_capacity(format.len());
    let mut percent = false;
    for c in format.chars() {
        if percent {
            percent = false;
            if c == '%' {
                out.push('%');
            } else if let Some(v) = lookup(c, subject) {
                out.push_str(&v?);
            } else if c.is_ascii_alphanumeric() {
                return Err(Errno::EBADSLT);
            } else {
                out.push('%');
                out.push(c);
            }
        } else if c == '%' {
            percent = true;
        } else {
            out.push(c);
        }
        if out.len() > UNIT_NAME_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
    }
    if percent {
        out.push('%');
        if out.len() > UNIT_NAME_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
    }
    Ok(out)
}

fn lookup(c: char, s: &Subject<'_>) -> Option<Result<String, Errno>> {
    let parsed = UnitName::new(s.name).map_err(|_| Errno::EINVAL);
    Some(match c {
        'n' => parsed.map(|n| match (n.kind(), s.default_instance) {
            (NameKind::Template, Some(d)) => n
                .with_instance(d)
                .map(|x| x.into_string())
                .unwrap_or_else(|_| n.as_str().to_owned()),
            _ => n.as_str().to_owned(),
        }),
        'N' => parsed.map(|n| {
            let stem = n.stem().to_owned();
            match (stem.ends_with('@'), s.default_instance) {
                (true, Some(d)) => format!("{stem}{d}"),
                _ => stem,
            }
        }),
        'p' => parsed.map(|n| n.prefix().to_owned()),
        'i' => parsed.map(|n| match n.instance() {
            Some(i) => i.to_owned(),
            None => s.default_instance.unwrap_or("").to_owned(),
        }),
        'j' => parsed.map(|n| {
            let p = n.prefix();
            match p.rfind('-') {
                Some(d) => p[d + 1..].to_owned(),
                None => p.to_owned(),
            }
        }),
        'a' => Ok(architecture().to_owned()),
        'm' => machine_id(s.fs),
        'o' => os_release(s.fs, "ID"),
        'w' => os_release(s.fs, "VERSION_ID"),
        'B' => os_release(s.fs, "BUILD_ID"),
        'W' => os_release(s.fs, "VARIANT_ID"),
        'M' => os_release(s.fs, "IMAGE_ID"),
        'A' => os_release(s.fs, "IMAGE_VERSION"),
        'b' | 'H' | 'l' | 'q' | 'v' => {
            let h = s.host.map(HostSource::get);
            let short = |h: &HostFacts| {
                h.hostname
                    .as_deref()
                    .map(|n| n.split('.').next().unwrap_or(n).to_owned())
            };
            let v = h.and_then(|h| match c {
                'b' => h.boot_id.clone(),
                'H' => h.hostname.clone(),
                'l' => short(h),
                'q' => h.pretty_hostname.clone().or_else(|| short(h)),
                _ => h.kernel_release.clone(),
            });
            v.ok_or(Errno::EUNATCH)
        }
        'u' | 'U' | 'g' | 'G' => match s.scope {
            Scope::Global => Err(Errno::EINVAL),
            Scope::System => Ok(if matches!(c, 'u' | 'g') { "root" } else { "0" }.to_owned()),
            Scope::User => match s.host.and_then(|h| h.get().user.clone()) {
                Some((user, uid, group, gid)) => Ok(match c {
                    'u' => user,
                    'U' => uid.to_string(),
                    'g' => group,
                    _ => gid.to_string(),
                }),
                None => Err(Errno::EUNATCH),
            },
        },
        _ => return None,
    })
}

/// systemd's architecture name for the build target.
fn architecture() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "x86-64",
        "x86" => "x86",
        "aarch64" => "arm64",
        "arm" => "arm",
        "powerpc64" => "ppc64",
        "riscv64" => "riscv64",
        "s390x" => "s390x",
        other => other,
    }
}

fn read_in_root(fs: &dyn FileSystem, path: &str) -> Result<Vec<u8>, Errno> {
    let r = resolve(fs, Utf8Path::new(path), Follow::Yes).map_err(|e| Errno::from_fs(&e))?;
    match r.target {
        Target::Missing => Err(Errno::ENOENT),
        Target::DevNull => Ok(Vec::new()),
        Target::Exists(_) => fs.read(&r.path, 1 << 20).map_err(|e| Errno::from_fs(&e)),
    }
}

fn machine_id(fs: &dyn FileSystem) -> Result<String, Errno> {
    let bytes = read_in_root(fs, "/etc/machine-id").map_err(|e| match e {
        Errno::ENOENT => Errno::EUNATCH,
        other => other,
    })?;
    let text = String::from_utf8_lossy(&bytes);
    let id = text.trim_end_matches('\n');
    if id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(id.to_ascii_lowercase())
    } else if id.is_empty() {
        Err(Errno::ENOMEDIUM)
    } else {
        Err(Errno::EINVAL)
    }
}

fn os_release(fs: &dyn FileSystem, key: &str) -> Result<String, Errno> {
    let bytes = match read_in_root(fs, "/etc/os-release") {
        Err(Errno::ENOENT) => read_in_root(fs, "/usr/lib/os-release"),
        other => other,
    }
    .map_err(|e| {
        if e == Errno::ENOENT {
            Errno::EUNATCH
        } else {
            e
        }
    })?;
    let text = String::from_utf8_lossy(&bytes);
    for line in text.lines() {
        let line = line.trim();
        if let Some(v) = line.strip_prefix(key).and_then(|r| r.strip_prefix('=')) {
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|x| x.strip_suffix('"'))
                .or_else(|| v.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')))
                .unwrap_or(v);
            return Ok(v.to_owned());
        }
    }
    Ok(String::new())
}
