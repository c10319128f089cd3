//! Helpers shared by the unit tests.

/// A deterministic stream of numbers below `m` (xorshift64) from `seed`,
/// for tests that build random inputs and must fail the same way twice.
pub(crate) fn random(seed: u64) -> impl FnMut(u64) -> u64 {
    let mut state = seed | 1;
    move |m: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % m
    }
}
