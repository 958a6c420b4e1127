//! The arithmetic of timer elapses, free of manager state: when the event loop wakes up for a set
//! of armed timers (sd-event's coalescing within each timer's accuracy window), the per-boot
//! perturbation that aligns those wake-ups, the random delays of `RandomizedDelaySec=` (a seeded
//! generator) and `FixedRandomDelay=` (a keyed SipHash-2-4 of the machine, the manager and the
//! unit, as systemd 252 computes it), and the monotonic base of each `On*Sec=` setting.
use super::super::Usec;
use unitlab_engine::time::{USEC_INFINITY, USEC_PER_MINUTE, USEC_PER_MSEC, USEC_PER_SEC};

/// The wake-up time sd-event picks for timers that must elapse within `[a, b]` (`a` the earliest
/// elapse, `b` the earliest elapse plus accuracy among the armed timers): the latest point in
/// the window that falls on the machine's perturbation within the minute, else within 10 s, 1 s
/// or 250 ms, else `b` itself. So timers with a long accuracy are woken together, at the same
/// offset in every minute, on one boot.
pub fn sleep_between(perturb: Usec, a: Usec, b: Usec) -> Usec {
    if a == 0 {
        return 0;
    }
    if a == USEC_INFINITY {
        return USEC_INFINITY;
    }
    if b <= a.saturating_add(1) {
        return a;
    }
    for step in [
        USEC_PER_MINUTE,
        10 * USEC_PER_SEC,
        USEC_PER_SEC,
        250 * USEC_PER_MSEC,
    ] {
        let mut c = (b / step) * step + perturb % step;
        if c >= b {
            if c < step {
                return b;
            }
            c -= step;
        }
        if c >= a {
            return c;
        }
    }
    b
}

/// The perturbation of one boot: an offset below one minute derived from the boot ID (the XOR of
/// its two 64-bit halves, as sd-event reads them, modulo a minute).
pub fn perturbation(boot_id: [u8; 16]) -> Usec {
    let (lo, hi) = boot_id.split_at(8);
    let q = |b: &[u8]| u64::from_le_bytes(b.try_into().expect("eight bytes"));
    (q(lo) ^ q(hi)) % USEC_PER_MINUTE
}

/// A small deterministic generator (SplitMix64): the simulator's `random_u64()`.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Sixteen random bytes (an ID such as a boot or machine ID).
    pub fn id128(&mut self) -> [u8; 16] {
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        out[8..].copy_from_slice(&self.next_u64().to_le_bytes());
        out
    }
}

/// SipHash-2-4 of `data` under `key`: the engine's ([`unitlab_engine::name::siphash24`]).
pub fn siphash24(key: &[u8; 16], data: &[u8]) -> u64 {
    unitlab_engine::name::siphash24(data, key)
}

/// The key systemd 252 hashes `FixedRandomDelay=` delays with.
const FIXED_DELAY_KEY: [u8; 16] = [
    0x51, 0x0a, 0xdb, 0x76, 0x29, 0x51, 0x42, 0xc2, 0x80, 0x35, 0xea, 0xe6, 0x8e, 0x3a, 0x37, 0xbd,
];

/// The hash a `FixedRandomDelay=yes` timer takes its delay from: the machine ID, whether this is
/// the system manager, the manager's uid and the timer's name, hashed in that order (the delay
/// is this modulo `RandomizedDelaySec=`). Stable across boots and reloads.
pub fn fixed_delay_hash(machine_id: [u8; 16], system: bool, uid: u32, id: &str) -> u64 {
    let mut data = Vec::with_capacity(21 + id.len());
    data.extend_from_slice(&machine_id);
    data.push(u8::from(system));
    data.extend_from_slice(&uid.to_le_bytes());
    data.extend_from_slice(id.as_bytes());
    siphash24(&FIXED_DELAY_KEY, &data)
}

