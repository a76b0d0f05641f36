//! Small, fast, deterministic hashing for normalised values and blocking keys.
//!
//! Values are compared and blocked by 32- or 64-bit digests rather than strings so that a
//! million normalised people fit in a few tens of megabytes; a collision can only add a
//! candidate pair or (with probability 2^-32 per compared pair) call two names equal.

/// The SplitMix64 finaliser: a bijection that spreads every input bit over the output.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// An order-sensitive running digest.
#[derive(Clone, Copy)]
pub(crate) struct Digest(u64);

impl Digest {
    pub(crate) fn new(domain: u64) -> Digest {
        Digest(mix(domain.wrapping_add(0x9e37_79b9_7f4a_7c15)))
    }

    pub(crate) fn push(self, x: u64) -> Digest {
        Digest(mix(self.0.rotate_left(23) ^ x))
    }

    pub(crate) fn push_str(mut self, s: &str) -> Digest {
        for chunk in s.as_bytes().chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self = self.push(u64::from_le_bytes(word));
        }
        self.push(0xff)
    }

    pub(crate) fn finish(self) -> u64 {
        self.0
    }

    /// A 32-bit digest that is never 0 (0 stands for "missing" in compact rows).
    pub(crate) fn finish32(self) -> u32 {
        let folded = (self.0 ^ (self.0 >> 32)) as u32;
        folded.max(1)
    }
}

/// A blocking key of one kind from two parts.
pub(crate) fn key(kind: u64, a: u64, b: u64) -> u64 {
    Digest::new(kind).push(a).push(b).finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_depend_on_order_and_domain() {
        let ab = Digest::new(1).push(2).push(3).finish();
        let ba = Digest::new(1).push(3).push(2).finish();
        let other = Digest::new(2).push(2).push(3).finish();
        assert_ne!(ab, ba);
        assert_ne!(ab, other);
        assert_ne!(
            Digest::new(0).push_str("zhang").finish(),
            Digest::new(0).push_str("zhan").push_str("g").finish()
        );
    }
}
