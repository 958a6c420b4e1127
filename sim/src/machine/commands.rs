//! The coreutils-like commands of the simulated shell: `ls`, `cat`, `tee`, `echo`, `ln`, `rm`,
//! `mv`, `mkdir`, `touch`, `sleep`, `connect`, `cd`, `pwd`, `true`, `false`. Messages are GNU
//! coreutils' in the C locale (straight quotes). Paths are resolved inside the machine: symlinks
//! in parent directories are followed like the kernel does.
use super::shell::Io;
use super::{time, Machine};
use crate::manager::FileChange;
use camino::{Utf8Path, Utf8PathBuf};
use unitlab_engine::fs::{resolve, FileKind, FileSystem, Follow, FsError, Metadata, Target};

/// A command: arguments (without the name), I/O; returns the exit status.
pub type Command = fn(&mut Machine, &[String], &mut Io<'_>) -> i32;

/// The command called `name`, if the shell has it.
pub fn find(name: &str) -> Option<Command> {
    Some(match name {
        "ls" => ls,
        "cat" => cat,
        "tee" => tee,
        "echo" => echo,
        "ln" => ln,
        "rm" => rm,
        "mv" => mv,
        "mkdir" => mkdir,
        "touch" => touch,
        "sleep" => sleep,
        "connect" => connect,
        "cd" => cd,
        "pwd" => pwd,
        "true" => |_, _, _| 0,
        "false" => |_, _, _| 1,
        _ => return None,
    })
}

/// The absolute, lexically normal form of `path` (relative to the shell's directory).
fn abs(m: &Machine, path: &str) -> Utf8PathBuf {
    unitlab_engine::fs::normalize(&m.cwd, Utf8Path::new(path))
}

/// `path` with its parent directory's symlinks resolved (the last component is kept).
fn through_parent(m: &Machine, path: &str) -> Result<Utf8PathBuf, FsError> {
    let p = abs(m, path);
    let (Some(parent), Some(name)) = (p.parent(), p.file_name()) else {
        return Ok(p);
    };
    let r = resolve(&m.fs, parent, Follow::Yes)?;
    match r.target {
        Target::Exists(meta) if meta.kind == FileKind::Dir => Ok(r.path.join(name)),
        Target::Exists(_) | Target::DevNull => Err(FsError::NotADirectory { path: p }),
        Target::Missing => Err(FsError::NotFound { path: p }),
    }
}

/// What `path` is, without following a final symlink.
fn lstat(m: &Machine, path: &str) -> Result<(Utf8PathBuf, Metadata), FsError> {
    let p = through_parent(m, path)?;
    let meta = m.fs.lstat(&p)?;
    Ok((p, meta))
}

/// Whether a redirection may write `path` (its directory exists, it is not a directory).
pub fn check_writable(m: &Machine, path: &str) -> Result<(), &'static str> {
    let p = through_parent(m, path).map_err(|e| e.strerror())?;
    match m.fs.lstat(&p) {
        Ok(meta) if meta.kind == FileKind::Dir => Err("Is a directory"),
        _ => Ok(()),
    }
}

/// Writes (or appends) `data` to `path`, following a final symlink like the kernel.
pub fn write_file(
    m: &mut Machine,
    path: &str,
    data: &[u8],
    append: bool,
) -> Result<(), &'static str> {
    let p = through_parent(m, path).map_err(|e| e.strerror())?;
    let r = resolve(&m.fs, &p, Follow::Yes).map_err(|e| e.strerror())?;
    match r.target {
        Target::DevNull => return Ok(()),
        Target::Exists(meta) if meta.kind == FileKind::CharDevice => return Ok(()),
        Target::Exists(meta) if meta.kind == FileKind::Dir => return Err("Is a directory"),
        _ => {}
    }
    let mut bytes = if append {
        m.fs.read(&r.path, u64::MAX).unwrap_or_default()
    } else {
        Vec::new()
    };
    bytes.extend_from_slice(data);
    let change = if matches!(r.target, Target::Missing) {
        FileChange::Created
    } else {
        FileChange::Written
    };
    m.fs.write_atomic(&r.path, &bytes)
        .map_err(|e| e.strerror())?;
    m.notify(&r.path, change);
    Ok(())
}

