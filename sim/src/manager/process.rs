//! The process model (issue 5): what a command line does when the manager runs it.
//!
//! `/bin/true`, `/bin/false`, `/bin/echo ...` (its output is not modelled), `/bin/sleep N`,
//! `/bin/sh -c 'exit N'`, `/bin/sh -c 'echo ...; sleep N; exit M'` (the shell expands `$NAME`
//! from the unit's environment; `CMD &` starts CMD in the background and goes on), `/bin/kill [-SIG] PID` (signals a main or control process)
//! (and the `/usr/bin/` forms, and the bare names, which the manager finds in `PATH`) end by
//! themselves; any other program of the reference machine (`binaries/installed.txt`: its
//! `/usr/bin` and `/usr/sbin`), and any absolute path elsewhere, runs until it is stopped or
//! killed; a name in those directories or a plain name that is not installed cannot be executed
//! (status 203/EXEC). Instant commands take 1 ms, so that a
//! service's `Duration:` is never zero, as on a real machine.
use super::timefmt::parse_timespan;
use super::Usec;

/// How long a command that ends at once runs.
pub const INSTANT: Usec = 1000;

/// One `Exec*=` command: its prefixes and words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecCommand {
    /// `-`: a failure exit status is ignored.
    pub ignore_failure: bool,
    /// The words after the prefixes (`argv[0]` first), unquoted; shared, as every process
    /// forked for the command gets a copy.
    pub argv: std::sync::Arc<[String]>,
    /// What it does ([`ExecCommand::behavior`]), worked out once when parsed.
    behavior: Behavior,
    /// Whether a word has a `$` (only then can [`ExecCommand::expand`] change anything).
    dollar: bool,
}

impl ExecCommand {
    /// Parses a setting value (`-/bin/sh -c 'exit 3'`). `None` if it has no command.
    pub fn parse(value: &str) -> Option<ExecCommand> {
        let mut s = value.trim();
        let mut ignore_failure = false;
        while let Some(c) = s.chars().next() {
            match c {
                '-' => ignore_failure = true,
                '@' | ':' | '+' | '!' | '|' => {}
                _ => break,
            }
            s = &s[1..];
        }
        let argv = split_command(s);
        if argv.is_empty() {
            return None;
        }
        let behavior = behavior(&argv, &[]);
        Some(ExecCommand {
            ignore_failure,
            dollar: argv.iter().any(|w| w.contains('$')),
            argv: argv.into(),
            behavior,
        })
    }

    /// The command as `status` prints it (`/bin/sh -c exit 3`: words joined, unquoted).
    pub fn display(&self) -> String {
        self.argv.join(" ")
    }

    /// The process name shown in `Main PID: N (name)`: `argv[0]`'s basename.
    pub fn comm(&self) -> String {
        let a = self.argv.first().map(String::as_str).unwrap_or("");
        a.rsplit('/').next().unwrap_or(a).chars().take(15).collect()
    }

    /// What the command does in an empty environment.
    pub fn behavior(&self) -> Behavior {
        debug_assert_eq!(self.behavior, behavior(&self.argv, &[]), "behavior cache");
        self.behavior
    }

    /// What the command does when it runs with `env` (its shell expands variables from it).
    pub fn behavior_in(&self, env: &[(String, String)]) -> Behavior {
        // Only a shell script can read variables: other commands keep the parsed behaviour.
        if env.is_empty() || !self.argv.iter().skip(2).any(|w| w.contains('$')) {
            return self.behavior();
        }
        behavior(&self.argv, env)
    }

    /// The first command a shell script (`/bin/sh -c '... CMD & ...'`) starts in the background,
    /// once the shell has expanded its variables from `env`: the process a `Type=forking`
    /// service's start leaves behind.
    pub fn background(&self, env: &[(String, String)]) -> Option<ExecCommand> {
        if known_program(self.argv.first()?) != Some("sh") || self.argv.get(1)? != "-c" {
            return None;
        }
        let script = shell_expand(self.argv.get(2)?, env);
        let (text, _) = shell_parts(&script)?.into_iter().find(|(_, bg)| *bg)?;
        ExecCommand::parse(text)
    }

