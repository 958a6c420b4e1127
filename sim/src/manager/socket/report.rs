//! What `systemctl` shows of sockets: `list-sockets` (LISTEN, UNIT, ACTIVATES and the legend of
//! `systemctl-list-units.c`), the `Listen:` and `Accepted:` lines of `status`, and the socket
//! properties of `show`.
use super::super::timefmt::format_timespan;
use super::super::units::Unit;
use super::super::verbs::Opts;
use super::super::Manager;
use super::config::SocketConfig;
use super::SocketRuntime;
use std::io::Write;
use unitlab_engine::fs::MemFs;
use unitlab_engine::graph::DepKind;
use unitlab_engine::install::fnmatch::fnmatch;
use unitlab_engine::name::{mangle, MangleOptions, UnitType};

impl Manager {
    /// The counters of a socket unit (zero for a unit object that never opened its ports).
    pub(crate) fn socket_runtime(&self, u: &Unit) -> SocketRuntime {
        self.sockets
            .runtime
            .get(u.id())
            .filter(|r| r.loaded_at == u.loaded_at || r.open.is_some())
            .cloned()
            .unwrap_or_default()
    }

    /// The configuration a socket unit shows: the one its ports were opened with, else the
    /// one loaded.
    fn shown_cfg(&self, u: &Unit) -> SocketConfig {
        self.sockets
            .runtime
            .get(u.id())
            .and_then(|r| r.open.clone())
            .unwrap_or_else(|| {
                SocketConfig::of(&u.node.unit, |v| self.expand_specifiers(u.id(), v))
            })
    }
}

/// The `Listen:` lines (and `Accepted:` with `Accept=yes`) of `status` for a socket unit; empty
/// for other units.
pub(crate) fn status_lines(m: &Manager, u: &Unit) -> String {
    if u.unit_type() != UnitType::Socket {
        return String::new();
    }
    let cfg = m.shown_cfg(u);
    let mut s = String::new();
    for (i, p) in cfg.ports.iter().enumerate() {
        let label = if i == 0 { "Listen:" } else { "" };
        s.push_str(&format!(
            "   {label:>9} {} ({})\n",
            p.addr.display(),
            p.kind.as_str()
        ));
    }
    if cfg.accept {
        let rt = m.socket_runtime(u);
        s.push_str(&format!(
            "   Accepted: {}; Connected: {};",
            rt.n_accepted, rt.n_connections
        ));
        if rt.n_refused > 0 {
            s.push_str(&format!("   Refused: {}", rt.n_refused));
        }
        s.push('\n');
    }
    s
}

/// The socket properties of `show`, in systemd's order (they come before the cgroup and unit
/// properties); empty for other units.
pub(crate) fn show_properties(m: &Manager, u: &Unit) -> Vec<(String, String)> {
    if u.unit_type() != UnitType::Socket {
        return Vec::new();
    }
    let cfg = m.shown_cfg(u);
    let rt = m.socket_runtime(u);
    let yn = |b: bool| if b { "yes" } else { "no" }.to_owned();
    let mut p: Vec<(String, String)> = Vec::new();
    let mut push = |k: &str, v: String| p.push((k.to_owned(), v));
    push("BindIPv6Only", "default".into());
    push("Backlog", cfg.backlog.to_string());
    push("TimeoutUSec", format_timespan(cfg.timeout, 1));
    push("SocketMode", format!("{:04o}", cfg.socket_mode));
    push("DirectoryMode", format!("{:04o}", cfg.directory_mode));
    push("Accept", yn(cfg.accept));
    for (k, v) in [
        ("FlushPending", "no"),
        ("Writable", "no"),
        ("KeepAlive", "no"),
        ("KeepAliveTimeUSec", "0"),
        ("KeepAliveIntervalUSec", "0"),
        ("KeepAliveProbes", "0"),
        ("DeferAcceptUSec", "0"),
        ("NoDelay", "no"),
        ("Priority", "-1"),
        ("ReceiveBuffer", "0"),
        ("SendBuffer", "0"),
        ("IPTOS", "-1"),
        ("IPTTL", "-1"),
        ("PipeSize", "0"),
        ("FreeBind", "no"),
        ("Transparent", "no"),
        ("Broadcast", "no"),
        ("PassCredentials", "no"),
        ("PassSecurity", "no"),
        ("PassPacketInfo", "no"),
    ] {
        push(k, v.into());
    }
    push("RemoveOnStop", yn(cfg.remove_on_stop));
    for port in &cfg.ports {
        push(
            "Listen",
            format!("{} ({})", port.addr.display(), port.kind.as_str()),
        );
    }
    push("Mark", "-1".into());
    push("MaxConnections", cfg.max_connections.to_string());
    push("MaxConnectionsPerSource", "0".into());
    push("MessageQueueMaxMessages", "0".into());
    push("MessageQueueMessageSize", "0".into());
    push("ReusePort", "no".into());
    push("ControlPID", "0".into());
    push("Result", u.result.as_str().into());
    push("NConnections", rt.n_connections.to_string());
    push("NAccepted", rt.n_accepted.to_string());
    push("NRefused", rt.n_refused.to_string());
    push("FileDescriptorName", u.id().to_string());
    push("SocketProtocol", "0".into());
    push(
        "TriggerLimitIntervalUSec",
        format_timespan(cfg.trigger_interval, 1),
    );
    push("TriggerLimitBurst", cfg.trigger_burst.to_string());
    push("UID", "[not set]".into());
    push("GID", "[not set]".into());
    p
}

