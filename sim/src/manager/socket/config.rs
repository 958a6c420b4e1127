//! The `[Socket]` settings the runtime manager acts on: the listening ports (`ListenStream=`,
//! `ListenDatagram=`, `ListenSequentialPacket=`, `ListenFIFO=`, `ListenSpecial=`, ...), `Accept=`,
//! `MaxConnections=`, `TriggerLimitIntervalSec=`/`TriggerLimitBurst=`, `SocketMode=`,
//! `DirectoryMode=`, `RemoveOnStop=`, with systemd 252's defaults (`socket_init()`,
//! `socket_add_extras()`).
use super::super::config::parse_bool;
use super::super::timefmt::parse_timespan;
use super::super::Usec;
use unitlab_engine::load::LoadedUnit;

/// The kind of a listening port, as the `Listen` property names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PortKind {
    /// `ListenStream=`.
    Stream,
    /// `ListenDatagram=`.
    Datagram,
    /// `ListenSequentialPacket=`.
    SequentialPacket,
    /// `ListenFIFO=`.
    Fifo,
    /// `ListenSpecial=`.
    Special,
    /// `ListenNetlink=`.
    Netlink,
    /// `ListenMessageQueue=`.
    MessageQueue,
    /// `ListenUSBFunction=`.
    UsbFunction,
}

impl PortKind {
    /// The type string of the `Listen` property and of `status` (`Stream`, `FIFO`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            PortKind::Stream => "Stream",
            PortKind::Datagram => "Datagram",
            PortKind::SequentialPacket => "SequentialPacket",
            PortKind::Fifo => "FIFO",
            PortKind::Special => "Special",
            PortKind::Netlink => "Netlink",
            PortKind::MessageQueue => "MessageQueue",
            PortKind::UsbFunction => "USBFunction",
        }
    }

    /// Whether a port of this kind is a socket that can accept connections (`Accept=yes` only
    /// applies to stream and sequential-packet sockets).
    pub fn can_accept(self) -> bool {
        matches!(self, PortKind::Stream | PortKind::SequentialPacket)
    }
}

/// Where a port listens.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Addr {
    /// A file-system path (AF_UNIX socket, FIFO, special file), specifiers expanded.
    Path(String),
    /// An IP port: `host` is `None` for a bare port number (`[::]`, dual stack).
    Inet {
        /// The address as written (`127.0.0.1`, `::1`), `None` for any.
        host: Option<String>,
        /// The port.
        port: u16,
    },
    /// Anything else (abstract namespace, netlink, vsock, message queue), shown as written.
    Other(String),
}

impl Addr {
    /// The address as `Listen` and `list-sockets` show it (`/run/x.sock`, `[::]:80`,
    /// `127.0.0.1:80`, `[::1]:80`).
    pub fn display(&self) -> String {
        match self {
            Addr::Path(p) => p.clone(),
            Addr::Inet { host: None, port } => format!("[::]:{port}"),
            Addr::Inet {
                host: Some(h),
                port,
            } if h.contains(':') => format!("[{h}]:{port}"),
            Addr::Inet {
                host: Some(h),
                port,
            } => format!("{h}:{port}"),
            Addr::Other(s) => s.clone(),
        }
    }
}

/// One listening port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Port {
    /// Its kind.
    pub kind: PortKind,
    /// Its address.
    pub addr: Addr,
}

/// The `[Socket]` settings of one socket unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SocketConfig {
    /// The ports, in the order of the settings (`Listen*=` keys in systemd's order of parsing:
    /// each key's values in file order, keys in the order they were first assigned).
    pub ports: Vec<Port>,
    /// `Accept=`.
    pub accept: bool,
    /// `MaxConnections=` (64).
    pub max_connections: u32,
    /// `TriggerLimitIntervalSec=` (2 s).
    pub trigger_interval: Usec,
    /// `TriggerLimitBurst=` (20, or 200 with `Accept=yes`).
    pub trigger_burst: u32,
    /// `SocketMode=` (0666).
    pub socket_mode: u32,
    /// `DirectoryMode=` (0755).
    pub directory_mode: u32,
    /// `RemoveOnStop=`.
    pub remove_on_stop: bool,
    /// `Backlog=` (`SOMAXCONN_DELUXE`).
    pub backlog: u32,
    /// `TimeoutSec=` (the manager's default start timeout).
    pub timeout: Usec,
}

const PORT_KEYS: [(&str, PortKind); 8] = [
    ("ListenStream", PortKind::Stream),
    ("ListenDatagram", PortKind::Datagram),
    ("ListenSequentialPacket", PortKind::SequentialPacket),
    ("ListenFIFO", PortKind::Fifo),
    ("ListenSpecial", PortKind::Special),
    ("ListenNetlink", PortKind::Netlink),
    ("ListenMessageQueue", PortKind::MessageQueue),
    ("ListenUSBFunction", PortKind::UsbFunction),
];

