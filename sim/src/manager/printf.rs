//! Specifier expansion of the unit settings the manager prints, such as `Description=`
//! (systemd's `unit_full_printf()`, reference §2.5): the unit's own names
//! (`%n %N %p %P %i %I %j %J %f`), the manager's credentials (`%u %U %g %G`), the temporary
//! directories (`%T %V`) and `%%`. Specifiers that depend on the running machine or on
//! directories the simulator does not model (`%H %m %b %h %t %C %S ...`) make the expansion
//! fail: systemd then ignores the setting ("Failed to resolve unit specifiers ..., ignoring"),
//! and so does the simulator rather than inventing a value.
use unitlab_engine::graph::Credentials;
use unitlab_engine::name::{unescape, unescape_path, UnitName};

/// Expands `text` for `unit`, or `None` when a specifier cannot be resolved.
pub fn unit_printf(unit: &UnitName, creds: &Credentials, text: &str) -> Option<String> {
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
            'u' => out.push_str(&creds.user),
            'U' => out.push_str(&creds.uid.to_string()),
            'g' => out.push_str(&creds.group),
            'G' => out.push_str(&creds.gid.to_string()),
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
        unit_printf(
            &UnitName::new(unit).expect("valid"),
            &Credentials::root(),
            text,
        )
    }

    #[test]
    fn names_and_escapes() {
        // Live user manager: `Template %i of %p (%n)` of `pc-tpl@b\x2dc.service`
        // (user-template-names.md).
        assert_eq!(
            x("pc-tpl@b\\x2dc.service", "Template %i of %p (%n)").as_deref(),
            Some("Template b\\x2dc of pc-tpl (pc-tpl@b\\x2dc.service)")
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
        assert_eq!(x("a.service", "%u %U %%").as_deref(), Some("root 0 %"));
        assert_eq!(x("a.service", "on %H"), None);
    }
}
