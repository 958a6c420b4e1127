//! Socket units at runtime (issue 6): listening ports, connections, and the services they start,
//! as systemd 252's `socket.c` does it (reference §5.4, §7.2; verified on the real user manager
//! by the `sim/scenarios/user-socket-*.md` scenarios).
//!
//! # The model
//!
//! * **Start** (`socket_start()`): a socket that triggers one service (`Accept=no`, or any port
//!   that cannot accept) refuses to start when that service is not loaded (`Socket service X not
//!   loaded, refusing.`) or is already active (`Socket service X already active, refusing.`):
//!   the job fails and the socket stays `dead`. Otherwise its ports are opened: a path port
//!   (AF_UNIX socket, FIFO) creates the file in the machine's filesystem (parent directories with
//!   `DirectoryMode=`, the socket with `SocketMode=`, a FIFO with `SocketMode=` less the umask
//!   022) and the socket enters `listening`.
//! * **Stop** closes the ports; the files stay (`RemoveOnStop=no`, the default) and are removed
//!   with `RemoveOnStop=yes`. Queued connections are dropped.
//! * **A connection** ([`Manager::connect`], the machine's `connect ADDRESS`) reaches a socket
//!   that listens on that path or port with a stream port. The client's `connect()` succeeds
//!   whenever the socket is open, even when the manager then refuses the connection. In
//!   `listening` state the socket is triggered (`socket_enter_running()`): past the trigger
//!   limit (`TriggerLimitBurst=` per `TriggerLimitIntervalSec=`) it fails with
//!   `trigger-limit-hit`;
//!   * `Accept=no`: the connection waits in the listen queue; unless a triggered unit is active
//!     or has a start job, the service is started, and the socket enters `running`;
//!   * `Accept=yes`: past `MaxConnections=` the connection is dropped (`Refused:`); else an
//!     instance of the template `PREFIX@.service` is made, named `PREFIX@N-PID-UID.service`
//!     for AF_UNIX (`N` counts accepted connections, `PID`/`UID` are the client's) and
//!     `PREFIX@N-LOCAL:PORT-REMOTE:PORT.service` for IP, described as `PID N/UID M` (or
//!     `DESCRIPTION (PID N/UID M)`), and started. A template that is missing or not loaded
//!     fails the socket with `resources`, as does a service that cannot be queued (masked).
//! * **The service's state** is followed (`socket_trigger_notify()`, `Accept=no` only): a
//!   service that ran into its start limit fails the socket with `service-start-limit-hit`; a
//!   service that ends (dead, failed, auto-restart) puts the socket back to `listening`, and a
//!   connection still queued triggers it again at once; a running service makes it `running`.
//! * **Who accepts**: a service's main process takes the queued connections off the socket when
//!   it is a long-running command (one the process model does not know to end: a daemon); the
//!   commands that end by themselves (`/bin/true`, `sleep`, `sh -c`) never call `accept()`, so
//!   their connection stays queued and the socket triggers the service again when it ends,
//!   until the service hits its start limit, exactly as on a real machine.
//!
//! Not modelled: `ExecStartPre=`/`ExecStartPost=`/`ExecStopPre=`/`ExecStopPost=` of sockets,
//! `SocketUser=`/`SocketGroup=`, `MaxConnectionsPerSource=`, `FlushPending=`, writing to a FIFO
//! or sending datagrams (only stream connections are made by `connect`), ports clashing between
//! managers.
mod config;
mod report;

pub use config::{Addr, PortKind};
pub(crate) use report::{list_sockets, show_properties, status_lines};

use super::jobs::{Mode, Request};
use super::state::{Sub, UnitResult};
use super::units::Unit;
use super::{Manager, Usec, World};
use camino::Utf8Path;
use config::SocketConfig;
use indexmap::IndexMap;
use unitlab_engine::fs::{FileSystem, MemFs};
use unitlab_engine::graph::{DepInfo, DepKind};
use unitlab_engine::load::LoadState;
use unitlab_engine::name::{UnitName, UnitType};

