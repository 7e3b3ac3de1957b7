//! A tiny seeded pseudo-random generator (SplitMix64) with the same output on every
//! platform, so the same seed builds the same data natively and on wasm32.
//!
//! Imports nothing but `core`; no `rand`, no clock, no OS entropy.

/// SplitMix64 state. Deterministic, fast, and good enough for test data.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

/// The SplitMix64 finaliser: a strong 64-bit mix.
pub(crate) const fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Rng {
    /// A generator for one record of one stream, independent of how many records exist,
    /// so record `i` is the same whatever `records_per_source` is.
    pub(crate) fn for_record(seed: u64, stream: u64, index: u64) -> Rng {
        Rng(mix(seed
            ^ mix(stream.wrapping_add(0x9e37_79b9_7f4a_7c15))
            ^ mix(index.wrapping_mul(0x2545_f491_4f6c_dd1d))))
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    /// Uniform in `0..n` (0 when `n == 0`).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..hi` (returns `lo` when the range is empty).
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = hi.wrapping_sub(lo) as u64;
        lo.wrapping_add(self.below(span) as i64)
    }

    /// True with probability `pct` percent.
    pub(crate) fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }

    /// One element of a non-empty slice (`None` only for an empty slice).
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let i = self.below(items.len() as u64) as usize;
        items.get(i)
    }

    /// `n` lowercase hex digits.
    pub(crate) fn hex(&mut self, n: usize) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(n);
        let mut bits = 0u64;
        for i in 0..n {
            if i % 16 == 0 {
                bits = self.next_u64();
            }
            s.push(char::from(HEX[(bits & 15) as usize]));
            bits >>= 4;
        }
        s
    }

    /// A version-4-looking UUID.
    pub(crate) fn uuid(&mut self) -> String {
        let h = self.hex(32);
        let variant = ["8", "9", "a", "b"][(self.below(4)) as usize];
        format!(
            "{}-{}-4{}-{}{}-{}",
            &h[0..8],
            &h[8..12],
            &h[13..16],
            variant,
            &h[17..20],
            &h[20..32]
        )
    }

    /// `n` decimal digits (leading zeros allowed).
    pub(crate) fn digits(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        for _ in 0..n {
            s.push(char::from(b'0' + self.below(10) as u8));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let mut a = Rng::for_record(7, 1, 42);
        let mut b = Rng::for_record(7, 1, 42);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        let mut c = Rng::for_record(7, 1, 43);
        assert_ne!(Rng::for_record(7, 1, 42).next_u64(), c.next_u64());
    }

    #[test]
    fn uuid_shape() {
        let u = Rng::for_record(1, 2, 3).uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(u.as_bytes()[14], b'4');
    }

    #[test]
    fn below_in_range() {
        let mut r = Rng::for_record(9, 9, 9);
        for _ in 0..1000 {
            assert!(r.below(7) < 7);
            let v = r.range(-5, 5);
            assert!((-5..5).contains(&v));
        }
        assert_eq!(r.below(0), 0);
    }
}
