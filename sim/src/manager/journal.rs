//! The journal: every message the managers log, in order, with the fields `journalctl` filters
//! and renders (`-u`, `-b`, `-x`).
//!
//! A busy manager writes several entries per event, and most of them are a fixed text around a
//! unit's name or description (`Starting X...`, `X: Deactivated successfully.`): an entry keeps
//! such a message in parts ([`Message`]) with the unit as a shared name, and the text is joined
//! only when it is read, so that writing an entry allocates nothing.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use unitlab_engine::name::UnitName;

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
    pub unit: Option<UnitName>,
    /// The message text (`to_string()`, `Display` or [`Message::text`] to read it).
    pub message: Message,
    /// The catalog message id (`MESSAGE_ID=`), for `journalctl -x`.
    pub message_id: Option<&'static str>,
    /// Job id and result (empty when the entry carries the job id only), for the catalog text
    /// (`JOB_ID=`, `JOB_RESULT=`).
    pub job: Option<(u32, &'static str)>,
    /// Syslog priority (0–7).
    pub priority: u8,
    /// Further catalog fields (`UNIT_RESULT`, `COMMAND`, `EXIT_CODE`, `EXIT_STATUS`), in the
    /// order they were logged.
    pub fields: Vec<(&'static str, String)>,
}

/// A shared piece of a message: a unit's name, or a text such as its description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shared {
    /// A unit name.
    Name(UnitName),
    /// Any other text.
    Text(Arc<str>),
}

impl Shared {
    /// The text.
    pub fn as_str(&self) -> &str {
        match self {
            Shared::Name(n) => n.as_str(),
            Shared::Text(t) => t,
        }
    }
}

/// A journal message. Compare it with a `&str`, print it (`Display`), or read it with
/// [`Message::text`]: every form reads as the same text.
#[derive(Debug, Clone)]
pub enum Message {
    /// A text made when it was logged.
    Text(String),
    /// `before`, then `name`, then `after`, then `number` (if any), then `tail`: a fixed text
    /// around a unit's name or description, joined when read.
    Parts {
        /// The text before the name.
        before: &'static str,
        /// The shared name or description.
        name: Shared,
        /// The text after it.
        after: &'static str,
        /// A number after that (a restart counter), if any.
        number: Option<u32>,
        /// The text at the end.
        tail: &'static str,
    },
}

impl Message {
    /// `before` + `name` + `after`.
    pub fn around(before: &'static str, name: Shared, after: &'static str) -> Message {
        Message::Parts {
            before,
            name,
            after,
            number: None,
            tail: "",
        }
    }

    /// The message's text (borrowed when it was logged as one text).
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            Message::Text(t) => Cow::Borrowed(t),
            Message::Parts { .. } => Cow::Owned(self.to_string()),
        }
    }

    /// Whether the text equals `other`, without joining the parts.
    fn eq_str(&self, other: &str) -> bool {
        match self {
            Message::Text(t) => t == other,
            Message::Parts {
                before,
                name,
                after,
                number,
                tail,
            } => {
                let Some(rest) = other.strip_prefix(before) else {
                    return false;
                };
                let Some(rest) = rest.strip_prefix(name.as_str()) else {
                    return false;
                };
                let Some(rest) = rest.strip_prefix(after) else {
                    return false;
                };
                match number {
                    None => rest == *tail,
                    Some(n) => {
                        let n = n.to_string();
                        rest.strip_prefix(n.as_str()) == Some(*tail)
                    }
                }
            }
        }
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Message::Text(t) => f.write_str(t),
            Message::Parts {
                before,
                name,
                after,
                number,
                tail,
            } => {
                f.write_str(before)?;
                f.write_str(name.as_str())?;
                f.write_str(after)?;
                if let Some(n) = number {
                    write!(f, "{n}")?;
                }
                f.write_str(tail)
            }
        }
    }
}

impl PartialEq for Message {
    fn eq(&self, other: &Message) -> bool {
        match other {
            Message::Text(t) => self.eq_str(t),
            Message::Parts { .. } => self.eq_str(&other.text()),
        }
    }
}

impl Eq for Message {}

impl PartialEq<str> for Message {
    fn eq(&self, other: &str) -> bool {
        self.eq_str(other)
    }
}

impl PartialEq<&str> for Message {
    fn eq(&self, other: &&str) -> bool {
        self.eq_str(other)
    }
}

impl PartialEq<String> for Message {
    fn eq(&self, other: &String) -> bool {
        self.eq_str(other)
    }
}

impl From<String> for Message {
    fn from(t: String) -> Message {
        Message::Text(t)
    }
}

impl From<&str> for Message {
    fn from(t: &str) -> Message {
        Message::Text(t.to_owned())
    }
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
