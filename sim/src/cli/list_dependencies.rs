//! `unitlab [--root=DIR] [--user] list-dependencies [--reverse] [--after|--before] [--all]
//! [--plain] [UNIT...]`: the dependency tree as `systemctl list-dependencies` of systemd 252 prints
//! it (`systemctl-list-dependencies.c`), computed offline from the engine's graph with the
//! renderer the simulated manager uses too ([`crate::manager::list_deps`], which describes the
//! format). Active states come from the runtime state, and offline every unit is inactive: the
//! glyph is always `○` (`*` without UTF-8), never coloured.
//!
//! The graph holds `default.target` and the units asked for, with all they reference (what the
//! manager has loaded after booting and being asked about the units).
use super::graph_load;
use super::{Context, Global};
use crate::manager::list_deps::{kinds, DepsSource, Tree};
use crate::manager::ActiveState;
use unitlab_engine::graph::{DepKind, Graph};
use unitlab_engine::name::UnitName;

/// Arguments of this verb.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Show reverse dependencies (what pulls the unit in).
    #[arg(long)]
    pub reverse: bool,
    /// Show the units ordered before the unit (`After=`).
    #[arg(long, conflicts_with = "before")]
    pub after: bool,
    /// Show the units ordered after the unit (`Before=`).
    #[arg(long)]
    pub before: bool,
    /// Expand every unit, not only targets.
    #[arg(short, long)]
    pub all: bool,
    /// Plain list, no tree.
    #[arg(long)]
    pub plain: bool,
    /// Units (default: default.target).
    #[arg(value_name = "UNIT")]
    pub units: Vec<String>,
}

/// The offline graph as a [`DepsSource`]: every unit inactive.
struct Offline<'a>(&'a Graph);

impl DepsSource for Offline<'_> {
    fn deps(&mut self, name: &str, kinds: &[DepKind]) -> Vec<String> {
        let Some(node) = self.0.get(name) else {
            return Vec::new();
        };
        kinds
            .iter()
            .flat_map(|k| node.deps_of(*k).map(|(d, _)| d.to_string()))
            .collect()
    }

    fn state(&mut self, _name: &str) -> ActiveState {
        ActiveState::Inactive
    }
}

/// Runs the verb.
pub fn run(ctx: &mut Context<'_>, global: &Global, args: Args) -> i32 {
    let mut units = match graph_load::mangle_units(ctx, global, &args.units) {
        Ok(u) => u,
        Err(code) => return code,
    };
    if units.is_empty() {
        units.push(UnitName::new("default.target").expect("valid name"));
    }
    let graph = match graph_load::build(ctx, global, &units) {
        Ok(g) => g,
        Err(code) => return code,
    };
    let tree = Tree {
        kinds: kinds(args.reverse, args.after, args.before),
        all: args.all,
        plain: args.plain,
        full: global.full,
        utf8: graph_load::locale_is_utf8(ctx),
        width: Tree::width_from(ctx.var("COLUMNS")),
    };
    let mut out = String::new();
    let mut seen = Vec::new();
    for (i, u) in units.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(u.as_str());
        out.push('\n');
        out.push_str(&tree.render(&mut Offline(&graph), u.as_str(), &mut seen));
    }
    let _ = ctx.out.write_all(out.as_bytes());
    0
}