/// `systemctl list-sockets [PATTERN...]`: one row per port of every loaded socket unit (sorted
/// by address, then type), with the units it triggers.
pub(crate) fn list_sockets(
    m: &mut Manager,
    _fs: &MemFs,
    o: &Opts,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let mut patterns = Vec::new();
    for a in &o.args {
        match mangle(
            a,
            MangleOptions {
                default_suffix: UnitType::Socket,
                allow_globs: true,
            },
        ) {
            Ok(n) => patterns.push(n.name),
            Err(_) => {
                let _ = writeln!(err, "Failed to mangle name: Invalid argument");
                return 1;
            }
        }
    }
    // (address, type, unit, activates)
    let mut rows: Vec<(String, &'static str, String, Vec<String>)> = Vec::new();
    for u in m.units.map.values() {
        if u.unit_type() != UnitType::Socket {
            continue;
        }
        let id = u.id().as_str();
        if !patterns.is_empty() && !patterns.iter().any(|p| fnmatch(p, id)) {
            continue;
        }
        if !o.states.is_empty() {
            let (a, l, s) = (u.active().as_str(), u.load_state().as_str(), u.sub.as_str());
            if !o.states.iter().any(|x| x == a || x == l || x == s) {
                continue;
            }
        }
        let triggered: Vec<String> = u
            .deps(DepKind::Triggers)
            .iter()
            .map(|t| t.to_string())
            .collect();
        for p in m.shown_cfg(u).ports {
            rows.push((
                p.addr.display(),
                p.kind.as_str(),
                id.to_owned(),
                triggered.clone(),
            ));
        }
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    let cells: Vec<[Vec<String>; 3]> = rows
        .into_iter()
        .map(|(addr, _, unit, act)| {
            let act = if act.is_empty() {
                vec!["-".into()]
            } else {
                act
            };
            [vec![addr], vec![unit], act]
        })
        .collect();
    let header = ["LISTEN", "UNIT", "ACTIVATES"];
    let width = |i: usize| {
        cells
            .iter()
            .flat_map(|c| c[i].iter().map(|s| s.chars().count()))
            .chain(std::iter::once(header[i].len()))
            .max()
            .unwrap_or(0)
    };
    let (w0, w1) = (width(0), width(1));
    let mut s = String::new();
    if !o.no_legend {
        s.push_str(&format!(
            "{:w0$} {:w1$} {}\n",
            header[0], header[1], header[2]
        ));
    }
    for c in &cells {
        let lines = c.iter().map(Vec::len).max().unwrap_or(1);
        for i in 0..lines {
            let get = |k: usize| c[k].get(i).map(String::as_str).unwrap_or("");
            let line = format!("{:w0$} {:w1$} {}", get(0), get(1), get(2));
            s.push_str(line.trim_end());
            s.push('\n');
        }
    }
    if !o.no_legend {
        s.push_str(&format!("\n{} sockets listed.\n", cells.len()));
        if !o.all {
            s.push_str("Pass --all to see loaded but inactive sockets, too.\n");
        }
    }
    let _ = out.write_all(s.as_bytes());
    0
}