/// Splits `-abc` style flags (and `--long` ones) from operands; unknown flags are returned as
/// an error naming them.
fn flags(args: &[String], known: &str) -> Result<(Vec<char>, Vec<String>), String> {
    let mut set = Vec::new();
    let mut rest = Vec::new();
    let mut only_operands = false;
    for a in args {
        if only_operands || !a.starts_with('-') || a == "-" {
            rest.push(a.clone());
        } else if a == "--" {
            only_operands = true;
        } else if let Some(long) = a.strip_prefix("--") {
            let c = match long {
                "force" => 'f',
                "recursive" => 'r',
                "parents" => 'p',
                "symbolic" => 's',
                "append" => 'a',
                "all" => 'a',
                "directory" => 'd',
                _ => return Err(format!("unrecognized option '{a}'")),
            };
            set.push(c);
        } else {
            for c in a[1..].chars() {
                if !known.contains(c) {
                    return Err(format!("invalid option -- '{c}'"));
                }
                set.push(c);
            }
        }
    }
    Ok((set, rest))
}

fn usage_error(io: &mut Io<'_>, cmd: &str, msg: &str) -> i32 {
    let _ = writeln!(io.err, "{cmd}: {msg}");
    let _ = writeln!(io.err, "Try '{cmd} --help' for more information.");
    if cmd == "ls" {
        2
    } else {
        1
    }
}

fn cat(m: &mut Machine, args: &[String], io: &mut Io<'_>) -> i32 {
    let (_, files) = match flags(args, "") {
        Ok(x) => x,
        Err(e) => return usage_error(io, "cat", &e),
    };
    if files.is_empty() || files == ["-"] {
        if let Some(input) = io.stdin {
            let _ = io.out.write_all(input.as_bytes());
        }
        return 0;
    }
    let mut status = 0;
    for f in &files {
        match read_followed(m, f) {
            Ok(bytes) => {
                let _ = io.out.write_all(&bytes);
            }
            Err(e) => {
                let _ = writeln!(io.err, "cat: {f}: {e}");
                status = 1;
            }
        }
    }
    status
}

/// The contents of `path`, following symlinks (`/dev/null` reads as empty).
fn read_followed(m: &Machine, path: &str) -> Result<Vec<u8>, &'static str> {
    let p = through_parent(m, path).map_err(|e| e.strerror())?;
    let r = resolve(&m.fs, &p, Follow::Yes).map_err(|e| e.strerror())?;
    match r.target {
        Target::Missing => Err("No such file or directory"),
        Target::DevNull => Ok(Vec::new()),
        Target::Exists(meta) => match meta.kind {
            FileKind::Dir => Err("Is a directory"),
            FileKind::CharDevice => Ok(Vec::new()),
            _ => m.fs.read(&r.path, u64::MAX).map_err(|e| e.strerror()),
        },
    }
}

fn tee(m: &mut Machine, args: &[String], io: &mut Io<'_>) -> i32 {
    let (set, files) = match flags(args, "a") {
        Ok(x) => x,
        Err(e) => return usage_error(io, "tee", &e),
    };
    let input = io.stdin.unwrap_or("");
    let mut status = 0;
    for f in &files {
        if let Err(e) = write_file(m, f, input.as_bytes(), set.contains(&'a')) {
            let _ = writeln!(io.err, "tee: {f}: {e}");
            status = 1;
        }
    }
    let _ = io.out.write_all(input.as_bytes());
    status
}

fn echo(_m: &mut Machine, args: &[String], io: &mut Io<'_>) -> i32 {
    let (newline, words) = match args.first().map(String::as_str) {
        Some("-n") => (false, &args[1..]),
        _ => (true, args),
    };
    let _ = io.out.write_all(words.join(" ").as_bytes());
    if newline {
        let _ = io.out.write_all(b"\n");
    }
    0
}

