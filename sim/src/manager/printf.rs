//! Specifier expansion of the unit settings the manager acts on or prints: `Description=`,
//! conditions and asserts, `Environment=`, socket and path unit paths (systemd's
//! `unit_full_printf()` / `unit_path_printf()` / `unit_env_printf()`, reference §2.5). Known:
//! the unit's own names (`%n %N %p %P %i %I %j %J %f`), its fragment (`%y`, and its directory
//! `%Y`; the path as loaded, symlinks not resolved), the manager's credentials
//! (`%u %U %g %G`), the user's shell (`%s`), the manager's directories (`%h %t %S %C %L %E`:
//! the user's under `$HOME` and `$XDG_RUNTIME_DIR` in user scope; `%d` the unit's credentials
//! directory under `%t`), the temporary directories (`%T %V`) and `%%`. Specifiers that depend
//! on the running machine (`%H %m %b %o %v %w %W %a %A %l %q %M %B`) and the deprecated cgroup
//! ones (`%c %r %R`) make the expansion fail: systemd then ignores the setting ("Failed to
//! resolve unit specifiers ..., ignoring"), and so does the simulator rather than inventing a
//! value.
use super::ManagerOptions;
use unitlab_engine::load::{Env, Scope};
use unitlab_engine::name::{unescape, unescape_path, UnitName};

/// What the manager-specific specifiers expand to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Specifiers {
    /// `%u`, `%g` (the user's own group).
    pub user: String,
    /// `%U`, `%G`.
    pub uid: u32,
    /// `%h`.
    pub home: String,
    /// `%t` (`None`: `$XDG_RUNTIME_DIR` unset, so `%t` fails).
    pub runtime_dir: Option<String>,
    /// `%s`: `$SHELL` of the manager if absolute, else the user's login shell (`/bin/sh`, as
    /// `useradd` gives; root: `/bin/bash`, Debian's default user shell).
    pub shell: String,
    /// A user manager (`%S %C %L %E` are the user's directories).
    pub user_scope: bool,
}

impl Specifiers {
    /// The specifiers of a manager with `opts` (the system manager runs as root).
    pub fn of(opts: &ManagerOptions) -> Specifiers {
        let user_scope = opts.scope != Scope::System;
        if !user_scope {
            return Specifiers {
                user: "root".into(),
                uid: 0,
                home: "/root".into(),
                runtime_dir: Some("/run".into()),
                shell: "/bin/bash".into(),
                user_scope,
            };
        }
        Specifiers {
            user: opts.user.clone(),
            uid: opts.uid,
            home: opts.env.var("HOME").unwrap_or_else(|| "/".into()),
            runtime_dir: opts.env.var("XDG_RUNTIME_DIR"),
            shell: opts
                .env
                .var("SHELL")
                .filter(|s| s.starts_with('/'))
                .unwrap_or_else(|| "/bin/sh".into()),
            user_scope,
        }
    }

    fn dir(&self, system: &str, user: &str) -> String {
        if self.user_scope {
            format!("{}/{user}", self.home)
        } else {
            system.to_owned()
        }
    }
}