/// Where a client connects to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Address {
    /// An AF_UNIX socket path (absolute, normalized).
    Path(String),
    /// A TCP port on `host` (`127.0.0.1` when not given).
    Inet {
        /// The host as given.
        host: String,
        /// The port.
        port: u16,
    },
}

impl Address {
    /// Parses `connect`'s argument: an absolute path, or `[HOST:]PORT`.
    pub fn parse(s: &str) -> Option<Address> {
        if s.starts_with('/') {
            return Some(Address::Path(s.to_owned()));
        }
        let (host, port) = match s.rsplit_once(':') {
            Some((h, p)) => (h.trim_start_matches('[').trim_end_matches(']'), p),
            None => ("127.0.0.1", s),
        };
        let port = port.parse::<u16>().ok()?;
        Some(Address::Inet {
            host: if host.is_empty() { "127.0.0.1" } else { host }.to_owned(),
            port,
        })
    }
}

/// Why a client's `connect()` failed (the `strerror()` text `connect` prints).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectError {
    /// `ECONNREFUSED` (nothing listens, or the path is not a listening stream socket).
    Refused,
    /// `EPROTOTYPE`: a stream connection to a datagram or sequential-packet socket.
    WrongType,
}

impl ConnectError {
    /// The message text.
    pub fn strerror(self) -> &'static str {
        match self {
            ConnectError::Refused => "Connection refused",
            ConnectError::WrongType => "Protocol wrong type for socket",
        }
    }
}

/// A file a socket made in the filesystem: its kind for `ls -l` (`s` socket, `p` FIFO) and the
/// modification stamp it had (a file replaced since is an ordinary file again).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpecialFile {
    /// `s` or `p`.
    pub kind: char,
    /// The file's modification stamp when it was made.
    pub stamp: i128,
}

/// The runtime state of one socket unit.
#[derive(Clone, Debug, Default)]
pub(crate) struct SocketRuntime {
    /// The configuration the ports were opened with (`None` while closed).
    open: Option<SocketConfig>,
    /// `NAccepted=`.
    pub(crate) n_accepted: u32,
    /// `NConnections=`.
    pub(crate) n_connections: u32,
    /// `NRefused=`.
    pub(crate) n_refused: u32,
    /// Connections waiting in the listen queue (`Accept=no`).
    pending: u32,
    /// The trigger limit's window: beginning and triggers counted.
    trigger: (Option<Usec>, u32),
    /// `loaded_at` of the unit object these counters belong to: a socket collected and loaded
    /// again starts from zero, as a new unit object does in systemd.
    loaded_at: Usec,
    /// Ports closed by the manager but still open in the service that was handed them (its
    /// id and main PID): connections still succeed there while that process lives.
    held: Option<(SocketConfig, UnitName, u32)>,
}

/// Every socket's runtime state, the instances serving accepted connections, and the files
/// made in the filesystem.
#[derive(Debug, Default)]
pub(crate) struct Sockets {
    /// By socket unit id, in the order they were first started.
    pub(crate) runtime: IndexMap<UnitName, SocketRuntime>,
    /// `Accept=yes` instance → the socket whose connection it serves.
    pub(crate) conns: IndexMap<UnitName, UnitName>,
    /// Files made by sockets (path → kind and stamp).
    pub(crate) files: IndexMap<String, SpecialFile>,
    /// Per template, the unit `PREFIX@internal.service` as loaded (systemd looks the template
    /// up under that name too): connection instances are made from it.
    prototypes: IndexMap<UnitName, Unit>,
    /// Instances made from a prototype whose start job is still to be installed.
    fast_start: std::collections::HashSet<UnitName>,
}

impl Sockets {
    /// Forgets the loaded templates (daemon-reload reads them again).
    pub(crate) fn forget_prototypes(&mut self) {
        self.prototypes.clear();
    }
}

