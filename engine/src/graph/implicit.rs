//! Implicit dependencies (reference §5.3 "Other implicit dependencies", §5.4): each type's extras
//! (triggers, exec-context implications, default slice), slice ordering and `RequiresMountsFor=`.
use super::build::{parse_boolean, Loader, Manager};
use super::kind::DepKind;
use super::mask::{DepInfo, DepMask};
use crate::load::LoadState;
use crate::name::{escape, NameKind, UnitName, UnitType};

/// The extras a type adds after its files were parsed (`service_add_extras()` & co.), for `loaded`
/// (and, since they run before verification, `bad-setting`) units.
pub(crate) fn type_extras(l: &mut Loader<'_>, id: &UnitName) {
    match id.unit_type() {
        UnitType::Service => {
            exec_dependencies(l, id);
            default_slice(l, id);
            super::defaults::type_defaults(l, id);
            bus_name(l, id);
        }
        UnitType::Socket => {
            socket_trigger(l, id);
            socket_mounts(l, id);
            if socket_has_exec(l, id) {
                exec_dependencies(l, id);
            }
            default_slice(l, id);
            super::defaults::type_defaults(l, id);
        }
        UnitType::Timer => {
            related_trigger(l, id);
            let persistent = setting(l, id, "Timer", "Persistent")
                .and_then(|v| parse_boolean(&v))
                .unwrap_or(false);
            if persistent && l.graph.options.manager == Manager::System {
                require_mounts_for(l, id, "/var/lib/systemd/timers", DepMask::FILE);
            }
            super::defaults::type_defaults(l, id);
        }
        UnitType::Path => {
            related_trigger(l, id);
            for key in [
                "PathExists",
                "PathExistsGlob",
                "PathChanged",
                "PathModified",
                "DirectoryNotEmpty",
            ] {
                let values: Vec<String> = l
                    .node(id)
                    .unit
                    .settings
                    .list("Path", key)
                    .into_iter()
                    .map(|v| v.value.to_owned())
                    .collect();
                for v in values {
                    if v.starts_with('/') && !v.contains('%') {
                        require_mounts_for(l, id, &v, DepMask::FILE);
                    }
                }
            }
            super::defaults::type_defaults(l, id);
        }
        UnitType::Target => {
            super::defaults::target_side(l, id);
            super::defaults::type_defaults(l, id);
        }
        UnitType::Slice => {
            if l.node(id).slice().is_none() {
                if let Some(parent) = crate::name::slice_parent(id.as_str()) {
                    let _ = l.add_by_name(
                        id,
                        &[DepKind::InSlice],
                        parent.as_str(),
                        true,
                        DepMask::IMPLICIT,
                    );
                }
            }
            super::defaults::type_defaults(l, id);
        }
        UnitType::Mount => {
            exec_dependencies(l, id);
            default_slice(l, id);
            super::mount::extras(l, id);
        }
        UnitType::Swap | UnitType::Scope => default_slice(l, id),
        UnitType::Automount => automount_extras(l, id),
        UnitType::Device => {}
    }
}

pub(crate) fn setting(l: &Loader<'_>, id: &UnitName, section: &str, key: &str) -> Option<String> {
    l.node(id)
        .unit
        .settings
        .get(section, key)
        .map(|v| v.value.to_owned())
}

/// `unit_set_default_slice()`: instances go to `system-<escaped prefix>.slice` (`app-…` for the
/// user manager); extrinsic units to `-.slice` (the perpetual `init.scope` and `-.mount`, a user
/// manager's mounts and swaps, and the system's API and OS mounts: see
/// [`super::mount::is_extrinsic`]); other units to `system.slice` (`app.slice`).
fn default_slice(l: &mut Loader<'_>, id: &UnitName) {
    if l.node(id).slice().is_some() {
        return;
    }
    let user = l.graph.options.manager == Manager::User;
    let name = if id.kind() == NameKind::Instance {
        let top = if user { "app" } else { "system" };
        format!("{top}-{}.slice", escape(id.prefix()))
    } else if (user && matches!(id.unit_type(), UnitType::Mount | UnitType::Swap))
        || matches!(id.as_str(), "init.scope" | "-.mount")
        || (id.unit_type() == UnitType::Mount && super::mount::unit_is_extrinsic(l, id))
    {
        "-.slice".to_owned()
    } else if user {
        "app.slice".to_owned()
    } else {
        "system.slice".to_owned()
    };
    let _ = l.add_by_name(
        id,
        &[DepKind::InSlice],
        &name,
        true,
        DepMask::SLICE_PROPERTY,
    );
}

