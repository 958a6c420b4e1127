//! Shared helpers for the benchmarks: deterministic synthetic unit trees.
//!
//! A synthetic tree of `n` units mimics a distribution: vendor units in `/lib/systemd/system`,
//! 60% with `WantedBy=multi-user.target` (and enabled: a `.wants` link in `/etc`), 10% with an
//! `Alias=` (and its alias link), 5% masked in `/etc`, 5% with a drop-in, 10% templates,
//! a few sockets and timers.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use camino::Utf8PathBuf;
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
    for t in ["multi-user.target", "sockets.target", "timers.target", "basic.target"] {
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
            fs.symlink(&vendor.join(&name), &config.join(format!("{stem}-alias.{suffix}")))?;
        }
        bytes += text.len() as u64;
        fs.write_atomic(&vendor.join(&name), text.as_bytes())?;
        if wanted && !name.contains('@') {
            fs.symlink(&vendor.join(&name), &config.join("multi-user.target.wants").join(&name))?;
        }
        if rng.below(100) < 5 {
            fs.symlink("/dev/null".into(), &config.join(&name)).or_else(|e| match e {
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