    /// Whether the process writes the `PIDFile=` of a `Type=forking` service: a program the
    /// model does not know is taken for a well-behaved daemon (as it sends `READY=1` for
    /// `Type=notify`); the commands the model knows (`sleep`, a shell script) write nothing.
    pub fn writes_pid_file(&self) -> bool {
        self.behavior == Behavior::Forever
            && self
                .argv
                .first()
                .is_some_and(|p| known_program(p).is_none())
    }

    /// The command as the manager executes it: variables of `env` replaced as systemd's
    /// `replace_env_argv()` does. A word that is exactly `$NAME` becomes the value split at
    /// whitespace (no word when unset); `${NAME}` inside a word becomes the value as it is
    /// (empty when unset); `$$` is a `$`; other `$` stay. `None` when nothing changed.
    pub fn expand(&self, env: &[(String, String)]) -> Option<ExecCommand> {
        debug_assert_eq!(self.dollar, self.argv.iter().any(|w| w.contains('$')));
        if !self.dollar {
            return None;
        }
        let get = |name: &str| env.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v);
        let mut out = Vec::with_capacity(self.argv.len());
        for w in self.argv.iter() {
            if let Some(name) = w.strip_prefix('$').filter(|n| !n.starts_with(['{', '$'])) {
                if let Some(v) = get(name) {
                    out.extend(split_command(v));
                }
                continue;
            }
            out.push(replace_braced(w, &get));
        }
        let behavior = behavior(&out, &[]);
        Some(ExecCommand {
            ignore_failure: self.ignore_failure,
            dollar: out.iter().any(|w| w.contains('$')),
            argv: out.into(),
            behavior,
        })
    }
}