/// `unit_add_slice_dependencies()` (loaded units with a cgroup): `After=` + `Requires=` on the
/// slice (origin `implicit` for slices, `file` for others), or on `-.slice` if there is none.
pub(crate) fn slice_dependencies(l: &mut Loader<'_>, id: &UnitName) {
    if !super::build::has_cgroup(id.unit_type()) {
        return;
    }
    let mask = if id.unit_type() == UnitType::Slice {
        DepMask::IMPLICIT
    } else {
        DepMask::FILE
    };
    if let Some(slice) = l.node(id).slice().cloned() {
        l.add_kinds(id, &[DepKind::After, DepKind::Requires], &slice, true, mask);
        return;
    }
    if id.as_str() == "-.slice" {
        return;
    }
    let _ = l.add_by_name(
        id,
        &[DepKind::After, DepKind::Requires],
        "-.slice",
        true,
        mask,
    );
}

/// Output settings that send output to the journal or kmsg.
fn is_journal(v: &str) -> bool {
    matches!(
        v,
        "journal" | "journal+console" | "kmsg" | "kmsg+console" | "syslog" | "syslog+console"
    )
}

/// `unit_add_exec_dependencies()`.
fn exec_dependencies(l: &mut Loader<'_>, id: &UnitName) {
    let section = id.unit_type().section();
    let system = l.graph.options.manager == Manager::System;
    if let Some(wd) = setting(l, id, section, "WorkingDirectory") {
        if wd.starts_with('/') && !wd.contains('%') {
            require_mounts_for(l, id, &wd, DepMask::FILE);
        }
    }
    for key in ["RootDirectory", "RootImage"] {
        if let Some(p) = setting(l, id, section, key) {
            if p.starts_with('/') && !p.contains('%') {
                require_mounts_for(l, id, &p, DepMask::FILE);
            }
        }
    }
    let mut state_like = false;
    if system {
        for (key, prefix) in [
            ("RuntimeDirectory", "/run"),
            ("StateDirectory", "/var/lib"),
            ("CacheDirectory", "/var/cache"),
            ("LogsDirectory", "/var/log"),
            ("ConfigurationDirectory", "/etc"),
        ] {
            let values: Vec<String> = l
                .node(id)
                .unit
                .settings
                .list(section, key)
                .into_iter()
                .map(|v| v.value.to_owned())
                .collect();
            for v in values {
                for word in super::directive::words(&v) {
                    let path = word.split(':').next().unwrap_or("").to_owned();
                    if path.is_empty() || path.contains('%') {
                        continue;
                    }
                    if matches!(key, "StateDirectory" | "CacheDirectory" | "LogsDirectory") {
                        state_like = true;
                    }
                    require_mounts_for(l, id, &format!("{prefix}/{path}"), DepMask::FILE);
                }
            }
        }
    }
    if !system {
        // The user manager stops here: no remount-fs, PrivateTmp or journald dependencies.
        return;
    }
    if state_like {
        let _ = l.add_by_name(
            id,
            &[DepKind::After],
            "systemd-remount-fs.service",
            true,
            DepMask::FILE,
        );
    }
    // unit_patch_contexts(): DynamicUser=yes implies PrivateTmp=yes.
    let dynamic_user = setting(l, id, section, "DynamicUser")
        .and_then(|v| parse_boolean(&v))
        .unwrap_or(false);
    let private_tmp = dynamic_user
        || setting(l, id, section, "PrivateTmp")
            .and_then(|v| parse_boolean(&v))
            .unwrap_or(false);
    if private_tmp {
        let _ = l.add_by_name(
            id,
            &[DepKind::After, DepKind::Wants],
            "tmp.mount",
            true,
            DepMask::FILE,
        );
        require_mounts_for(l, id, "/var/tmp", DepMask::FILE);
        let _ = l.add_by_name(
            id,
            &[DepKind::After],
            "systemd-tmpfiles-setup.service",
            true,
            DepMask::FILE,
        );
    }
    if setting(l, id, section, "RootImage").is_some() {
        let _ = l.add_by_name(
            id,
            &[DepKind::After],
            "systemd-udevd.service",
            true,
            DepMask::FILE,
        );
    }
    journald(l, id, section);
}

