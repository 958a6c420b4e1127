//! Load states (reference §3.4): what PID 1 reports as `LoadState` after trying to load a unit.
use std::fmt;

/// The outcome of loading a unit, with systemd's display strings ([`LoadState::as_str`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LoadState {
    /// `stub`: not loaded yet (transient units before loading).
    Stub,
    /// `loaded`: the fragment was parsed, or the type needs no fragment.
    Loaded,
    /// `not-found`: no fragment although the type requires one (also dangling or invalid aliases,
    /// alias loops and fragments that cannot be opened).
    NotFound,
    /// `bad-setting`: a setting was fatally invalid or the type's verification refused the unit.
    BadSetting,
    /// `error`: any other load failure (e.g. an invalid section header: `Bad message`).
    Error,
    /// `merged`: the unit object was merged into another one (an alias that was loaded on its own).
    Merged,
    /// `masked`: the fragment is `/dev/null`, another character device or an empty file.
    Masked,
}

impl LoadState {
    /// All states, in systemd's enum order.
    pub const ALL: [LoadState; 7] = [
        LoadState::Stub,
        LoadState::Loaded,
        LoadState::NotFound,
        LoadState::BadSetting,
        LoadState::Error,
        LoadState::Merged,
        LoadState::Masked,
    ];

    /// The string systemd prints (`loaded`, `not-found`, `bad-setting`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            LoadState::Stub => "stub",
            LoadState::Loaded => "loaded",
            LoadState::NotFound => "not-found",
            LoadState::BadSetting => "bad-setting",
            LoadState::Error => "error",
            LoadState::Merged => "merged",
            LoadState::Masked => "masked",
        }
    }

    /// Parses a display string back into a state.
    pub fn from_str_exact(s: &str) -> Option<LoadState> {
        LoadState::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// True when the unit's configuration is usable (`loaded`).
    pub fn is_loaded(self) -> bool {
        self == LoadState::Loaded
    }
}

impl fmt::Display for LoadState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // reference §3.4: the display strings.
    #[test]
    fn strings_round_trip() {
        for st in LoadState::ALL {
            assert_eq!(LoadState::from_str_exact(st.as_str()), Some(st));
        }
        assert_eq!(LoadState::NotFound.to_string(), "not-found");
        assert_eq!(LoadState::BadSetting.to_string(), "bad-setting");
        assert_eq!(LoadState::from_str_exact("bogus"), None);
    }
}
