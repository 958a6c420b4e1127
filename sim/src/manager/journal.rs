//! The journal: every message the managers log, in order, with the fields `journalctl` filters
//! and renders (`-u`, `-b`, `-x`).

use std::borrow::Cow;

/// One journal entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    /// Boot index ([`super::Clock::boot`]) the entry was written in.
    pub boot: u32,
    /// Wall-clock microseconds since the epoch.
    pub realtime: u64,
    /// Monotonic microseconds since that boot.
    pub monotonic: u64,
    /// Whether a user manager wrote it (`journalctl --user`).
    pub user: bool,
    /// The syslog identifier (`systemd`, or the service's own name for its output).
    pub identifier: Cow<'static, str>,
    /// The process id shown in brackets.
    pub pid: u32,
    /// The unit the entry is about (`UNIT=`/`USER_UNIT=`), if any.
    pub unit: Option<String>,
    /// The message text.
    pub message: String,
    /// The catalog message id (`MESSAGE_ID=`), for `journalctl -x`.
    pub message_id: Option<&'static str>,
    /// Job id and result, for the catalog text (`JOB_ID=`, `JOB_RESULT=`).
    pub job: Option<(u32, String)>,
    /// Syslog priority (0–7).
    pub priority: u8,
    /// Further catalog fields (`UNIT_RESULT`, `COMMAND`, `EXIT_CODE`, `EXIT_STATUS`), in the
    /// order they were logged.
    pub fields: Vec<(&'static str, String)>,
}

/// All entries of a machine, oldest first.
#[derive(Debug, Clone, Default)]
pub struct Journal {
    /// The entries, in the order they were written.
    pub entries: Vec<JournalEntry>,
}

impl Journal {
    /// Appends an entry.
    pub fn push(&mut self, entry: JournalEntry) {
        self.entries.push(entry);
    }
}

/// Catalog message ids (systemd's `sd-messages.h`, as in `/usr/lib/systemd/catalog/systemd.catalog`).
pub mod ids {
    /// A start job has begun (`Starting X...`).
    pub const UNIT_STARTING: &str = "7d4958e842da4a758f6c1cdc7b36dcc5";
    /// A start job finished successfully (`Started X.`).
    pub const UNIT_STARTED: &str = "39f53479d3a045ac8e11786248231fbf";
    /// A start job failed (`Failed to start X.`, `Dependency failed for X.`).
    pub const UNIT_FAILED: &str = "be02cf6855d2428ba40df7e9d022f03d";
    /// A stop job has begun (`Stopping X...`).
    pub const UNIT_STOPPING: &str = "de5b426a63be47a7b6ac3eaac82e2f6f";
    /// A stop job finished (`Stopped X.`).
    pub const UNIT_STOPPED: &str = "9d1aaa27d60140bd96365438aad20286";
    /// A reload job has begun.
    pub const UNIT_RELOADING: &str = "d34d037fff1847e6ae669a370e694725";
    /// A reload job finished.
    pub const UNIT_RELOADED: &str = "7b05ebc668384222baa8881179cfda54";
    /// Automatic restart scheduled.
    pub const UNIT_RESTART_SCHEDULED: &str = "5eb03494b6584870a536b337290809b3";
    /// `X: Deactivated successfully.`
    pub const UNIT_SUCCESS: &str = "7ad2d189f7e94e70a38c781354912448";
    /// `SD_MESSAGE_UNIT_SKIPPED`: "Skipped due to '...'.".
    pub const UNIT_SKIPPED: &str = "0e4284a0caca4bfc81c0bb6786972673";
    /// `X: Failed with result 'R'.`
    pub const UNIT_FAILURE_RESULT: &str = "d9b373ed55a64feb8242e02dbe79a49c";
    /// `X: Main process exited, ...`
    pub const UNIT_PROCESS_EXIT: &str = "98e322203f7a4ed290d09fe03c09fe15";
}
