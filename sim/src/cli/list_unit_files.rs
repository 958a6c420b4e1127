//! `unitlab list-unit-files [PATTERN…]`: like `systemctl --root=DIR list-unit-files`
//! (reference §4.11). The engine returns the rows; this file parses the filters and renders the
//! table (or JSON) exactly as systemctl prints it when its output is not a terminal.
//!
//! The legend (header and `N unit files listed.` footer) follows systemctl's `arg_legend`:
//! `--no-legend`, `--legend=BOOL` and `-o json*` set it in command-line order, `-q` clears it only
//! if nothing set it before; a JSON listing still gets the footer when the legend is on.
use super::{install_common, Context, Global};
use unitlab_engine::install::{list_unit_files, ListFilter, UnitFileEntry};
use unitlab_engine::name::UnitType;

/// Arguments of this verb.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Shell globs on unit names.
    pub patterns: Vec<String>,
}

/// Output formats of `-o`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Output {
    Table,
    Json,
    JsonPretty,
    JsonSse,
    JsonSeq,
}

const OUTPUT_MODES: &[&str] = &[
    "short",
    "short-full",
    "short-iso",
    "short-iso-precise",
    "short-precise",
    "short-monotonic",
    "short-delta",
    "short-unix",
    "verbose",
    "export",
    "json",
    "json-pretty",
    "json-sse",
    "json-seq",
    "cat",
    "with-unit",
];

/// What `systemctl --state=help` prints (systemd 252's state tables).
const STATE_HELP: &str = "Available unit load states:\n\
stub\n\
loaded\n\
not-found\n\
bad-setting\n\
error\n\
merged\n\
masked\n\
\n\
Available unit active states:\n\
active\n\
reloading\n\
inactive\n\
failed\n\
activating\n\
deactivating\n\
maintenance\n\
\n\
Available unit file states:\n\
enabled\n\
enabled-runtime\n\
linked\n\
linked-runtime\n\
alias\n\
masked\n\
masked-runtime\n\
static\n\
disabled\n\
indirect\n\
generated\n\
transient\n\
bad\n\
\n\
Available automount unit substates:\n\
dead\n\
waiting\n\
running\n\
failed\n\
\n\
Available device unit substates:\n\
dead\n\
tentative\n\
plugged\n\
\n\
Available mount unit substates:\n\
dead\n\
mounting\n\
mounting-done\n\
mounted\n\
remounting\n\
unmounting\n\
remounting-sigterm\n\
remounting-sigkill\n\
unmounting-sigterm\n\
unmounting-sigkill\n\
failed\n\
cleaning\n\
\n\
Available path unit substates:\n\
dead\n\
waiting\n\
running\n\
failed\n\
\n\
Available scope unit substates:\n\
dead\n\
start-chown\n\
running\n\
abandoned\n\
stop-sigterm\n\
stop-sigkill\n\
failed\n\
\n\
Available service unit substates:\n\
dead\n\
condition\n\
start-pre\n\
start\n\
start-post\n\
running\n\
exited\n\
reload\n\
stop\n\
stop-watchdog\n\
stop-sigterm\n\
stop-sigkill\n\
stop-post\n\
final-watchdog\n\
final-sigterm\n\
final-sigkill\n\
failed\n\
auto-restart\n\
cleaning\n\
\n\
Available slice unit substates:\n\
dead\n\
active\n\
\n\
Available socket unit substates:\n\
dead\n\
start-pre\n\
start-chown\n\
start-post\n\
listening\n\
running\n\
stop-pre\n\
stop-pre-sigterm\n\
stop-pre-sigkill\n\
stop-post\n\
final-sigterm\n\
final-sigkill\n\
failed\n\
cleaning\n\
\n\
Available swap unit substates:\n\
dead\n\
activating\n\
activating-done\n\
active\n\
deactivating\n\
deactivating-sigterm\n\
deactivating-sigkill\n\
failed\n\
cleaning\n\
\n\
Available target unit substates:\n\
dead\n\
active\n\
\n\
Available timer unit substates:\n\
dead\n\
waiting\n\
running\n\
elapsed\n\
failed\n\
";

/// `systemctl -t help`: the unit types in systemd's order.
const TYPE_HELP: &str = "Available unit types:\nservice\nmount\nswap\nsocket\ntarget\ndevice\nautomount\ntimer\npath\nslice\nscope\n";