fn ln(m: &mut Machine, args: &[String], io: &mut Io<'_>) -> i32 {
    let (set, ops) = match flags(args, "sfnrT") {
        Ok(x) => x,
        Err(e) => return usage_error(io, "ln", &e),
    };
    if !set.contains(&'s') {
        let _ = writeln!(io.err, "ln: only symbolic links (ln -s) are simulated");
        return 1;
    }
    let (target, link) = match ops.as_slice() {
        [t] => (
            t.clone(),
            Utf8Path::new(t).file_name().unwrap_or(t).to_owned(),
        ),
        [t, l] => (t.clone(), l.clone()),
        [] => return usage_error(io, "ln", "missing file operand"),
        _ => {
            let _ = writeln!(io.err, "ln: only one link at a time is simulated");
            return 1;
        }
    };
    // A directory (or a link to one) as LINK means LINK/basename(TARGET).
    let mut link_shown = link.clone();
    if !set.contains(&'T') && !set.contains(&'n') {
        if let Ok(p) = through_parent(m, &link) {
            if let Ok(r) = resolve(&m.fs, &p, Follow::Yes) {
                if matches!(r.target, Target::Exists(meta) if meta.kind == FileKind::Dir) {
                    let base = Utf8Path::new(&target).file_name().unwrap_or("");
                    link_shown = format!("{}/{base}", link.trim_end_matches('/'));
                }
            }
        }
    }
    let path = match through_parent(m, &link_shown) {
        Ok(p) => p,
        Err(e) => {
            let _ = writeln!(
                io.err,
                "ln: failed to create symbolic link '{link_shown}': {}",
                e.strerror()
            );
            return 1;
        }
    };
    if let Ok(meta) = m.fs.lstat(&path) {
        if !set.contains(&'f') || meta.kind == FileKind::Dir {
            let _ = writeln!(
                io.err,
                "ln: failed to create symbolic link '{link_shown}': File exists"
            );
            return 1;
        }
        if m.fs.remove_file(&path).is_ok() {
            m.notify(&path, FileChange::Removed);
        }
    }
    if let Err(e) = m.fs.symlink(Utf8Path::new(&target), &path) {
        let _ = writeln!(
            io.err,
            "ln: failed to create symbolic link '{link_shown}': {}",
            e.strerror()
        );
        return 1;
    }
    m.notify(&path, FileChange::Created);
    0
}

fn rm(m: &mut Machine, args: &[String], io: &mut Io<'_>) -> i32 {
    let (set, ops) = match flags(args, "frRdv") {
        Ok(x) => x,
        Err(e) => return usage_error(io, "rm", &e),
    };
    let (force, recursive) = (set.contains(&'f'), set.contains(&'r') || set.contains(&'R'));
    if ops.is_empty() && !force {
        return usage_error(io, "rm", "missing operand");
    }
    let mut status = 0;
    for op in &ops {
        let (path, meta) = match lstat(m, op) {
            Ok(x) => x,
            Err(e) => {
                if !(force && matches!(e, FsError::NotFound { .. })) {
                    let _ = writeln!(io.err, "rm: cannot remove '{op}': {}", e.strerror());
                    status = 1;
                }
                continue;
            }
        };
        let r = if meta.kind == FileKind::Dir {
            if !recursive {
                let _ = writeln!(io.err, "rm: cannot remove '{op}': Is a directory");
                status = 1;
                continue;
            }
            m.fs.remove_dir_all(&path)
        } else {
            m.fs.remove_file(&path)
        };
        match r {
            Ok(()) => m.notify(&path, FileChange::Removed),
            Err(e) => {
                let _ = writeln!(io.err, "rm: cannot remove '{op}': {}", e.strerror());
                status = 1;
            }
        }
    }
    status
}

