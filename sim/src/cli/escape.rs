//! `unitlab escape`: `systemd-escape` 252, byte for byte.
//!
//! The options are parsed like `systemd-escape`'s `getopt_long` (GNU permutation: options may follow
//! operands unless `POSIXLY_CORRECT` is set; `--` ends them; long options may be abbreviated;
//! `--opt=value` or `--opt value`; short options `-h -u -m -p` may be clustered). Every option is
//! acted upon in order, so the first bad one decides the message. Then the option combinations are
//! checked, and each operand is escaped, unescaped or mangled with `unitlab_engine::name`; results
//! are printed on one line separated by spaces. The first failing operand stops the run with exit
//! status 1 (what was printed so far stays, without the newline).
//!
//! Messages that `systemd-escape` prefixes with its `argv[0]` (option errors, the help text) use
//! `unitlab escape` instead. `--version` prints unitlab's version.
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;

use unitlab_engine::name::{self, MangleOptions, UnitName, UnitType};

use super::{Context, Global};

/// The program name used where `systemd-escape` prints its `argv[0]`.
pub const PROGRAM: &str = "unitlab escape";

/// Arguments of this verb: everything after `escape`, parsed by [`parse`] like `getopt_long`.
#[derive(Debug, clap::Args)]
#[command(disable_help_flag = true, disable_version_flag = true)]
pub struct Args {
    /// Options (`--suffix=`, `--template=`, `--instance`, `-p`, `-u`, `-m`, `-h`, `--version`) and
    /// the strings to process.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
    pub args: Vec<OsString>,
}

/// What to do with each operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Escape (the default).
    Escape,
    /// `--unescape`.
    Unescape,
    /// `--mangle`.
    Mangle,
}

/// Parsed options.
#[derive(Clone, Debug)]
pub struct Options {
    /// What to do.
    pub action: Action,
    /// `--suffix=TYPE`.
    pub suffix: Option<UnitType>,
    /// `--template=NAME@.TYPE`.
    pub template: Option<UnitName>,
    /// `--path`.
    pub path: bool,
    /// `--instance`.
    pub instance: bool,
    /// The strings to process.
    pub operands: Vec<OsString>,
}

/// How parsing ended when it did not give [`Options`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Early {
    /// `--help`: print the help, exit 0.
    Help,
    /// `--version`: print the version, exit 0.
    Version,
    /// An error: print the message (if any) on stderr, exit 1.
    Error(Vec<u8>),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Opt {
    Help,
    Version,
    Suffix,
    Template,
    Unescape,
    Mangle,
    Path,
    Instance,
}

/// The long options, in `systemd-escape`'s table order (used for the "ambiguous" message).
const LONG: [(&str, Opt); 8] = [
    ("help", Opt::Help),
    ("version", Opt::Version),
    ("suffix", Opt::Suffix),
    ("template", Opt::Template),
    ("unescape", Opt::Unescape),
    ("mangle", Opt::Mangle),
    ("path", Opt::Path),
    ("instance", Opt::Instance),
];

fn error(text: impl AsRef<[u8]>) -> Early {
    let mut v = text.as_ref().to_vec();
    v.push(b'\n');
    Early::Error(v)
}

fn concat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// Applies one option; `Err` ends parsing.
fn apply(o: &mut Options, opt: Opt, value: Option<&OsStr>) -> Result<(), Early> {
    match opt {
        Opt::Help => return Err(Early::Help),
        Opt::Version => return Err(Early::Version),
        Opt::Suffix => {
            let v = value.unwrap_or_default();
            match v.to_str().and_then(UnitType::from_suffix) {
                Some(t) => o.suffix = Some(t),
                None => {
                    return Err(error(concat(&[
                        b"Invalid unit suffix type \"",
                        v.as_bytes(),
                        b"\".",
                    ])))
                }
            }
        }
        Opt::Template => {
            let v = value.unwrap_or_default();
            match v.to_str().and_then(|s| UnitName::new(s).ok()) {
                Some(t) if t.kind() == name::NameKind::Template => o.template = Some(t),
                _ => {
                    return Err(error(concat(&[
                        b"Template name ",
                        v.as_bytes(),
                        b" is not valid.",
                    ])))
                }
            }
        }
        Opt::Unescape => o.action = Action::Unescape,
        Opt::Mangle => o.action = Action::Mangle,
        Opt::Path => o.path = true,
        Opt::Instance => o.instance = true,
    }
    Ok(())
}

