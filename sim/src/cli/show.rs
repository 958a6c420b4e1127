//! `unitlab [--root=DIR] [--user] show UNIT... [-p PROP,...] [--all]`: a unit's properties in
//! `systemctl show` format (`KEY=VALUE`, systemd's property order), computed offline.
//!
//! Only properties the engine really computes are printed: `Slice`, `Id`, `Names`, every
//! dependency property (`Requires` … `JoinsNamespaceOf`, `SliceOf`), `RequiresMountsFor`,
//! `Description`, `LoadState`, `ActiveState`, `FreezerState`, `SubState` (offline every unit is
//! `inactive`/`running`/`dead`), `FragmentPath`, `DropInPaths`, `DefaultDependencies` and
//! `LoadError`. Like systemctl, empty properties are left out unless `--all` is given or they are
//! asked for with `-p`; `-p` keeps systemd's order, not the order asked. Values of list properties
//! are in the order the dependencies were added while loading (systemd prints them in hash order).
//! `Description` is the raw `Description=` value (specifiers are not expanded) or the unit name.
//! Several units are separated by a blank line.
use super::graph_load;
use super::{Context, Global};
use unitlab_engine::graph::{has_cgroup, DepKind, Graph, Node};
use unitlab_engine::load::LoadState;

/// Arguments of this verb.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only these properties (comma-separated, may be repeated).
    #[arg(short = 'p', long = "property", value_name = "PROP")]
    pub properties: Vec<String>,
    /// Also print empty properties.
    #[arg(short, long)]
    pub all: bool,
    /// Units to show.
    #[arg(required = true, value_name = "UNIT")]
    pub units: Vec<String>,
}

/// The dependency properties in `systemctl show` order: systemd's enum order, without the kinds
/// `show` prints elsewhere (`Slice=`) or not at all (`References`, `ReferencedBy`).
fn dep_properties() -> impl Iterator<Item = DepKind> {
    DepKind::ALL.into_iter().filter(|k| {
        !matches!(
            k,
            DepKind::References | DepKind::ReferencedBy | DepKind::InSlice
        )
    })
}

/// Runs the verb.
pub fn run(ctx: &mut Context<'_>, global: &Global, args: Args) -> i32 {
    let units = match graph_load::mangle_units(ctx, global, &args.units) {
        Ok(u) => u,
        Err(code) => return code,
    };
    let graph = match graph_load::build(ctx, global, &units) {
        Ok(g) => g,
        Err(code) => return code,
    };
    let wanted: Vec<String> = args
        .properties
        .iter()
        .flat_map(|p| p.split(','))
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    let mut out = String::new();
    for (i, u) in units.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let Some(node) = graph.get(u.as_str()) else {
            continue;
        };
        for (key, value) in properties(&graph, node) {
            let asked = wanted.contains(&key);
            if !wanted.is_empty() && !asked {
                continue;
            }
            if value.is_empty() && !args.all && !asked {
                continue;
            }
            out.push_str(&format!("{key}={value}\n"));
        }
    }
    let _ = ctx.out.write_all(out.as_bytes());
    0
}

/// The D-Bus error name and message systemd reports as `LoadError` for a failed unit.
fn load_error(node: &Node) -> String {
    let id = node.id();
    match node.load_state() {
        LoadState::NotFound => {
            format!("org.freedesktop.systemd1.NoSuchUnit \"Unit {id} not found.\"")
        }
        LoadState::Masked => {
            format!("org.freedesktop.systemd1.UnitMasked \"Unit {id} is masked.\"")
        }
        LoadState::BadSetting => format!(
            "org.freedesktop.systemd1.BadUnitSetting \"Unit {id} has a bad unit file setting.\""
        ),
        LoadState::Error => {
            let why = node
                .unit
                .load_error
                .as_ref()
                .map(|e| e.strerror().to_owned())
                .unwrap_or_default();
            // sd-bus's errno → error name map (EBADMSG, EEXIST; others are reported as Failed).
            let name = match why.as_str() {
                "Bad message" => "org.freedesktop.DBus.Error.InconsistentMessage",
                "File exists" => "org.freedesktop.DBus.Error.FileExists",
                _ => "org.freedesktop.DBus.Error.Failed",
            };
            format!("{name} \"Unit {id} failed to load properly, please adjust/correct and reload service manager: {why}\"")
        }
        _ => String::new(),
    }
}

/// `shell_maybe_quote()`: list elements with shell-special characters are printed in double quotes
/// with `"`, `\\`, `` ` `` and `$` backslash-escaped.
fn maybe_quote(s: &str) -> String {
    const NEED_QUOTES: &str = "\"\\`$*?['()<>|&;! \t\n\r";
    let Some(pos) = s.find(|c: char| c.is_control() || NEED_QUOTES.contains(c)) else {
        return s.to_owned();
    };
    let mut out = String::from("\"");
    out.push_str(&s[..pos]);
    for c in s[pos..].chars() {
        if matches!(c, '"' | '\\' | '`' | '$') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// The computed properties of one unit, in `systemctl show` order.
pub fn properties(_graph: &Graph, node: &Node) -> Vec<(String, String)> {
    let join = |it: &mut dyn Iterator<Item = String>| {
        it.map(|s| maybe_quote(&s)).collect::<Vec<_>>().join(" ")
    };
    let mut props: Vec<(String, String)> = Vec::new();
    let id = node.id();
    if has_cgroup(id.unit_type()) {
        let slice = node.slice().map(|s| s.to_string()).unwrap_or_default();
        props.push(("Slice".into(), slice));
    }
    props.push(("Id".into(), id.to_string()));
    let mut names: Vec<String> = vec![id.to_string()];
    names.extend(node.unit.aliases().map(|a| a.to_string()));
    props.push(("Names".into(), names.join(" ")));
    props.push(("Following".into(), String::new()));
    for kind in dep_properties() {
        let v = join(&mut node.deps_of(kind).map(|(n, _)| n.to_string()));
        props.push((kind.as_str().into(), v));
    }
    let rmf = join(&mut node.requires_mounts_for.keys().cloned());
    props.push(("RequiresMountsFor".into(), rmf));
    let description = node
        .unit
        .settings
        .get("Unit", "Description")
        .map(|v| v.value.to_owned())
        .unwrap_or_else(|| id.to_string());
    props.push(("Description".into(), description));
    props.push(("LoadState".into(), node.load_state().as_str().into()));
    props.push(("ActiveState".into(), "inactive".into()));
    props.push(("FreezerState".into(), "running".into()));
    props.push(("SubState".into(), "dead".into()));
    let fragment = node
        .unit
        .fragment_path
        .as_ref()
        .map(|p| p.to_string())
        .unwrap_or_default();
    props.push(("FragmentPath".into(), fragment));
    props.push(("SourcePath".into(), String::new()));
    let dropins = join(&mut node.unit.dropin_paths().map(|p| p.to_string()));
    props.push(("DropInPaths".into(), dropins));
    props.push((
        "DefaultDependencies".into(),
        if node.default_dependencies {
            "yes"
        } else {
            "no"
        }
        .into(),
    ));
    props.push(("LoadError".into(), load_error(node)));
    props
}