/// `${NAME}` → its value (empty when unset), `$$` → `$` (systemd's `replace_env()` without
/// extensions).
fn replace_braced<'a>(w: &str, get: &dyn Fn(&str) -> Option<&'a String>) -> String {
    let mut out = String::with_capacity(w.len());
    let mut rest = w;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some((name, tail)) = after
            .strip_prefix('{')
            .and_then(|b| b.split_once('}'))
            .filter(|(n, _)| !n.contains(':'))
        {
            if let Some(v) = get(name) {
                out.push_str(v);
            }
            rest = tail;
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// The shell's own expansion of `$NAME` and `${NAME}` in a script (unset: empty).
fn shell_expand(script: &str, env: &[(String, String)]) -> String {
    let get = |name: &str| {
        env.iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let mut out = String::with_capacity(script.len());
    let mut chars = script.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        let rest = &script[i + 1..];
        if let Some((name, _)) = rest.strip_prefix('{').and_then(|b| b.split_once('}')) {
            out.push_str(get(name));
            // Skip `{NAME}` (characters, not bytes).
            for _ in 0..name.chars().count() + 2 {
                chars.next();
            }
            continue;
        }
        let len = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if len == 0 {
            out.push('$');
            continue;
        }
        out.push_str(get(&rest[..len]));
        for _ in 0..len {
            chars.next();
        }
    }
    out
}

/// Splits a setting value into words as command lines are split (quotes and backslashes).
pub fn split_words(s: &str) -> Vec<String> {
    split_command(s)
}

/// Splits a command line into words, honouring single and double quotes and backslashes.
fn split_command(s: &str) -> Vec<String> {
    // Without quotes or backslashes a word is a run of characters other than space and tab
    // (what the loop below finds, character by character, growing each word as it goes).
    let bytes = s.as_bytes();
    if !bytes.iter().any(|b| matches!(b, b'\'' | b'"' | b'\\')) {
        let mut out = Vec::with_capacity(4);
        let mut start = None;
        for (i, b) in bytes.iter().enumerate() {
            if matches!(b, b' ' | b'\t') {
                if let Some(st) = start.take() {
                    out.push(s[st..i].to_owned());
                }
            } else if start.is_none() {
                start = Some(i);
            }
        }
        if let Some(st) = start {
            out.push(s[st..].to_owned());
        }
        return out;
    }
    split_quoted(s)
}

/// [`split_command`] character by character: quotes and backslashes.
fn split_quoted(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                for d in chars.by_ref() {
                    if d == '\'' {
                        break;
                    }
                    cur.push(d);
                }
            }
            '"' => {
                in_word = true;
                while let Some(d) = chars.next() {
                    match d {
                        '"' => break,
                        '\\' => {
                            if let Some(e) = chars.next() {
                                cur.push(e);
                            }
                        }
                        _ => cur.push(d),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(e) = chars.next() {
                    cur.push(e);
                }
            }
            _ => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

/// What a simulated process does on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behavior {
    /// Exits with `status` after `after` microseconds.
    Exit {
        /// Run time.
        after: Usec,
        /// Exit status.
        status: i32,
    },
    /// Runs until it is killed.
    Forever,
    /// `kill [-SIG] PID`: sends `sig` to `pid`, then exits (0, or 1 if there is no such
    /// process).
    Kill {
        /// The signal.
        sig: i32,
        /// The process.
        pid: u32,
    },
}

impl Behavior {
    /// True for commands the model knows to end by themselves.
    pub fn ends(self) -> bool {
        matches!(self, Behavior::Exit { .. })
    }
}

fn known_program(p: &str) -> Option<&'static str> {
    let base = p
        .strip_prefix("/usr/bin/")
        .or_else(|| p.strip_prefix("/bin/"))
        .or_else(|| (!p.contains('/')).then_some(p))?;
    ["true", "false", "sleep", "sh", "echo", "kill"]
        .into_iter()
        .find(|k| *k == base)
}

fn sleep_arg(s: &str) -> Option<Usec> {
    parse_timespan(s, 1_000_000)
}

/// The executables of the reference machine's `/usr/bin` and `/usr/sbin` (`binaries/generate.sh`).
const INSTALLED: &str = include_str!("binaries/installed.txt");

/// Whether `prog` can be executed: a plain name must be one of the reference machine's
/// executables (the manager searches `PATH`), and so must a path in `/bin`, `/sbin`, `/usr/bin`
/// or `/usr/sbin`; any other absolute path is taken to exist (the simulator does not model
/// the files of programs).
fn installed(prog: &str) -> bool {
    static NAMES: std::sync::OnceLock<std::collections::HashSet<&'static str>> =
        std::sync::OnceLock::new();
    let names = NAMES.get_or_init(|| INSTALLED.lines().collect());
    let name = match prog.rsplit_once('/') {
        None => prog,
        Some(("/bin" | "/sbin" | "/usr/bin" | "/usr/sbin", name)) => name,
        Some(_) => return true,
    };
    names.contains(name)
}

/// `kill [-SIG | -s SIG | --signal SIG | -N] PID`: the signal and the process, if the words
/// say so.
fn kill_args(args: &[String]) -> Option<(i32, u32)> {
    let mut sig = 15;
    let mut rest = args;
    match rest.first().map(String::as_str) {
        Some("-s") | Some("--signal") => {
            sig = parse_signal(rest.get(1)?)?;
            rest = &rest[2..];
        }
        Some(a) if a.starts_with('-') && a.len() > 1 => {
            sig = parse_signal(&a[1..])?;
            rest = &rest[1..];
        }
        _ => {}
    }
    match rest {
        [pid] => Some((sig, pid.parse().ok().filter(|p| *p > 0)?)),
        _ => None,
    }
}

fn behavior(argv: &[String], env: &[(String, String)]) -> Behavior {
    let Some(prog) = argv.first() else {
        return Behavior::Forever;
    };
    let exit = |after: Usec, status: i32| Behavior::Exit {
        after: after.max(INSTANT),
        status,
    };
    match known_program(prog) {
        Some("true") | Some("echo") => exit(INSTANT, 0),
        Some("false") => exit(INSTANT, 1),
        Some("sleep") => match argv.get(1).and_then(|a| sleep_arg(a)) {
            Some(t) => exit(t, 0),
            None => exit(INSTANT, 1),
        },
        Some("sh") => {
            if argv.get(1).map(String::as_str) != Some("-c") {
                return Behavior::Forever;
            }
            let script = argv.get(2).map(String::as_str).unwrap_or("");
            shell_script(&shell_expand(script, env)).unwrap_or(Behavior::Forever)
        }
        Some("kill") => match kill_args(&argv[1..]) {
            Some((sig, pid)) => Behavior::Kill { sig, pid },
            None => exit(INSTANT, 1),
        },
        _ if installed(prog) => Behavior::Forever,
        _ => exit(INSTANT, 203),
    }
}

/// The commands of a script, each with whether it runs in the background (ended by `&`
/// rather than `;` or the end); `None` for `&&`, which the model does not know.
fn shell_parts(script: &str) -> Option<Vec<(&str, bool)>> {
    if script.contains("&&") {
        return None;
    }
    let mut parts = Vec::new();
    let mut rest = script;
    while let Some(end) = rest.find([';', '&']) {
        parts.push((rest[..end].trim(), rest.as_bytes()[end] == b'&'));
        rest = &rest[end + 1..];
    }
    parts.push((rest.trim(), false));
    parts.retain(|(p, _)| !p.is_empty());
    Some(parts)
}

/// `sleep N; exit M`, `exit N`, `sleep N`, `true`, `false`, `echo ...` (separated by `;`);
/// `CMD &` starts CMD in the background (the script goes on at once, status 0).
fn shell_script(script: &str) -> Option<Behavior> {
    let mut elapsed: Usec = 0;
    let mut status = 0;
    for (part, background) in shell_parts(script)? {
        if background {
            status = 0;
            continue;
        }
        let words: Vec<&str> = part.split_whitespace().collect();
        match words.as_slice() {
            ["exit"] => {
                return Some(Behavior::Exit {
                    after: elapsed.max(INSTANT),
                    status,
                })
            }
            ["exit", n, ..] => {
                // dash: further words are ignored; anything but a number from 0 to INT_MAX is
                // "exit: Illegal number", which ends the shell with status 2.
                let status = match n.bytes().all(|b| b.is_ascii_digit()) {
                    true => n.parse::<i32>().map_or(2, |n| n & 0xff),
                    false => 2,
                };
                return Some(Behavior::Exit {
                    after: elapsed.max(INSTANT),
                    status,
                });
            }
            ["sleep", n] => {
                elapsed += sleep_arg(n)?;
                status = 0;
            }
            ["true"] | [":"] | ["echo", ..] => status = 0,
            ["false"] => status = 1,
            _ => return None,
        }
    }
    Some(Behavior::Exit {
        after: elapsed.max(INSTANT),
        status,
    })
}

/// How a process ended (`si_code`/`si_status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// `code=exited, status=N`.
    Exited(i32),
    /// `code=killed, status=SIG`.
    Killed(i32),
    /// `code=dumped, status=SIG`.
    Dumped(i32),
}

impl Exit {
    /// The `code=` word.
    pub fn code_str(self) -> &'static str {
        match self {
            Exit::Exited(_) => "exited",
            Exit::Killed(_) => "killed",
            Exit::Dumped(_) => "dumped",
        }
    }

    /// `ExecMainCode=` (CLD_EXITED 1, CLD_KILLED 2, CLD_DUMPED 3).
    pub fn code_num(self) -> i32 {
        match self {
            Exit::Exited(_) => 1,
            Exit::Killed(_) => 2,
            Exit::Dumped(_) => 3,
        }
    }

    /// The status number.
    pub fn status(self) -> i32 {
        match self {
            Exit::Exited(s) | Exit::Killed(s) | Exit::Dumped(s) => s,
        }
    }

    /// `status=1/FAILURE` as the journal prints it (`n/a` for unnamed exit statuses).
    pub fn journal_status(self) -> String {
        match self {
            Exit::Exited(s) => format!("{s}/{}", exit_status_name(s, true).unwrap_or("n/a")),
            Exit::Killed(s) | Exit::Dumped(s) => {
                format!("{s}/{}", signal_name(s).unwrap_or("n/a"))
            }
        }
    }

    /// `status=1/FAILURE` as `systemctl status` prints it (LSB names 2–7 left out, and the
    /// name left out when there is none).
    pub fn status_text(self) -> String {
        let name = match self {
            Exit::Exited(s) => exit_status_name(s, false),
            Exit::Killed(s) | Exit::Dumped(s) => signal_name(s),
        };
        match name {
            Some(n) => format!("{}/{n}", self.status()),
            None => format!("{}", self.status()),
        }
    }
}