impl Manager {
    /// The files this manager's sockets made (socket and FIFO nodes), for `ls -l`.
    pub fn special_files(&self) -> impl Iterator<Item = (&str, SpecialFile)> {
        self.sockets.files.iter().map(|(p, f)| (p.as_str(), *f))
    }

    /// A client connects to `addr` and closes the connection (the machine's `connect`): `None`
    /// if no socket of this manager is open there, else what the client's `connect()` gives.
    /// The socket is triggered as systemd does on incoming traffic, and the jobs that queues
    /// run.
    pub fn connect(
        &mut self,
        world: &mut World<'_>,
        addr: &Address,
    ) -> Option<Result<(), ConnectError>> {
        let (id, kind) = self.listener(world.fs, addr)?;
        let result = match kind {
            PortKind::Stream => Ok(()),
            PortKind::Datagram | PortKind::SequentialPacket => Err(ConnectError::WrongType),
            _ => Err(ConnectError::Refused),
        };
        let open = self
            .sockets
            .runtime
            .get(&id)
            .is_some_and(|r| r.open.is_some());
        if result.is_ok() && open {
            self.enter(world);
            let fs: &MemFs = world.fs;
            self.socket_incoming(fs, &id, addr);
            self.run(fs, None);
            self.leave(world);
        }
        Some(result)
    }

    /// The open socket with a port at `addr`, and that port's kind.
    fn listener(&self, fs: &MemFs, addr: &Address) -> Option<(UnitName, PortKind)> {
        for (id, rt) in &self.sockets.runtime {
            let held = rt.held.as_ref().filter(|(_, svc, pid)| {
                self.units
                    .unit(svc)
                    .and_then(|u| u.main.as_ref())
                    .is_some_and(|p| p.pid == *pid)
            });
            let Some(cfg) = rt.open.as_ref().or(held.map(|h| &h.0)) else {
                continue;
            };
            for p in &cfg.ports {
                match (addr, &p.addr) {
                    (Address::Path(a), Addr::Path(b)) if a == b => {
                        // The file must still be the one the socket made.
                        let current = fs.lstat(Utf8Path::new(b)).ok().map(|m| m.modified_ns);
                        let made = self.sockets.files.get(b).map(|f| f.stamp);
                        if current.is_some() && current == made {
                            return Some((id.clone(), p.kind));
                        }
                    }
                    (Address::Inet { host, port }, Addr::Inet { host: h, port: q })
                        if port == q && p.kind == PortKind::Stream =>
                    {
                        let any = match h.as_deref() {
                            None | Some("0.0.0.0") => true,
                            Some("::") => true,
                            Some(h) => h == host,
                        };
                        if any {
                            return Some((id.clone(), p.kind));
                        }
                    }
                    _ => {}
                }
            }
        }
        None
    }

    fn socket_cfg(&self, id: &UnitName) -> Option<SocketConfig> {
        let u = self.units.unit(id)?;
        Some(SocketConfig::of(&u.node.unit, |v| {
            self.expand_specifiers(id, v)
        }))
    }

    /// The service a socket triggers (`Accept=no`): its first `Triggers=` service.
    fn socket_service(&self, id: &UnitName) -> Option<UnitName> {
        let u = self.units.unit(id)?;
        u.deps(DepKind::Triggers)
            .into_iter()
            .find(|t| t.unit_type() == UnitType::Service)
    }

