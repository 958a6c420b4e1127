//! systemctl's rendering of a change list (`install_changes_dump()`, reference §4.0.3).
use super::change::{Change, ChangeKind, Errno};

/// How to render: the verb as systemctl words it (`enable`, `set default`, `add dependency on`,
/// ...), `--quiet`, and whether the locale is UTF-8 (`→` versus `->`).
#[derive(Clone, Copy, Debug)]
pub struct RenderOptions<'a> {
    /// The verb inserted in error messages.
    pub verb: &'a str,
    /// `--quiet`: info and warning lines are dropped; errors stay.
    pub quiet: bool,
    /// The locale is UTF-8.
    pub utf8: bool,
}

/// The arrow systemd prints between a link and its target.
pub fn arrow(utf8: bool) -> &'static str {
    if utf8 {
        "→"
    } else {
        "->"
    }
}

/// The bullet systemd prints in lists.
pub fn bullet(utf8: bool) -> &'static str {
    if utf8 {
        "•"
    } else {
        "*"
    }
}

/// The stderr lines (without newlines) systemctl prints for `changes` and the operation's
/// `result`: one line per record (info/warning lines dropped with `quiet`), then, if the
/// operation failed and no error record was printed, `Failed to VERB: STRERROR.`.
pub fn render_changes(
    changes: &[Change],
    result: Result<(), Errno>,
    o: RenderOptions<'_>,
) -> Vec<String> {
    let mut lines = Vec::new();
    let mut printed_error = false;
    let verb = o.verb;
    let src = |c: &Change| c.source.clone().unwrap_or_else(|| "(null)".to_owned());
    for c in changes {
        let p = &c.path;
        let info = match c.kind {
            ChangeKind::Symlink => {
                Some(format!("Created symlink {p} {} {}.", arrow(o.utf8), src(c)))
            }
            ChangeKind::Unlink => Some(format!("Removed \"{p}\".")),
            ChangeKind::IsMasked => Some(format!("Unit {p} is masked, ignoring.")),
            ChangeKind::IsMaskedGenerator => Some(format!(
                "Unit {p} is masked via a generator and cannot be unmasked."
            )),
            ChangeKind::IsDangling => Some(format!(
                "Unit {p} is an alias to a unit that is not present, ignoring."
            )),
            ChangeKind::DestinationNotPresent => Some(format!(
                "Unit {} is added as a dependency to a non-existent unit {p}.",
                src(c)
            )),
            ChangeKind::AuxiliaryFailed => {
                Some(format!("Failed to enable auxiliary unit {p}, ignoring."))
            }
            ChangeKind::Error(_) => None,
        };
        if let Some(line) = info {
            if !o.quiet {
                lines.push(line);
            }
            continue;
        }
        let ChangeKind::Error(e) = c.kind else {
            continue;
        };
        printed_error = true;
        lines.push(match (e, &c.source) {
            (Errno::EEXIST, Some(s)) => format!(
                "Failed to {verb} unit, file \"{p}\" already exists and is a symlink to \"{s}\"."
            ),
            (Errno::EEXIST, None) => format!("Failed to {verb} unit, file \"{p}\" already exists."),
            (Errno::ERFKILL, _) => format!("Failed to {verb} unit, unit {p} is masked."),
            (Errno::EADDRNOTAVAIL, _) => {
                format!("Failed to {verb} unit, unit {p} is transient or generated.")
            }
            (Errno::ETXTBSY, _) => format!(
                "Failed to {verb} unit, file {p} is under the systemd unit hierarchy already."
            ),
            (Errno::EBADSLT, _) => format!("Failed to {verb} unit, invalid specifier in \"{p}\"."),
            (Errno::EIDRM, _) => format!(
                "Failed to {verb} {}, destination unit {p} is a non-template unit.",
                src(c)
            ),
            (Errno::EUCLEAN, _) => {
                format!("Failed to {verb} unit, \"{p}\" is not a valid unit name.")
            }
            (Errno::ELOOP, _) => {
                format!("Failed to {verb} unit, refusing to operate on linked unit file {p}.")
            }
            (Errno::EXDEV, Some(s)) => format!("Failed to {verb} unit, cannot alias {s} as {p}."),
            (Errno::EXDEV, None) => {
                format!("Failed to {verb} unit, invalid unit reference \"{p}\".")
            }
            (Errno::ENOENT, _) => format!("Failed to {verb} unit, unit {p} does not exist."),
            (Errno::EUNATCH, _) => {
                format!("Failed to {verb} unit, cannot resolve specifiers in \"{p}\".")
            }
            (other, _) => format!("Failed to {verb} unit, file \"{p}\": {}", other.strerror()),
        });
    }
    if let Err(e) = result {
        if !printed_error {
            lines.push(format!("Failed to {verb}: {}.", e.strerror()));
        }
    }
    lines
}

/// The notice `enable`/`reenable` print when no unit carried installation config
/// (reference §4.1 item 5), as lines.
pub fn no_install_config_notice(utf8: bool) -> Vec<String> {
    let b = bullet(utf8);
    [
        "The unit files have no installation config (WantedBy=, RequiredBy=, Also=,".to_owned(),
        "Alias= settings in the [Install] section, and DefaultInstance= for template".to_owned(),
        "units). This means they are not meant to be enabled using systemctl.".to_owned(),
        " ".to_owned(),
        "Possible reasons for having this kind of units are:".to_owned(),
        format!("{b} A unit may be statically enabled by being symlinked from another unit's"),
        "  .wants/ or .requires/ directory.".to_owned(),
        format!("{b} A unit's purpose may be to act as a helper for some other unit which has"),
        "  a requirement dependency on it.".to_owned(),
        format!("{b} A unit may be started when needed via activation (socket, path, timer,"),
        "  D-Bus, udev, scripted systemctl call, ...).".to_owned(),
        format!("{b} In case of template units, the unit is meant to be enabled with some"),
        "  instance name specified.".to_owned(),
    ]
    .to_vec()
}
