//! `unitlab [--root=DIR] [--user] plan VERB UNIT [--job-mode=MODE] [--json]`: the jobs the service
//! manager would queue for `systemctl VERB UNIT`, planned offline by the engine
//! ([`unitlab_engine::transaction`]) against a manager where every unit is inactive.
//!
//! VERB is `start`, `stop`, `restart`, `try-restart`, `reload`, `reload-or-restart`,
//! `try-reload-or-restart` or `isolate` (a start in mode `isolate`; UNIT defaults to the `.target`
//! suffix). The request is made as `systemctl` makes it (`RefuseManualStart=` and friends apply).
//!
//! - Success: exit 0, one line per job on stdout, `UNIT JOBTYPE`, sorted by unit name; with
//!   `--json` one JSON object: the anchor, the mode, and each job with the jobs that pulled it in
//!   and through which dependency.
//! - Failure: exit 1 and `Failed to VERB UNIT: REASON` on stderr, REASON in systemd's words,
//!   followed by systemctl's hint line where systemctl prints one.
//! - The manager's warnings (ignored dependency jobs, ordering cycles) go to stderr.
use super::graph_load;
use super::{Context, Global};
use std::fmt::Write as _;
use unitlab_engine::diag::Severity;
use unitlab_engine::load::Scope;
use unitlab_engine::name::{UnitName, UnitType};
use unitlab_engine::transaction::{
    plan, JobMode, JobType, Request, RuntimeState, Transaction, TransactionError,
};

/// The systemctl verbs `plan` accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Verb {
    /// `systemctl start`.
    Start,
    /// `systemctl stop`.
    Stop,
    /// `systemctl restart`.
    Restart,
    /// `systemctl try-restart`.
    TryRestart,
    /// `systemctl reload`.
    Reload,
    /// `systemctl reload-or-restart`.
    ReloadOrRestart,
    /// `systemctl try-reload-or-restart`.
    TryReloadOrRestart,
    /// `systemctl isolate`.
    Isolate,
}

impl Verb {
    /// The job type asked for, whether the request reloads if possible, and the word systemctl
    /// prints in `Failed to WORD UNIT`.
    fn request(self) -> (JobType, bool, &'static str) {
        match self {
            Verb::Start => (JobType::Start, false, "start"),
            Verb::Stop => (JobType::Stop, false, "stop"),
            Verb::Restart => (JobType::Restart, false, "restart"),
            Verb::TryRestart => (JobType::TryRestart, false, "try-restart"),
            Verb::Reload => (JobType::Reload, false, "reload"),
            Verb::ReloadOrRestart => (JobType::Restart, true, "reload-or-restart"),
            Verb::TryReloadOrRestart => (JobType::TryRestart, true, "reload-or-try-restart"),
            Verb::Isolate => (JobType::Start, false, "start"),
        }
    }
}

/// Arguments of this verb.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What systemctl would be asked to do.
    #[arg(value_enum, value_name = "VERB")]
    pub verb: Verb,
    /// The unit.
    #[arg(value_name = "UNIT")]
    pub unit: String,
    /// The job mode (fail, replace, replace-irreversibly, isolate, flush, ignore-dependencies,
    /// ignore-requirements, triggering).
    #[arg(long = "job-mode", value_name = "MODE", value_parser = parse_mode)]
    pub job_mode: Option<JobMode>,
    /// Print the jobs as JSON, with what pulled each one in.
    #[arg(long)]
    pub json: bool,
}

fn parse_mode(s: &str) -> Result<JobMode, String> {
    JobMode::from_name(s).ok_or_else(|| format!("Unknown job mode '{s}'"))
}

