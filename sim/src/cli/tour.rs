//! `unitlab tour [NAME] [--list] [--check] [--color] [--unsupported] [--export-matrix DIR]`: the teaching tour
//! (the logic is in `crate::tour`). Without a name it plays every chapter in order.
use super::{Context, Global};
use crate::tour::{self, matrix, Capabilities, Style};
use camino::Utf8PathBuf;
use std::io::IsTerminal;

/// Arguments of this verb.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The chapter to play (default: all, in order).
    #[arg(value_name = "NAME")]
    pub name: Option<String>,
    /// List the chapters (name and title).
    #[arg(long)]
    pub list: bool,
    /// Check that every command prints what the chapter expects (from real systemd).
    #[arg(long)]
    pub check: bool,
    /// Colour the playback (default: only when stdout is a terminal).
    #[arg(long)]
    pub color: bool,
    /// Play (or check) chapters even when the simulator lacks what they need, to see where it
    /// differs from real systemd.
    #[arg(long)]
    pub unsupported: bool,
    /// Write each cell of the stop/disable/mask table as a scenario file into DIR (to replay
    /// on a real user manager with scripts/real-manager-replay).
    #[arg(long, value_name = "DIR")]
    pub export_matrix: Option<Utf8PathBuf>,
}

/// Runs the verb.
pub fn run(ctx: &mut Context<'_>, _global: &Global, args: Args) -> i32 {
    if args.list {
        let w = tour::chapters()
            .iter()
            .map(|c| c.name.len())
            .max()
            .unwrap_or(0);
        for c in tour::chapters() {
            let _ = writeln!(ctx.out, "{:w$}  {}", c.name, c.title);
        }
        return 0;
    }
    if let Some(dir) = &args.export_matrix {
        return export_matrix(ctx, dir);
    }
    let chosen: Vec<&tour::Chapter> = match &args.name {
        Some(name) => match tour::find(name) {
            Some(c) => vec![c],
            None => {
                let _ = writeln!(
                    ctx.err,
                    "unitlab tour: no chapter {name:?} (see `unitlab tour --list`)"
                );
                return 1;
            }
        },
        None => tour::chapters().iter().collect(),
    };
    let caps = Capabilities::probe();
    let style = Style {
        color: args.color || (ctx.fs.is_none() && std::io::stdout().is_terminal()),
    };
    let mut status = 0;
    for c in chosen {
        if let Some(why) = caps.missing(c).filter(|_| !args.unsupported) {
            let _ = writeln!(ctx.out, "SKIP {}: {why}", c.name);
            if !args.check {
                let _ = writeln!(ctx.out);
            }
            continue;
        }
        if args.check {
            let r = tour::check(c);
            if r.ok() {
                let _ = writeln!(ctx.out, "ok {} ({} commands)", c.name, r.commands);
            } else {
                let _ = write!(ctx.out, "{}", r.diff);
                let _ = writeln!(ctx.out, "FAILED {}", c.name);
                status = 1;
            }
            continue;
        }
        if let Err(e) = tour::play(c, style, &mut *ctx.out) {
            let _ = writeln!(ctx.err, "unitlab tour: {e}");
            return 1;
        }
    }
    status
}

/// Writes every cell's experiment as `DIR/tour-matrix-ROW-COLUMN.md`.
fn export_matrix(ctx: &mut Context<'_>, dir: &Utf8PathBuf) -> i32 {
    let dir = if dir.is_absolute() {
        dir.clone()
    } else {
        ctx.cwd.join(dir)
    };
    if let Err(e) = std::fs::create_dir_all(&dir) {
        let _ = writeln!(ctx.err, "{dir}: {e}");
        return 1;
    }
    for cell in matrix::Cell::all() {
        let path = dir.join(format!("tour-matrix-{}.md", cell.prefix));
        let Some(text) = cell.scenario(&cell.run()) else {
            let _ = writeln!(
                ctx.err,
                "not exported: {} ({}: a real user manager cannot reboot)",
                path,
                matrix::TRIGGERS[cell.row].label
            );
            continue;
        };
        if let Err(e) = std::fs::write(&path, text) {
            let _ = writeln!(ctx.err, "{path}: {e}");
            return 1;
        }
        let _ = writeln!(ctx.out, "{path}");
    }
    0
}