/// systemd's exit status names; `lsb` includes 2–7.
pub fn exit_status_name(s: i32, lsb: bool) -> Option<&'static str> {
    Some(match s {
        0 => "SUCCESS",
        1 => "FAILURE",
        2 if lsb => "INVALIDARGUMENT",
        3 if lsb => "NOTIMPLEMENTED",
        4 if lsb => "NOPERMISSION",
        5 if lsb => "NOTINSTALLED",
        6 if lsb => "NOTCONFIGURED",
        7 if lsb => "NOTRUNNING",
        200 => "CHDIR",
        201 => "NICE",
        202 => "FDS",
        203 => "EXEC",
        204 => "MEMORY",
        205 => "LIMITS",
        206 => "OOM_ADJUST",
        207 => "SIGNAL_MASK",
        208 => "STDIN",
        209 => "STDOUT",
        210 => "CHROOT",
        211 => "IOPRIO",
        212 => "TIMERSLACK",
        213 => "SECUREBITS",
        214 => "SETSCHEDULER",
        215 => "CPUAFFINITY",
        216 => "GROUP",
        217 => "USER",
        218 => "CAPABILITIES",
        219 => "CGROUP",
        220 => "SETSID",
        221 => "CONFIRM",
        222 => "STDERR",
        224 => "PAM",
        225 => "NETWORK",
        226 => "NAMESPACE",
        227 => "NO_NEW_PRIVILEGES",
        228 => "SECCOMP",
        229 => "SELINUX_CONTEXT",
        230 => "PERSONALITY",
        231 => "APPARMOR",
        232 => "ADDRESS_FAMILIES",
        233 => "RUNTIME_DIRECTORY",
        235 => "CHOWN",
        236 => "SMACK_PROCESS_LABEL",
        237 => "KEYRING",
        238 => "STATE_DIRECTORY",
        239 => "CACHE_DIRECTORY",
        240 => "LOGS_DIRECTORY",
        241 => "CONFIGURATION_DIRECTORY",
        242 => "NUMA_POLICY",
        243 => "CREDENTIALS",
        245 => "BPF",
        // Verified on the live user manager (`status=255/EXCEPTION`, user-exec-condition.md).
        255 => "EXCEPTION",
        _ => return None,
    })
}