/// Runs the verb.
pub fn run(ctx: &mut Context<'_>, global: &Global, args: Args) -> i32 {
    let (job_type, reload_if_possible, word) = args.verb.request();
    let unit = if args.verb == Verb::Isolate {
        let name = match super::install_common::mangle_with(
            ctx,
            global,
            &args.unit,
            "to isolate",
            UnitType::Target,
            "Failed to mangle name",
        ) {
            Ok(n) => n,
            Err(code) => return code,
        };
        match UnitName::new(&name) {
            Ok(n) => n,
            Err(_) => {
                let _ = writeln!(ctx.err, "Failed to mangle name: Invalid argument");
                return 1;
            }
        }
    } else {
        match graph_load::mangle_units(ctx, global, std::slice::from_ref(&args.unit)) {
            Ok(mut u) if u.len() == 1 => u.remove(0),
            Ok(_) => return 1,
            Err(code) => return code,
        }
    };
    let graph = match graph_load::build(ctx, global, std::slice::from_ref(&unit)) {
        Ok(g) => g,
        Err(code) => return code,
    };
    let mode = match (args.verb, args.job_mode) {
        (Verb::Isolate, _) => JobMode::Isolate,
        (_, Some(m)) => m,
        (_, None) => JobMode::Replace,
    };
    let request = Request::new(unit.as_str(), job_type)
        .mode(mode)
        .manual(true)
        .reload_if_possible(reload_if_possible);
    let mut messages = Vec::new();
    let result = plan(&graph, &request, &RuntimeState::new(), &mut messages);
    if ctx.fs.is_none() {
        // On the host the process ends right after this command: the exit frees the graph at
        // no cost, while dropping it node by node is ~5% of a corpus plan. (The simulated
        // machine, with its injected filesystem, lives on and drops it.)
        std::mem::forget(graph);
    }
    for m in messages.iter().filter(|m| m.severity <= Severity::Notice) {
        let _ = writeln!(ctx.err, "{m}");
    }
    match result {
        Ok(tr) => {
            let text = if args.json {
                json(&tr)
            } else {
                let mut s = String::new();
                for j in &tr.jobs {
                    let _ = writeln!(s, "{} {}", j.unit, j.job_type);
                }
                s
            };
            let _ = ctx.out.write_all(text.as_bytes());
            0
        }
        Err(TransactionError::Masked(_))
            if matches!(args.verb, Verb::TryRestart | Verb::TryReloadOrRestart) =>
        {
            // systemctl ignores a masked unit for try-* requests.
            0
        }
        Err(e) => {
            let _ = writeln!(ctx.err, "Failed to {word} {unit}: {e}");
            if !matches!(
                e,
                TransactionError::NoSuchUnit(_)
                    | TransactionError::NotFound(_)
                    | TransactionError::NotLoaded(_)
                    | TransactionError::NotLoadedProperly(_)
                    | TransactionError::Masked(_)
                    | TransactionError::NotApplicable { .. }
            ) {
                let user = global.scope() != Scope::System;
                let _ = writeln!(
                    ctx.err,
                    "See {} logs and 'systemctl{} status{} {unit}' for details.",
                    if user { "user" } else { "system" },
                    if user { " --user" } else { "" },
                    if unit.as_str().starts_with('-') {
                        " --"
                    } else {
                        ""
                    },
                );
            }
            1
        }
    }
}

/// A JSON string literal.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The transaction as one JSON object (two-space indentation, keys in a fixed order).
fn json(tr: &Transaction) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{{");
    let _ = writeln!(s, "  \"anchor\": {},", quote(tr.anchor.as_str()));
    let _ = writeln!(s, "  \"type\": {},", quote(tr.anchor_type.as_str()));
    let _ = writeln!(s, "  \"mode\": {},", quote(tr.mode.as_str()));
    let _ = writeln!(s, "  \"jobs\": [");
    for (i, j) in tr.jobs.iter().enumerate() {
        let _ = writeln!(s, "    {{");
        let _ = writeln!(s, "      \"unit\": {},", quote(j.unit.as_str()));
        let _ = writeln!(s, "      \"type\": {},", quote(j.job_type.as_str()));
        let _ = writeln!(s, "      \"anchor\": {},", j.anchor);
        let _ = writeln!(s, "      \"matters_to_anchor\": {},", j.matters_to_anchor);
        let _ = writeln!(s, "      \"irreversible\": {},", j.irreversible);
        if j.pulled_in_by.is_empty() {
            let _ = writeln!(s, "      \"pulled_in_by\": []");
        } else {
            let _ = writeln!(s, "      \"pulled_in_by\": [");
            for (k, p) in j.pulled_in_by.iter().enumerate() {
                let _ = writeln!(
                    s,
                    "        {{\"unit\": {}, \"type\": {}, \"dependency\": {}}}{}",
                    quote(p.unit.as_str()),
                    quote(p.job_type.as_str()),
                    quote(&p.via.to_string()),
                    if k + 1 < j.pulled_in_by.len() {
                        ","
                    } else {
                        ""
                    }
                );
            }
            let _ = writeln!(s, "      ]");
        }
        let _ = writeln!(s, "    }}{}", if i + 1 < tr.jobs.len() { "," } else { "" });
    }
    let _ = writeln!(s, "  ],");
    let cancelled: Vec<String> = tr.cancelled.iter().map(|u| quote(u.as_str())).collect();
    let _ = writeln!(s, "  \"cancelled\": [{}]", cancelled.join(", "));
    let _ = writeln!(s, "}}");
    s
}