/// Adds a random delay below `random` to `v` (`add_random()`): nothing for `RandomizedDelaySec=0`
/// or a timer that never elapses; saturates below infinity.
pub fn add_random(v: Usec, random: Usec, draw: u64) -> Usec {
    if random == 0 || v == USEC_INFINITY {
        return v;
    }
    let add = draw % random;
    match v.checked_add(add) {
        Some(x) if x != USEC_INFINITY => x,
        _ => USEC_INFINITY - 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    const SEC: Usec = USEC_PER_SEC;

    #[test]
    fn sleep_between_prefers_the_perturbed_point_in_the_minute() {
        // Window [100 s, 160 s], perturbation 7 s: 127 s is the latest 60 s-aligned point + 7 s.
        assert_eq!(sleep_between(7 * SEC, 100 * SEC, 160 * SEC), 127 * SEC);
        // A window too short for a minute point: the 10 s grid (+7 s).
        assert_eq!(sleep_between(7 * SEC, 100 * SEC, 110 * SEC), 107 * SEC);
        // Too short for the 1 s grid: the 250 ms grid (perturbation 7 s % 250 ms = 0).
        assert_eq!(
            sleep_between(7 * SEC, 100 * SEC + 1, 100 * SEC + 300_000),
            100 * SEC + 250_000
        );
        // AccuracySec=1us: exactly the elapse.
        assert_eq!(sleep_between(7 * SEC, 100 * SEC, 100 * SEC + 1), 100 * SEC);
        // Nothing fits: the end of the window.
        assert_eq!(
            sleep_between(7 * SEC, 100 * SEC + 1, 100 * SEC + 3),
            100 * SEC + 3
        );
        assert_eq!(
            sleep_between(7 * SEC, USEC_INFINITY, USEC_INFINITY),
            USEC_INFINITY
        );
    }

    #[test]
    fn a_real_user_manager_wakes_up_where_predicted() {
        // A real systemd 252.38 user manager on a host with boot ID
        // 6eb767fc-628c-4002-9f24-ad67679238b9 ran `OnActiveSec=1s` with the default
        // `AccuracySec=1min`: next elapse 8h 35min 38.367430s (monotonic), last trigger
        // 8h 35min 55.217336s, i.e. 199 us after the predicted wake-up (dispatch latency).
        let hex = "6eb767fc628c40029f24ad67679238b9";
        let id: [u8; 16] =
            std::array::from_fn(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap());
        let a = (8 * 3600 + 35 * 60 + 38) * SEC + 367_430;
        let woke = sleep_between(perturbation(id), a, a + USEC_PER_MINUTE);
        let trigger = (8 * 3600 + 35 * 60 + 55) * SEC + 217_336;
        assert!(
            woke <= trigger && trigger - woke < 2_000,
            "{woke} vs {trigger}"
        );
    }

    #[test]
    fn the_wake_up_never_leaves_the_window() {
        let mut rng = Rng::new(5);
        for _ in 0..10_000 {
            let p = rng.next_u64() % USEC_PER_MINUTE;
            let a = 1 + rng.next_u64() % (1 << 40);
            let b = a + rng.next_u64() % (3 * USEC_PER_MINUTE);
            let c = sleep_between(p, a, b);
            assert!(a <= c && c <= b.max(a), "p={p} a={a} b={b} c={c}");
        }
    }

    #[test]
    fn siphash_matches_the_reference_vectors() {
        // The first vectors of the SipHash paper's appendix (key 00..0f, messages 00..len-1).
        let key: [u8; 16] = std::array::from_fn(|i| i as u8);
        let msg: Vec<u8> = (0..64u8).collect();
        assert_eq!(siphash24(&key, &msg[..0]), 0x726f_db47_dd0e_0e31);
        assert_eq!(siphash24(&key, &msg[..1]), 0x74f8_39c5_93dc_67fd);
        assert_eq!(siphash24(&key, &msg[..8]), 0x93f5_f579_9a93_2462);
        assert_eq!(siphash24(&key, &msg[..15]), 0xa129_ca61_49be_45e5);
    }

    #[test]
    fn fixed_random_delay_matches_a_real_user_manager() {
        // A real systemd 252.38 user manager (uid 1002, /etc/machine-id
        // 3d1219c7c4c5404aaa1f6d2a48adfda4) put `tmr-fix.timer` with `OnCalendar=2099-01-01`,
        // `RandomizedDelaySec=1000d`, `FixedRandomDelay=yes` at `Fri 2099-01-09 19:19:50 UTC`:
        // a delay of 8 days 19:19:50 (and some microseconds, not shown).
        let hex = "3d1219c7c4c5404aaa1f6d2a48adfda4";
        let id: [u8; 16] =
            std::array::from_fn(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap());
        let h = fixed_delay_hash(id, false, 1002, "tmr-fix.timer");
        let delay = add_random(0, 1000 * 86_400 * SEC, h);
        assert_eq!(delay / SEC, 8 * 86_400 + 19 * 3600 + 19 * 60 + 50);
    }

    #[test]
    fn random_delays_stay_below_the_limit_and_saturate() {
        assert_eq!(add_random(10, 0, 99), 10);
        assert_eq!(add_random(10, 5, 99), 14);
        assert_eq!(add_random(USEC_INFINITY, 5, 99), USEC_INFINITY);
        assert_eq!(add_random(USEC_INFINITY - 2, 5, 99), USEC_INFINITY - 1);
    }
}