/// Parses `args` (without the program name) like `systemd-escape` does, including the checks of
/// option combinations. `posixly_correct` stops option parsing at the first operand.
pub fn parse(args: &[OsString], posixly_correct: bool) -> Result<Options, Early> {
    let mut o = Options {
        action: Action::Escape,
        suffix: None,
        template: None,
        path: false,
        instance: false,
        operands: Vec::new(),
    };
    let prog = PROGRAM.as_bytes();
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_bytes();
        i += 1;
        if arg == b"--" {
            o.operands.extend(args[i..].iter().cloned());
            break;
        }
        if arg.len() < 2 || arg[0] != b'-' {
            o.operands.push(args[i - 1].clone());
            if posixly_correct {
                o.operands.extend(args[i..].iter().cloned());
                break;
            }
            continue;
        }
        if let Some(long) = arg.strip_prefix(b"--") {
            let (name, value) = match long.iter().position(|&b| b == b'=') {
                Some(eq) => (&long[..eq], Some(OsStr::from_bytes(&long[eq + 1..]))),
                None => (long, None),
            };
            let exact = LONG.iter().find(|(n, _)| n.as_bytes() == name);
            let matches: Vec<&(&str, Opt)> = match exact {
                Some(e) => vec![e],
                None => LONG
                    .iter()
                    .filter(|(n, _)| n.as_bytes().starts_with(name))
                    .collect(),
            };
            let (full, opt) = match matches.as_slice() {
                [] => {
                    return Err(error(concat(&[
                        prog,
                        b": unrecognized option '",
                        arg,
                        b"'",
                    ])))
                }
                [one] => **one,
                many => {
                    let mut msg =
                        concat(&[prog, b": option '", arg, b"' is ambiguous; possibilities:"]);
                    for (n, _) in many {
                        msg.extend_from_slice(format!(" '--{n}'").as_bytes());
                    }
                    return Err(error(msg));
                }
            };
            let takes_value = matches!(opt, Opt::Suffix | Opt::Template);
            let value = match (takes_value, value) {
                (false, Some(_)) => {
                    return Err(error(format!(
                        "{PROGRAM}: option '--{full}' doesn't allow an argument"
                    )))
                }
                (false, None) => None,
                (true, Some(v)) => Some(v),
                (true, None) => match args.get(i) {
                    Some(v) => {
                        i += 1;
                        Some(v.as_os_str())
                    }
                    None => {
                        return Err(error(format!(
                            "{PROGRAM}: option '--{full}' requires an argument"
                        )))
                    }
                },
            };
            apply(&mut o, opt, value)?;
            continue;
        }
        for &c in &arg[1..] {
            let opt = match c {
                b'h' => Opt::Help,
                b'u' => Opt::Unescape,
                b'm' => Opt::Mangle,
                b'p' => Opt::Path,
                _ => {
                    return Err(error(concat(&[prog, b": invalid option -- '", &[c], b"'"])));
                }
            };
            apply(&mut o, opt, None)?;
        }
    }
    let check = |bad: bool, msg: &str| if bad { Err(error(msg)) } else { Ok(()) };
    check(o.operands.is_empty(), "Not enough arguments.")?;
    check(
        o.template.is_some() && o.suffix.is_some(),
        "--suffix= and --template= may not be combined.",
    )?;
    check(
        (o.template.is_some() || o.suffix.is_some()) && o.action == Action::Mangle,
        "--suffix= and --template= are not compatible with --mangle.",
    )?;
    check(
        o.suffix.is_some() && o.action == Action::Unescape,
        "--suffix is not compatible with --unescape.",
    )?;
    check(
        o.path && o.action == Action::Mangle,
        "--path may not be combined with --mangle.",
    )?;
    check(
        o.instance && o.action != Action::Unescape,
        "--instance must be used in conjunction with --unescape.",
    )?;
    check(
        o.instance && o.template.is_some(),
        "--instance may not be combined with --template.",
    )?;
    Ok(o)
}

/// The help text, as `systemd-escape --help` prints it.
pub fn help() -> String {
    format!(
        "{PROGRAM} [OPTIONS...] [NAME...]\n\n\
         Escape strings for usage in systemd unit names.\n\n\
         \x20 -h --help               Show this help\n\
         \x20    --version            Show package version\n\
         \x20    --suffix=SUFFIX      Unit suffix to append to escaped strings\n\
         \x20    --template=TEMPLATE  Insert strings as instance into template\n\
         \x20    --instance           With --unescape, show just the instance part\n\
         \x20 -u --unescape           Unescape strings\n\
         \x20 -m --mangle             Mangle strings\n\
         \x20 -p --path               When escaping/unescaping assume the string is a path\n\
         \nSee the systemd-escape(1) man page for details.\n"
    )
}

