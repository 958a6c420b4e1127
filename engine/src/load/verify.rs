//! The post-load type checks that make a unit `bad-setting` (reference §3.4): systemd's
//! `service_verify()`, `socket_verify()`, `timer_verify()`, `path_verify()`, `slice_verify()` and the
//! simple parts of `mount_verify()`/`automount_verify()`.
//!
//! The checks read the assignments of the type's section in application order (fragment, then
//! drop-ins), with the empty-assignment resets systemd's setting parsers apply (an empty
//! `ExecStart=` clears the list; an empty timer, path or `Listen*=` value clears *all* of them).
use crate::name::{self, UnitName, UnitType};
use crate::syntax::ParsedFile;

/// A refusal: the unit's load state becomes `bad-setting`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The message, exactly as systemd logs it after the `UNIT: ` prefix.
    pub message: String,
}

/// The assignments of one section, in application order, as `(key, value)`.
fn assignments<'a>(files: &[&'a ParsedFile], section: &str) -> Vec<(&'a str, &'a str)> {
    let mut out = Vec::new();
    for f in files {
        for s in f.sections().filter(|s| s.name == section) {
            for e in s.entries() {
                out.push((e.key, e.value));
            }
        }
    }
    out
}

/// The last value of `key` (an empty assignment resets to unset).
fn last<'a>(a: &[(&'a str, &'a str)], key: &str) -> Option<&'a str> {
    let mut v = None;
    for (k, val) in a {
        if *k == key {
            v = if val.is_empty() { None } else { Some(*val) };
        }
    }
    v
}

/// How many values a list setting holds after empty-assignment resets; `keys` share one list.
fn count(a: &[(&str, &str)], keys: &[&str]) -> usize {
    let mut n = 0;
    for (k, v) in a {
        if keys.contains(k) {
            if v.is_empty() {
                n = 0;
            } else {
                n += 1;
            }
        }
    }
    n
}

/// systemd's `parse_boolean()` of a value that may be unset.
fn boolean(v: Option<&str>) -> Option<bool> {
    crate::syntax::parse_boolean(v?)
}

/// Runs the checks of `id`'s type over its parsed fragment and drop-ins (application order).
/// `names` are all names of the unit (used for the `Where=`/name match of mounts).
pub fn verify(id: &UnitName, names: &[&UnitName], files: &[&ParsedFile]) -> Result<(), Refusal> {
    verify_counted(id, names, files, None)
}

