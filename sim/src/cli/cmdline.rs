//! The kernel command line note of `get-default` and `set-default`.
use super::{Context, Global};
use camino::Utf8Path;
use unitlab_engine::fs::FileSystem;

/// `emit_cmdline_warning()` of `get-default`/`set-default`: without `--root` and `--quiet`, a
/// `systemd.unit=` or runlevel word on the kernel command line (`$SYSTEMD_PROC_CMDLINE`, else
/// `/proc/cmdline`) is reported as overriding the default unit. (Outside an initrd only: the
/// initrd's `rd.` runlevel table is not modelled.)
pub fn emit_cmdline_warning(ctx: &mut Context<'_>, global: &Global, fs: &dyn FileSystem) {
    if global.quiet || global.root.is_some() {
        return;
    }
    let text = match ctx.var("SYSTEMD_PROC_CMDLINE") {
        Some(v) => v.to_owned(),
        None => match fs.read(Utf8Path::new("/proc/cmdline"), 1 << 20) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(_) => return,
        },
    };
    let mut found: Option<String> = None;
    for word in cmdline_words(&text) {
        let (key, value) = match word.split_once('=') {
            Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
            None => (word.clone(), None),
        };
        if key == "systemd.unit" {
            match value {
                None => {
                    let _ = writeln!(
                        ctx.err,
                        "Missing argument for systemd.unit= kernel command line switch, ignoring."
                    );
                }
                Some(v) => {
                    let ok = matches!(
                        unitlab_engine::name::classify(&v),
                        Some(unitlab_engine::name::NameKind::Plain)
                            | Some(unitlab_engine::name::NameKind::Instance)
                    );
                    if ok {
                        found = Some(key);
                    } else {
                        let _ = writeln!(
                            ctx.err,
                            "Unit name specified on systemd.unit= is not valid, ignoring: {v}"
                        );
                    }
                }
            }
        } else if value.is_none()
            && matches!(
                key.as_str(),
                "emergency"
                    | "-b"
                    | "rescue"
                    | "single"
                    | "-s"
                    | "s"
                    | "S"
                    | "1"
                    | "2"
                    | "3"
                    | "4"
                    | "5"
            )
        {
            found = Some(key);
        }
    }
    if let Some(k) = found {
        let _ = writeln!(
            ctx.err,
            "Note: found \"{k}\" on the kernel commandline, which overrides the default unit."
        );
    }
}

/// Kernel command line words (`extract_first_word(EXTRACT_UNQUOTE|EXTRACT_RELAX)`).
fn cmdline_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) if c == '\\' => {
                if let Some(n) = chars.next() {
                    word.push(n);
                }
            }
            Some(_) => word.push(c),
            None if c == '\'' || c == '"' => {
                in_word = true;
                quote = Some(c);
            }
            None if c == '\\' => {
                in_word = true;
                if let Some(n) = chars.next() {
                    word.push(n);
                }
            }
            None if c.is_ascii_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            None => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        out.push(word);
    }
    out
}