/// Parses one socket address (`socket_address_parse()`'s forms): a path, `@abstract`, a port
/// number, `IPv4:PORT` or `[IPv6]:PORT`. `None` when the value is not an address.
pub fn parse_addr(kind: PortKind, v: &str) -> Option<Addr> {
    let v = v.trim();
    if v.starts_with('/') {
        let mut p = simplify(v);
        // patch_var_run(): socket and FIFO paths below /var/run/ move to /run/.
        if let Some(rest) = p.strip_prefix("/var/run/") {
            p = format!("/run/{rest}");
        }
        return Some(Addr::Path(p));
    }
    if !matches!(
        kind,
        PortKind::Stream | PortKind::Datagram | PortKind::SequentialPacket
    ) {
        return (!v.is_empty()).then(|| Addr::Other(v.to_owned()));
    }
    if v.starts_with('@') {
        return Some(Addr::Other(v.to_owned()));
    }
    if let Ok(port) = v.parse::<u16>() {
        return (port > 0).then_some(Addr::Inet { host: None, port });
    }
    if let Some(rest) = v.strip_prefix('[') {
        let (host, port) = rest.split_once("]:")?;
        let port = port.parse::<u16>().ok().filter(|p| *p > 0)?;
        return Some(Addr::Inet {
            host: Some(host.to_owned()),
            port,
        });
    }
    let (host, port) = v.rsplit_once(':')?;
    let port = port.parse::<u16>().ok().filter(|p| *p > 0)?;
    let octets: Vec<&str> = host.split('.').collect();
    let ipv4 = octets.len() == 4 && octets.iter().all(|o| o.parse::<u8>().is_ok());
    ipv4.then(|| Addr::Inet {
        host: Some(host.to_owned()),
        port,
    })
}

/// `path_simplify()`: duplicate and trailing slashes and `.` components dropped.
fn simplify(p: &str) -> String {
    let parts: Vec<&str> = p
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    format!("/{}", parts.join("/"))
}

fn mode(v: Option<&str>, default: u32) -> u32 {
    v.and_then(|s| u32::from_str_radix(s.trim(), 8).ok())
        .filter(|m| *m <= 0o7777)
        .unwrap_or(default)
}

impl SocketConfig {
    /// Reads the `[Socket]` section of `unit`; `expand` resolves specifiers (`%t`, `%h`, ...) in
    /// port values (a value whose specifiers cannot be resolved is dropped, as systemd drops it
    /// with a warning at load).
    pub fn of(unit: &LoadedUnit, expand: impl Fn(&str) -> Option<String>) -> SocketConfig {
        let s = &unit.settings;
        let get = |k: &str| s.get("Socket", k).map(|v| v.value);
        // The ports in the order they were assigned (systemd appends each to one list), across
        // keys: by file (fragment, then drop-ins), then line.
        let files: Vec<String> = unit
            .fragment_path
            .iter()
            .map(|p| p.to_string())
            .chain(unit.dropin_paths().map(|p| p.to_string()))
            .collect();
        let mut found: Vec<(usize, u32, Port)> = Vec::new();
        for (key, kind) in PORT_KEYS {
            for v in s.list("Socket", key) {
                let Some(value) = expand(v.value) else {
                    continue;
                };
                if let Some(addr) = parse_addr(kind, &value) {
                    let rank = files
                        .iter()
                        .position(|f| f.as_str() == v.file.as_str())
                        .unwrap_or(0);
                    found.push((rank, v.line, Port { kind, addr }));
                }
            }
        }
        found.sort_by_key(|(r, l, _)| (*r, *l));
        let ports: Vec<Port> = found.into_iter().map(|(_, _, p)| p).collect();
        let accept = get("Accept").and_then(parse_bool).unwrap_or(false);
        let trigger_interval = get("TriggerLimitIntervalSec")
            .and_then(|v| parse_timespan(v, 1_000_000))
            .unwrap_or(2_000_000);
        let trigger_burst = get("TriggerLimitBurst")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(if accept { 200 } else { 20 });
        SocketConfig {
            ports,
            accept,
            max_connections: get("MaxConnections")
                .and_then(|v| v.trim().parse().ok())
                .filter(|n| *n > 0)
                .unwrap_or(64),
            trigger_interval,
            trigger_burst,
            socket_mode: mode(get("SocketMode"), 0o666),
            directory_mode: mode(get("DirectoryMode"), 0o755),
            remove_on_stop: get("RemoveOnStop").and_then(parse_bool).unwrap_or(false),
            backlog: get("Backlog")
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(2_147_483_647),
            timeout: get("TimeoutSec")
                .and_then(|v| parse_timespan(v, 1_000_000))
                .unwrap_or(super::super::config::DEFAULT_TIMEOUT),
        }
    }

    /// Whether some port is not an accepting one (`have_non_accept_socket()`): then the socket
    /// triggers one service (`Service=` or the same-name one) instead of instances.
    pub fn has_non_accept_port(&self) -> bool {
        !self.accept || self.ports.iter().any(|p| !p.kind.can_accept())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_as_listen_shows_them() {
        // Real user manager (scenario user-socket-ports): `ListenStream=47311` is listed as
        // `[::]:47311`, `127.0.0.1:47312` as written.
        let a = |v: &str| parse_addr(PortKind::Stream, v).map(|a| a.display());
        assert_eq!(a("47311").as_deref(), Some("[::]:47311"));
        assert_eq!(a("127.0.0.1:47312").as_deref(), Some("127.0.0.1:47312"));
        assert_eq!(a("[::1]:80").as_deref(), Some("[::1]:80"));
        assert_eq!(a("/run//x/./y.sock/").as_deref(), Some("/run/x/y.sock"));
        assert_eq!(a("/var/run/y.sock").as_deref(), Some("/run/y.sock"));
        assert_eq!(a("@abstract").as_deref(), Some("@abstract"));
        assert_eq!(a("0"), None);
        assert_eq!(a("nonsense"), None);
        assert_eq!(
            parse_addr(PortKind::Fifo, "/run/f").map(|a| a.display()),
            Some("/run/f".into())
        );
    }
}
