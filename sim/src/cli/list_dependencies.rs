//! `unitlab [--root=DIR] [--user] list-dependencies [--reverse] [--after|--before] [--all]
//! [--plain] [UNIT...]`: the dependency tree as `systemctl list-dependencies` of systemd 252 prints
//! it (`systemctl-list-dependencies.c`), computed offline from the engine's graph.
//!
//! - The first line is the unit; each child line is a state dot, the tree prefix (`│ `, `├─`,
//!   `└─`, or `| `, `|-`, `` `- `` when the locale is not UTF-8) and the name.
//! - Children come from `Requires`, `Requisite`, `Wants`, `ConsistsOf`, `BindsTo`, `Upholds`
//!   (`--reverse`: `RequiredBy`, `RequisiteOf`, `WantedBy`, `PartOf`, `BoundBy`, `UpheldBy`;
//!   `--after`: `After`; `--before`: `Before`), deduplicated, non-targets first, then by
//!   case-insensitive name.
//! - Without `--all` only targets are expanded; a unit already on the path from the root is not
//!   repeated, and its siblings' list ends with `...`. `--plain` prints two spaces instead of dot and
//!   tree, and each unit only once.
//! - Names longer than the width (`$COLUMNS`, else 80) are ellipsized unless `--full`.
//! - Active states come from the runtime state, and offline every unit is inactive: the dot is
//!   always `○` (`*` without UTF-8), never coloured.
//!
//! The graph holds `default.target` and the units asked for, with all they reference (what the
//! manager has loaded after booting and being asked about the units).
use super::graph_load;
use super::{Context, Global};
use unitlab_engine::graph::{DepKind, Graph};
use unitlab_engine::name::{UnitName, UnitType};

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
    let kinds: &[DepKind] = if args.after {
        &[DepKind::After]
    } else if args.before {
        &[DepKind::Before]
    } else if args.reverse {
        &[
            DepKind::RequiredBy,
            DepKind::RequisiteOf,
            DepKind::WantedBy,
            DepKind::PartOf,
            DepKind::BoundBy,
            DepKind::UpheldBy,
        ]
    } else {
        &[
            DepKind::Requires,
            DepKind::Requisite,
            DepKind::Wants,
            DepKind::ConsistsOf,
            DepKind::BindsTo,
            DepKind::Upholds,
        ]
    };
    let width = ctx
        .var("COLUMNS")
        .and_then(|c| c.parse::<usize>().ok())
        .filter(|c| *c > 0 && *c <= u16::MAX as usize)
        .unwrap_or(80)
        .max(20);
    let printer = Printer {
        graph: &graph,
        kinds,
        all: args.all,
        plain: args.plain,
        full: global.full,
        utf8: graph_load::locale_is_utf8(ctx),
        width,
    };
    let mut out = String::new();
    let mut stack: Vec<String> = Vec::new();
    for (i, u) in units.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(u.as_str());
        out.push('\n');
        printer.one(&mut out, u.as_str(), 0, &mut stack, 0);
    }
    let _ = ctx.out.write_all(out.as_bytes());
    0
}

struct Printer<'a> {
    graph: &'a Graph,
    kinds: &'a [DepKind],
    all: bool,
    plain: bool,
    full: bool,
    utf8: bool,
    width: usize,
}

fn is_target(name: &str) -> bool {
    name.ends_with(UnitType::Target.as_str()) && name.ends_with(".target")
}

impl Printer<'_> {
    fn glyph(&self, utf8: &'static str, ascii: &'static str) -> &'static str {
        if self.utf8 {
            utf8
        } else {
            ascii
        }
    }

    /// The sorted, deduplicated children of `name` (systemctl's `list_dependencies_compare()`).
    fn children(&self, name: &str) -> Vec<String> {
        let mut deps: Vec<String> = Vec::new();
        if let Some(node) = self.graph.get(name) {
            for k in self.kinds {
                for (other, _) in node.deps_of(*k) {
                    if !deps.iter().any(|d| d == other.as_str()) {
                        deps.push(other.to_string());
                    }
                }
            }
        }
        deps.sort_by(|a, b| {
            is_target(a)
                .cmp(&is_target(b))
                .then_with(|| a.to_ascii_lowercase().cmp(&b.to_ascii_lowercase()))
        });
        deps
    }

    fn one(
        &self,
        out: &mut String,
        name: &str,
        level: usize,
        stack: &mut Vec<String>,
        branches: u64,
    ) {
        stack.push(name.to_owned());
        let deps = self.children(name);
        let mut circular = false;
        for (i, c) in deps.iter().enumerate() {
            if stack.iter().any(|s| s == c) {
                circular = true;
                continue;
            }
            let last_in_list = i + 1 == deps.len();
            if self.plain {
                out.push_str("  ");
            } else {
                out.push_str(self.glyph("○", "*"));
                out.push(' ');
            }
            self.print(out, c, level, branches, last_in_list && !circular);
            if self.all || is_target(c) {
                let b = (branches << 1) | u64::from(!last_in_list);
                self.one(out, c, level + 1, stack, b);
            }
        }
        if circular && !self.plain {
            out.push_str("  ");
            self.print(out, "...", level, branches, true);
        }
        if !self.plain {
            stack.retain(|s| s != name);
        }
    }

    /// `list_dependencies_print()`.
    fn print(&self, out: &mut String, name: &str, level: usize, branches: u64, last: bool) {
        let max_len = self.width;
        let mut len = 0usize;
        if !self.plain {
            for i in (0..level).rev() {
                len += 2;
                if len > max_len - 3 && !self.full {
                    out.push_str(if max_len % 2 == 1 { "...\n" } else { " ...\n" });
                    return;
                }
                let vertical = i < 64 && branches & (1u64 << i) != 0;
                out.push_str(if vertical {
                    self.glyph("│ ", "| ")
                } else {
                    "  "
                });
            }
            len += 2;
            if len > max_len - 3 && !self.full {
                out.push_str(if max_len % 2 == 1 { "...\n" } else { " ...\n" });
                return;
            }
            out.push_str(if last {
                self.glyph("└─", "`-")
            } else {
                self.glyph("├─", "|-")
            });
        }
        if self.full {
            out.push_str(name);
        } else {
            out.push_str(&ellipsize(name, max_len - len, self.utf8));
        }
        out.push('\n');
    }
}

/// systemd's `ellipsize(s, width, 100)` for ASCII names: keeps the start and ends with `…` (`...`
/// without UTF-8).
fn ellipsize(s: &str, width: usize, utf8: bool) -> String {
    if s.chars().count() <= width {
        return s.to_owned();
    }
    match width {
        0 => return String::new(),
        1 => return if utf8 { "…".into() } else { ".".into() },
        2 if !utf8 => return "..".into(),
        _ => {}
    }
    let need = if utf8 { 1 } else { 3 };
    let keep = width - need;
    let mut t: String = s.chars().take(keep).collect();
    t.push_str(if utf8 { "…" } else { "..." });
    t
}