    /// Runs a start job on a socket (`socket_start()`).
    pub(crate) fn socket_start(&mut self, fs: &MemFs, id: &UnitName, job: u32) {
        let Some(cfg) = self.socket_cfg(id) else {
            return;
        };
        if cfg.has_non_accept_port() {
            if let Some(svc) = self.socket_service(id) {
                let refuse = match self.units.unit(&svc) {
                    Some(s) if s.load_state() != LoadState::Loaded => Some("not loaded"),
                    Some(s) if !matches!(s.sub, Sub::Dead | Sub::Failed | Sub::AutoRestart) => {
                        Some("already active")
                    }
                    None => Some("not loaded"),
                    _ => None,
                };
                if let Some(why) = refuse {
                    self.unit_log(
                        id,
                        3,
                        format!("{id}: Socket service {svc} {why}, refusing."),
                    );
                    self.finish_job(job, super::JobResult::Failed, false);
                    return;
                }
            }
        }
        if let Some(u) = self.units.unit_mut(id) {
            u.result = UnitResult::Success;
        }
        if let Err(e) = self.open_ports(fs, &cfg) {
            self.unit_log(id, 4, format!("{id}: Failed to listen on sockets: {e}"));
            self.socket_enter_dead(fs, id, UnitResult::Resources);
            return;
        }
        let loaded_at = self.units.unit(id).map(|u| u.loaded_at).unwrap_or(0);
        let rt = self.sockets.runtime.entry(id.clone()).or_default();
        if rt.loaded_at != loaded_at && rt.open.is_none() {
            *rt = SocketRuntime {
                loaded_at,
                ..SocketRuntime::default()
            };
        }
        rt.open = Some(cfg);
        rt.held = None;
        rt.pending = 0;
        self.set_sub(id, Sub::TypeActive("listening"));
    }