/// `After=systemd-journald.socket` when output or errors go to the journal or kmsg (the default).
fn journald(l: &mut Loader<'_>, id: &UnitName, section: &str) {
    // service_fix_stdio(): an inherited stdout stays inherited when stdin is a terminal, a socket
    // or a named fd (a bidirectional stream); otherwise it becomes the default, the journal.
    let stdin = setting(l, id, section, "StandardInput").unwrap_or_default();
    let bidirectional = id.unit_type() == UnitType::Service
        && (matches!(stdin.as_str(), "tty" | "tty-force" | "tty-fail" | "socket")
            || stdin.starts_with("fd"));
    let service = id.unit_type() == UnitType::Service;
    let out = match setting(l, id, section, "StandardOutput") {
        Some(o) if o != "inherit" || !service => o,
        _ if bidirectional => "inherit".into(),
        _ => "journal".into(),
    };
    let err = setting(l, id, section, "StandardError").unwrap_or_else(|| "inherit".into());
    if !is_journal(&out) && !is_journal(&err) {
        return;
    }
    let _ = l.add_by_name(
        id,
        &[DepKind::After],
        "systemd-journald.socket",
        true,
        DepMask::FILE,
    );
}

/// `Type=dbus` (or no `Type=` and a `BusName=`): `Requires=` + `After=dbus.socket`. A bus name
/// already taken by another service fails the unit (`error`, "File exists").
fn bus_name(l: &mut Loader<'_>, id: &UnitName) {
    let Some(bus) = setting(l, id, "Service", "BusName") else {
        return;
    };
    let ty = setting(l, id, "Service", "Type");
    if ty.as_deref().is_none_or(|t| t == "dbus") {
        let _ = l.add_by_name(id, &[DepKind::Requires], "dbus.socket", true, DepMask::FILE);
        let _ = l.add_by_name(id, &[DepKind::After], "dbus.socket", true, DepMask::FILE);
    }
    match l.graph.bus_names.get(&bus) {
        Some(owner) if owner != id => {
            l.unit_log(
                id,
                crate::diag::Severity::Error,
                format!("Two services allocated for the same bus name {bus}, refusing operation."),
            );
            if let Some(n) = l.graph.nodes.get_mut(id).map(std::sync::Arc::make_mut) {
                n.unit.load_state = LoadState::Error;
                n.unit.load_error = Some(crate::load::LoadError::Read("File exists".into()));
            }
        }
        _ => {
            l.graph.bus_names.insert(bus, id.clone());
        }
    }
}

fn socket_has_exec(l: &Loader<'_>, id: &UnitName) -> bool {
    [
        "ExecStartPre",
        "ExecStartPost",
        "ExecStopPre",
        "ExecStopPost",
    ]
    .iter()
    .any(|k| !l.node(id).unit.settings.list("Socket", k).is_empty())
}

/// The related unit of another type (`unit_load_related_unit()`): same name, other suffix.
fn related(id: &UnitName, ty: UnitType) -> Option<UnitName> {
    id.with_type(ty).ok()
}

/// An automount's extras (`automount_add_extras()`): `Before=` and `Triggers=` on the same-name
/// mount and `RequiresMountsFor=` its parent directory (origin `implicit`), then the default
/// dependencies.
fn automount_extras(l: &mut Loader<'_>, id: &UnitName) {
    if let Some(mount) = related(id, UnitType::Mount) {
        let mid = l.load(&mount);
        l.add(id, DepKind::Before, &mid, true, DepMask::IMPLICIT);
        l.add(id, DepKind::Triggers, &mid, true, DepMask::IMPLICIT);
    }
    let where_ = setting(l, id, "Automount", "Where")
        .and_then(|w| simplify(&w))
        .or_else(|| id.to_path().ok().map(|p| p.to_string()));
    if let Some(w) = where_ {
        let parent = match w.rfind('/') {
            Some(0) => Some("/".to_owned()),
            Some(i) => Some(w[..i].to_owned()),
            None => None,
        };
        if let Some(p) = parent.filter(|_| w != "/") {
            require_mounts_for(l, id, &p, DepMask::IMPLICIT);
        }
    }
    super::defaults::type_defaults(l, id);
}