fn mv(m: &mut Machine, args: &[String], io: &mut Io<'_>) -> i32 {
    let (_, ops) = match flags(args, "fTv") {
        Ok(x) => x,
        Err(e) => return usage_error(io, "mv", &e),
    };
    let [src, dst] = ops.as_slice() else {
        if ops.len() < 2 {
            return usage_error(io, "mv", "missing file operand");
        }
        let _ = writeln!(io.err, "mv: only one source at a time is simulated");
        return 1;
    };
    let (from, _) = match lstat(m, src) {
        Ok(x) => x,
        Err(e) => {
            let _ = writeln!(io.err, "mv: cannot stat '{src}': {}", e.strerror());
            return 1;
        }
    };
    let mut to = match through_parent(m, dst) {
        Ok(p) => p,
        Err(e) => {
            let _ = writeln!(
                io.err,
                "mv: cannot move '{src}' to '{dst}': {}",
                e.strerror()
            );
            return 1;
        }
    };
    if let Ok(r) = resolve(&m.fs, &to, Follow::Yes) {
        if matches!(r.target, Target::Exists(meta) if meta.kind == FileKind::Dir) {
            to = r.path.join(from.file_name().unwrap_or(""));
        }
    }
    if from == to {
        return 0;
    }
    if let Err(e) = m.fs.rename(&from, &to) {
        let _ = writeln!(
            io.err,
            "mv: cannot move '{src}' to '{dst}': {}",
            e.strerror()
        );
        return 1;
    }
    m.notify(&from, FileChange::MovedFrom);
    m.notify(&to, FileChange::MovedTo);
    0
}

fn mkdir(m: &mut Machine, args: &[String], io: &mut Io<'_>) -> i32 {
    let (set, ops) = match flags(args, "pv") {
        Ok(x) => x,
        Err(e) => return usage_error(io, "mkdir", &e),
    };
    if ops.is_empty() {
        return usage_error(io, "mkdir", "missing operand");
    }
    let mut status = 0;
    for op in &ops {
        let fail = |io: &mut Io<'_>, why: &str| {
            let _ = writeln!(io.err, "mkdir: cannot create directory '{op}': {why}");
        };
        if set.contains(&'p') {
            let p = abs(m, op);
            let r = match resolve(&m.fs, &p, Follow::Yes) {
                Ok(r) => r,
                Err(e) => {
                    fail(io, e.strerror());
                    status = 1;
                    continue;
                }
            };
            match r.target {
                Target::Exists(meta) if meta.kind == FileKind::Dir => {}
                Target::Missing => {
                    let missing = missing_dirs(m, &r.path);
                    if let Err(e) = m.fs.create_dir_all(&r.path) {
                        fail(io, e.strerror());
                        status = 1;
                    }
                    for d in missing {
                        m.notify(&d, FileChange::Created);
                    }
                }
                _ => {
                    fail(io, "File exists");
                    status = 1;
                }
            }
            continue;
        }
        match through_parent(m, op) {
            Err(e) => {
                fail(io, e.strerror());
                status = 1;
            }
            Ok(p) if m.fs.lstat(&p).is_ok() => {
                fail(io, "File exists");
                status = 1;
            }
            Ok(p) => match m.fs.create_dir_all(&p) {
                Ok(()) => m.notify(&p, FileChange::Created),
                Err(e) => {
                    fail(io, e.strerror());
                    status = 1;
                }
            },
        }
    }
    status
}

/// The directories of `path` (itself included) that do not exist yet, outermost first.
fn missing_dirs(m: &Machine, path: &Utf8Path) -> Vec<Utf8PathBuf> {
    let mut out: Vec<Utf8PathBuf> = path
        .ancestors()
        .take_while(|a| m.fs.lstat(a).is_err())
        .map(Utf8Path::to_path_buf)
        .collect();
    out.reverse();
    out
}

