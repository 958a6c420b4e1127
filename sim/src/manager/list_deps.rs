//! `systemctl list-dependencies [--reverse] [--after|--before] [--all] [--plain] [UNIT...]`: the
//! dependency tree as systemd 252 prints it (`systemctl-list-dependencies.c`). The renderer,
//! [`Tree`], is shared by the runtime manager (states from its units, which it loads as the tree
//! asks about them, as the bus lookups of the live `systemctl` do) and by the offline
//! `unitlab list-dependencies` (every unit inactive).
//!
//! - The first line is the unit; each child line is a state glyph (`●` active, activating or
//!   deactivating, `○` inactive, `×` failed, `↻` reloading; `*`, `*`, `x`, `*` when the locale
//!   is not UTF-8), the tree prefix (`│ `, `├─`, `└─`, or `| `, `|-`, `` `- ``) and the name.
//! - Children come from `Requires`, `Requisite`, `Wants`, `ConsistsOf`, `BindsTo`, `Upholds`
//!   (`--reverse`: `RequiredBy`, `RequisiteOf`, `WantedBy`, `PartOf`, `BoundBy`, `UpheldBy`;
//!   `--after`: `After`; `--before`: `Before`), deduplicated, non-targets first, then by
//!   case-insensitive name.
//! - Without `--all` only targets are expanded; a unit already on the path from the root is not
//!   repeated, and its siblings' list ends with `...`. `--plain` prints two spaces instead of
//!   glyph and tree, and each unit only once.
//! - Names longer than the width (`$COLUMNS`, else 80) are ellipsized unless `--full`.
//! - A template name without instance cannot be looked up: the live manager prints the name,
//!   then "Failed to get properties of X: ..." and exits 1 (user-template-names.md).
use super::triggers::state_glyph;
use super::verbs::{expand_names, template_lookup_error, Opts};
use super::{ActiveState, Manager};
use std::io::Write;
use unitlab_engine::fs::MemFs;
use unitlab_engine::graph::DepKind;
use unitlab_engine::load::Env;
use unitlab_engine::name::{UnitName, UnitType};

/// Where the tree's units and their states come from.
pub trait DepsSource {
    /// The units `name` has dependencies of `kinds` on, in any order (duplicates allowed).
    fn deps(&mut self, name: &str, kinds: &[DepKind]) -> Vec<String>;
    /// `name`'s active state.
    fn state(&mut self, name: &str) -> ActiveState;
}

/// The dependency kinds a tree follows.
pub fn kinds(reverse: bool, after: bool, before: bool) -> &'static [DepKind] {
    if after {
        &[DepKind::After]
    } else if before {
        &[DepKind::Before]
    } else if reverse {
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
    }
}

/// The options of one tree.
pub struct Tree {
    /// The kinds followed ([`kinds`]).
    pub kinds: &'static [DepKind],
    /// `--all`.
    pub all: bool,
    /// `--plain`.
    pub plain: bool,
    /// `--full`.
    pub full: bool,
    /// The locale is UTF-8.
    pub utf8: bool,
    /// `$COLUMNS`, else 80 (at least 20).
    pub width: usize,
}

fn is_target(name: &str) -> bool {
    name.ends_with(UnitType::Target.as_str()) && name.ends_with(".target")
}

impl Tree {
    /// The terminal width from `$COLUMNS` as systemd's `columns()` reads it.
    pub fn width_from(columns: Option<&str>) -> usize {
        columns
            .and_then(|c| c.parse::<usize>().ok())
            .filter(|c| *c > 0 && *c <= u16::MAX as usize)
            .unwrap_or(80)
            .max(20)
    }

    /// The lines below the root `name` (the root's own line not included). `seen` is shared by
    /// the roots of one command: with `--plain` nothing is taken off it, so a unit printed under
    /// one root is not printed again under the next (as systemctl keeps one list).
    pub fn render(&self, src: &mut dyn DepsSource, name: &str, seen: &mut Vec<String>) -> String {
        let mut out = String::new();
        self.one(src, &mut out, name, 0, seen, 0);
        out
    }

    fn glyph(&self, utf8: &'static str, ascii: &'static str) -> &'static str {
        if self.utf8 {
            utf8
        } else {
            ascii
        }
    }

    /// The sorted, deduplicated children of `name` (systemctl's `list_dependencies_compare()`).
    fn children(&self, src: &mut dyn DepsSource, name: &str) -> Vec<String> {
        let mut deps = src.deps(name, self.kinds);
        let mut seen = std::collections::HashSet::new();
        deps.retain(|d| seen.insert(d.clone()));
        deps.sort_by(|a, b| {
            is_target(a)
                .cmp(&is_target(b))
                .then_with(|| a.to_ascii_lowercase().cmp(&b.to_ascii_lowercase()))
        });
        deps
    }

    fn one(
        &self,
        src: &mut dyn DepsSource,
        out: &mut String,
        name: &str,
        level: usize,
        stack: &mut Vec<String>,
        branches: u64,
    ) {
        stack.push(name.to_owned());
        let deps = self.children(src, name);
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
                let g = state_glyph(src.state(c));
                let ascii = if g == "×" { "x" } else { "*" };
                out.push_str(self.glyph(g, ascii));
                out.push(' ');
            }
            self.print(out, c, level, branches, last_in_list && !circular);
            if self.all || is_target(c) {
                let b = (branches << 1) | u64::from(!last_in_list);
                self.one(src, out, c, level + 1, stack, b);
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

/// The live manager as a [`DepsSource`]: each unit the tree asks about is loaded (the bus
/// lookup of `systemctl` loads it too).
struct Live<'a> {
    m: &'a mut Manager,
    fs: &'a MemFs,
}

impl DepsSource for Live<'_> {
    fn deps(&mut self, name: &str, kinds: &[DepKind]) -> Vec<String> {
        let Ok(n) = UnitName::new(name) else {
            return Vec::new();
        };
        let Some(id) = self.m.load_one(self.fs, &n) else {
            return Vec::new();
        };
        let Some(u) = self.m.units.unit(&id) else {
            return Vec::new();
        };
        kinds
            .iter()
            .flat_map(|k| u.node.deps_of(*k).map(|(d, _)| d.to_string()))
            .collect()
    }

    fn state(&mut self, name: &str) -> ActiveState {
        if let Ok(n) = UnitName::new(name) {
            self.m.load_one(self.fs, &n);
        }
        self.m.active_state(name)
    }
}

/// Runs `list-dependencies` on the manager.
pub fn run(m: &mut Manager, fs: &MemFs, o: &Opts, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let Some((mut names, _)) = expand_names(m, o, UnitType::Service, err) else {
        return 1;
    };
    if names.is_empty() {
        names.push(UnitName::new("default.target").expect("valid name"));
    }
    let tree = Tree {
        kinds: kinds(
            o.dependency == Some("reverse"),
            o.dependency == Some("after"),
            o.dependency == Some("before"),
        ),
        all: o.all,
        plain: o.plain,
        full: o.full,
        utf8: true,
        width: Tree::width_from(m.opts.env.var("COLUMNS").as_deref()),
    };
    let mut seen = Vec::new();
    for (i, n) in names.iter().enumerate() {
        if i > 0 {
            let _ = writeln!(out);
        }
        let _ = writeln!(out, "{n}");
        if let Some(e) = template_lookup_error(n) {
            let _ = writeln!(err, "Failed to get properties of {n}: {e}");
            return 1;
        }
        let text = tree.render(&mut Live { m, fs }, n.as_str(), &mut seen);
        let _ = out.write_all(text.as_bytes());
    }
    0
}
