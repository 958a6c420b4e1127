//! SipHash-2-4 and the hashed form of over-long path-derived names (reference §2.3).
//!
//! When `PATH.TYPE` would exceed 255 bytes, systemd keeps the first `237 - len(TYPE)` bytes of the
//! escaped name and appends `_`, 16 lowercase hex digits and `.TYPE`, giving exactly 255 bytes. The
//! digits are the little-endian bytes of SipHash-2-4 over the whole over-long name (suffix included)
//! *and its terminating NUL byte* (systemd's `siphash24_string` hashes `strlen + 1` bytes), with a
//! fixed key (`LONG_UNIT_NAME_HASH_KEY` in systemd's `unit-name.c`).
//!
//! SipHash-2-4 is written here from the algorithm's specification (Aumasson & Bernstein, 2012):
//! four 64-bit lanes initialised from the key and the constant "somepseudorandomlygeneratedbytes",
//! two rounds per 8-byte little-endian message word, the length in the top byte of the final word,
//! then `0xff` xored into v2 and four finalisation rounds.

/// The key systemd uses for hashed long unit names.
pub const LONG_NAME_HASH_KEY: [u8; 16] = [
    0xec, 0xf2, 0x37, 0xfb, 0x58, 0x32, 0x4a, 0x32, 0x84, 0x9f, 0x06, 0x9b, 0x0d, 0x21, 0xeb, 0x9a,
];

/// Number of hex digits in the hash part of a hashed name.
pub(crate) const HASH_CHARS: usize = 16;

struct Lanes([u64; 4]);

impl Lanes {
    fn round(&mut self) {
        let v = &mut self.0;
        v[0] = v[0].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(13) ^ v[0];
        v[0] = v[0].rotate_left(32);
        v[2] = v[2].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(16) ^ v[2];
        v[0] = v[0].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(21) ^ v[0];
        v[2] = v[2].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(17) ^ v[2];
        v[2] = v[2].rotate_left(32);
    }

    fn absorb(&mut self, m: u64) {
        self.0[3] ^= m;
        self.round();
        self.round();
        self.0[0] ^= m;
    }
}

fn le64(bytes: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    word[..bytes.len()].copy_from_slice(bytes);
    u64::from_le_bytes(word)
}

/// SipHash-2-4 of `data` under the 128-bit `key`.
pub fn siphash24(data: &[u8], key: &[u8; 16]) -> u64 {
    let k0 = le64(&key[..8]);
    let k1 = le64(&key[8..]);
    let mut s = Lanes([
        0x736f_6d65_7073_6575 ^ k0,
        0x646f_7261_6e64_6f6d ^ k1,
        0x6c79_6765_6e65_7261 ^ k0,
        0x7465_6462_7974_6573 ^ k1,
    ]);
    let mut chunks = data.chunks_exact(8);
    for chunk in &mut chunks {
        s.absorb(le64(chunk));
    }
    // The length fills the top byte of the last word: only its low 8 bits matter.
    let last = le64(chunks.remainder()) | (data.len() as u64) << 56;
    s.absorb(last);
    s.0[2] ^= 0xff;
    for _ in 0..4 {
        s.round();
    }
    s.0[0] ^ s.0[1] ^ s.0[2] ^ s.0[3]
}

/// Shortens an over-long `stem.TYPE` name (at least 256 bytes) to 255 bytes with a hash, as
/// systemd's `unit_name_hash_long`. `name` must be ASCII (an escaped name).
pub(crate) fn hash_long_name(name: &str, ty_len: usize) -> String {
    let mut bytes = Vec::with_capacity(name.len() + 1);
    bytes.extend_from_slice(name.as_bytes());
    bytes.push(0);
    let h = siphash24(&bytes, &LONG_NAME_HASH_KEY);
    let keep = super::UNIT_NAME_MAX - 2 - ty_len - HASH_CHARS;
    let mut out = String::with_capacity(super::UNIT_NAME_MAX);
    out.push_str(&name[..keep]);
    out.push('_');
    for b in h.to_le_bytes() {
        out.push_str(&format!("{b:02x}"));
    }
    out.push_str(&name[name.len() - ty_len - 1..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test vector of the SipHash paper (appendix A), also used by systemd's test-siphash24.c:
    /// key 00..0f, message 00..0e.
    #[test]
    fn siphash_paper_vector() {
        let key: [u8; 16] = std::array::from_fn(|i| i as u8);
        let msg: Vec<u8> = (0..15u8).collect();
        assert_eq!(siphash24(&msg, &key), 0xa129_ca61_49be_45e5);
    }
}
