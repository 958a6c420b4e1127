//! Shared helpers for the benchmarks: deterministic synthetic unit trees.
//!
//! A synthetic tree of `n` units mimics a distribution: vendor units in `/lib/systemd/system`,
//! 60% with `WantedBy=multi-user.target` (and enabled: a `.wants` link in `/etc`), 10% with an
//! `Alias=` (and its alias link), 5% masked in `/etc`, 5% with a drop-in, 10% templates,
//! a few sockets and timers.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use camino::{Utf8Path, Utf8PathBuf};
use unitlab_engine::fs::{FileSystem, FsError, MemFs};

/// The vendor directory used by the synthetic trees.
pub const VENDOR: &str = "/lib/systemd/system";
/// The persistent config directory used by the synthetic trees.
pub const CONFIG: &str = "/etc/systemd/system";

/// A tiny deterministic PRNG (xorshift64*), so trees are identical across runs.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    /// The next number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) % n
    }
}

/// Builds a synthetic tree of `n` units into `fs`, returning the total bytes of unit-file text.
pub fn synth_tree(fs: &dyn FileSystem, n: usize) -> Result<u64, FsError> {
    let mut rng = Rng::new(0x5eed_0000 + n as u64);
    let vendor = Utf8PathBuf::from(VENDOR);
    let config = Utf8PathBuf::from(CONFIG);
    fs.create_dir_all(&vendor)?;
    fs.create_dir_all(&config.join("multi-user.target.wants"))?;
    let mut bytes = 0u64;
    for t in [
        "multi-user.target",
        "sockets.target",
        "timers.target",
        "basic.target",
    ] {
        let text = format!("[Unit]\nDescription=Synthetic {t}\n");
        bytes += text.len() as u64;
        fs.write_atomic(&vendor.join(t), text.as_bytes())?;
    }
    for i in 0..n {
        let roll = rng.below(100);
        let (name, kind) = match roll {
            0..=4 => (format!("sock{i}.socket"), "Socket"),
            5..=9 => (format!("tick{i}.timer"), "Timer"),
            10..=19 => (format!("tmpl{i}@.service"), "Service"),
            _ => (format!("svc{i}-part.service"), "Service"),
        };
        let wanted = rng.below(100) < 60;
        let alias = rng.below(100) < 10 && !name.contains('@');
        let mut text = format!(
            "[Unit]\nDescription=Synthetic unit number {i}\nDocumentation=man:synthetic(8)\nAfter=network.target\n\n[{kind}]\n"
        );
        match kind {
            "Socket" => text.push_str(&format!("ListenStream=/run/sock{i}.sock\n")),
            "Timer" => text.push_str("OnCalendar=daily\nPersistent=true\n"),
            _ => text.push_str(&format!(
                "Type=simple\nExecStart=/usr/bin/synthetic --id {i} --verbose\nRestart=on-failure\nEnvironment=A=1 B=2\n"
            )),
        }
        text.push_str("\n[Install]\n");
        if wanted {
            text.push_str("WantedBy=multi-user.target\n");
        }
        if alias {
            let stem = name.rsplit_once('.').map(|(s, _)| s).unwrap_or(&name);
            let suffix = name.rsplit_once('.').map(|(_, s)| s).unwrap_or("service");
            text.push_str(&format!("Alias={stem}-alias.{suffix}\n"));
            fs.symlink(
                &vendor.join(&name),
                &config.join(format!("{stem}-alias.{suffix}")),
            )?;
        }
        bytes += text.len() as u64;
        fs.write_atomic(&vendor.join(&name), text.as_bytes())?;
        if wanted && !name.contains('@') {
            fs.symlink(
                &vendor.join(&name),
                &config.join("multi-user.target.wants").join(&name),
            )?;
        }
        if rng.below(100) < 5 {
            fs.symlink(Utf8Path::new("/dev/null"), &config.join(&name))
                .or_else(|e| match e {
                    FsError::AlreadyExists { .. } => Ok(()),
                    e => Err(e),
                })?;
        }
        if rng.below(100) < 5 {
            let d = config.join(format!("{name}.d"));
            fs.create_dir_all(&d)?;
            let text = "[Unit]\nDescription=Overridden\n";
            bytes += text.len() as u64;
            fs.write_atomic(&d.join("override.conf"), text.as_bytes())?;
        }
    }
    Ok(bytes)
}