/// Processes one operand: `Ok(output)`, or `Err(message)` ending the run. Warnings go to `warn`.
fn process(o: &Options, input: &[u8], warn: &mut Vec<u8>) -> Result<Vec<u8>, Vec<u8>> {
    let line = |parts: &[&[u8]]| parts.concat();
    match o.action {
        Action::Escape => {
            let mut e = if o.path {
                let escaped = name::escape_path_bytes(input).map_err(|_| {
                    let why: &[u8] = if !name::path_is_valid(input) {
                        b"' is not a valid file system path, failed to escape."
                    } else if input.first() != Some(&b'/') {
                        b"' is not an absolute file system path, failed to escape."
                    } else if !name::path_is_normalized(input) {
                        b"' is not a normalized file system path, failed to escape."
                    } else {
                        return b"Failed to escape string: Invalid argument".to_vec();
                    };
                    line(&[b"Input '", input, why])
                })?;
                if !name::path_is_valid(input) {
                    warn.extend(line(&[
                        b"Input '",
                        input,
                        b"' is not a valid file system path, escaping is likely not going be reversible.\n",
                    ]));
                } else if input.first() != Some(&b'/') {
                    warn.extend(line(&[
                        b"Input '",
                        input,
                        b"' is not an absolute file system path, escaping is likely not going to be reversible.\n",
                    ]));
                }
                escaped
            } else {
                name::escape_bytes(input)
            };
            if let Some(t) = &o.template {
                e = t
                    .with_instance(&e)
                    .map_err(|_| b"Failed to replace instance: Invalid argument".to_vec())?
                    .into_string();
            } else if let Some(s) = o.suffix {
                e.push('.');
                e.push_str(s.as_str());
            }
            Ok(e.into_bytes())
        }
        Action::Unescape => {
            let owned;
            let what: &[u8] = if o.template.is_some() || o.instance {
                let n = std::str::from_utf8(input)
                    .ok()
                    .and_then(|s| UnitName::new(s).ok())
                    .ok_or_else(|| b"Failed to extract instance: Invalid argument".to_vec())?;
                let Some(instance) = n.instance() else {
                    return Err(line(&[b"Unit ", input, b" is missing the instance name."]));
                };
                let template = n.template().expect("an instance has a template");
                if let Some(t) = &o.template {
                    if *t != template {
                        return Err(format!(
                            "Unit {n} template {template} does not match specified template {t}."
                        )
                        .into_bytes());
                    }
                }
                owned = instance.as_bytes().to_vec();
                &owned
            } else {
                input
            };
            let r = if o.path {
                name::unescape_path_bytes(what)
            } else {
                name::unescape_bytes(what)
            };
            r.map_err(|_| b"Failed to unescape string: Invalid argument".to_vec())
        }
        Action::Mangle => name::mangle_bytes(input, MangleOptions::default())
            .map(|m| m.name.into_bytes())
            .map_err(|_| b"Failed to mangle name: Invalid argument".to_vec()),
    }
}

/// If the command line (program name first) runs `escape`, possibly after global options, the
/// arguments after the verb, untouched by clap (which would eat a leading `--` and take `-h`).
pub fn raw_args(args: &[OsString]) -> Option<&[OsString]> {
    let mut i = 1;
    while let Some(arg) = args.get(i) {
        let a = arg.as_bytes();
        if a == b"escape" {
            return Some(&args[i + 1..]);
        }
        match a {
            b"--root" => i += 2,
            b"--system" | b"--user" | b"--global" | b"--no-pager" | b"--quiet" | b"-q" => i += 1,
            _ if a.starts_with(b"--root=") => i += 1,
            _ => return None,
        }
    }
    None
}

/// Runs `systemd-escape` semantics on `args` (everything after the verb).
pub fn run_raw(ctx: &mut Context<'_>, args: &[OsString]) -> i32 {
    let posixly_correct = ctx.var("POSIXLY_CORRECT").is_some();
    let o = match parse(args, posixly_correct) {
        Ok(o) => o,
        Err(Early::Help) => {
            let _ = ctx.out.write_all(help().as_bytes());
            return 0;
        }
        Err(Early::Version) => {
            let _ = writeln!(ctx.out, "unitlab {}", env!("CARGO_PKG_VERSION"));
            return 0;
        }
        Err(Early::Error(msg)) => {
            let _ = ctx.err.write_all(&msg);
            return 1;
        }
    };
    for (i, input) in o.operands.iter().enumerate() {
        let mut warn = Vec::new();
        let result = process(&o, input.as_bytes(), &mut warn);
        let _ = ctx.err.write_all(&warn);
        match result {
            Ok(out) => {
                if i > 0 {
                    let _ = ctx.out.write_all(b" ");
                }
                let _ = ctx.out.write_all(&out);
            }
            Err(mut msg) => {
                msg.push(b'\n');
                let _ = ctx.err.write_all(&msg);
                return 1;
            }
        }
    }
    let _ = ctx.out.write_all(b"\n");
    0
}

/// Runs the verb after clap parsing (only reached when [`raw_args`] did not recognise the command
/// line; clap may then have removed a leading `--`, so prefer [`run_raw`]).
pub fn run(ctx: &mut Context<'_>, global: &Global, args: Args) -> i32 {
    let _ = global;
    run_raw(ctx, &args.args)
}
