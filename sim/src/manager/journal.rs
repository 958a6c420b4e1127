//! The journal: every message the managers log, in order, with the fields `journalctl` filters
//! and renders (`-u`, `-b`, `-x`).

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
    pub identifier: String,
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