const SIGNALS: [&str; 31] = [
    "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
    "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG",
    "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
];

/// A signal's name without `SIG` (`TERM`).
pub fn signal_name(n: i32) -> Option<&'static str> {
    if (1..=31).contains(&n) {
        Some(SIGNALS[(n - 1) as usize])
    } else {
        None
    }
}

/// `SIGRTMIN` and `SIGRTMAX` of glibc on Linux.
const SIGRTMIN: i32 = 34;
const SIGRTMAX: i32 = 64;

/// Parses a signal as systemd's `signal_from_string()` does: a number from 1 to 64, or a name
/// with or without `SIG` (`TERM`, `SIGTERM`), `RTMIN`, `RTMIN+n`, `RTMAX`, `RTMAX-n`.
pub fn parse_signal(s: &str) -> Option<i32> {
    if let Ok(n) = s.parse::<i32>() {
        return (1..=SIGRTMAX).contains(&n).then_some(n);
    }
    let name = s.strip_prefix("SIG").unwrap_or(s);
    if let Some(i) = SIGNALS.iter().position(|x| *x == name) {
        return Some(i as i32 + 1);
    }
    let offset = |rest: &str, sign: char| -> Option<i32> {
        if rest.is_empty() {
            return Some(0);
        }
        let n: i32 = rest.strip_prefix(sign)?.parse().ok()?;
        (0..=SIGRTMAX - SIGRTMIN).contains(&n).then_some(n)
    };
    if let Some(rest) = name.strip_prefix("RTMIN") {
        return offset(rest, '+').map(|n| SIGRTMIN + n);
    }
    if let Some(rest) = name.strip_prefix("RTMAX") {
        return offset(rest, '-').map(|n| SIGRTMAX - n);
    }
    None
}