/// systemctl's `arg_legend` from the raw command line (`None` if it cannot be told, e.g. no
/// arguments): -1 unset, then `--no-legend` → 0, `--legend=B` → B, `-o json*` → 0, `-q` → 0 if
/// unset. Invalid `--legend=` values are reported by [`run`].
pub fn legend_from_argv(args: &[std::ffi::OsString]) -> Option<bool> {
    let args: Vec<&str> = args.iter().skip(1).filter_map(|a| a.to_str()).collect();
    let mut legend: i8 = -1;
    let mut i = 0;
    let is_json = |v: &str| v.starts_with("json");
    while i < args.len() {
        let a = args[i];
        let next = args.get(i + 1).copied();
        if a == "--" {
            break;
        }
        if a == "--no-legend" {
            legend = 0;
        } else if let Some(v) = a.strip_prefix("--legend=") {
            if let Some(b) = parse_bool(v) {
                legend = i8::from(b);
            }
        } else if a == "--legend" {
            if let Some(b) = next.and_then(parse_bool) {
                legend = i8::from(b);
            }
            i += 1;
        } else if a == "--quiet" {
            if legend < 0 {
                legend = 0;
            }
        } else if let Some(v) = a.strip_prefix("--output=") {
            if is_json(v) {
                legend = 0;
            }
        } else if a == "--output" {
            if next.is_some_and(is_json) {
                legend = 0;
            }
            i += 1;
        } else if a.starts_with('-') && !a.starts_with("--") {
            // Short options, possibly bundled (`-qo json`, `-ojson`).
            let flags = &a[1..];
            for (k, c) in flags.char_indices() {
                match c {
                    'q' if legend < 0 => legend = 0,
                    'q' => {}
                    'o' => {
                        let rest = &flags[k + 1..];
                        let v = if rest.is_empty() {
                            i += 1;
                            next
                        } else {
                            Some(rest)
                        };
                        if v.is_some_and(is_json) {
                            legend = 0;
                        }
                        break;
                    }
                    't' | 'p' | 'P' | 's' | 'H' | 'M' | 'n' => {
                        if flags[k + 1..].is_empty() {
                            i += 1;
                        }
                        break;
                    }
                    _ => {}
                }
            }
        }
        i += 1;
    }
    Some(legend != 0)
}

fn words(v: &[String]) -> Vec<String> {
    v.iter()
        .flat_map(|s| s.split(','))
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "yes" | "y" | "true" | "t" | "on" => Some(true),
        "0" | "no" | "n" | "false" | "f" | "off" => Some(false),
        _ => None,
    }
}

/// Parses `-o`, `--type=`, `--state=` and the legend flags; `Err(status)` after printing
/// systemctl's error.
fn parse(ctx: &mut Context<'_>, global: &Global) -> Result<(Output, ListFilter, bool), i32> {
    let mut filter = ListFilter::default();
    let fail = |ctx: &mut Context<'_>, lines: &[String]| {
        for l in lines {
            let _ = writeln!(ctx.err, "{l}");
        }
        Err(1)
    };
    if global.types.iter().any(String::is_empty) {
        return fail(ctx, &["--type= requires arguments.".to_owned()]);
    }
    for t in words(&global.types) {
        if t == "help" {
            let _ = ctx.out.write_all(TYPE_HELP.as_bytes());
            return Err(0);
        }
        if UnitType::ALL.iter().any(|u| u.as_str() == t) {
            filter.types.push(t);
        } else if unitlab_engine::load::LoadState::ALL
            .iter()
            .any(|l| l.as_str() == t.as_str())
        {
            filter.states.push(t);
        } else {
            return fail(
                ctx,
                &[
                    format!("Unknown unit type or load state '{t}'."),
                    "Use -t help to see a list of allowed values.".to_owned(),
                ],
            );
        }
    }
    if global.state.iter().any(String::is_empty) {
        return fail(ctx, &["--state= requires arguments.".to_owned()]);
    }
    for s in words(&global.state) {
        if s == "help" {
            let _ = ctx.out.write_all(STATE_HELP.as_bytes());
            return Err(0);
        }
        filter.states.push(s);
    }
    let output = match global.output.as_deref() {
        None => Output::Table,
        Some("help") => {
            let _ = ctx
                .out
                .write_all(format!("{}\n", OUTPUT_MODES.join("\n")).as_bytes());
            return Err(0);
        }
        Some(o) if !OUTPUT_MODES.contains(&o) => {
            return fail(ctx, &[format!("Unknown output '{o}'.")]);
        }
        Some("json") => Output::Json,
        Some("json-pretty") => Output::JsonPretty,
        Some("json-sse") => Output::JsonSse,
        Some("json-seq") => Output::JsonSeq,
        Some(_) => Output::Table,
    };
    let mut legend = if output == Output::Table {
        !global.quiet
    } else {
        false
    };
    if global.no_legend {
        legend = false;
    }
    if let Some(l) = &global.legend {
        match parse_bool(l) {
            Some(b) => legend = b,
            None => {
                return fail(
                    ctx,
                    &[format!(
                        "Failed to parse boolean argument to --legend: {l}."
                    )],
                )
            }
        }
    }
    if let Some(l) = global.show_legend {
        legend = l;
    }
    Ok((output, filter, legend))
}

fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn render_json(rows: &[UnitFileEntry], pretty: bool) -> String {
    let cell = |v: Option<&str>| v.map_or_else(|| "null".to_owned(), json_string);
    let objects: Vec<[(&str, String); 3]> = rows
        .iter()
        .map(|r| {
            [
                ("unit_file", cell(Some(&r.name))),
                ("state", cell(Some(r.state.as_str()))),
                ("preset", cell(r.preset.as_str())),
            ]
        })
        .collect();
    if objects.is_empty() {
        return "[]".to_owned();
    }
    if !pretty {
        let items: Vec<String> = objects
            .iter()
            .map(|o| {
                let fields: Vec<String> = o
                    .iter()
                    .map(|(k, v)| format!("{}:{v}", json_string(k)))
                    .collect();
                format!("{{{}}}", fields.join(","))
            })
            .collect();
        return format!("[{}]", items.join(","));
    }
    let items: Vec<String> = objects
        .iter()
        .map(|o| {
            let fields: Vec<String> = o
                .iter()
                .map(|(k, v)| format!("\t\t{} : {v}", json_string(k)))
                .collect();
            format!("\t{{\n{}\n\t}}", fields.join(",\n"))
        })
        .collect();
    format!("[\n{}\n]", items.join(",\n"))
}

fn render_table(rows: &[UnitFileEntry], header: bool) -> String {
    let cells: Vec<[&str; 3]> = rows
        .iter()
        .map(|r| {
            [
                r.name.as_str(),
                r.state.as_str(),
                r.preset.as_str().unwrap_or("-"),
            ]
        })
        .collect();
    let head = ["UNIT FILE", "STATE", "PRESET"];
    let mut w = [0usize; 3];
    // The header only counts for the widths when it is printed.
    let shown_head = header.then_some(&head);
    for row in cells.iter().chain(shown_head) {
        for (i, c) in row.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |row: &[&str; 3]| {
        out.push_str(&format!(
            "{:<w0$} {:<w1$} {}\n",
            row[0],
            row[1],
            row[2],
            w0 = w[0],
            w1 = w[1]
        ));
    };
    if header {
        line(&head);
    }
    for row in &cells {
        line(row);
    }
    out
}

/// Runs the verb.
pub fn run(ctx: &mut Context<'_>, global: &Global, args: Args) -> i32 {
    let (output, mut filter, legend) = match parse(ctx, global) {
        Ok(x) => x,
        Err(code) => return code,
    };
    filter.patterns = args.patterns;
    let opts = install_common::options(ctx, global);
    let (fs, lp) = match install_common::open(ctx, global, global.scope()) {
        Ok(x) => x,
        Err(e) => {
            let _ = writeln!(ctx.err, "Failed to get unit file list: {}", e.strerror());
            return 1;
        }
    };
    let listing = list_unit_files(&fs, &lp, &filter, opts);
    if let Some(e) = listing.error {
        let _ = writeln!(ctx.err, "Failed to get unit file list: {}", e.strerror());
        return 1;
    }
    install_common::logs(ctx, &listing.logs);
    let rows = &listing.entries;
    let text = match output {
        Output::Table => {
            let mut t = render_table(rows, legend);
            if legend {
                t.push_str(&format!("\n{} unit files listed.\n", rows.len()));
            }
            t
        }
        Output::Json => format!("{}\n", render_json(rows, false)),
        Output::JsonPretty => format!("{}\n", render_json(rows, true)),
        Output::JsonSse => format!("data: {}\n\n", render_json(rows, false)),
        Output::JsonSeq => format!("\u{1e}{}\n", render_json(rows, false)),
    };
    let text = if output != Output::Table && legend {
        format!("{text}\n{} unit files listed.\n", rows.len())
    } else {
        text
    };
    let _ = ctx.out.write_all(text.as_bytes());
    i32::from(rows.is_empty())
}