fn touch(m: &mut Machine, args: &[String], io: &mut Io<'_>) -> i32 {
    let (_, ops) = match flags(args, "c") {
        Ok(x) => x,
        Err(e) => return usage_error(io, "touch", &e),
    };
    if ops.is_empty() {
        return usage_error(io, "touch", "missing file operand");
    }
    let mut status = 0;
    for op in &ops {
        let r = through_parent(m, op).and_then(|p| resolve(&m.fs, &p, Follow::Yes).map(|r| (p, r)));
        let result = match r {
            Err(e) => Err(e.strerror()),
            Ok((_, r)) => match r.target {
                Target::DevNull => Ok(()),
                Target::Exists(meta) if meta.kind == FileKind::File => {
                    // Rewriting the same bytes moves the modification time.
                    let bytes = m.fs.read(&r.path, u64::MAX).unwrap_or_default();
                    let done = m.fs.write_atomic(&r.path, &bytes).map_err(|e| e.strerror());
                    if done.is_ok() {
                        m.notify(&r.path, FileChange::Touched);
                    }
                    done
                }
                Target::Exists(_) => {
                    m.notify(&r.path, FileChange::Touched);
                    Ok(())
                }
                Target::Missing => {
                    let done = m.fs.write_atomic(&r.path, b"").map_err(|e| e.strerror());
                    if done.is_ok() {
                        m.notify(&r.path, FileChange::Created);
                    }
                    done
                }
            },
        };
        if let Err(e) = result {
            let _ = writeln!(io.err, "touch: cannot touch '{op}': {e}");
            status = 1;
        }
    }
    status
}

/// A GNU `sleep` interval (`1`, `0.5`, `2s`, `3m`, `1h`, `1d`) in microseconds.
pub fn parse_interval(s: &str) -> Option<u64> {
    let (num, mult) = match s.char_indices().last()? {
        (i, 's') => (&s[..i], 1.0),
        (i, 'm') => (&s[..i], 60.0),
        (i, 'h') => (&s[..i], 3600.0),
        (i, 'd') => (&s[..i], 86_400.0),
        _ => (s, 1.0),
    };
    if num.is_empty() || !num.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let v: f64 = num.parse().ok()?;
    let usec = (v * mult * 1e6).round();
    (usec.is_finite() && (0.0..1e18).contains(&usec)).then_some(usec as u64)
}

fn sleep(m: &mut Machine, args: &[String], io: &mut Io<'_>) -> i32 {
    if args.is_empty() {
        return usage_error(io, "sleep", "missing operand");
    }
    let mut total: u64 = 0;
    for a in args {
        match parse_interval(a) {
            Some(u) => total = total.saturating_add(u),
            None => return usage_error(io, "sleep", &format!("invalid time interval '{a}'")),
        }
    }
    m.advance(total);
    0
}

/// `connect ADDRESS`: opens a connection to a socket path or `[HOST:]PORT`, then closes it.
/// Nothing listens until the managers model sockets, so every connection is refused.
/// `connect ADDRESS`: a client opens a stream connection to a socket path or `[HOST:]PORT` and
/// closes it again (the real-manager differential runs the same as a small python function,
/// `sim/tests/tour_support/mod.rs`). The managers' sockets listening there are triggered.
fn connect(m: &mut Machine, args: &[String], io: &mut Io<'_>) -> i32 {
    let [addr] = args else {
        let _ = writeln!(io.err, "connect: usage: connect ADDRESS");
        return 2;
    };
    match m.connect(addr) {
        Ok(()) => 0,
        Err(e) => {
            let _ = writeln!(io.err, "connect: {addr}: {}", e.strerror());
            1
        }
    }
}

fn cd(m: &mut Machine, args: &[String], io: &mut Io<'_>) -> i32 {
    let target = match args.first() {
        Some(a) => a.clone(),
        None => m
            .env(false)
            .get("HOME")
            .cloned()
            .unwrap_or_else(|| "/".into()),
    };
    let p = abs(m, &target);
    match resolve(&m.fs, &p, Follow::Yes) {
        Ok(r) if matches!(r.target, Target::Exists(meta) if meta.kind == FileKind::Dir) => {
            m.cwd = r.path;
            0
        }
        Ok(r) if matches!(r.target, Target::Exists(_)) => {
            let _ = writeln!(io.err, "bash: cd: {target}: Not a directory");
            1
        }
        _ => {
            let _ = writeln!(io.err, "bash: cd: {target}: No such file or directory");
            1
        }
    }
}

