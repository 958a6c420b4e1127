//! The virtual clock: monotonic time since boot and the wall clock, both in microseconds. It only
//! moves when the simulation says so, so every run is deterministic.

/// Microseconds.
pub type Usec = u64;

/// The simulated clock of a machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clock {
    /// Microseconds since the current boot (CLOCK_MONOTONIC).
    pub monotonic: Usec,
    /// Wall-clock microseconds since the epoch at the current boot's start.
    pub boot_realtime: Usec,
    /// Index of the current boot (0 for the first).
    pub boot: u32,
}

impl Clock {
    /// A clock at boot, with the wall clock at `realtime` microseconds since the epoch.
    pub fn new(realtime: Usec) -> Clock {
        Clock {
            monotonic: 0,
            boot_realtime: realtime,
            boot: 0,
        }
    }

    /// The wall clock now (CLOCK_REALTIME), in microseconds since the epoch.
    pub fn realtime(&self) -> Usec {
        self.boot_realtime + self.monotonic
    }
}