/// A timer's or path's trigger when no `Unit=` was given: the same-name service (implicit).
fn related_trigger(l: &mut Loader<'_>, id: &UnitName) {
    if l.node(id).deps_of(DepKind::Triggers).next().is_some() {
        return;
    }
    if let Some(service) = related(id, UnitType::Service) {
        let sid = l.load(&service);
        l.add(id, DepKind::Before, &sid, true, DepMask::IMPLICIT);
        l.add(id, DepKind::Triggers, &sid, true, DepMask::IMPLICIT);
    }
}

const SOCKET_PORTS: [&str; 8] = [
    "ListenStream",
    "ListenDatagram",
    "ListenSequentialPacket",
    "ListenFIFO",
    "ListenSpecial",
    "ListenNetlink",
    "ListenMessageQueue",
    "ListenUSBFunction",
];

/// A socket's trigger (reference §5.4): with `Accept=no` or any port that cannot accept, its
/// service (`Service=` or the same-name service), origin `implicit`.
fn socket_trigger(l: &mut Loader<'_>, id: &UnitName) {
    let accept = setting(l, id, "Socket", "Accept")
        .and_then(|v| parse_boolean(&v))
        .unwrap_or(false);
    let settings = &l.node(id).unit.settings;
    let non_accept = !accept
        || SOCKET_PORTS
            .iter()
            .filter(|k| !matches!(**k, "ListenStream" | "ListenSequentialPacket"))
            .any(|k| !settings.list("Socket", k).is_empty());
    if !non_accept {
        return;
    }
    let service = match l.graph.socket_service.get(id) {
        Some(s) => s.clone(),
        None => match related(id, UnitType::Service) {
            Some(s) => l.load(&s),
            None => return,
        },
    };
    l.add(id, DepKind::Before, &service, true, DepMask::IMPLICIT);
    l.add(id, DepKind::Triggers, &service, true, DepMask::IMPLICIT);
}

/// File-system ports of a socket need their mounts.
fn socket_mounts(l: &mut Loader<'_>, id: &UnitName) {
    let system = l.graph.options.manager == Manager::System;
    let mut paths = Vec::new();
    for key in SOCKET_PORTS {
        if matches!(key, "ListenNetlink" | "ListenMessageQueue") {
            continue;
        }
        for v in l.node(id).unit.settings.list("Socket", key) {
            let value = if v.value.contains('%') {
                match system
                    .then(|| system_path_specifiers(id, v.value))
                    .flatten()
                {
                    Some(p) => p,
                    None => continue,
                }
            } else {
                v.value.to_owned()
            };
            if !value.starts_with('/') {
                continue;
            }
            let Some(mut path) = simplify(&value) else {
                continue;
            };
            // patch_var_run(): AF_UNIX socket and FIFO paths below /var/run/ move to /run/.
            if matches!(
                key,
                "ListenStream" | "ListenDatagram" | "ListenSequentialPacket" | "ListenFIFO"
            ) {
                if let Some(rest) = path.strip_prefix("/var/run/") {
                    path = format!("/run/{rest}");
                }
            }
            paths.push(path);
        }
    }
    for p in paths {
        require_mounts_for(l, id, &p, DepMask::FILE);
    }
}

/// The system manager's path specifiers (`unit_path_printf()`) that do not depend on the host:
/// `%t` `%S` `%C` `%L` `%E` `%T` `%V`, the unit's `%n` `%N` `%p` `%i`, and `%%`. `None` for any
/// other specifier.
fn system_path_specifiers(id: &UnitName, text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '%' => out.push('%'),
            't' => out.push_str("/run"),
            'S' => out.push_str("/var/lib"),
            'C' => out.push_str("/var/cache"),
            'L' => out.push_str("/var/log"),
            'E' => out.push_str("/etc"),
            'T' => out.push_str("/tmp"),
            'V' => out.push_str("/var/tmp"),
            'n' => out.push_str(id.as_str()),
            'N' => out.push_str(id.stem()),
            'p' => out.push_str(id.prefix()),
            'i' => out.push_str(id.instance().unwrap_or("")),
            _ => return None,
        }
    }
    Some(out)
}

