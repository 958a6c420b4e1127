//! Time spans and timestamps as the manager prints them, on top of the engine's time layer
//! ([`unitlab_engine::time`], verified against `systemd-analyze`). The simulated machine runs
//! in UTC.
use super::Usec;
use unitlab_engine::time::{span, timestamp, zone::Zone, USEC_INFINITY};

/// `USEC_INFINITY`.
pub const INFINITY: Usec = USEC_INFINITY;

/// Parses a time span (`90`, `100ms`, `1min 30s`, `infinity`) as `parse_time()` does; a bare
/// number is in `default_unit` microseconds (seconds for most settings). `None` if invalid.
pub fn parse_timespan(s: &str, default_unit: Usec) -> Option<Usec> {
    span::parse_time(s, default_unit).ok()
}

/// `format_timespan(t, accuracy)`: `1min 30s`, `100ms`, `1.500s`, `infinity`, `0`.
pub fn format_timespan(t: Usec, accuracy: Usec) -> String {
    span::format_timespan(t, accuracy)
}

/// `format_timestamp()` in UTC: `Tue 2026-11-24 12:47:31 UTC`; empty for an unset timestamp.
pub fn format_timestamp(realtime: Usec) -> String {
    timestamp::format_timestamp(realtime, &Zone::utc()).unwrap_or_default()
}

/// `format_timestamp_relative()` of two monotonic times: `19ms ago`, `1min 5s ago`, `now`.
/// Only the difference counts, so both are shifted by one to keep a timestamp at boot
/// (monotonic 0) from reading as unset.
pub fn format_relative(then: Usec, now: Usec) -> String {
    timestamp::format_timestamp_relative(then.saturating_add(1), now.saturating_add(1))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    const SEC: Usec = 1_000_000;

    // Values seen in `systemctl --user show` and `status` of systemd 252 (reference §11 runs):
    // RestartUSec=100ms, TimeoutStartUSec=1min 30s, "Duration: 1ms".
    #[test]
    fn timespans_print_like_systemd() {
        assert_eq!(format_timespan(100_000, 1), "100ms");
        assert_eq!(format_timespan(90 * SEC, 1), "1min 30s");
        assert_eq!(format_timespan(INFINITY, 1), "infinity");
        assert_eq!(format_timespan(0, 1), "0");
        assert_eq!(format_timespan(1500, 1000), "1ms");
        assert_eq!(parse_timespan("1min 30s", SEC), Some(90 * SEC));
        assert_eq!(parse_timespan("100ms", SEC), Some(100_000));
        assert_eq!(parse_timespan("5", SEC), Some(5 * SEC));
        assert_eq!(parse_timespan("x", SEC), None);
    }

    #[test]
    fn timestamps_in_utc() {
        // 2026-11-24 12:47:31 UTC was a Tuesday (seen in the live manager's status output).
        let t = 1_795_524_451 * SEC;
        assert_eq!(format_timestamp(t), "Tue 2026-11-24 12:47:31 UTC");
        assert_eq!(format_relative(t, t + 19_000), "19ms ago");
        assert_eq!(format_relative(t, t + 65 * SEC), "1min 5s ago");
        assert_eq!(format_relative(0, 2 * SEC), "2s ago");
    }
}