fn pwd(m: &mut Machine, _args: &[String], io: &mut Io<'_>) -> i32 {
    let _ = writeln!(io.out, "{}", m.cwd);
    0
}

/// The owner `ls -l` shows: the user for their home and runtime directory, root elsewhere.
fn owner(m: &Machine, path: &Utf8Path) -> String {
    let s = &m.settings;
    let mine = [s.home(), s.runtime_dir()]
        .iter()
        .any(|d| path.as_str() == d || path.as_str().starts_with(&format!("{d}/")));
    if mine {
        s.user.clone()
    } else {
        "root".to_owned()
    }
}

/// One `ls -l` row before alignment.
struct Row {
    mode: String,
    links: String,
    owner: String,
    size: String,
    time: String,
    name: String,
    blocks: u64,
}

fn row(m: &Machine, path: &Utf8Path, meta: &Metadata, shown: &str) -> Row {
    let kind = match meta.kind {
        FileKind::Dir => 'd',
        FileKind::Symlink => 'l',
        FileKind::CharDevice => 'c',
        // Sockets and FIFOs made by socket units.
        _ => m.special_kind(path, meta).unwrap_or('-'),
    };
    let mut mode = String::from(kind);
    for shift in [6, 3, 0] {
        let bits = (meta.mode >> shift) & 7;
        mode.push(if bits & 4 != 0 { 'r' } else { '-' });
        mode.push(if bits & 2 != 0 { 'w' } else { '-' });
        mode.push(if bits & 1 != 0 { 'x' } else { '-' });
    }
    let (links, size, blocks) = match meta.kind {
        FileKind::Dir => {
            let subdirs =
                m.fs.read_dir(path)
                    .map(|es| es.iter().filter(|e| e.kind == FileKind::Dir).count())
                    .unwrap_or(0);
            (2 + subdirs, "4096".to_owned(), 4)
        }
        FileKind::CharDevice => (1, "1, 3".to_owned(), 0),
        FileKind::Symlink => (1, meta.size.to_string(), 0),
        _ => (1, meta.size.to_string(), meta.size.div_ceil(4096) * 4),
    };
    let mut name = shown.to_owned();
    if meta.kind == FileKind::Symlink {
        if let Ok(t) = m.fs.read_link(path) {
            name = format!("{name} -> {t}");
        }
    }
    Row {
        mode,
        links: links.to_string(),
        owner: owner(m, path),
        size,
        time: time::ls_time(m.mtime(meta.modified_ns)),
        name,
        blocks,
    }
}

/// Prints `rows` aligned; column widths also count `extra` rows (GNU ls sizes the columns of
/// the file operands together with the directory operands listed after them).
fn print_rows(io: &mut Io<'_>, rows: &[Row], extra: &[Row]) {
    let w = |f: fn(&Row) -> usize| rows.iter().chain(extra).map(f).max().unwrap_or(0);
    let (wl, wo, ws) = (
        w(|r| r.links.len()),
        w(|r| r.owner.len()),
        w(|r| r.size.len()),
    );
    for r in rows {
        let _ = writeln!(
            io.out,
            "{} {:>wl$} {:<wo$} {:<wo$} {:>ws$} {} {}",
            r.mode, r.links, r.owner, r.owner, r.size, r.time, r.name
        );
    }
}