/// Simplifies a path like `path_simplify()`; `None` if it is not absolute and normalized.
pub(crate) fn simplify(path: &str) -> Option<String> {
    if !path.starts_with('/') {
        return None;
    }
    let parts: Vec<&str> = path
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    if parts.contains(&"..") {
        return None;
    }
    Some(format!("/{}", parts.join("/")))
}

/// The path and its prefixes, shortest first (`/`, `/a`, `/a/b`), for a simplified path (as
/// [`simplify`] makes them: the prefixes are slices of the path).
pub(crate) fn prefixes(path: &str) -> impl Iterator<Item = &str> {
    let ends = path
        .bytes()
        .enumerate()
        .skip(1)
        .filter(|&(_, b)| b == b'/')
        .map(|(i, _)| i)
        .chain((path != "/").then_some(path.len()));
    std::iter::once("/").chain(ends.map(move |e| &path[..e]))
}

/// `unit_require_mounts_for()`: records the path (simplified) with its source.
pub(crate) fn require_mounts_for(l: &mut Loader<'_>, id: &UnitName, path: &str, mask: DepMask) {
    let Some(p) = simplify(path) else { return };
    let node = std::sync::Arc::make_mut(
        l.graph
            .nodes
            .get_mut(id)
            .expect("unit being processed is in the graph"),
    );
    node.requires_mounts_for.entry(p).or_insert(DepInfo {
        origin: mask,
        destination: DepMask::NONE,
    });
}

/// Loads the mount unit of every prefix of every `RequiresMountsFor=` path (`unit_add_mount_dependencies()`
/// loads them; the dependencies follow once all are loaded).
pub(crate) fn load_mount_prefixes(l: &mut Loader<'_>, id: &UnitName) {
    let node = &l.node(id);
    if node.requires_mounts_for.is_empty() {
        return;
    }
    let paths: Vec<String> = node.requires_mounts_for.keys().cloned().collect();
    for p in &paths {
        for prefix in prefixes(p) {
            if let Some(name) = l.mount_name(prefix) {
                if l.graph.names.contains_key(name.as_str()) {
                    continue;
                }
                l.load(&name);
            }
        }
    }
}

/// `After=` (and `Requires=` if the mount has a fragment) on every loaded mount unit of a path
/// prefix. systemd adds this from the side loaded last: the unit's side (origin of the path) if the
/// mount unit was loaded before the unit (`-.mount` always is: it comes from the mount table), else
/// the mount unit's side (origin `path`).
pub(crate) fn mount_dependencies(l: &mut Loader<'_>) {
    for index in 0..l.graph.nodes.len() {
        let node = &l.graph.nodes[index];
        if node.load_state() != LoadState::Loaded || node.requires_mounts_for.is_empty() {
            continue;
        }
        let id = node.id().clone();
        let u_order = node.load_order;
        let paths: Vec<(String, DepInfo)> = node
            .requires_mounts_for
            .iter()
            .map(|(p, i)| (p.clone(), *i))
            .collect();
        for (p, info) in paths {
            for prefix in prefixes(&p) {
                let Some(name) = l.mount_name(prefix) else {
                    continue;
                };
                let Some(mid) = l.graph.names.get(name.as_str()).cloned() else {
                    continue;
                };
                if mid == id {
                    continue;
                }
                let m = &l.graph.nodes[&mid];
                if m.load_state() != LoadState::Loaded {
                    continue;
                }
                let fragment = m.unit.fragment_path.is_some();
                let m_order = if mid.as_str() == "-.mount" {
                    0
                } else {
                    m.load_order
                };
                let mask = if mid.as_str() == "-.mount" || m_order < u_order {
                    info.origin
                } else {
                    DepMask::PATH
                };
                l.add(&id, DepKind::After, &mid, true, mask);
                if fragment {
                    l.add(&id, DepKind::Requires, &mid, true, mask);
                }
            }
        }
    }
}
