//! Specifier expansion for dependency names (`unit_name_printf()`, reference §2.5): the reduced set
//! `%i %j %n %N %p`, the credentials of the manager (`%u %U %g %G`: root for the system manager) and
//! `%%`. System facts (`%a %A %b %B %H %l %q %m %M %o %v %w %W`) depend on the running machine and
//! are not known offline: they expand to an error ([`SpecifierError::Unknown`] with the letter) so
//! callers can report them instead of inventing a value.
use crate::name::UnitName;

/// Why a specifier could not be expanded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpecifierError {
    /// A letter or digit that is not a specifier of this table (systemd: `EBADSLT`, "Invalid slot").
    BadSlot,
    /// The result is longer than a unit name may be (systemd: `ENAMETOOLONG`).
    TooLong,
    /// A specifier that depends on the running machine (unknown offline).
    Unknown(char),
}

impl SpecifierError {
    /// The `strerror()` text systemd prints (`%m`).
    pub fn strerror(&self) -> &'static str {
        match self {
            SpecifierError::BadSlot => "Invalid slot",
            SpecifierError::TooLong => "File name too long",
            SpecifierError::Unknown(_) => "Operation not supported",
        }
    }
}

/// Whose credentials `%u %U %g %G` expand to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// `%u`.
    pub user: String,
    /// `%U`.
    pub uid: u32,
    /// `%g`.
    pub group: String,
    /// `%G`.
    pub gid: u32,
}

impl Credentials {
    /// The system manager's credentials (root).
    pub fn root() -> Credentials {
        Credentials {
            user: "root".into(),
            uid: 0,
            group: "root".into(),
            gid: 0,
        }
    }
}

const UNIT_NAME_MAX: usize = 256;

/// Expands `text` for the unit `unit` with the dependency-name table.
pub fn expand_name(
    unit: &UnitName,
    creds: &Credentials,
    text: &str,
) -> Result<String, SpecifierError> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
        } else {
            match chars.next() {
                None => out.push('%'),
                Some('%') => out.push('%'),
                Some(s) => match s {
                    'i' => out.push_str(unit.instance().unwrap_or("")),
                    'n' => out.push_str(unit.as_str()),
                    'N' => out.push_str(unit.stem()),
                    'p' => out.push_str(unit.prefix()),
                    'j' => {
                        let p = unit.prefix();
                        out.push_str(p.rsplit_once('-').map_or(p, |(_, last)| last));
                    }
                    'u' => out.push_str(&creds.user),
                    'U' => out.push_str(&creds.uid.to_string()),
                    'g' => out.push_str(&creds.group),
                    'G' => out.push_str(&creds.gid.to_string()),
                    'a' | 'A' | 'b' | 'B' | 'H' | 'l' | 'q' | 'm' | 'M' | 'o' | 'v' | 'w' | 'W' => {
                        return Err(SpecifierError::Unknown(s))
                    }
                    s if s.is_ascii_alphanumeric() => return Err(SpecifierError::BadSlot),
                    s => {
                        out.push('%');
                        out.push(s);
                    }
                },
            }
        }
        if out.len() > UNIT_NAME_MAX {
            return Err(SpecifierError::TooLong);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x(unit: &str, text: &str) -> Result<String, SpecifierError> {
        expand_name(
            &UnitName::new(unit).expect("valid"),
            &Credentials::root(),
            text,
        )
    }

    // reference §2.5: the reduced table of dependency names.
    #[test]
    fn reduced_table() {
        assert_eq!(
            x("foo-bar@baz.service", "%p-%i.target").as_deref(),
            Ok("foo-bar-baz.target")
        );
        assert_eq!(
            x("foo-bar@baz.service", "%j.%N").as_deref(),
            Ok("bar.foo-bar@baz")
        );
        assert_eq!(x("a.service", "x%i.service").as_deref(), Ok("x.service"));
        assert_eq!(x("a.service", "%n%").as_deref(), Ok("a.service%"));
        assert_eq!(x("a.service", "%%%!").as_deref(), Ok("%%!"));
        assert_eq!(x("a.service", "%Z"), Err(SpecifierError::BadSlot));
        assert_eq!(x("a.service", "%u-%U").as_deref(), Ok("root-0"));
    }
}