fn ls(m: &mut Machine, args: &[String], io: &mut Io<'_>) -> i32 {
    let (set, mut ops) = match flags(args, "laAd1") {
        Ok(x) => x,
        Err(e) => return usage_error(io, "ls", &e),
    };
    let long = set.contains(&'l');
    let all = set.contains(&'a') || set.contains(&'A');
    let dir_itself = set.contains(&'d');
    if ops.is_empty() {
        ops.push(".".to_owned());
    }
    let mut status = 0;
    let mut files: Vec<(Utf8PathBuf, Metadata, String)> = Vec::new();
    let mut dirs: Vec<(Utf8PathBuf, String)> = Vec::new();
    for op in &ops {
        match lstat(m, op) {
            Err(e) => {
                let _ = writeln!(io.err, "ls: cannot access '{op}': {}", e.strerror());
                status = 2;
            }
            Ok((p, meta)) => {
                // A symlink to a directory given as an operand is listed as the directory
                // unless -l or -d (GNU ls).
                let is_dir = match meta.kind {
                    FileKind::Dir => true,
                    FileKind::Symlink if !long => resolve(&m.fs, &p, Follow::Yes).is_ok_and(
                        |r| matches!(r.target, Target::Exists(t) if t.kind == FileKind::Dir),
                    ),
                    _ => false,
                };
                if is_dir && !dir_itself {
                    let real = resolve(&m.fs, &p, Follow::Yes).map(|r| r.path).unwrap_or(p);
                    dirs.push((real, op.clone()));
                } else {
                    files.push((p, meta, op.clone()));
                }
            }
        }
    }
    let dir_rows: Vec<Row> = if long && !files.is_empty() {
        dirs.iter()
            .filter_map(|(d, s)| m.fs.lstat(d).ok().map(|meta| row(m, d, &meta, s)))
            .collect()
    } else {
        Vec::new()
    };
    let print = |io: &mut Io<'_>,
                 entries: Vec<(Utf8PathBuf, Metadata, String)>,
                 total: bool,
                 extra: &[Row]| {
        if long {
            let rows: Vec<Row> = entries
                .iter()
                .map(|(p, meta, s)| row(m, p, meta, s))
                .collect();
            if total {
                let _ = writeln!(
                    io.out,
                    "total {}",
                    rows.iter().map(|r| r.blocks).sum::<u64>()
                );
            }
            print_rows(io, &rows, extra);
        } else {
            for (_, _, s) in &entries {
                let _ = writeln!(io.out, "{s}");
            }
        }
    };
    let several = ops.len() > 1;
    let had_files = !files.is_empty();
    files.sort_by(|a, b| a.2.cmp(&b.2));
    print(io, files, false, &dir_rows);
    dirs.sort_by(|a, b| a.1.cmp(&b.1));
    for (k, (dir, shown)) in dirs.into_iter().enumerate() {
        if several {
            if had_files || k > 0 {
                let _ = writeln!(io.out);
            }
            let _ = writeln!(io.out, "{shown}:");
        }
        let entries = match m.fs.read_dir_metadata(&dir) {
            Ok(es) => es,
            Err(e) => {
                let _ = writeln!(
                    io.err,
                    "ls: cannot open directory '{shown}': {}",
                    e.strerror()
                );
                status = 2;
                continue;
            }
        };
        let list: Vec<(Utf8PathBuf, Metadata, String)> = entries
            .into_iter()
            .filter(|(e, _)| all || !e.name.starts_with('.'))
            .map(|(e, meta)| (dir.join(&e.name), meta, e.name))
            .collect();
        print(io, list, true, &[]);
    }
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals() {
        assert_eq!(parse_interval("1"), Some(1_000_000));
        assert_eq!(parse_interval("0.5"), Some(500_000));
        assert_eq!(parse_interval("2m"), Some(120_000_000));
        assert_eq!(parse_interval("x"), None);
        assert_eq!(parse_interval("-1"), None);
    }

    #[test]
    fn user_shell_owns_home() {
        let m = Machine::new(super::super::Settings {
            scope: super::super::ShellScope::User,
            ..Default::default()
        });
        assert_eq!(owner(&m, Utf8Path::new("/home/user/x")), "user");
        assert_eq!(owner(&m, Utf8Path::new("/etc/x")), "root");
    }
}