/// Expands `text` for `unit` (whose fragment is `fragment`), or `None` when a specifier cannot
/// be resolved.
pub fn unit_printf(
    unit: &UnitName,
    fragment: Option<&str>,
    sp: &Specifiers,
    text: &str,
) -> Option<String> {
    if !text.contains('%') {
        return Some(text.to_owned());
    }
    let prefix = unit.prefix();
    let last = prefix.rsplit_once('-').map_or(prefix, |(_, l)| l);
    let mut out = String::with_capacity(text.len() + 16);
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        // A stray `%` at the end stays; `%` before a character that cannot be a specifier
        // stays with it; an unknown letter or digit fails (`specifier_printf()`).
        let Some(s) = chars.next() else {
            out.push('%');
            break;
        };
        match s {
            '%' => out.push('%'),
            'n' => out.push_str(unit.as_str()),
            'N' => out.push_str(unit.stem()),
            'p' => out.push_str(prefix),
            'P' => out.push_str(&unescape(prefix).ok()?),
            'i' => out.push_str(unit.instance().unwrap_or("")),
            'I' => out.push_str(&unescape(unit.instance().unwrap_or("")).ok()?),
            'j' => out.push_str(last),
            'J' => out.push_str(&unescape(last).ok()?),
            'f' => out.push_str(
                unescape_path(unit.instance().unwrap_or(prefix))
                    .ok()?
                    .as_str(),
            ),
            'u' | 'g' => out.push_str(&sp.user),
            'U' | 'G' => out.push_str(&sp.uid.to_string()),
            'y' => out.push_str(fragment?),
            'Y' => out.push_str(fragment?.rsplit_once('/').map(|(d, _)| d)?),
            's' => out.push_str(&sp.shell),
            'd' => {
                out.push_str(sp.runtime_dir.as_deref()?);
                out.push_str("/credentials/");
                out.push_str(unit.as_str());
            }
            'h' => out.push_str(&sp.home),
            't' => out.push_str(sp.runtime_dir.as_deref()?),
            'S' => out.push_str(&sp.dir("/var/lib", ".local/state")),
            'C' => out.push_str(&sp.dir("/var/cache", ".cache")),
            'L' => out.push_str(&sp.dir("/var/log", ".local/state/log")),
            'E' => out.push_str(&sp.dir("/etc", ".config")),
            'T' => out.push_str("/tmp"),
            'V' => out.push_str("/var/tmp"),
            s if s.is_ascii_alphanumeric() => return None,
            s => {
                out.push('%');
                out.push(s);
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x(unit: &str, text: &str) -> Option<String> {
        let sp = Specifiers::of(&ManagerOptions::new(Scope::System));
        unit_printf(
            &UnitName::new(unit).expect("valid"),
            Some("/etc/x/a.service"),
            &sp,
            text,
        )
    }

    #[test]
    fn names_and_escapes() {
        // Live user manager: `Template %i of %p (%n) %I %j` of `pc-tpl@b\x2dc.service`
        // (user-template-names.md).
        assert_eq!(
            x("pc-tpl@b\\x2dc.service", "Template %i of %p (%n) %I %j").as_deref(),
            Some("Template b\\x2dc of pc-tpl (pc-tpl@b\\x2dc.service) b-c tpl")
        );
        assert_eq!(
            x("a-b@c-d.service", "%I %P %j %J").as_deref(),
            Some("c/d a/b b b")
        );
        assert_eq!(
            x("a@var-log.service", "%f %N").as_deref(),
            Some("/var/log a@var-log")
        );
        assert_eq!(x("a.service", "100% %!").as_deref(), Some("100% %!"));
        assert_eq!(
            x("a.service", "%u %U %h %t %S %%").as_deref(),
            Some("root 0 /root /run /var/lib %")
        );
        assert_eq!(x("a.service", "on %H"), None);
        assert_eq!(x("a.service", "%c"), None);
        // Live user manager: `D %y %Y %s %d` (reviewer's check of 252).
        assert_eq!(
            x("a@b.service", "%y %Y %s %d").as_deref(),
            Some("/etc/x/a.service /etc/x /bin/bash /run/credentials/a@b.service")
        );
    }

    #[test]
    fn user_directories() {
        let sp = Specifiers::of(&ManagerOptions::new(Scope::User));
        let n = UnitName::new("a.path").expect("valid");
        assert_eq!(
            unit_printf(&n, None, &sp, "%h %t %S %C %L %E %u %U %s").as_deref(),
            Some("/home/user /run/user/1000 /home/user/.local/state /home/user/.cache /home/user/.local/state/log /home/user/.config user 1000 /bin/sh")
        );
    }
}