/// What delivering `sig` does to a simulated process: `None` if it survives (signals whose default
/// action is to ignore or stop), else how it ends. Signals whose default action dumps core
/// (`SIGQUIT`, `SIGABRT`, `SIGSEGV`, ...) end it as `killed`, not `dumped`: a stock Debian 12
/// manager runs its services with a soft `RLIMIT_CORE` of 0, so no core is written (live user
/// manager: `kill -s SIGQUIT` and a watchdog's `SIGABRT` give `code=killed` and result
/// `signal`/`watchdog`, `user-kill-signal.md`, `user-watchdog.md`).
pub fn deliver(sig: i32) -> Option<Exit> {
    match sig {
        17 | 18 | 19 | 20 | 21 | 22 | 23 | 28 => None,
        _ => Some(Exit::Killed(sig)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_words_split_as_the_quoting_splitter_does() {
        for s in [
            "",
            " ",
            "/bin/true",
            "/opt/app/bin/daemon --foreground",
            "  /bin/sleep\t\t1  ",
            "/bin/sh -c exit\n3",
            "a\u{a0}b c\rd",
            "\t",
            "x  y\t z ",
        ] {
            assert_eq!(split_command(s), split_quoted(s), "{s:?}");
        }
    }

    #[test]
    fn environment_expansion() {
        // Live user manager (user-exec-environment.md): `${CODE}` is replaced by systemd even
        // inside a quoted word; `$CODE` inside a word is left to the shell, which expands it
        // from the environment; a whole-word `$MAINPID` is replaced by systemd.
        let env = vec![
            ("CODE".to_owned(), "3".to_owned()),
            ("MAINPID".to_owned(), "42".to_owned()),
            ("TWO".to_owned(), "a  b".to_owned()),
        ];
        let c = |s: &str| ExecCommand::parse(s).expect("command");
        let x = c("/bin/sh -c 'exit ${CODE}'")
            .expand(&env)
            .expect("changed");
        assert_eq!(&*x.argv, ["/bin/sh", "-c", "exit 3"]);
        assert_eq!(
            c("/bin/sh -c 'exit $CODE'").behavior_in(&env),
            Behavior::Exit {
                after: INSTANT,
                status: 3
            }
        );
        // The shell skips `${é}` by characters (reviewer: `x` was lost).
        assert_eq!(shell_expand("${é}x", &env), "x");
        let k = c("/bin/kill -HUP $MAINPID").expand(&env).expect("changed");
        assert_eq!(k.behavior(), Behavior::Kill { sig: 1, pid: 42 });
        // A lone `$` is a whole-word variable with an empty name: never set, so dropped.
        let w = c("/bin/echo $TWO $UNSET ${UNSET}x $$ $")
            .expand(&env)
            .expect("changed");
        assert_eq!(&*w.argv, ["/bin/echo", "a", "b", "x", "$"]);
        assert_eq!(c("/bin/true").expand(&env), None);
    }

    #[test]
    fn commands_of_the_model() {
        let b = |s: &str| ExecCommand::parse(s).expect("command").behavior();
        // A oneshot `ExecStart=/bin/echo hello` is finished when `start` returns (real user
        // manager, scenario user-status-no-journal).
        assert_eq!(
            b("/bin/echo hello"),
            Behavior::Exit {
                after: INSTANT,
                status: 0
            }
        );
        assert_eq!(
            b("/bin/sh -c 'echo hi; exit 3'"),
            Behavior::Exit {
                after: INSTANT,
                status: 3
            }
        );
        assert_eq!(
            b("/bin/true"),
            Behavior::Exit {
                after: INSTANT,
                status: 0
            }
        );
        assert_eq!(
            b("-/usr/bin/false"),
            Behavior::Exit {
                after: INSTANT,
                status: 1
            }
        );
        assert_eq!(
            b("/bin/sleep 2"),
            Behavior::Exit {
                after: 2_000_000,
                status: 0
            }
        );
        assert_eq!(
            b("/bin/sh -c 'exit 3'"),
            Behavior::Exit {
                after: INSTANT,
                status: 3
            }
        );
        assert_eq!(
            b("/bin/sh -c 'sleep 1; exit 4'"),
            Behavior::Exit {
                after: 1_000_000,
                status: 4
            }
        );
        // dash on the reference machine: `exit 300` is 44, extra words are ignored, anything
        // but a number from 0 to INT_MAX is "Illegal number" (status 2).
        for (script, status) in [
            ("exit 300", 44),
            ("exit 8 # from a variable", 8),
            ("exit 1'6'", 2),
            ("exit -1", 2),
            ("exit 99999999999", 2),
            ("exit 0009", 9),
        ] {
            assert_eq!(
                shell_script(script),
                Some(Behavior::Exit {
                    after: INSTANT,
                    status
                }),
                "{script}"
            );
        }
        // A command ended by `&` runs in the background: the shell goes on (user-forking.md).
        assert_eq!(
            shell_script("sleep 1000 &"),
            Some(Behavior::Exit {
                after: INSTANT,
                status: 0
            })
        );
        assert_eq!(
            shell_script("echo starting; sleep 0.3 & exit 4"),
            Some(Behavior::Exit {
                after: INSTANT,
                status: 4
            })
        );
        assert_eq!(shell_script("true && sleep 1"), None);
        let bg = |s: &str| {
            ExecCommand::parse(s)
                .unwrap()
                .background(&[("T".into(), "7".into())])
                .map(|c| c.display())
        };
        assert_eq!(bg("/bin/sh -c 'sleep $T &'").as_deref(), Some("sleep 7"));
        assert_eq!(
            bg("/bin/sh -c 'sleep 1; /opt/d -x & exit 0'").as_deref(),
            Some("/opt/d -x")
        );
        assert_eq!(bg("/bin/sh -c 'sleep 1'"), None);
        assert_eq!(bg("/opt/d &"), None);
        // Live user manager (user-exec-failures.md): a missing program exits 203/EXEC.
        assert_eq!(
            b("/bin/nonexistent-binary"),
            Behavior::Exit {
                after: INSTANT,
                status: 203
            }
        );
        assert_eq!(b("/usr/bin/python3 -m http.server"), Behavior::Forever);
        assert_eq!(b("python3 -m http.server"), Behavior::Forever);
        assert_eq!(b("/opt/app/bin/daemon --foreground"), Behavior::Forever);
        assert_eq!(b("/bin/kill -HUP 12"), Behavior::Kill { sig: 1, pid: 12 });
        assert_eq!(b("kill -s INT 7"), Behavior::Kill { sig: 2, pid: 7 });
        assert_eq!(b("/usr/bin/kill 7"), Behavior::Kill { sig: 15, pid: 7 });
        assert_eq!(
            b("/bin/kill -HUP"),
            Behavior::Exit {
                after: INSTANT,
                status: 1
            }
        );
        assert_eq!(
            b("relative"),
            Behavior::Exit {
                after: INSTANT,
                status: 203
            }
        );
        assert_eq!(
            ExecCommand::parse("/bin/sh -c 'exit 3'")
                .expect("c")
                .display(),
            "/bin/sh -c exit 3"
        );
    }

    #[test]
    fn status_texts() {
        // reference §11: `(code=exited, status=3)` in status; the journal names LSB codes.
        assert_eq!(Exit::Exited(3).status_text(), "3");
        assert_eq!(Exit::Exited(1).status_text(), "1/FAILURE");
        assert_eq!(Exit::Exited(3).journal_status(), "3/NOTIMPLEMENTED");
        assert_eq!(Exit::Killed(9).status_text(), "9/KILL");
        assert_eq!(parse_signal("SIGTERM"), Some(15));
        assert_eq!(parse_signal("KILL"), Some(9));
        assert_eq!(parse_signal("64"), Some(64));
        assert_eq!(parse_signal("65"), None);
        assert_eq!(parse_signal("SIGRTMIN+2"), Some(36));
        assert_eq!(parse_signal("RTMAX-1"), Some(63));
        assert_eq!(parse_signal("RTMIN+31"), None);
        assert_eq!(parse_signal("SIGFOO"), None);
    }
}