/// A synthetic tree of `n` units in memory.
pub fn synth_memfs(n: usize) -> (MemFs, u64) {
    let fs = MemFs::new();
    let bytes = synth_tree(&fs, n).expect("building a synthetic tree in memory cannot fail");
    (fs, bytes)
}

/// The unit files of a synthetic `n`-unit tree as `(path, type, text)`, for parser benchmarks.
pub fn synth_unit_texts(n: usize) -> Vec<(String, unitlab_engine::name::UnitType, Vec<u8>)> {
    let (fs, _) = synth_memfs(n);
    let mut out = Vec::new();
    for dir in [VENDOR] {
        for entry in fs
            .read_dir(Utf8Path::new(dir))
            .expect("synthetic vendor dir exists")
        {
            let path = Utf8PathBuf::from(dir).join(&entry.name);
            if entry.kind != unitlab_engine::fs::FileKind::File {
                continue;
            }
            let Some(ty) = unitlab_engine::name::UnitName::new(&entry.name)
                .ok()
                .map(|n| n.unit_type())
            else {
                continue;
            };
            let text = fs
                .read(&path, unitlab_engine::fs::MAX_FILE_SIZE)
                .expect("readable");
            out.push((path.to_string(), ty, text));
        }
    }
    out
}

/// The regular unit files installed on this machine (`/lib/systemd/system`, `/usr/lib/systemd/user`, ...).
pub fn host_unit_files() -> Vec<(String, unitlab_engine::name::UnitType, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in [
        "/lib/systemd/system",
        "/usr/lib/systemd/system",
        "/usr/lib/systemd/user",
        "/etc/systemd/system",
    ] {
        let Ok(rd) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in rd.flatten() {
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            let Ok(meta) = std::fs::symlink_metadata(entry.path()) else {
                continue;
            };
            if !meta.is_file() {
                continue;
            }
            let Some(ty) = unitlab_engine::name::UnitName::new(&name)
                .ok()
                .map(|n| n.unit_type())
            else {
                continue;
            };
            if let Ok(text) = std::fs::read(entry.path()) {
                out.push((format!("{dir}/{name}"), ty, text));
            }
        }
    }
    out.sort();
    out
}

/// The system-scope lookup paths with no root and no environment overrides.
pub fn system_paths() -> unitlab_engine::load::LookupPaths {
    use unitlab_engine::load::{LookupPaths, MapEnv, Scope};
    LookupPaths::new(Scope::System, None, &MapEnv::new("/"))
        .expect("system scope needs no environment")
}

/// A scratch directory that is removed on drop.
#[derive(Debug)]
pub struct TempTree(pub std::path::PathBuf);

impl Drop for TempTree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A synthetic tree of `n` units written to a fresh directory on disk, opened as a `DirFs`.
pub fn synth_dirfs(n: usize) -> (TempTree, unitlab_engine::fs::DirFs) {
    let dir = std::env::temp_dir().join(format!("unitlab-bench-{n}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create bench dir");
    let tree = TempTree(dir);
    let root = Utf8PathBuf::from_path_buf(tree.0.clone()).expect("temp dir is UTF-8");
    let fs = unitlab_engine::fs::DirFs::new(&root).expect("open bench dir");
    synth_tree(&fs, n).expect("write synthetic tree");
    (tree, fs)
}

/// Builds the catalog and loads every unit it names (fragment, drop-ins, load state); returns how
/// many units were loaded.
pub fn load_all(fs: &dyn FileSystem) -> usize {
    use unitlab_engine::load::{load_unit, Catalog, LoadOptions};
    let mut sink: Vec<unitlab_engine::diag::Diagnostic> = Vec::new();
    let catalog = Catalog::build(fs, &system_paths(), &mut sink);
    let names: Vec<unitlab_engine::name::UnitName> = catalog
        .entries()
        .filter_map(|e| unitlab_engine::name::UnitName::new(e.name.as_str()).ok())
        .collect();
    let options = LoadOptions::default();
    let mut n = 0;
    for name in &names {
        let unit = load_unit(fs, &catalog, name, &options, &mut sink);
        n += usize::from(unit.fragment_path.is_some());
    }
    n
}

/// CPU time of this thread so far (`/proc/thread-self/schedstat`, nanoseconds; 0 where it
/// cannot be read): the figure to compare on a machine shared with other work, where wall-clock
/// times move with the load.
pub fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}