    /// Makes the files of a socket's path ports.
    fn open_ports(&mut self, fs: &MemFs, cfg: &SocketConfig) -> Result<(), &'static str> {
        for p in &cfg.ports {
            let Addr::Path(path) = &p.addr else {
                continue;
            };
            let (kind, mode) = match p.kind {
                PortKind::Stream | PortKind::Datagram | PortKind::SequentialPacket => {
                    ('s', cfg.socket_mode)
                }
                PortKind::Fifo => ('p', cfg.socket_mode & !0o022),
                _ => continue,
            };
            let path_ref = Utf8Path::new(path);
            if let Some(parent) = path_ref.parent() {
                if fs.lstat(parent).is_err() {
                    fs.create_dir_all(parent).map_err(|e| e.strerror())?;
                    let _ = fs.set_mode(parent, cfg.directory_mode);
                }
            }
            // A FIFO already there is reused; a stale socket file is replaced (bind() after
            // unlink()).
            let reuse = kind == 'p'
                && self
                    .sockets
                    .files
                    .get(path.as_str())
                    .zip(fs.lstat(path_ref).ok())
                    .is_some_and(|(f, m)| f.kind == 'p' && f.stamp == m.modified_ns);
            if reuse {
                continue;
            }
            fs.write_atomic(path_ref, b"").map_err(|e| e.strerror())?;
            let _ = fs.set_mode(path_ref, mode);
            let stamp = fs
                .lstat(path_ref)
                .map(|m| m.modified_ns)
                .map_err(|e| e.strerror())?;
            self.sockets
                .files
                .insert(path.clone(), SpecialFile { kind, stamp });
        }
        Ok(())
    }

    /// Closes a socket's ports (removing its files with `RemoveOnStop=yes`).
    fn close_ports(&mut self, fs: &MemFs, id: &UnitName) {
        let Some(rt) = self.sockets.runtime.get_mut(id) else {
            return;
        };
        rt.pending = 0;
        let Some(cfg) = rt.open.take() else {
            return;
        };
        // The service that was handed the listening sockets keeps them open while it runs.
        let main = self
            .socket_service(id)
            .and_then(|s| Some((s.clone(), self.units.unit(&s)?.main.as_ref()?.pid)));
        if let Some(rt) = self.sockets.runtime.get_mut(id) {
            rt.held = main.map(|(s, pid)| (cfg.clone(), s, pid));
        }
        if !cfg.remove_on_stop {
            return;
        }
        for p in &cfg.ports {
            if let Addr::Path(path) = &p.addr {
                let made = self.sockets.files.get(path.as_str()).map(|f| f.stamp);
                let now = fs.lstat(Utf8Path::new(path)).ok().map(|m| m.modified_ns);
                if made.is_some() && made == now {
                    let _ = fs.remove_file(Utf8Path::new(path));
                    self.sockets.files.shift_remove(path.as_str());
                }
            }
        }
    }

    /// Runs a stop job on a socket: the ports close and it is dead.
    pub(crate) fn socket_stop(&mut self, fs: &MemFs, id: &UnitName) {
        self.socket_enter_dead(fs, id, UnitResult::Success);
    }

    /// `socket_enter_stop_pre()` … `socket_enter_dead()` (no control processes): records the
    /// result, logs it, closes the ports and enters `dead` or `failed`.
    fn socket_enter_dead(&mut self, fs: &MemFs, id: &UnitName, f: UnitResult) {
        let Some(result) = self.settle_result(id, f) else {
            return;
        };
        self.close_ports(fs, id);
        let end = if result == UnitResult::Success {
            Sub::Dead
        } else {
            Sub::Failed
        };
        self.set_sub(id, end);
    }

    /// Incoming traffic on an open socket.
    fn socket_incoming(&mut self, fs: &MemFs, id: &UnitName, addr: &Address) {
        let Some(rt) = self.sockets.runtime.get(id) else {
            return;
        };
        let accept = rt.open.as_ref().is_some_and(|c| c.accept);
        let listening = self.units.unit(id).map(|u| u.sub) == Some(Sub::TypeActive("listening"));
        if accept {
            if listening {
                self.socket_enter_running(fs, id, Some(addr));
            }
            return;
        }
        // Accept=no: the connection waits in the queue until the service takes it.
        let taken = self
            .socket_service(id)
            .is_some_and(|s| self.service_accepts(&s));
        if !taken {
            if let Some(rt) = self.sockets.runtime.get_mut(id) {
                rt.pending += 1;
            }
        }
        if listening {
            self.socket_enter_running(fs, id, None);
        }
    }

    /// Whether a service's main process takes connections off its socket: a long-running
    /// command (see the module docs).
    fn service_accepts(&self, svc: &UnitName) -> bool {
        self.units
            .unit(svc)
            .and_then(|u| u.main.as_ref())
            .is_some_and(|p| !p.cmd.behavior().ends())
    }

    /// `socket_enter_running()`: the trigger limit, then the service (`conn` is `None`) or an
    /// instance for an accepted connection.
    fn socket_enter_running(&mut self, fs: &MemFs, id: &UnitName, conn: Option<&Address>) {
        let now = self.now();
        if self
            .units
            .unit(id)
            .and_then(|u| u.job)
            .and_then(|j| self.jobs.get(&j))
            .is_some_and(|j| matches!(j.kind, super::JobType::Stop | super::JobType::Restart))
        {
            // A stop is scheduled: the connection is refused.
            if conn.is_some() {
                if let Some(rt) = self.sockets.runtime.get_mut(id) {
                    rt.n_refused += 1;
                }
            }
            return;
        }
        let Some(rt) = self.sockets.runtime.get_mut(id) else {
            return;
        };
        let Some(cfg) = rt.open.clone() else {
            return;
        };
        // ratelimit_below(): `burst` triggers per window; 0 means no limit.
        let allowed = if cfg.trigger_interval == 0 || cfg.trigger_burst == 0 {
            true
        } else {
            match rt.trigger {
                (Some(b), n) if now.saturating_sub(b) <= cfg.trigger_interval => {
                    if n < cfg.trigger_burst {
                        rt.trigger = (Some(b), n + 1);
                        true
                    } else {
                        false
                    }
                }
                _ => {
                    rt.trigger = (Some(now), 1);
                    true
                }
            }
        };
        if !allowed {
            if conn.is_some() {
                rt.n_refused += 1;
            }
            self.unit_log(
                id,
                4,
                format!("{id}: Trigger limit hit, refusing further activation."),
            );
            self.socket_enter_dead(fs, id, UnitResult::TriggerLimitHit);
            return;
        }
        let Some(addr) = conn else {
            let triggers = self
                .units
                .unit(id)
                .map(|u| u.deps(DepKind::Triggers))
                .unwrap_or_default();
            let pending = triggers.iter().any(|t| self.active_or_pending(t));
            if !pending {
                let Some(svc) = self.socket_service(id) else {
                    self.unit_log(
                        id,
                        3,
                        format!("{id}: Service to activate vanished, refusing activation."),
                    );
                    self.socket_enter_dead(fs, id, UnitResult::Resources);
                    return;
                };
                if let Err(e) = self.enqueue(fs, &svc, Request::Start, Mode::Replace) {
                    self.queue_failed(fs, id, "non-template", &e.message);
                    return;
                }
            }
            self.set_sub(id, Sub::TypeActive("running"));
            return;
        };
        if rt.n_connections >= cfg.max_connections {
            let n = rt.n_connections;
            rt.n_refused += 1;
            self.unit_log(
                id,
                4,
                format!("{id}: Too many incoming connections ({n}), dropping connection."),
            );
            return;
        }
        let nr = rt.n_accepted;
        let client_pid = self.alloc_pid();
        let (instance, peer) = match addr {
            Address::Path(_) => {
                let uid = self.opts.uid;
                (
                    format!("{nr}-{client_pid}-{uid}"),
                    format!("PID {client_pid}/UID {uid}"),
                )
            }
            Address::Inet { host, port } => {
                let remote = 32768 + (client_pid % 28232);
                (
                    format!("{nr}-{host}:{port}-{host}:{remote}"),
                    format!("{host}:{remote}"),
                )
            }
        };
        let template = id
            .as_str()
            .strip_suffix(".socket")
            .map(|p| p.split('@').next().unwrap_or(p).to_owned())
            .and_then(|prefix| UnitName::new(&format!("{prefix}@.service")).ok());
        let name = template
            .as_ref()
            .and_then(|t| t.with_instance(&instance).ok());
        let (Some(template), Some(name)) = (template, name) else {
            self.queue_failed(fs, id, "template", "Invalid argument");
            return;
        };
        if let Some(rt) = self.sockets.runtime.get_mut(id) {
            rt.n_accepted += 1;
        }
        let Some(svc) = self.load_instance(fs, &template, &name) else {
            self.queue_failed(fs, id, "template", "Invalid argument");
            return;
        };
        self.add_trigger_edge(id, &svc);
        let loaded = self
            .units
            .unit(&svc)
            .is_some_and(|u| u.load_state() == LoadState::Loaded && u.sub == Sub::Dead);
        if !loaded {
            self.queue_failed(fs, id, "template", "Invalid argument");
            return;
        }
        if let Some(u) = self.units.unit_mut(&svc) {
            let d = match &u.cfg.description {
                Some(d) => format!("{d} ({peer})"),
                None => peer,
            };
            u.cfg.description = Some(d.into());
        }
        self.sockets.conns.insert(svc.clone(), id.clone());
        if let Some(rt) = self.sockets.runtime.get_mut(id) {
            rt.n_connections += 1;
        }
        if self.sockets.fast_start.remove(&svc) {
            // Made from the prototype, with every unit it pulls in active: the start job is
            // the whole transaction.
            self.new_job(&svc, super::JobType::Start, false);
        } else if let Err(e) = self.enqueue(fs, &svc, Request::Start, Mode::Replace) {
            self.connection_closed(&svc);
            self.queue_failed(fs, id, "template", &e.message);
        }
    }

    /// Loads the instance `name` of `template` for a connection. When the template loads and
    /// every unit it pulls in (`Requires=`, `Wants=`, `BindsTo=`, `Requisite=`) is active and
    /// none it conflicts with is, the instance is made from the template's prototype without
    /// going through the planner's graph (which keeps every unit it ever saw: one node per
    /// connection would make each connection slower than the last); otherwise it is loaded
    /// like any unit.
    fn load_instance(
        &mut self,
        fs: &MemFs,
        template: &UnitName,
        name: &UnitName,
    ) -> Option<UnitName> {
        if !self.sockets.prototypes.contains_key(template) {
            let internal = template.with_instance("internal").ok()?;
            let id = self.load_one(fs, &internal)?;
            let loaded = self.units.unit(&id)?;
            let proto = Unit::new(
                loaded.node.clone(),
                loaded.stamp.clone(),
                &self.units.specifiers,
            );
            self.sockets.prototypes.insert(template.clone(), proto);
        }
        let proto = self.sockets.prototypes.get(template)?;
        if proto.load_state() != LoadState::Loaded || !proto.node.unit.dropins.is_empty() {
            return self.load_one(fs, name);
        }
        let pulls_ready = [
            DepKind::Requires,
            DepKind::Wants,
            DepKind::BindsTo,
            DepKind::Requisite,
        ]
        .iter()
        .flat_map(|k| proto.deps(*k))
        .all(|d| self.state_of(&d).is_active_or_reloading() && !self.has_any_job(&d))
            && proto
                .deps(DepKind::Conflicts)
                .iter()
                .all(|d| self.state_of(d).is_inactive_or_failed() && !self.has_any_job(d));
        if !pulls_ready || self.units.has(name) {
            return self.load_one(fs, name);
        }
        // The prototype was kept as loaded, never started: a fresh unit under another name.
        let mut unit = proto.clone();
        let node = std::sync::Arc::make_mut(&mut unit.node);
        node.unit.id = name.clone();
        node.unit.requested = name.clone();
        node.unit.names = vec![name.clone()];
        // The prototype's description was expanded for its own instance name.
        if let Some(raw) = node.unit.settings.get("Unit", "Description") {
            if raw.value.contains('%') {
                unit.cfg.description = super::printf::unit_printf(
                    name,
                    node.unit.fragment_path.as_deref().map(|p| p.as_str()),
                    &self.units.specifiers,
                    raw.value,
                )
                .map(std::sync::Arc::from);
            }
        }
        unit.node_changed();
        unit.loaded_at = self.now();
        unit.ty = name.unit_type();
        self.units.map.insert(name.clone(), unit);
        self.units.names.insert(name.to_string(), name.clone());
        self.sockets.fast_start.insert(name.clone());
        Some(name.clone())
    }

    fn has_any_job(&self, id: &UnitName) -> bool {
        self.units.unit(id).is_some_and(|u| u.job.is_some())
    }

    /// `unit_active_or_pending()`.
    fn active_or_pending(&self, id: &UnitName) -> bool {
        let Some(u) = self.units.unit(id) else {
            return false;
        };
        u.active().is_active_or_activating()
            || u.job.and_then(|j| self.jobs.get(&j)).is_some_and(|j| {
                matches!(
                    j.kind,
                    super::JobType::Start | super::JobType::Restart | super::JobType::ReloadOrStart
                )
            })
    }

    /// The service could not be queued: the socket fails with `resources`.
    fn queue_failed(&mut self, fs: &MemFs, id: &UnitName, what: &str, why: &str) {
        self.unit_log(id, 4, format!("{id}: Failed to queue service startup job (Maybe the service file is missing or not a {what} unit?): {why}"));
        self.socket_enter_dead(fs, id, UnitResult::Resources);
    }

    /// `Before=` + `Triggers=` from a socket to the instance serving a connection (and the
    /// inverse edges).
    fn add_trigger_edge(&mut self, socket: &UnitName, svc: &UnitName) {
        for (from, to, kinds) in [
            (socket, svc, [DepKind::Before, DepKind::Triggers]),
            (svc, socket, [DepKind::After, DepKind::TriggeredBy]),
        ] {
            if let Some(u) = self.units.unit_mut(from) {
                for k in kinds {
                    std::sync::Arc::make_mut(&mut u.node)
                        .deps
                        .entry(k)
                        .or_default()
                        .entry(to.clone())
                        .or_insert_with(DepInfo::default);
                }
                u.node_changed();
            }
        }
    }

    /// Puts back the edges of the connections' instances after loading refreshed the units'
    /// dependencies from the graph (which knows nothing of them).
    pub(crate) fn socket_reapply_edges(&mut self) {
        if self.sockets.conns.is_empty() {
            return;
        }
        let conns: Vec<(UnitName, UnitName)> = self
            .sockets
            .conns
            .iter()
            .map(|(a, b)| (a.clone(), b.clone()))
            .collect();
        for (svc, socket) in conns {
            self.add_trigger_edge(&socket, &svc);
        }
    }

    /// The instance serving a connection ended: the connection is closed.
    fn connection_closed(&mut self, svc: &UnitName) {
        let Some(socket) = self.sockets.conns.shift_remove(svc) else {
            return;
        };
        if let Some(rt) = self.sockets.runtime.get_mut(&socket) {
            rt.n_connections = rt.n_connections.saturating_sub(1);
        }
    }

    /// After a unit's state changed: a service's sockets follow it (`socket_trigger_notify()`),
    /// and an instance that ended closes its connection.
    pub(crate) fn socket_notify(&mut self, fs: &MemFs, x: &UnitName) {
        if self.sockets.runtime.is_empty() || x.unit_type() != UnitType::Service {
            return;
        }
        let Some(u) = self.units.unit(x) else {
            return;
        };
        let sub = u.sub;
        let has_job = u.job.is_some();
        let limit_hit = u.start_limit_hit;
        let sockets: Vec<UnitName> = u
            .deps(DepKind::TriggeredBy)
            .into_iter()
            .filter(|s| self.sockets.runtime.contains_key(s))
            .collect();
        if matches!(sub, Sub::Dead | Sub::Failed) && !has_job {
            self.connection_closed(x);
        }
        for s in sockets {
            let Some(su) = self.units.unit(&s) else {
                continue;
            };
            let state = su.sub;
            if !matches!(
                state,
                Sub::TypeActive("listening") | Sub::TypeActive("running")
            ) {
                continue;
            }
            let Some(rt) = self.sockets.runtime.get(&s) else {
                continue;
            };
            if rt.open.as_ref().is_none_or(|c| c.accept) {
                continue;
            }
            if limit_hit {
                self.socket_enter_dead(fs, &s, UnitResult::ServiceStartLimitHit);
                continue;
            }
            if has_job {
                continue;
            }
            if matches!(sub, Sub::Dead | Sub::Failed | Sub::AutoRestart) {
                self.set_sub(&s, Sub::TypeActive("listening"));
                // Queued traffic makes the socket readable again at once.
                let pending = self.sockets.runtime.get(&s).is_some_and(|r| r.pending > 0);
                if pending {
                    self.socket_enter_running(fs, &s, None);
                }
            }
            if sub == Sub::Running {
                self.set_sub(&s, Sub::TypeActive("running"));
                if self.service_accepts(x) {
                    if let Some(rt) = self.sockets.runtime.get_mut(&s) {
                        rt.pending = 0;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_addresses() {
        assert_eq!(
            Address::parse("/run/user/1000/a.sock"),
            Some(Address::Path("/run/user/1000/a.sock".into()))
        );
        assert_eq!(
            Address::parse("47311"),
            Some(Address::Inet {
                host: "127.0.0.1".into(),
                port: 47311
            })
        );
        assert_eq!(
            Address::parse("127.0.0.2:80"),
            Some(Address::Inet {
                host: "127.0.0.2".into(),
                port: 80
            })
        );
        assert_eq!(Address::parse("x"), None);
    }
}