/// [`verify`] with the `ExecStart=`/`ExecStop=` command counts of `files` known already (from
/// the scans that judged the files' settings under the name `id`); `None` counts them.
pub(crate) fn verify_counted(
    id: &UnitName,
    names: &[&UnitName],
    files: &[&ParsedFile],
    counts: Option<(usize, usize)>,
) -> Result<(), Refusal> {
    let refuse = |m: &str| {
        Err(Refusal {
            message: m.to_owned(),
        })
    };
    let t = id.unit_type();
    let a = assignments(files, t.section());
    match t {
        UnitType::Service => {
            let unit = assignments(files, "Unit");
            // Debug builds (the test suites) check that the counts handed in are the rescan's.
            debug_assert!(counts.is_none_or(|c| c == super::fatal::start_stop_counts(id, files)));
            let (starts, stops) =
                counts.unwrap_or_else(|| super::fatal::start_stop_counts(id, files));
            let success_action = last(&unit, "SuccessAction").is_some_and(|v| v != "none");
            let bus_name = last(&a, "BusName");
            let ty = match last(&a, "Type") {
                Some(
                    v @ ("simple" | "exec" | "forking" | "oneshot" | "dbus" | "notify" | "idle"),
                ) => v,
                _ if bus_name.is_some() => "dbus",
                _ if starts > 0 => "simple",
                _ => "oneshot",
            };
            let oneshot = ty == "oneshot";
            let remain = boolean(last(&a, "RemainAfterExit")).unwrap_or(false);
            if starts == 0 && stops == 0 && !success_action {
                return refuse(
                    "Service has no ExecStart=, ExecStop=, or SuccessAction=. Refusing.",
                );
            }
            if !oneshot && starts == 0 {
                return refuse(
                    "Service has no ExecStart= setting, which is only allowed for Type=oneshot services. Refusing.",
                );
            }
            if !remain && starts == 0 && !success_action {
                return refuse("Service has no ExecStart= and no SuccessAction= settings and does not have RemainAfterExit=yes set. Refusing.");
            }
            if !oneshot && starts > 1 {
                return refuse("Service has more than one ExecStart= setting, which is only allowed for Type=oneshot services. Refusing.");
            }
            if oneshot && matches!(last(&a, "Restart"), Some("always" | "on-success")) {
                return refuse("Service has Restart= set to either always or on-success, which isn't allowed for Type=oneshot services. Refusing.");
            }
            if oneshot && count(&a, &["RestartForceExitStatus"]) > 0 {
                return refuse("Service has RestartForceExitStatus= set, which isn't allowed for Type=oneshot services. Refusing.");
            }
            if oneshot && last(&a, "ExitType") == Some("cgroup") {
                return refuse(
                    "Service has ExitType=cgroup set, which isn't allowed for Type=oneshot services. Refusing.",
                );
            }
            if ty == "dbus" && bus_name.is_none() {
                return refuse(
                    "Service is of type D-Bus but no D-Bus service name has been specified. Refusing.",
                );
            }
            if last(&a, "PAMName").is_some()
                && !matches!(
                    last(&a, "KillMode").unwrap_or("control-group"),
                    "control-group" | "mixed"
                )
            {
                return refuse(
                    "Service has PAM enabled. Kill mode must be set to 'control-group' or 'mixed'. Refusing.",
                );
            }
            Ok(())
        }
        UnitType::Socket => {
            const STREAMISH: &[&str] = &["ListenStream", "ListenSequentialPacket"];
            const OTHER: &[&str] = &[
                "ListenDatagram",
                "ListenFIFO",
                "ListenSpecial",
                "ListenNetlink",
                "ListenMessageQueue",
                "ListenUSBFunction",
            ];
            let all: Vec<&str> = STREAMISH.iter().chain(OTHER).copied().collect();
            if count(&a, &all) == 0 {
                return refuse("Unit has no Listen setting (ListenStream=, ListenDatagram=, ListenFIFO=, ...). Refusing.");
            }
            let accept = boolean(last(&a, "Accept")).unwrap_or(false);
            if accept {
                let mut non_accept = false;
                for (k, v) in &a {
                    if all.contains(k) {
                        if v.is_empty() {
                            non_accept = false;
                        } else if OTHER.contains(k) {
                            non_accept = true;
                        }
                    }
                }
                if non_accept {
                    return refuse("Unit configured for accepting sockets, but sockets are non-accepting. Refusing.");
                }
                if last(&a, "MaxConnections") == Some("0") {
                    return refuse("MaxConnection= setting too small. Refusing.");
                }
                if last(&a, "Service").is_some() {
                    return refuse(
                        "Explicit service configuration for accepting socket units not supported. Refusing.",
                    );
                }
            }
            Ok(())
        }
        UnitType::Timer => {
            let values = count(
                &a,
                &[
                    "OnActiveSec",
                    "OnBootSec",
                    "OnStartupSec",
                    "OnUnitActiveSec",
                    "OnUnitInactiveSec",
                    "OnCalendar",
                ],
            );
            let clock = boolean(last(&a, "OnClockChange")).unwrap_or(false);
            let tz = boolean(last(&a, "OnTimezoneChange")).unwrap_or(false);
            if values == 0 && !clock && !tz {
                return refuse("Timer unit lacks value setting. Refusing.");
            }
            Ok(())
        }
        UnitType::Path => {
            let specs = count(
                &a,
                &[
                    "PathExists",
                    "PathExistsGlob",
                    "PathChanged",
                    "PathModified",
                    "DirectoryNotEmpty",
                ],
            );
            if specs == 0 {
                return refuse("Path unit lacks path setting. Refusing.");
            }
            Ok(())
        }
        UnitType::Slice => {
            if !name::is_valid_slice_name(id.as_str()) {
                return Err(Refusal {
                    message: format!("Slice name {id} is not valid. Refusing."),
                });
            }
            Ok(())
        }
        UnitType::Swap => {
            // `swap_verify()`: What= (or the path of the name) must name the unit.
            if let Some(what) = super::fatal::effective_path(id, files, "What") {
                if let Ok(expected) = name::name_from_path(&what, t) {
                    if !names.iter().any(|n| n.as_str() == expected.as_str())
                        && id.as_str() != expected.as_str()
                    {
                        return refuse("Value of What= and unit name do not match, not loading.");
                    }
                }
            }
            Ok(())
        }
        UnitType::Mount | UnitType::Automount => {
            if let Some(where_) = super::fatal::effective_path(id, files, "Where") {
                let where_ = where_.as_str();
                if t == UnitType::Automount
                    && where_.trim_end_matches('/').is_empty()
                    && where_.starts_with('/')
                {
                    return refuse(
                        "Cannot have an automount unit for the root directory. Refusing.",
                    );
                }
                if let Ok(expected) = name::name_from_path(where_, t) {
                    if !names.iter().any(|n| n.as_str() == expected.as_str())
                        && id.as_str() != expected.as_str()
                    {
                        return refuse("Where= setting doesn't match unit name. Refusing.");
                    }
                }
            }
            if t == UnitType::Mount && last(&a, "What").is_none() && id.as_str() != "-.mount" {
                return refuse("What= setting is missing. Refusing.");
            }
            Ok(())
        }
        _ => Ok(()),
    }
}
