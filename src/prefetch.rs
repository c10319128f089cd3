//! Asking the processor for memory ahead of its use.
//!
//! The hot loops of a large graph read or add into arrays by an index
//! taken from the data (a buyer, a seller), so each access lands anywhere
//! in an array larger than the cache, and waiting for it is most of their
//! time. A loop that knows the index it will need some steps from now
//! asks for it here. Only a hint: results never depend on it.

/// How many steps ahead the loops ask: enough for a read from main
/// memory to arrive, few enough that the line is still in the cache.
pub(crate) const AHEAD: usize = 40;

/// For a loop that reads `values[col(c)]` for each `c` of a run of
/// `cols` at a time, runs after one another: asks for what the columns
/// `AHEAD` places after `run` will read.
#[inline(always)]
pub(crate) fn prefetch_run<C, V>(
    cols: &[C],
    run: std::ops::Range<usize>,
    values: &[V],
    col: impl Fn(&C) -> usize,
) {
    let ahead = cols.get(run.start + AHEAD..run.end + AHEAD).into_iter();
    for c in ahead.flatten() {
        prefetch(values, col(c));
    }
}

/// Asks for the cache line of `items[i]`; nothing when `i` is out of
/// range or the processor has no such hint.
#[inline(always)]
pub(crate) fn prefetch<T>(items: &[T], i: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(item) = items.get(i) {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: a prefetch reads nothing the program sees and cannot
        // fault, whatever the address.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((item as *const T).cast()) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (items, i);
}
